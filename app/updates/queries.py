"""Lists of updates and values: the sign-off queue and My tasks."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

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
)
from app.permissions import scope_for


def _signable_services(user) -> set[int]:
    scope = scope_for(user)
    return scope.services(Role.HEAD_OF_SERVICE) | set(scope.deputy_for)


def sign_off_queue(user) -> tuple[list[ProgressUpdate], list[IndicatorValue]]:
    services = _signable_services(user)
    if not services:
        return [], []
    updates = db.session.scalars(
        sa.select(ProgressUpdate).join(Action).join(Plan)
        .where(ProgressUpdate.state == UpdateState.SUBMITTED, Plan.service_id.in_(services))
        .options(contains_eager(ProgressUpdate.action).joinedload(Action.owner),
                 joinedload(ProgressUpdate.period), joinedload(ProgressUpdate.submitted_by))
        .order_by(ProgressUpdate.submitted_at)
    ).all()
    values = db.session.scalars(
        sa.select(IndicatorValue).join(Indicator).join(Plan)
        .where(IndicatorValue.state == UpdateState.SUBMITTED, Plan.service_id.in_(services))
        .options(contains_eager(IndicatorValue.indicator).joinedload(Indicator.owner),
                 joinedload(IndicatorValue.period))
        .order_by(IndicatorValue.submitted_at)
    ).all()
    return updates, values


@dataclass
class Task:
    kind: str  # "update" or "value"
    obj: object
    title: str
    detail: str
    deadline: date | None
    days_left: int | None = None

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


def my_tasks(user, today: date | None = None) -> MyTasks:
    today = today or date.today()
    tasks = MyTasks()
    open_states = (UpdateState.DRAFT, UpdateState.RETURNED)
    updates = db.session.scalars(
        sa.select(ProgressUpdate).join(Action).join(ReportingPeriod)
        .where(Action.owner_id == user.id, ProgressUpdate.state.in_(open_states),
               ReportingPeriod.state == PeriodState.OPEN)
        .options(contains_eager(ProgressUpdate.action), contains_eager(ProgressUpdate.period))
        .order_by(ReportingPeriod.update_deadline, Action.reference)
    ).all()
    values = db.session.scalars(
        sa.select(IndicatorValue).join(Indicator).join(ReportingPeriod)
        .where(Indicator.owner_id == user.id, IndicatorValue.state.in_(open_states),
               ReportingPeriod.state == PeriodState.OPEN)
        .options(contains_eager(IndicatorValue.indicator), contains_eager(IndicatorValue.period))
        .order_by(ReportingPeriod.update_deadline, Indicator.position)
    ).all()
    for obj in list(updates) + list(values):
        is_update = isinstance(obj, ProgressUpdate)
        title = (f"{obj.action.reference}: {obj.action.title}" if is_update
                 else f"{obj.indicator.reference or 'Indicator'}: {obj.indicator.description}")
        deadline = obj.period.update_deadline
        task = Task("update" if is_update else "value", obj, title, obj.period.name, deadline,
                    (deadline - today).days if deadline else None)
        if obj.state == UpdateState.RETURNED:
            task.detail = obj.return_comment or ""
            tasks.returned.append(task)
        else:
            tasks.due.append(task)
    queue_updates, queue_values = sign_off_queue(user)
    for obj in list(queue_updates) + list(queue_values):
        is_update = isinstance(obj, ProgressUpdate)
        title = (f"{obj.action.reference}: {obj.action.title}" if is_update
                 else f"{obj.indicator.reference or 'Indicator'}: {obj.indicator.description}")
        deadline = obj.period.signoff_deadline
        tasks.to_sign_off.append(Task("update" if is_update else "value", obj, title, obj.period.name, deadline,
                                      (deadline - today).days if deadline else None))
    _report_tasks(user, tasks)
    _clerk_tasks(user, tasks, today)
    return tasks


def _clerk_tasks(user, tasks: MyTasks, today: date) -> None:
    """Meetings whose agenda is due to be published, and approved reports not yet on one."""
    from app.meetings import dates, service
    from app.models import AgendaItem, Committee

    committees = scope_for(user).committees()
    if not committees:
        return
    for meeting in service.meetings_needing_agenda(committees, today):
        tasks.agendas_due.append((meeting, dates.latest_publication_date(meeting.meets_on)))
    # Every committee's approved reports that are on no agenda at all, in one query.
    from app.models import Report

    by_id = {c.id: c for c in db.session.scalars(sa.select(Committee).where(Committee.id.in_(committees))
                                                 .order_by(Committee.name))}
    on_no_agenda = ~sa.select(AgendaItem.id).where(AgendaItem.report_id == Report.id).exists()
    statements = [service._approved_in_scope(committee).where(on_no_agenda)
                  .with_only_columns(sa.literal(committee.id).label("committee_id"), Report.id, Report.title)
                  for committee in by_id.values()]
    if statements:
        rows = db.session.execute(sa.union_all(*statements) if len(statements) > 1 else statements[0]).all()
        order = {cid: n for n, cid in enumerate(by_id)}
        for committee_id, report_id, title in sorted(rows, key=lambda r: (order[r[0]], r[2], r[1])):
            tasks.reports_for_agenda.append((by_id[committee_id], ReportRow(report_id, title)))


@dataclass(frozen=True)
class ReportRow:
    """What My tasks shows of an approved report: its link and title."""

    id: int
    title: str


def _report_tasks(user, tasks: MyTasks) -> None:
    from app.models import Report, ReportState
    from app.permissions import can

    mine = db.session.scalars(
        sa.select(Report).where(Report.author_id == user.id,
                                Report.state.in_([ReportState.DRAFT, ReportState.RETURNED]))
        .order_by(Report.updated_at.desc())).all()
    tasks.reports_to_finish = list(mine)
    scope = scope_for(user)
    if scope.services(Role.ASSISTANT_DIRECTOR):
        # Only submitted reports whose plans are all in the person's services (what
        # approve_report asks), without their content, which My tasks does not show.
        services = scope.services(Role.ASSISTANT_DIRECTOR)
        submitted = db.session.scalars(
            sa.select(Report).where(Report.state == ReportState.SUBMITTED,
                                    Report.plans.any(Plan.service_id.in_(services)),
                                    ~Report.plans.any(Plan.service_id.not_in(services)))
            .options(selectinload(Report.plans), defer(Report.content))
        ).all()
        tasks.reports_to_approve = [r for r in submitted if r.author_id != user.id and can(user, "approve_report", r)]
