"""Race every agenda action and publishing: N clerks at once, for R rounds, and print the table
that docs/reliability.md shows.

    .venv/bin/python scripts/races/run.py                       # SQLite, in a temporary file
    .venv/bin/python scripts/races/run.py --database postgresql://user@127.0.0.1:5432/scratch --reset

Docket is served on 127.0.0.1 (a free port) by werkzeug's threaded server, in this process;
each clerk has their own signed-in session, loads the agenda page (its CSRF token and the
meeting's version) and all post at the same moment behind a barrier (tests/racing.py). Each
round uses a new meeting. Wanted in every round: one 303, the rest 409 naming the winner, no
500, and exactly one of the thing stored with one trail event.

Bounded: at most 50 people, 20 rounds, and --max-seconds in all (default 900); only
127.0.0.1 is contacted. A PostgreSQL database is emptied first (--reset is required to say
so): never point it at a database you want to keep.
"""
import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temporary file)")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first (required for it)")
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--only", action="append", help="run only scenarios whose name contains this")
    args = parser.parse_args()
    if not 2 <= args.people <= 50 or not 1 <= args.rounds <= 20:
        parser.error("--people must be 2 to 50 and --rounds 1 to 20")

    import logging

    import sqlalchemy as sa

    from app import create_app
    from app.auth import passwords
    from app.extensions import db
    from app.models import Committee, Role, ScopeKind
    from app.users.service import create_user, grant_role
    from tests import racing

    url = args.database or "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="docket-races-")) / "races.db")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql") and not args.reset:
        parser.error("a PostgreSQL database is emptied first: add --reset to say that is what you want")
    passwords.use_fast_hashing_for_tests()
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": tempfile.mkdtemp(prefix="docket-races-storage-")})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    password = secrets.token_urlsafe(16)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
        committee = Committee(name="Children, Education & Communities Policy & Scrutiny Committee")
        db.session.add(committee)
        db.session.commit()
        clerks = []
        for n in range(1, args.people + 1):
            user = create_user(f"clerk{n}@example.org", f"Clerk Number {n}", password)
            grant_role(user, Role.CLERK, ScopeKind.COMMITTEE, committee)
            clerks.append(user)
        db.session.commit()
        committee_id, clerk_ids = committee.id, [c.id for c in clerks]
        names = [c.name for c in clerks]
        db.session.remove()

    scenarios = [s for s in racing.SCENARIOS if not args.only or any(o.lower() in s.name.lower() for o in args.only)]
    started = time.monotonic()
    rows = []
    with racing.serving(app) as base:
        browsers = []
        for n in range(args.people):
            browser = racing.Browser(base)
            browser.sign_in(f"clerk{n + 1}@example.org", password)
            browsers.append(browser)
        day = 30
        for scenario in scenarios:
            statuses: dict[int, int] = {}
            good_rounds, slowest, stored_wrong, unnamed, rounds = 0, 0.0, 0, 0, 0
            for _ in range(args.rounds):
                if time.monotonic() - started > args.max_seconds:
                    print(f"stopped: more than {args.max_seconds} s", file=sys.stderr)
                    break
                day += 1
                answers, seconds, stored = racing.run_scenario(app, browsers, scenario, committee_id, clerk_ids[0], day)
                rounds += 1
                slowest = max(slowest, seconds)
                for status, count in racing.tally(answers).items():
                    statuses[status] = statuses.get(status, 0) + count
                winners = [n for n, a in enumerate(answers) if a.status == 303]
                named = all(names[winners[0]] in racing.refusal_text(a.text)
                            for a in answers if a.status == 409) if len(winners) == 1 else False
                unnamed += 0 if named else 1
                wrong = any(count != 1 for count in stored.values())
                stored_wrong += wrong
                if len(winners) == 1 and named and not wrong and all(
                        a.status in (303, 409) for a in answers):
                    good_rounds += 1
            rows.append((scenario.name, rounds, statuses, good_rounds, stored_wrong, unnamed, slowest))
            print(f"{scenario.name}: {statuses} good rounds {good_rounds}/{rounds}", file=sys.stderr)

    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\n{kind}, {args.people} clerks at once, {args.rounds} rounds each "
          f"({time.monotonic() - started:.0f} s in all)\n")
    print("| Action | Rounds | Answers (all rounds) | Rounds with one winner, the rest told who | "
          "Rounds storing other than one | Slowest round |")
    print("|---|---|---|---|---|---|")
    for name, rounds, statuses, good, wrong, unnamed, slowest in rows:
        answers = ", ".join(f"{count} × {status or 'no answer'}" for status, count in statuses.items())
        print(f"| {name} | {rounds} | {answers} | {good} | {wrong} | {slowest:.1f} s |")
    return 0 if all(good == rounds for _, rounds, _, good, *_ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
