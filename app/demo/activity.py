"""The demo's work so far this year, done by the demo people through the real functions.

Placed in the present (app/demo/placement.py), the demo council is part-way through its
year. Of the reporting periods, the quarters before the current one (at least two) were
opened, every update and indicator value in them written, submitted and signed off, and the
periods closed; the last of them was reported to the committee: the Head of Service compiled a
report, the Assistant Director approved it, and the clerk put it on the agenda of a meeting
that has been published. A second report, the six-monthly one, waits for the Assistant
Director. The current quarter is open, with its updates and values in every state: drafts
not started and started, submitted ones waiting for sign-off, some returned with a comment,
some signed off. The committee's meetings before today are published; the next one has its
agenda started, in draft.

Everything goes through the service functions people use (open_period, save_draft, submit,
return_to_owner, sign_off, create_report, submit, approve, start_agenda, add_report_item,
publish), so the trail, notifications and RAGs are real. Each step is taken only if it has
not been taken before (a period still planned, a report not yet created, a meeting with no
agenda…), so loading the demo again changes nothing.
"""
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.demo.people import CLERK_EMAIL
from app.extensions import db
from app.models import (
    Action,
    AgendaState,
    Committee,
    Indicator,
    IndicatorValue,
    Meeting,
    PeriodState,
    Plan,
    ProgressUpdate,
    Rag,
    Report,
    ReportingPeriod,
    ReportState,
    Unit,
    User,
)

HEAD_EMAIL = "marcus.bell@docket.example"
AD_EMAIL = "jo.whitfield@docket.example"
ADMIN_EMAIL = "admin@docket.example"

# --- what the owners write -----------------------------------------------------------

# Each live action's RAG and per cent complete in the earlier quarter, the last quarter and
# this one, and what its owner wrote.
STORY = {
    "CSS001": [(Rag.GREEN, 40), (Rag.GREEN, 55), (Rag.GREEN, 65)],
    "CSS002": [(Rag.AMBER, 30), (Rag.GREEN, 45), (Rag.GREEN, 60)],
    "CSS003": [(Rag.GREEN, 20), (Rag.GREEN, 35), (Rag.GREEN, 50)],
    "CSS004": [(Rag.GREEN, 25), (Rag.GREEN, 35), (Rag.GREEN, 45)],
    "CSS005": [(Rag.AMBER, 70), (Rag.AMBER, 80), (Rag.RED, 85)],
    "CSS006": [(Rag.GREEN, 50), (Rag.AMBER, 60), (Rag.GREEN, 70)],
    "CSS007": [(Rag.AMBER, 15), (Rag.AMBER, 25), (Rag.AMBER, 35)],
    "CSS011": [(Rag.GREEN, 45), (Rag.GREEN, 60), (Rag.GREEN, 70)],
    "CSS012": [(Rag.GREEN, 10), (Rag.GREEN, 20), (Rag.GREEN, 30)],
}
NARRATIVE = [
    "Work began on the quarter's milestones as planned; the team has met monthly to review progress.",
    "Progress continued this quarter: the milestones due were met and the next steps agreed with partners.",
    "Good progress so far this quarter; the remaining milestones are on course for the end of the year.",
]
CORRECTIVE = ("Extra management time has been agreed with the Head of Service and the plan is reviewed "
              "fortnightly until the action is back on track.")
NEXT_FOCUS = "Complete the remaining milestones and report the outcomes to the management team."

# The current quarter: what has happened to each update and value so far.
DRAFT_STARTED, SUBMITTED, RETURNED, SIGNED_OFF = "started", "submitted", "returned", "signed off"
NOW_UPDATES = {"CSS001": DRAFT_STARTED, "CSS002": SUBMITTED, "CSS003": SIGNED_OFF, "CSS005": RETURNED,
               "CSS006": SUBMITTED, "CSS011": DRAFT_STARTED, "CSS012": SUBMITTED}
NOW_VALUES = {"MI Pack 1": SIGNED_OFF, "CSS7": SUBMITTED, "148": RETURNED, "EFL1": SUBMITTED,
              "EFL2": SIGNED_OFF, "KS1b": SUBMITTED, "19a": DRAFT_STARTED, "STF08": SIGNED_OFF,
              "STF100": SUBMITTED, "BPI108": RETURNED, "COR01": SUBMITTED}
RETURN_COMMENT = {
    "update": "Please say what the delay to the regional agency's recruitment means for this year's milestones, "
              "and when you expect the action to be back on track.",
    "value": "This figure is very different from last quarter's: please check it against the case management "
             "system and say in the commentary what lies behind the change.",
}
COMMENTARY = [
    "In line with the previous quarter; the team continues to watch the trend.",
    "A small change on the last quarter, within the usual range.",
    "The figure reflects the caseload this quarter and is reviewed monthly by the management team.",
]
DEFAULT_VALUE = {Unit.PERCENTAGE: Decimal("80"), Unit.CURRENCY: Decimal("0"), Unit.NUMBER: Decimal("12")}


def person(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def owner_of(obj) -> User:
    return obj.action.owner if isinstance(obj, ProgressUpdate) else obj.indicator.owner


def update_values(ref: str, quarter: int) -> dict:
    rag, percent = STORY.get(ref, [(Rag.GREEN, 50)] * 3)[quarter]
    return {"narrative": NARRATIVE[quarter], "rag": rag, "percent_complete": percent,
            "corrective_action": CORRECTIVE if rag in (Rag.RED, Rag.AMBER) else None,
            "next_focus": NEXT_FOCUS}


def value_values(indicator: Indicator, step: int) -> dict:
    """A value near the indicator's last yearly result, moving a little from quarter to quarter."""
    results = sorted((r for r in indicator.results if r.value is not None), key=lambda r: r.label)
    base = results[-1].value if results else DEFAULT_VALUE[indicator.unit]
    wobble = Decimal((indicator.position + step) % 5 - 2) / 50  # -4% … +4%
    value = (base + abs(base) * wobble).quantize(Decimal("0.01"))
    if indicator.unit == Unit.PERCENTAGE:
        value = min(value, Decimal("100"))
    return {"value": value, "commentary": COMMENTARY[(indicator.position + step) % len(COMMENTARY)]}


def values_for(obj, quarter: int) -> dict:
    if isinstance(obj, ProgressUpdate):
        return update_values(obj.action.reference, quarter)
    return value_values(obj.indicator, quarter)


def entries(period: ReportingPeriod, plan: Plan) -> list:
    """The period's updates and values on the demo plan, in reference order."""
    updates = db.session.scalars(sa.select(ProgressUpdate).join(Action).where(
        ProgressUpdate.period_id == period.id, Action.plan_id == plan.id).order_by(Action.reference)).all()
    values = db.session.scalars(sa.select(IndicatorValue).join(Indicator).where(
        IndicatorValue.period_id == period.id, Indicator.plan_id == plan.id).order_by(Indicator.position)).all()
    return list(updates) + list(values)


def key_of(obj) -> str:
    return obj.action.reference if isinstance(obj, ProgressUpdate) else (obj.indicator.reference or "")


# --- the periods ---------------------------------------------------------------------

def work_through(changes, period: ReportingPeriod, plan: Plan, quarter: int, people: dict) -> None:
    """An earlier quarter: opened, everything submitted by its owner and signed off, closed."""
    from app.updates import service
    from app.updates.opening import close_period

    if period.state != PeriodState.PLANNED:
        return
    service.open_period(period, people["admin"])
    for obj in entries(period, plan):
        service.submit(obj, values_for(obj, quarter), None, owner_of(obj))
        service.sign_off(obj, None, people["head"])
        changes.updated[obj.__tablename__] += 2
    close_period(period, people["admin"])
    changes.updated["reporting_period"] += 2


def work_in_progress(changes, period: ReportingPeriod, plan: Plan, people: dict) -> None:
    """The current quarter: opened, and its updates and values in every state."""
    from app.updates import service

    if period.state != PeriodState.PLANNED:
        return
    service.open_period(period, people["admin"])
    changes.updated["reporting_period"] += 1
    for obj in entries(period, plan):
        kind = "update" if isinstance(obj, ProgressUpdate) else "value"
        state = (NOW_UPDATES if kind == "update" else NOW_VALUES).get(key_of(obj))
        if state is None:
            continue  # a draft not started yet
        owner, values = owner_of(obj), values_for(obj, 2)
        if state == DRAFT_STARTED:
            service.save_draft(obj, values, None, owner)
        else:
            service.submit(obj, values, None, owner)
            if state == RETURNED:
                service.return_to_owner(obj, RETURN_COMMENT[kind], None, people["head"])
            elif state == SIGNED_OFF:
                service.sign_off(obj, None, people["head"])
        changes.updated[obj.__tablename__] += 1


# --- reports -------------------------------------------------------------------------

RECOMMENDATIONS = "Members are asked to note the progress made on the service improvement plan in {period}."
REASON = "To keep the committee informed of progress on the service's priorities."


def report_titled(title: str) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.title == title))


def prepared_report(changes, title: str, plan: Plan, period: ReportingPeriod, committee: Committee,
                    people: dict, approve: bool) -> Report:
    """A report compiled and submitted by the Head of Service, approved by the AD if `approve`."""
    from app.reports import service

    report = report_titled(title)
    if report is None:
        report = service.create_report(title, [plan], period, people["head"], committee_id=committee.id)
        service.save_sections(report, {"recommendations": RECOMMENDATIONS.format(period=period.name),
                                       "reason": REASON}, service.CURRENT, people["head"])
        changes.created["report"] += 1
    if report.state == ReportState.DRAFT:
        service.submit(report, service.CURRENT, people["head"])
        changes.updated["report"] += 1
    if approve and report.state == ReportState.SUBMITTED:
        service.approve(report, service.CURRENT, people["ad"])
        changes.updated["report"] += 1
    return report


# --- meetings ------------------------------------------------------------------------

def prepare_meetings(changes, meetings: list[Meeting], reported: Report, waiting: Report,
                     signed_off_by: date, today: date, people: dict) -> None:
    """The meetings before today published (the reported quarter's report on the last one
    held after its sign-off); the next meeting's agenda started, in draft."""
    from app.meetings import service

    clerk = people["clerk"]
    meetings = sorted(meetings, key=lambda m: m.meets_on)
    held = [m for m in meetings if m.meets_on < today]
    after_signoff = [m for m in held if m.meets_on > signed_off_by + timedelta(days=7)]
    with_report = after_signoff[-1] if after_signoff else None
    for meeting in held:
        if meeting.agenda_state != AgendaState.DRAFT:
            continue
        if not service.items_of(meeting):
            service.start_agenda(meeting, clerk)
            changes.created["agenda_item"] += 1
        if meeting is with_report and reported.state == ReportState.APPROVED:
            service.add_report_item(meeting, reported, clerk,
                                    purpose="To note the progress made on the service improvement plan.")
        # Published in good time: ten days before the meeting, as the clerk would have.
        service.publish(meeting, clerk, today=meeting.meets_on - timedelta(days=10))
        changes.created["agenda_pack"] += 1
    coming = next((m for m in meetings if m.meets_on >= today), None)
    if coming is not None and coming.agenda_state == AgendaState.DRAFT and not service.items_of(coming):
        service.start_agenda(coming, clerk)
        service.add_other_item(coming, waiting.title, "To note the service's progress over the half year.", clerk,
                               to_follow_reason="Waiting for the Assistant Director's approval")
        changes.created["agenda_item"] += 1


# --- the whole of it -----------------------------------------------------------------

def do_the_work(changes, plan: Plan, committee: Committee, meetings: list[Meeting],
                periods: list[ReportingPeriod], today: date) -> None:
    people = {"admin": person(ADMIN_EMAIL), "head": person(HEAD_EMAIL), "ad": person(AD_EMAIL),
              "clerk": person(CLERK_EMAIL)}
    periods = sorted(periods, key=lambda p: p.starts_on)
    now = next((n for n, p in enumerate(periods) if p.starts_on <= today <= p.ends_on), None)
    if now is None or now < 2:
        raise ValueError("The demo's reporting periods do not include this quarter and the two before it")
    last, current = periods[now - 1], periods[now]
    for earlier in periods[:now]:  # the quarters before this one, each done and closed
        work_through(changes, earlier, plan, 1 if earlier is last else 0, people)
    work_in_progress(changes, current, plan, people)
    service_name = plan.service.name
    reported = prepared_report(changes, f"{service_name}: progress in {last.name}", plan, last, committee,
                               people, approve=True)
    waiting = prepared_report(changes, f"{service_name}: six-monthly performance report to {last.name}", plan,
                              last, committee, people, approve=False)
    prepare_meetings(changes, meetings, reported, waiting, last.signoff_deadline, today, people)
