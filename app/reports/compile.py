"""Compile a report's body from what is signed off: RAG counts, exceptions first, every
action by theme, the indicator scorecard with its trend; and list what is not yet signed off
instead of leaving it out silently. The result is plain data, frozen into the report."""
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.filters import number
from app.models import (
    Action,
    ActionStatus,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    UpdateState,
)
from app.updates.history import histories, trend_points
from app.updates.rules import direction, value_rag

RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED]
TREND_PERIODS = 6


def _text(value) -> str | None:
    return number(value) if value is not None else None


def compile_body(plans: list[Plan], period: ReportingPeriod) -> dict:
    plan_ids = [p.id for p in plans]
    actions = db.session.scalars(
        sa.select(Action).where(Action.plan_id.in_(plan_ids), Action.status != ActionStatus.WITHDRAWN)
        .options(selectinload(Action.owner), selectinload(Action.theme))
        .order_by(Action.plan_id, Action.reference)
    ).all()
    updates = {u.action_id: u for u in db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.period_id == period.id,
                                        ProgressUpdate.action_id.in_([a.id for a in actions] or [-1])))}
    rows, not_signed_off, counts = [], [], Counter()
    for action in actions:
        update = updates.get(action.id)
        if update is None:
            continue  # no update was asked for in this period
        if update.state != UpdateState.SIGNED_OFF:
            not_signed_off.append({"kind": "update", "reference": action.reference, "title": action.title,
                                   "owner": action.owner.name if action.owner else None,
                                   "state": update.state.label, "id": update.id})
            continue
        rag = update.rag
        counts[rag.value if rag else "none"] += 1
        rows.append({
            "action_id": action.id, "reference": action.reference, "title": action.title,
            "theme": action.theme.title if action.theme else "No priority theme",
            "theme_position": action.theme.position if action.theme else 10_000,
            "owner": action.owner.name if action.owner else None,
            "rag": rag.value if rag else None, "rag_label": rag.label if rag else "Not rated",
            "progress": update.narrative, "key_actions_remaining": update.key_actions_remaining,
            "corrective_action": update.corrective_action, "percent_complete": update.percent_complete,
            "next_focus": update.next_focus,
        })
    rows.sort(key=lambda r: (r["theme_position"], r["theme"], r["reference"]))
    exceptions = [r for r in rows if r["rag"] in (Rag.RED.value, Rag.AMBER.value)]
    exceptions.sort(key=lambda r: (r["rag"] != Rag.RED.value, r["reference"]))

    # Indicators: this period's signed-off value, and the trend over the last periods.
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.plan_id.in_(plan_ids), Indicator.include.is_(True))
        .order_by(Indicator.plan_id, Indicator.position)
    ).all()
    current_values = {v.indicator_id: v for v in db.session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.indicator_id.in_([i.id for i in indicators] or [-1]),
                                        IndicatorValue.period_id == period.id))}
    # What each value is judged against: the latest known result before the period, an earlier
    # period's signed-off value or the plan's yearly result ("2015/16 Result"), whichever is later.
    known = histories(indicators, period)
    scorecard = []
    for ind in indicators:
        current = current_values.get(ind.id)
        if current is None:
            continue
        label = f"{ind.reference} {ind.description}" if ind.reference else ind.description
        if current.state != UpdateState.SIGNED_OFF:
            not_signed_off.append({"kind": "value", "reference": ind.reference or "", "title": ind.description,
                                   "owner": ind.owner.name if ind.owner else None, "state": current.state.label,
                                   "id": current.id})
            continue
        results = known.get(ind.id) or []
        previous = results[-1] if results else None
        trend = trend_points(results, TREND_PERIODS - 1)
        if current.value is not None:
            trend.append({"period": period.name, "value": float(current.value)})
        rag = value_rag(current.value, ind.target, ind.polarity)
        travel = direction(current.value, previous.value if previous else None, ind.polarity)
        scorecard.append({
            "indicator_id": ind.id, "reference": ind.reference, "label": label, "description": ind.description,
            "value_text": _text(current.value), "target_text": _text(ind.target), "unit": ind.unit.value,
            "polarity": ind.polarity.label, "rag": rag.value if rag else None,
            "rag_label": rag.label if rag else "No target",
            "direction": travel.value if travel else None, "direction_label": travel.label if travel else "No earlier value",
            # what it is judged against: "Q1 2019/20" (a period's value) or "2015/16 result" (the plan's)
            "previous_label": (previous.described if previous.from_plan else previous.label) if previous else None,
            "previous_text": _text(previous.value) if previous else None,
            "commentary": current.commentary, "trend": trend,
        })
    return {
        "period": period.name,
        "rag_counts": [{"rag": r.value, "label": r.label, "count": counts.get(r.value, 0)} for r in RAG_ORDER],
        "exceptions": exceptions,
        "actions": rows,
        "indicators": scorecard,
        "not_signed_off": not_signed_off,
    }


def changes_since(previous: dict | None, current: dict) -> dict:
    """What moved since the last approved report for the same plans."""
    if not previous:
        return {"available": False}
    order = {r.value: i for i, r in enumerate([Rag.GREEN, Rag.COMPLETE, Rag.AMBER, Rag.RED])}
    before = {r["reference"]: r for r in previous.get("actions", [])}
    moved = []
    for row in current.get("actions", []):
        old = before.get(row["reference"])
        if old and old.get("rag") != row.get("rag"):
            better = order.get(row.get("rag"), 99) < order.get(old.get("rag"), 99)
            moved.append({"reference": row["reference"], "title": row["title"], "from": old.get("rag_label"),
                          "to": row.get("rag_label"), "way": "better" if better else "worse"})
    old_exceptions = {r["reference"] for r in previous.get("exceptions", [])}
    new_exceptions = [r for r in current.get("exceptions", []) if r["reference"] not in old_exceptions]
    old_ind = {r["label"]: r for r in previous.get("indicators", [])}
    turned = [{"label": r["label"], "from": old_ind[r["label"]].get("direction_label"), "to": r.get("direction_label")}
              for r in current.get("indicators", [])
              if r["label"] in old_ind and old_ind[r["label"]].get("direction") != r.get("direction")]
    return {"available": True, "previous_period": previous.get("period"), "rag_moved": moved,
            "new_exceptions": new_exceptions, "indicators_turned": turned}
