"""The checks a preview makes beyond its rows: the people the file names who are not in
Docket (an e-mail address given for one must be free), and the plan's current position
(the progress cells), which is stored as a signed-off update for a reporting period
(app/plans/baseline.py) and so needs one.

The period is the officer's choice; until they choose, Docket proposes the period a
progress column's heading names ("Progress update (Q4 2020/21)"), else the latest period
that has started.
"""
from datetime import date

import sqlalchemy as sa

from app.demo.text import key
from app.extensions import db
from app.models import ProgressUpdate, ReportingPeriod, UpdateState
from app.plans.transfer.previewing import Change, Problem


def check_people(pv, owners, options) -> None:
    from app.users.service import email_problem, person_with_email

    for unknown in pv.unknown:
        unknown.choice = owners.choice(unknown)
        unknown.chosen_email = options.emails.get(unknown.key) or unknown.email or ""
        if unknown.choice != "add" or not options.emails.get(unknown.key):
            continue
        email = options.emails[unknown.key].strip().lower()
        problem = email_problem(email)
        if problem is None and person_with_email(email) is not None:
            problem = f"There is already a person with the email address {email}: choose them instead"
        if problem:
            pv.extra_problems.append(Problem(kind="people", row=0, column=None, anchor=f"email-{unknown.key}",
                                             message=f"{unknown.name}: {problem}"))


def periods() -> list[ReportingPeriod]:
    return db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on.desc(),
                                                                  ReportingPeriod.id.desc())).all()


def proposed_period(pv, choices: list[ReportingPeriod]) -> ReportingPeriod | None:
    for table in pv.tables:
        for name, heading in table.columns:
            if name == "progress":
                named = next((p for p in choices if key(p.name) in key(heading)), None)
                if named:
                    return named
    started = [p for p in choices if p.starts_on <= date.today()]
    return (started or choices or [None])[0]


def _summary(parts: dict) -> str:
    return (parts.get("narrative") or parts.get("key_actions_remaining") or parts.get("next_focus")
            or parts.get("corrective_action") or "")[:160]


def check_current_position(plan, pv, state, options) -> None:
    rows = [(table, row) for table in pv.tables for row in table.rows if row.baseline]
    if not rows:
        return
    from app.plans.baseline import _clean, _same

    choices = periods()
    period = None
    if options.period_id:
        period = next((p for p in choices if p.id == options.period_id), None)
    pv.period = period or proposed_period(pv, choices)
    if pv.period is None:
        pv.extra_problems.append(Problem(
            kind="period", row=0, column=None, anchor="period",
            message="There are no reporting periods in Docket yet, so the progress cannot become the plan's current "
                    "position: add a period under Administration, Reporting periods, or set the progress columns to "
                    "“Do not import”"))
        return
    ids = [row.target_id for _, row in rows if row.target_id]
    existing = {u.action_id: u for u in db.session.scalars(sa.select(ProgressUpdate).where(
        ProgressUpdate.period_id == pv.period.id, ProgressUpdate.action_id.in_(ids or [-1])))}
    label = f"Current position ({pv.period.name})"
    for table, row in rows:
        if row.status == "problem":
            continue
        update = existing.get(row.target_id) if row.target_id else None
        if update is not None and update.state != UpdateState.DRAFT:
            if update.state == UpdateState.SIGNED_OFF and _same(update, _clean(row.baseline)):
                continue
            column = next((n for n, _ in table.columns if n == "progress"), None)
            row.problems.append(Problem(
                kind=table.kind, row=row.number, column=dict(table.columns).get(column), anchor=row.anchor(column),
                message=f"There is already a {update.state.label.lower()} update for {pv.period.name}: choose "
                        "another period, or set the progress column to “Do not import”",
                table_title=table.title))
            row.status = "problem"
            continue
        pv.updates += 1
        if row.status in ("unchanged", "changed"):
            row.changes.append(Change(label, (update.narrative or "")[:160] if update else "", _summary(row.baseline)))
            row.status = "changed"
