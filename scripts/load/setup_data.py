"""Add what the load and fault scripts need to a database that has the demo loaded.

Run after `flask db upgrade` and `flask demo`, with DATABASE_URL and SECRET_KEY set:

    .venv/bin/python scripts/load/setup_data.py [--owners 40] [--actions 3] [--heads 10] ...

It uses Docket's own service functions, so every row it makes has its trail event:
people (action owners, Heads of Service, Assistant Directors, administrators who only
read), actions owned by the new owners, the four reporting periods of 2019/20 opened (a
draft update for every live action in each), and committee reports written and submitted
for the Assistant Directors to approve. Prints one line of JSON that the scripts read:
who to sign in as, which updates each owner owns, which reports there are.
"""
import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.loader import DEMO_PASSWORD  # noqa: E402
from app.extensions import db  # noqa: E402

DOMAIN = "docket.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=40)
    parser.add_argument("--actions", type=int, default=3, help="actions per new owner")
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--directors", type=int, default=5)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--reports", type=int, default=60)
    args = parser.parse_args()

    app = create_app()
    with app.app_context():
        out = build(args)
    print(json.dumps(out))


def build(args) -> dict:
    from app.auth import passwords
    from app.models import (Action, ActionType, Directorate, Plan, ProgressUpdate, Rag, ReportingPeriod, Role,
                            ScopeKind, User)
    from app.models.updates import PeriodState
    from app.plans.service import save
    from app.reports import service as reports
    from app.updates.service import open_period
    from app.users import service as users

    # One Argon2 hash of the demo password for everyone made here (hashing is slow on purpose);
    # signing in still checks it at full cost.
    one_hash = passwords.hash_password(DEMO_PASSWORD)
    users.hash_password = lambda _password: one_hash

    admin = db.session.scalar(sa.select(User).where(User.email == f"admin@{DOMAIN}"))
    head = db.session.scalar(sa.select(User).where(User.email == f"marcus.bell@{DOMAIN}"))
    plan = db.session.scalar(sa.select(Plan).order_by(Plan.id).limit(1))
    if admin is None or plan is None:
        raise SystemExit("Load the demo first: flask demo")
    service = plan.service
    directorate = db.session.get(Directorate, service.directorate_id)
    theme_id = plan.themes[0].id if plan.themes else None

    def person(email, name, role, kind, scope):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = users.create_user(email, name, DEMO_PASSWORD, "Load test", actor=admin)
        users.grant_role(user, role, kind, scope, actor=admin)
        return user

    owners = [person(f"load.owner{i:02d}@{DOMAIN}", f"Load Owner {i:02d}", Role.ACTION_OWNER, ScopeKind.SERVICE,
                     service) for i in range(1, args.owners + 1)]
    heads = [head] + [person(f"load.head{i:02d}@{DOMAIN}", f"Load Head {i:02d}", Role.HEAD_OF_SERVICE,
                             ScopeKind.SERVICE, service) for i in range(1, args.heads)]
    directors = [person(f"load.ad{i:02d}@{DOMAIN}", f"Load Director {i:02d}", Role.ASSISTANT_DIRECTOR,
                        ScopeKind.DIRECTORATE, directorate) for i in range(1, args.directors + 1)]
    readers = [admin] + [person(f"load.reader{i:02d}@{DOMAIN}", f"Load Reader {i:02d}", Role.ADMINISTRATOR,
                                ScopeKind.EVERYTHING, None) for i in range(1, args.readers)]
    db.session.commit()

    existing = set(db.session.scalars(sa.select(Action.reference).where(Action.plan_id == plan.id)))
    for n, owner in enumerate(owners, start=1):
        for k in range(1, args.actions + 1):
            ref = f"LD{n:03d}{k}"
            if ref in existing:
                continue
            values = {"reference": ref, "theme_id": theme_id, "owner_id": owner.id,
                      "title": f"Load-test action {ref}: improve timeliness of case reviews",
                      "action_type": ActionType.BUSINESS_AS_USUAL, "rag": Rag.GREEN, "due_on": date(2020, 3, 31)}
            save(Action(plan_id=plan.id), values, verb="action_created", expected_version=None, actor=admin, new=True)

    periods = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on)).all()
    for period in periods:
        if period.state == PeriodState.PLANNED:
            open_period(period, admin)

    owned = []
    for owner in owners:
        ids = db.session.scalars(sa.select(ProgressUpdate.id).join(Action, ProgressUpdate.action_id == Action.id)
                                 .where(Action.owner_id == owner.id).order_by(ProgressUpdate.id)).all()
        owned.append({"email": owner.email, "updates": list(ids)})

    report_ids = []
    from app.models import Report
    made = db.session.scalars(sa.select(Report.id).order_by(Report.id)).all()
    report_ids.extend(made)
    for n in range(len(made), args.reports):
        report = reports.create_report(f"Children's Specialist Services: progress report {n + 1}", [plan],
                                       periods[n % len(periods)], head)
        reports.save_sections(report, {"recommendations": "Members are asked to note the progress made.",
                                       "reason": "To keep members informed."}, report.version, head)
        reports.submit(report, report.version, head)
        report_ids.append(report.id)

    summary = (f"{len(owners)} extra owners with {args.actions} actions each, {len(heads)} Heads of Service, "
               f"{len(directors)} Assistant Directors, {len(readers)} readers, {len(periods)} periods open, "
               f"{db.session.scalar(sa.select(sa.func.count(ProgressUpdate.id)))} updates, {len(report_ids)} reports")
    return {
        "plan_id": plan.id,
        "owners": owned,
        "heads": [u.email for u in heads],
        "directors": [u.email for u in directors],
        "readers": [u.email for u in readers],
        "reports": report_ids,
        "summary": summary,
    }


if __name__ == "__main__":
    main()
