"""Editing a plan and what it holds. Each save writes its change and a trail event
(old → new for every field that changed) in one transaction, and refuses a stale edit."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Action, TrailEvent
from app.trail import record


class PlanEditError(Exception):
    """An edit that cannot be saved; the message says why in plain English."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleEdit(PlanEditError):
    """Someone else saved first."""


def _display(value):
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "__tablename__"):
        return getattr(value, "name", None) or getattr(value, "title", None) or str(value.id)
    return value


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))
        except Exception:  # noqa: BLE001 - a non-number never equals a number
            return False
    if isinstance(a, str) or isinstance(b, str):
        return (a or "") == (b or "")
    return a == b


def who_changed_last(obj) -> str:
    event = db.session.scalar(
        sa.select(TrailEvent).where(TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id)
        .order_by(TrailEvent.seq.desc()).limit(1)
    )
    if event is None:
        return "Someone else changed it"
    from app.filters import uk_datetime

    return f"{event.actor_name or 'Docket'} changed it on {uk_datetime(event.occurred_at)}"


def _check_version(obj, expected_version):
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit(
            f"{who_changed_last(obj)}, after you opened this page. Your changes have not been saved: "
            "they are still in the form below. Check them against the saved version, then save again."
        )


def save(obj, values: dict, *, verb: str, expected_version: int | None, actor=None, labels: dict | None = None,
         new: bool = False) -> dict:
    """Apply `values` to `obj`, record what changed, and commit. Returns the changes.

    Raises StaleEdit when the object changed since the person loaded it (version column), and
    PlanEditError for a rule broken (such as a duplicate reference).
    """
    if not new:
        _check_version(obj, expected_version)
    changes = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if new or not _same(old, value):
            label = (labels or {}).get(field, field)
            if not (new and value in (None, "", False)):
                changes[label] = [None if new else _display(old), _display(value)]
            setattr(obj, field, value)
    if new:
        db.session.add(obj)
    if not changes and not new:
        return {}
    try:
        db.session.flush()
        who = {"actor": actor} if actor is not None else {}  # default: the signed-in person
        record(verb, obj, version=obj.version, data={"changes": changes}, **who)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit(
            "Someone else saved a change to this at the same moment. Your changes have not been saved: "
            "they are still in the form below. Check them, then save again."
        ) from None
    return changes


def check_unique_reference(model, plan_id: int, reference: str, exclude_id: int | None = None):
    """References are unique in a plan whatever their case, in every alphabet (compared in
    Python: SQLite's lower() only knows A to Z)."""
    if not reference:
        return
    wanted = reference.strip().casefold()
    rows = db.session.execute(sa.select(model.id, model.reference).where(model.plan_id == plan_id)).all()
    if any(ref and ref.strip().casefold() == wanted and rid != exclude_id for rid, ref in rows):
        kind = "an action" if model is Action else f"a {model.__tablename__}"
        raise PlanEditError(f"There is already {kind} with the reference {reference} in this plan", "reference")


@dataclass
class OwnerChoices:
    choices: list

    @classmethod
    def for_plan(cls, plan, blank="Not assigned"):
        from app.models import User

        users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)).all()
        return [("", blank)] + [(str(u.id), f"{u.name}" + (f" ({u.job_title})" if u.job_title else "")) for u in users]
