"""Opening and closing a reporting period, plan by plan.

A period is opened for chosen live plans (plans on different cycles live side by side: an
annual business plan need not open in Q1). Opening makes a draft progress update for each
live action, and a draft value for each included indicator due in the period, of those plans,
each starting from the previous period's text; `period_plan` records the plans. A period that
is open may be opened for more plans later: only the missing drafts are made. A closed period
takes no more submissions (`refuse_if_closed`); what was late stays visible as late.

Pages and tests call these through `app.updates.service.open_period` as well as directly.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.concurrency import guarded
from app.extensions import db
from app.filters import uk_datetime
from app.models import (
    Action,
    ActionStatus,
    Indicator,
    IndicatorValue,
    PeriodState,
    Plan,
    PlanStatus,
    ProgressUpdate,
    ReportingPeriod,
    TrailEvent,
    UpdateState,
    utcnow,
)
from app.models.updates import period_plan
from app.trail import record
from app.updates.service import TransitionError, falls_in


class PeriodError(TransitionError):
    """A period move that cannot be made now; the message says why."""


@dataclass
class PlanDrafts:
    """What opening a period would make for one plan."""

    plan: Plan
    actions: list = field(default_factory=list)  # live actions with no update for the period yet
    indicators: list = field(default_factory=list)  # included indicators due, with no value yet

    @property
    def owner_ids(self) -> set[int]:
        return {x.owner_id for x in self.actions + self.indicators if x.owner_id}


@dataclass
class Opening:
    """The confirmation page's sums: per plan, and in total for the chosen plans."""

    period: ReportingPeriod
    plans: list  # of PlanDrafts, for every live plan not opened yet

    def chosen(self, plan_ids=None) -> list:
        return [p for p in self.plans if plan_ids is None or p.plan.id in plan_ids]

    def totals(self, plan_ids=None) -> dict:
        chosen = self.chosen(plan_ids)
        owners = set().union(*(p.owner_ids for p in chosen)) if chosen else set()
        return {"plans": len(chosen), "updates": sum(len(p.actions) for p in chosen),
                "values": sum(len(p.indicators) for p in chosen), "owners": len(owners)}


def opened_plan_ids(period: ReportingPeriod) -> set[int]:
    return set(db.session.scalars(sa.select(period_plan.c.plan_id).where(period_plan.c.period_id == period.id)))


def live_plans() -> list[Plan]:
    return db.session.scalars(sa.select(Plan).where(Plan.status == PlanStatus.LIVE)
                              .order_by(Plan.title, Plan.period_label, Plan.id)).all()


def plan_sentence(totals: dict) -> str:
    """"This will create 23 draft updates and 11 indicator values for 9 owners"."""
    def n(count, one, many):
        return f"{count} {one if count == 1 else many}"

    return (f"This will create {n(totals['updates'], 'draft update', 'draft updates')} and "
            f"{n(totals['values'], 'indicator value', 'indicator values')} for "
            f"{n(totals['owners'], 'owner', 'owners')}")


def preview(period: ReportingPeriod) -> Opening:
    """For each live plan the period is not yet opened for: the drafts opening would make."""
    done = opened_plan_ids(period)
    plans = [p for p in live_plans() if p.id not in done]
    ids = [p.id for p in plans] or [-1]
    has_update = set(db.session.scalars(sa.select(ProgressUpdate.action_id)
                                        .where(ProgressUpdate.period_id == period.id)))
    has_value = set(db.session.scalars(sa.select(IndicatorValue.indicator_id)
                                       .where(IndicatorValue.period_id == period.id)))
    by_plan = {p.id: PlanDrafts(p) for p in plans}
    for action in db.session.scalars(sa.select(Action).where(Action.plan_id.in_(ids),
                                                             Action.status == ActionStatus.LIVE)
                                     .order_by(Action.reference)):
        if action.id not in has_update:
            by_plan[action.plan_id].actions.append(action)
    for indicator in db.session.scalars(sa.select(Indicator).where(Indicator.plan_id.in_(ids),
                                                                   Indicator.include.is_(True))
                                        .order_by(Indicator.position)):
        if indicator.id not in has_value and falls_in(indicator.frequency, period):
            by_plan[indicator.plan_id].indicators.append(indicator)
    return Opening(period, [by_plan[p.id] for p in plans])


def _who_did(period: ReportingPeriod, verb: str, did: str) -> str:
    event = db.session.scalar(
        sa.select(TrailEvent).where(TrailEvent.object_type == period.__tablename__, TrailEvent.object_id == period.id,
                                    TrailEvent.verb == verb).order_by(TrailEvent.seq.desc()).limit(1))
    if event is None:
        return ""
    return f"{event.actor_name or 'Docket'} {did} it on {uk_datetime(event.occurred_at)}."


def closed_message(period: ReportingPeriod) -> str:
    return (f"{period.name} is closed: updates and indicator values for it can no longer be saved or submitted. "
            f"{_who_did(period, 'period_closed', 'closed')}").strip()


def refuse_if_closed(obj) -> None:
    """Save and submit call this: a closed period takes no more work."""
    if obj.period.state == PeriodState.CLOSED:
        raise PeriodError(closed_message(obj.period))


def _claim(period: ReportingPeriod, from_state: PeriodState, to_state: PeriodState) -> bool:
    """The conditional UPDATE that makes one of two simultaneous moves win (app/concurrency.py,
    rule 2); it also takes the row's (or SQLite's) write lock before anything is read."""
    return db.session.execute(
        sa.update(ReportingPeriod).where(ReportingPeriod.id == period.id, ReportingPeriod.state == from_state)
        .values(state=to_state, updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1


def open_period(period: ReportingPeriod, actor, plans=None) -> dict:
    """Open the period for `plans` (default: every live plan not opened yet). A planned period
    becomes open; an open one is opened for more plans. Returns the counts made."""
    state = period.state
    if state == PeriodState.CLOSED:
        raise PeriodError(closed_message(period))
    if not _claim(period, state, state if state == PeriodState.OPEN else PeriodState.OPEN):
        db.session.rollback()
        db.session.expire_all()
        raise PeriodError(f"{period.name} is already open. {_who_did(period, 'period_opened', 'opened')}".strip())
    done = opened_plan_ids(period)
    wanted = live_plans() if plans is None else list(plans)
    chosen = [p for p in wanted if p.id not in done and p.status == PlanStatus.LIVE]
    if not chosen:
        db.session.rollback()
        if plans is not None and not wanted:
            raise PeriodError(f"Choose at least one plan to open {period.name} for.")
        if plans is None:
            raise PeriodError(f"{period.name} is already open. {_who_did(period, 'period_opened', 'opened')} "
                              "It is open for every live plan.")
        raise PeriodError(f"{period.name} is already open for every plan chosen.")
    ids = [p.id for p in chosen]
    previous = db.session.scalar(
        sa.select(ReportingPeriod).where(ReportingPeriod.ends_on < period.starts_on)
        .order_by(ReportingPeriod.ends_on.desc()).limit(1))
    before = {}
    if previous is not None:
        before = {u.action_id: u for u in db.session.scalars(
            sa.select(ProgressUpdate).join(Action).where(ProgressUpdate.period_id == previous.id,
                                                         Action.plan_id.in_(ids)))}
    existing = set(db.session.scalars(sa.select(ProgressUpdate.action_id).where(ProgressUpdate.period_id == period.id)))
    created_updates = 0
    owners = set()
    for action in db.session.scalars(sa.select(Action).where(Action.plan_id.in_(ids),
                                                             Action.status == ActionStatus.LIVE)):
        if action.id in existing:
            continue
        last = before.get(action.id)
        db.session.add(ProgressUpdate(
            action_id=action.id, period_id=period.id, state=UpdateState.DRAFT,
            narrative=last.narrative if last else None, rag=last.rag if last else action.rag,
            percent_complete=last.percent_complete if last else None,
            key_actions_remaining=last.key_actions_remaining if last else None,
            corrective_action=last.corrective_action if last else None,
            next_focus=last.next_focus if last else None))
        created_updates += 1
        owners.add(action.owner_id)
    existing_values = set(db.session.scalars(
        sa.select(IndicatorValue.indicator_id).where(IndicatorValue.period_id == period.id)))
    created_values = 0
    for indicator in db.session.scalars(sa.select(Indicator).where(Indicator.plan_id.in_(ids),
                                                                   Indicator.include.is_(True))):
        if indicator.id in existing_values or not falls_in(indicator.frequency, period):
            continue
        db.session.add(IndicatorValue(indicator_id=indicator.id, period_id=period.id, state=UpdateState.DRAFT))
        created_values += 1
        owners.add(indicator.owner_id)
    counts = {"updates": created_updates, "values": created_values}
    data = dict(counts, owners=len(owners - {None}),
                plans=[f"{p.title} {p.period_label}" if p.period_label else p.title for p in chosen])
    verb = "period_opened" if state == PeriodState.PLANNED else "period_opened_for_more_plans"
    with guarded(f"{period.name} was opened for these plans at the same moment by someone else; "
                 "their drafts were made once."):
        db.session.execute(period_plan.insert(), [{"period_id": period.id, "plan_id": pid} for pid in ids])
        db.session.expire(period, ["state", "updated_at", "plans"])  # read back what the UPDATE above wrote
        record(verb, period, actor=actor, from_state=state, to_state=PeriodState.OPEN, data=data)
    db.session.commit()
    return counts


def close_period(period: ReportingPeriod, actor) -> None:
    """Close an open period: no more saving or submitting; sign-off of what was submitted goes on."""
    if period.state != PeriodState.OPEN:
        raise PeriodError(f"{period.name} is {period.state.label.lower()}, so it cannot be closed."
                          + (f" {_who_did(period, 'period_closed', 'closed')}" if period.state == PeriodState.CLOSED
                             else " Open it first."))
    if not _claim(period, PeriodState.OPEN, PeriodState.CLOSED):
        db.session.rollback()
        db.session.expire_all()
        raise PeriodError(f"{period.name} is already closed. {_who_did(period, 'period_closed', 'closed')}".strip())
    late = not_submitted(period)
    db.session.expire(period, ["state", "updated_at"])
    record("period_closed", period, actor=actor, from_state=PeriodState.OPEN, to_state=PeriodState.CLOSED,
           data={"not submitted": late})
    db.session.commit()


def not_submitted(period: ReportingPeriod) -> dict:
    """How many updates and values of the period are still drafts or returned (late once closed)."""
    waiting = (UpdateState.DRAFT, UpdateState.RETURNED)
    return {
        "updates": db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate).where(
            ProgressUpdate.period_id == period.id, ProgressUpdate.state.in_(waiting))),
        "values": db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue).where(
            IndicatorValue.period_id == period.id, IndicatorValue.state.in_(waiting))),
    }
