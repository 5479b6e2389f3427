"""What waits on an administrator: set-up work that Docket can see is unfinished.

Each task is a sentence and a link to the page where it is done. Asked only for people who
hold the Administrator role, in a handful of counting queries.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.filters import uk_date
from app.models import Action, Indicator, PeriodState, Plan, PlanStatus, ReportingPeriod, User
from app.models.updates import period_plan

SOON = timedelta(days=31)  # a planned period starting within a month is worth opening


@dataclass
class AdminTask:
    text: str
    link_text: str
    href: str


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def admin_tasks(today: date | None = None) -> list[AdminTask]:
    today = today or date.today()
    tasks: list[AdminTask] = []
    live_plans = sa.select(Plan.id).where(Plan.status == PlanStatus.LIVE)

    for period in db.session.scalars(
            sa.select(ReportingPeriod).where(ReportingPeriod.state == PeriodState.PLANNED,
                                             ReportingPeriod.starts_on <= today + SOON)
            .order_by(ReportingPeriod.starts_on)).all():
        starts = "started" if period.starts_on <= today else "starts"
        tasks.append(AdminTask(f"{period.name} {starts} on {uk_date(period.starts_on)} and is not open yet.",
                               f"Open {period.name}", url_for("updates.open_period", reporting_period_id=period.id)))

    for period, missing in db.session.execute(
            sa.select(ReportingPeriod, sa.func.count(Plan.id))
            .join(Plan, sa.and_(Plan.status == PlanStatus.LIVE, Plan.id.not_in(
                sa.select(period_plan.c.plan_id).where(period_plan.c.period_id == ReportingPeriod.id))))
            .where(ReportingPeriod.state == PeriodState.OPEN)
            .group_by(ReportingPeriod.id).order_by(ReportingPeriod.starts_on)).all():
        tasks.append(AdminTask(f"{_plural(missing, 'live plan is', 'live plans are')} not open for {period.name}.",
                               f"Open {period.name} for more plans",
                               url_for("updates.open_period", reporting_period_id=period.id)))

    from app.auth import oidc

    if not oidc.enabled():
        waiting = db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.active.is_(True), User.password_hash.is_(None)))
        if waiting:
            tasks.append(AdminTask(
                f"{_plural(waiting, 'person has', 'people have')} not set a password yet: their link may have "
                "expired.", "See the people", url_for("users.index")))

    leavers_work = db.session.scalar(sa.select(sa.func.count(sa.distinct(User.id))).where(
        User.active.is_(False),
        sa.or_(User.id.in_(sa.select(Action.owner_id).where(Action.plan_id.in_(live_plans))),
               User.id.in_(sa.select(Indicator.owner_id).where(Indicator.plan_id.in_(live_plans))))))
    if leavers_work:
        tasks.append(AdminTask(
            f"{_plural(leavers_work, 'person who has left still owns', 'people who have left still own')} "
            "actions or indicators in live plans: reassign their work.", "See deactivated people",
            url_for("users.index", show="deactivated")))

    unowned_actions, unowned_indicators = db.session.execute(sa.select(
        sa.select(sa.func.count(Action.id)).where(Action.owner_id.is_(None), Action.plan_id.in_(live_plans))
        .scalar_subquery(),
        sa.select(sa.func.count(Indicator.id)).where(Indicator.owner_id.is_(None), Indicator.plan_id.in_(live_plans))
        .scalar_subquery())).one()
    if unowned_actions or unowned_indicators:
        parts = [_plural(n, what, what + "s") for n, what in ((unowned_actions, "action"),
                                                               (unowned_indicators, "indicator")) if n]
        tasks.append(AdminTask(f"{' and '.join(parts)} in live plans {'has' if sum((unowned_actions, unowned_indicators)) == 1 else 'have'} "
                               "no owner, so nobody is asked for an update.", "See the plans", url_for("plans.index")))
    return tasks
