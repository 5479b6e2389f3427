"""What signing off an update will change, shown to the Head of Service before they decide.

Signing off a progress update sets its action's RAG (and marks the action complete when the
RAG is Complete) and marks the milestones the owner ticked as done (service.sign_off). The
sign-off queue and the update page show those changes, measured from the last signed-off
update of the same action, so that nothing is applied that the Head of Service did not see.
"""
import json
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from app.extensions import db
from app.models import IndicatorValue, Milestone, ProgressUpdate, Rag, ReportingPeriod, UpdateState


@dataclass
class Effects:
    """The changes signing off one update or value makes. `*_from` is the last signed-off one's."""

    rag_from: Rag | None = None
    rag_to: Rag | None = None
    percent_from: int | None = None
    percent_to: int | None = None
    value_from: object = None
    value_to: object = None
    unit: object = None  # the indicator's unit, to show values with it ("72%")
    milestones: list[str] = field(default_factory=list)  # claimed done, not done yet
    completes_action: bool = False
    since: str | None = None  # the period of the last signed-off one

    @property
    def rag_moves(self) -> bool:
        return self.rag_from != self.rag_to

    @property
    def percent_moves(self) -> bool:
        return self.percent_from != self.percent_to


def _last_signed_off(model, key, columns, objs) -> dict[tuple, sa.Row]:
    """(period start, key id) -> the row (`columns`, and the period's name) of the newest
    signed-off entry in a period that ended before the entry being signed off began.

    Rows, not objects, and only the newest per key (a window function): an action has an
    update for every quarter of its plan's life, and the queue needs one of them. One query
    for each period being signed off (almost always one)."""
    by_start: dict = {}
    for obj in objs:
        by_start.setdefault(obj.period.starts_on, set()).add(getattr(obj, key.key))
    out: dict[tuple, sa.Row] = {}
    for starts_on, ids in by_start.items():
        ranked = (
            sa.select(key.label("key_id"), *columns, ReportingPeriod.name.label("period_name"),
                      sa.func.row_number().over(partition_by=key, order_by=ReportingPeriod.ends_on.desc())
                      .label("newest"))
            .join(ReportingPeriod, model.period_id == ReportingPeriod.id)
            .where(key.in_(ids), model.state == UpdateState.SIGNED_OFF, ReportingPeriod.ends_on < starts_on)
            .subquery())
        for row in db.session.execute(sa.select(ranked).where(ranked.c.newest == 1)):
            out[(starts_on, row.key_id)] = row
    return out


def sign_off_effects(objs) -> dict[tuple[str, int], Effects]:
    """(kind, id) -> Effects for each update or value: three queries for each period in the queue."""
    updates = [o for o in objs if isinstance(o, ProgressUpdate)]
    values = [o for o in objs if isinstance(o, IndicatorValue)]
    out: dict[tuple[str, int], Effects] = {}
    action_ids = {u.action_id for u in updates}
    earlier = _last_signed_off(ProgressUpdate, ProgressUpdate.action_id,
                               (ProgressUpdate.rag, ProgressUpdate.percent_complete), updates)
    milestones = {m.id: m for m in db.session.scalars(
        sa.select(Milestone).where(Milestone.action_id.in_(action_ids or {-1})))}
    for update in updates:
        last = earlier.get((update.period.starts_on, update.action_id))
        claimed = []
        for mid in json.loads(update.milestones_done or "[]"):
            milestone = milestones.get(mid)
            if milestone is not None and milestone.action_id == update.action_id and not milestone.done:
                claimed.append(milestone.text)
        out[("update", update.id)] = Effects(
            rag_from=last.rag if last else update.action.rag, rag_to=update.rag,
            percent_from=last.percent_complete if last else None, percent_to=update.percent_complete,
            milestones=claimed, completes_action=update.rag == Rag.COMPLETE,
            since=last.period_name if last else None)
    earlier_values = _last_signed_off(IndicatorValue, IndicatorValue.indicator_id, (IndicatorValue.value,), values)
    for value in values:
        last = earlier_values.get((value.period.starts_on, value.indicator_id))
        out[("value", value.id)] = Effects(value_from=last.value if last else None, value_to=value.value,
                                           unit=value.indicator.unit, since=last.period_name if last else None)
    return out


@cache
def _milestones():
    """Milestones by id (`ids`): built once, as building a statement costs more than running it."""
    return sa.select(Milestone.id, Milestone.action_id, Milestone.text, Milestone.done).where(
        Milestone.id.in_(sa.bindparam("ids", expanding=True)))


def _claimed(updates) -> dict[int, list[str]]:
    """update id -> the texts of the milestones its owner ticked as done that are not done yet, in
    the order ticked: one query, and none when no update ticks any."""
    ticked = {row.id: json.loads(row.milestones_done or "[]") for row in updates}
    ids = {mid for mids in ticked.values() for mid in mids if isinstance(mid, int)}
    if not ids:
        return {}
    milestones = {m.id: m for m in db.session.execute(_milestones(), {"ids": sorted(ids)})}
    out: dict[int, list[str]] = {}
    for row in updates:
        texts = []
        for mid in ticked[row.id]:
            milestone = milestones.get(mid)
            if milestone is not None and milestone.action_id == row.action_id and not milestone.done:
                texts.append(milestone.text)
        out[row.id] = texts
    return out


def queue_effects(updates, values) -> dict[tuple[str, int], Effects]:
    """(kind, id) -> Effects for the sign-off queue's rows (app/updates/queries.py `sign_off_queue`
    with `effects`), whose last signed-off entry rode along with them: the same changes as
    `sign_off_effects`, at the cost of one query for the milestones ticked, if any are."""
    claimed = _claimed(updates)
    out: dict[tuple[str, int], Effects] = {}
    for row in updates:
        last = row.last_id is not None
        out[("update", row.id)] = Effects(
            rag_from=row.rag_from if last else row.action_rag, rag_to=row.rag,
            percent_from=row.percent_from if last else None, percent_to=row.percent_complete,
            milestones=claimed.get(row.id, []), completes_action=row.rag == Rag.COMPLETE,
            since=row.since if last else None)
    for row in values:
        last = row.last_id is not None
        out[("value", row.id)] = Effects(value_from=row.value_from if last else None, value_to=row.value,
                                         unit=row.unit, since=row.since if last else None)
    return out
