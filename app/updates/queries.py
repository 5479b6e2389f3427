"""Lists of updates and values: the sign-off queue and My tasks."""
from dataclasses import dataclass, field
from functools import cache
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Action,
    Indicator,
    IndicatorValue,
    PeriodState,
    Plan,
    ProgressUpdate,
    ReportingPeriod,
    Role,
    UpdateState,
    User,
)
from app.permissions import scope_for


def _signable_services(user) -> set[int]:
    scope = scope_for(user)
    return scope.services(Role.HEAD_OF_SERVICE) | set(scope.deputy_for)


# The statements below are built once (functools.cache), with their values as bound parameters:
# building a statement, and working out its cache key, costs more than running it.
SERVICES = sa.bindparam("services", expanding=True)


@cache
def _waiting_updates(effects: bool):
    """Submitted progress updates in the services (SERVICES), oldest first, as rows of what the queue and
    My tasks show. With `effects`, the last signed-off update of the same action in a period that
    ended before this one began rides along (`last_id`, `rag_from`, `percent_from`, `since`):
    app/updates/effects.py `queue_effects`."""
    stmt = (
        sa.select(ProgressUpdate.id, ProgressUpdate.version, ProgressUpdate.action_id, ProgressUpdate.rag,
                  ProgressUpdate.percent_complete, ProgressUpdate.milestones_done, ProgressUpdate.submitted_at,
                  Action.reference, Action.title, Action.rag.label("action_rag"), User.name.label("owner_name"),
                  ReportingPeriod.name.label("period_name"), ReportingPeriod.signoff_deadline)
        .join(Action, Action.id == ProgressUpdate.action_id).join(Plan, Plan.id == Action.plan_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressUpdate.period_id)
        .outerjoin(User, User.id == Action.owner_id)
        .where(ProgressUpdate.state == UpdateState.SUBMITTED, Plan.service_id.in_(SERVICES))
        .order_by(ProgressUpdate.submitted_at, ProgressUpdate.id))
    if effects:
        last, last_period = aliased(ProgressUpdate), aliased(ReportingPeriod)
        stmt = (stmt.add_columns(last.id.label("last_id"), last.rag.label("rag_from"),
                                 last.percent_complete.label("percent_from"), last_period.name.label("since"))
                .outerjoin(last, last.id == _last_signed_off(ProgressUpdate, ProgressUpdate.action_id))
                .outerjoin(last_period, last_period.id == last.period_id))
    return stmt


@cache
def _waiting_values(effects: bool):
    """Submitted indicator values in these services, oldest first, as rows (see `_waiting_updates`;
    with `effects`: `last_id`, `value_from`, `since`)."""
    stmt = (
        sa.select(IndicatorValue.id, IndicatorValue.version, IndicatorValue.indicator_id, IndicatorValue.value,
                  IndicatorValue.submitted_at, Indicator.reference, Indicator.description, Indicator.unit,
                  User.name.label("owner_name"), ReportingPeriod.name.label("period_name"),
                  ReportingPeriod.signoff_deadline)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id).join(Plan, Plan.id == Indicator.plan_id)
        .join(ReportingPeriod, ReportingPeriod.id == IndicatorValue.period_id)
        .outerjoin(User, User.id == Indicator.owner_id)
        .where(IndicatorValue.state == UpdateState.SUBMITTED, Plan.service_id.in_(SERVICES))
        .order_by(IndicatorValue.submitted_at, IndicatorValue.id))
    if effects:
        last, last_period = aliased(IndicatorValue), aliased(ReportingPeriod)
        stmt = (stmt.add_columns(last.id.label("last_id"), last.value.label("value_from"),
                                 last_period.name.label("since"))
                .outerjoin(last, last.id == _last_signed_off(IndicatorValue, IndicatorValue.indicator_id))
                .outerjoin(last_period, last_period.id == last.period_id))
    return stmt


def _last_signed_off(model, key):
    """The id of the newest signed-off entry with the same `key` (action or indicator) in a period
    that ended before the waiting entry's period began: a subquery of each waiting row."""
    earlier, period = aliased(model), aliased(ReportingPeriod)
    return (sa.select(earlier.id).join(period, period.id == earlier.period_id)
            .where(getattr(earlier, key.key) == key, earlier.state == UpdateState.SIGNED_OFF,
                   period.ends_on < ReportingPeriod.starts_on)
            .order_by(period.ends_on.desc(), earlier.id.desc()).limit(1)
            .correlate(model, ReportingPeriod).scalar_subquery())


def sign_off_queue(user, effects: bool = False) -> tuple[list[sa.Row], list[sa.Row]]:
    """What waits for this person's sign-off: (updates, values), each oldest first, as rows
    (`_waiting_updates`, `_waiting_values`); two queries, whatever their number."""
    services = _signable_services(user)
    if not services:
        return [], []
    wanted = {"services": sorted(services)}
    updates = db.session.execute(_waiting_updates(effects), wanted).all()
    values = db.session.execute(_waiting_values(effects), wanted).all()
    return updates, values


@dataclass
class Task:
    kind: str  # "update" or "value"
    id: int
    title: str
    detail: str
    deadline: date | None
    days_left: int | None = None
    period_id: int | None = None
    period_name: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


@dataclass
class MyTasks:
    due: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    to_sign_off: list = field(default_factory=list)
    reports_to_approve: list = field(default_factory=list)
    reports_to_finish: list = field(default_factory=list)
    agendas_due: list = field(default_factory=list)  # [(meeting, last day to publish)]
    reports_for_agenda: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.due or self.returned or self.to_sign_off or self.reports_to_approve
                    or self.reports_to_finish or self.agendas_due or self.reports_for_agenda)

    @property
    def value_periods(self) -> list[tuple[int, str]]:
        """The periods of the person's values returned or due, once each: (id, name)."""
        seen: dict[int, str] = {}
        for task in self.returned + self.due:
            if task.kind == "value":
                seen.setdefault(task.period_id, task.period_name)
        return list(seen.items())


def _days_left(deadline, today) -> int | None:
    return (deadline - today).days if deadline else None


@cache
def _task_rows():
    """Everything My tasks lists of updates and values, in one statement: the person's (`user_id`)
    own due or returned in open periods (`first` 0: updates, 1: values), each by deadline, then by
    reference (updates) or position (values); and those waiting for their sign-off in `services`
    (2: updates, 3: values), oldest submitted first, as the sign-off queue lists them."""
    open_states, user_id = (UpdateState.DRAFT, UpdateState.RETURNED), sa.bindparam("user_id")
    # Typed NULLs (PostgreSQL matches a union's columns pair by pair: two bare NULLs make text).
    no_date = sa.cast(sa.null(), ReportingPeriod.update_deadline.type)
    no_time = sa.cast(sa.null(), ProgressUpdate.submitted_at.type)
    period = (ReportingPeriod.id.label("period_id"), ReportingPeriod.name.label("period_name"))

    def own(first, model, parent, owner, text, sort_text, position):
        return (sa.select(sa.literal_column(f"{first}").label("first"), model.id, model.state, model.return_comment,
                          parent.reference, text.label("text"), *period,
                          ReportingPeriod.update_deadline.label("deadline"),
                          ReportingPeriod.update_deadline.label("sort_date"), sort_text.label("sort_text"),
                          position.label("position"), no_time.label("submitted_at"))
                .join(parent, parent.id == getattr(model, f"{parent.__tablename__}_id"))
                .join(ReportingPeriod, ReportingPeriod.id == model.period_id)
                .where(owner == user_id, model.state.in_(open_states), ReportingPeriod.state == PeriodState.OPEN))

    def waiting(first, model, parent, text):
        return (sa.select(sa.literal_column(f"{first}"), model.id, model.state, model.return_comment,
                          parent.reference, text, *period, ReportingPeriod.signoff_deadline, no_date,
                          sa.literal_column("''"), sa.literal_column("0"), model.submitted_at)
                .join(parent, parent.id == getattr(model, f"{parent.__tablename__}_id"))
                .join(Plan, Plan.id == parent.plan_id)
                .join(ReportingPeriod, ReportingPeriod.id == model.period_id)
                .where(model.state == UpdateState.SUBMITTED, Plan.service_id.in_(SERVICES)))

    both = sa.union_all(
        own(0, ProgressUpdate, Action, Action.owner_id, Action.title, Action.reference, sa.literal_column("0")),
        own(1, IndicatorValue, Indicator, Indicator.owner_id, Indicator.description, sa.literal_column("''"),
            Indicator.position),
        waiting(2, ProgressUpdate, Action, Action.title),
        waiting(3, IndicatorValue, Indicator, Indicator.description),
    ).subquery()
    c = both.c
    return sa.select(both).order_by(c.first, c.sort_date, c.sort_text, c.position, c.submitted_at, c.id)


def my_tasks(user, today: date | None = None) -> MyTasks:
    today = today or date.today()
    tasks = MyTasks()
    rows = db.session.execute(_task_rows(), {"user_id": user.id, "services": sorted(_signable_services(user))})
    for row in rows:
        kind = "update" if row.first in (0, 2) else "value"
        title = f"{row.reference}: {row.text}" if kind == "update" else f"{row.reference or 'Indicator'}: {row.text}"
        task = Task(kind, row.id, title, row.period_name, row.deadline, _days_left(row.deadline, today),
                    row.period_id, row.period_name)
        if row.first >= 2:
            tasks.to_sign_off.append(task)
        elif row.state == UpdateState.RETURNED:
            task.detail = row.return_comment or ""
            tasks.returned.append(task)
        else:
            tasks.due.append(task)
    _report_tasks(user, tasks)
    _clerk_tasks(user, tasks, today)
    return tasks


_AGENDA_STATEMENTS: dict[tuple, sa.Select] = {}  # (committee id, its directorate id), ... -> statement


def _reports_for_agenda(committees) -> sa.Select:
    """The statement for the approved reports of each committee (app/meetings/service.py
    `_approved_in_scope`) that are on no agenda at all: (committee id, report id, title). It
    depends only on the committees' ids and directorates, so it is built once for each set of them
    (building it costs more than running it) and kept, a few hundred sets at most."""
    from app.meetings import service
    from app.models import AgendaItem, Report

    key = tuple((c.id, c.directorate_id) for c in committees)
    statement = _AGENDA_STATEMENTS.get(key)
    if statement is None:
        on_no_agenda = ~sa.select(AgendaItem.id).where(AgendaItem.report_id == Report.id).exists()
        statements = [service._approved_in_scope(committee).where(on_no_agenda)
                      .with_only_columns(sa.literal(committee.id).label("committee_id"), Report.id, Report.title)
                      for committee in committees]
        statement = sa.union_all(*statements) if len(statements) > 1 else statements[0]
        if len(_AGENDA_STATEMENTS) >= 256:
            _AGENDA_STATEMENTS.clear()
        _AGENDA_STATEMENTS[key] = statement
    return statement


def _clerk_tasks(user, tasks: MyTasks, today: date) -> None:
    """Meetings whose agenda is due to be published, and approved reports not yet on one."""
    from app.meetings import dates, service
    from app.models import Committee

    committees = scope_for(user).committees()
    if not committees:
        return
    for meeting in service.meetings_needing_agenda(committees, today):
        tasks.agendas_due.append((meeting, dates.latest_publication_date(meeting.meets_on)))
    # Every committee's approved reports that are on no agenda at all, in one query.
    by_id = {c.id: c for c in db.session.scalars(sa.select(Committee).where(Committee.id.in_(committees))
                                                 .order_by(Committee.name))}
    if by_id:
        rows = db.session.execute(_reports_for_agenda(list(by_id.values()))).all()
        order = {cid: n for n, cid in enumerate(by_id)}
        for committee_id, report_id, title in sorted(rows, key=lambda r: (order[r[0]], r[2], r[1])):
            tasks.reports_for_agenda.append((by_id[committee_id], ReportRow(report_id, title)))


@dataclass(frozen=True)
class ReportRow:
    """What My tasks shows of an approved report: its link and title."""

    id: int
    title: str


@cache
def _reports_to_finish():
    """The person's (`user_id`) reports in draft or returned, latest changed first: what My tasks shows."""
    from app.models import Report, ReportState

    return (sa.select(Report.id, Report.title, Report.state)
            .where(Report.author_id == sa.bindparam("user_id"),
                   Report.state.in_([ReportState.DRAFT, ReportState.RETURNED]))
            .order_by(Report.updated_at.desc()))


@cache
def _reports_to_approve():
    """Submitted reports, not the person's own (`user_id`), with plans all in the services they
    approve for (`ad_services`): what approve_report lets them approve (app/permissions.py
    `_approve_report`: a report on plans is approved for by whoever reaches every plan's service),
    asked in SQL rather than of each report. My tasks shows their links, titles and states."""
    from app.models import Report, ReportState

    user_id, services = sa.bindparam("user_id"), sa.bindparam("ad_services", expanding=True)
    return sa.select(Report.id, Report.title, Report.state).where(
        Report.state == ReportState.SUBMITTED, sa.or_(Report.author_id.is_(None), Report.author_id != user_id),
        Report.plans.any(Plan.service_id.in_(services)), ~Report.plans.any(Plan.service_id.not_in(services)))


def _report_tasks(user, tasks: MyTasks) -> None:
    tasks.reports_to_finish = db.session.execute(_reports_to_finish(), {"user_id": user.id}).all()
    services = scope_for(user).services(Role.ASSISTANT_DIRECTOR)
    if services:
        tasks.reports_to_approve = db.session.execute(
            _reports_to_approve(), {"user_id": user.id, "ad_services": sorted(services)}).all()
