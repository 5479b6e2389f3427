"""A plan's current position: what its document said about each action, stored as a signed-off
update for a period the officer chooses, so that the first quarter in Docket starts from it.

`add_baseline(plan, period, rows, actor)` adds (it does not commit) one signed-off progress
update per action, with a `baseline_recorded` trail event each, in the caller's transaction. It
checks every row first and stores nothing if any is refused:

- an action that already has a submitted, returned or signed-off update for the period is
  refused with a plain-English message (someone's work is never overwritten);
- a draft update that opening the period made is replaced: its text becomes the baseline's
  and it is signed off (the draft is listed as replaced on the trail event);
- an action whose signed-off update for the period already says exactly the same is left alone
  (importing the same file again changes nothing).
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import ProgressUpdate, Rag, ReportingPeriod, UpdateState, utcnow
from app.trail import record

FIELDS = ("narrative", "key_actions_remaining", "next_focus", "corrective_action")
LABELS = {"narrative": "Progress", "key_actions_remaining": "Key actions remaining",
          "next_focus": "Focus for the next period", "corrective_action": "Corrective action", "rag": "RAG"}
VERB = "baseline_recorded"


class BaselineRefused(ValueError):
    """One or more actions cannot take the baseline; `problems` holds one message per action."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class BaselineResult:
    added: list[ProgressUpdate] = field(default_factory=list)
    replaced: list[ProgressUpdate] = field(default_factory=list)  # drafts that became the baseline
    unchanged: list[ProgressUpdate] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return len(self.added) + len(self.replaced)


def _clean(values: dict) -> dict:
    out = {}
    for name in FIELDS:
        text = (values.get(name) or "").strip()
        out[name] = text or None
    rag = values.get("rag")
    if rag is not None and not isinstance(rag, Rag):
        rag = Rag(rag)
    out["rag"] = rag
    return out


def _existing(period: ReportingPeriod, actions) -> dict[int, ProgressUpdate]:
    ids = [a.id for a in actions if a.id is not None]
    if not ids or period.id is None:
        return {}
    found = db.session.scalars(sa.select(ProgressUpdate).where(
        ProgressUpdate.period_id == period.id, ProgressUpdate.action_id.in_(ids)))
    return {u.action_id: u for u in found}


def _same(update: ProgressUpdate, values: dict) -> bool:
    return all((getattr(update, name) or None) == values[name] for name in FIELDS) and (
        values["rag"] is None or update.rag == values["rag"])


def _describe(action) -> str:
    return f"Action {action.reference}" if action.reference else "An action"


def check_baseline(plan, period: ReportingPeriod, rows) -> list[str]:
    """The problems `add_baseline` would refuse with, one line each; [] when it can go ahead.
    Stores nothing (for a preview)."""
    problems = []
    if period is None:
        return ["Choose the reporting period the plan's current position is for"]
    existing = _existing(period, [action for action, _ in rows])
    seen = set()
    for action, values in rows:
        if action.plan is not None and action.plan is not plan and action.plan_id != plan.id:
            problems.append(f"{_describe(action)} is not in this plan")
            continue
        marker = action.id if action.id is not None else id(action)
        if marker in seen:
            problems.append(f"{_describe(action)} has two current positions: keep one")
            continue
        seen.add(marker)
        try:
            cleaned = _clean(values)
        except ValueError:
            problems.append(f"{_describe(action)}: “{values.get('rag')}” is not a RAG status")
            continue
        update = existing.get(action.id)
        if update is None or update.state == UpdateState.DRAFT:
            continue
        if update.state == UpdateState.SIGNED_OFF and _same(update, cleaned):
            continue
        problems.append(
            f"{_describe(action)} already has a {update.state.label.lower()} update for {period.name}, so its "
            f"current position was not recorded: choose another period, or leave this action's progress out")
    return problems


def add_baseline(plan, period: ReportingPeriod, rows, actor) -> BaselineResult:
    """Add a signed-off update for `period` per (action, values) row, in the caller's
    transaction (no commit). Rows whose values are all empty are skipped. Raises
    BaselineRefused, having added nothing, if any row cannot be stored."""
    rows = [(action, values) for action, values in rows
            if any((values.get(name) or "").strip() for name in FIELDS) or values.get("rag")]
    problems = check_baseline(plan, period, rows)
    if problems:
        raise BaselineRefused(problems)
    existing = _existing(period, [action for action, _ in rows])
    result = BaselineResult()
    now = utcnow()
    for action, values in rows:
        cleaned = _clean(values)
        update = existing.get(action.id)
        if update is not None and update.state == UpdateState.SIGNED_OFF:
            result.unchanged.append(update)
            continue
        replaced = update is not None
        from_state = update.state if replaced else None
        if update is None:
            update = ProgressUpdate(action=action, period=period)
            db.session.add(update)
        for name in FIELDS:
            setattr(update, name, cleaned[name])
        if cleaned["rag"] is not None:
            update.rag = cleaned["rag"]
            action.rag = cleaned["rag"]
        update.state = UpdateState.SIGNED_OFF
        update.submitted_at = update.signed_off_at = now
        update.submitted_by_id = update.signed_off_by_id = actor.id if actor is not None else None
        update.return_comment = None
        db.session.flush()
        data = {"action": action.reference, "period": period.name, "plan": plan.title}
        data.update({LABELS[name]: cleaned[name] for name in FIELDS if cleaned[name]})
        if cleaned["rag"] is not None:
            data["RAG"] = cleaned["rag"].label
        if replaced:
            data["replaced_draft"] = True
        record(VERB, update, actor=actor, from_state=from_state, to_state=UpdateState.SIGNED_OFF,
               version=update.version, data=data)
        (result.replaced if replaced else result.added).append(update)
    return result
