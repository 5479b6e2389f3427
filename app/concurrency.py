"""Docket's one rule for a POST that is repeated or raced.

People double-click, keep two tabs open, and act on the same thing at the same moment as a
colleague. Every POST that changes something follows this rule, so that the database, not
luck, decides what happens:

1. **A thing that can exist only once has a unique constraint in the database** (one report
   once per agenda, one set of standing items per meeting, one pack number per meeting, one
   update per action per period). Code may look first to give a friendly message, but the
   constraint is what holds under a race; `guarded()` turns its violation into a `Refused`
   that says it was already done.
2. **A change to an existing thing carries the version the person loaded** (a hidden
   `version` field). `check_version()` refuses an old one with who acted and when; the ORM's
   `version_id_col` makes the UPDATE itself conditional, so of two changes that both passed
   the check one wins and the other is refused (`StaleDataError`, turned into `Refused`).
3. **A change to a collection bumps its parent's version** (adding an agenda item changes the
   meeting), so the parent row is the lock for everything under it: `touch(parent)`.
4. **A refusal is a clear message, never a 500, and never loses what the person typed**: the
   route re-renders the form with what was sent and status 409 (a stale or repeated move) or
   400 (bad input), and stores nothing, because the whole transaction is rolled back.

Every trail event is written in the transaction of the change it records (`app.trail.record`
locks the trail's head), so a refused change leaves no event either.
"""
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db


class Refused(Exception):
    """A move refused because someone (perhaps the same person, a moment ago) acted first,
    or because it was already done. The message says who and when, in plain English."""

    status = 409

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


PAST = {"created": "created", "edited": "changed", "saved": "saved a change to", "started": "started",
        "added": "added to", "moved": "moved an item on", "removed": "removed an item from",
        "published": "published", "submitted": "submitted", "resubmitted": "resubmitted",
        "withdrawn": "withdrew", "returned": "returned", "signed_off": "signed off", "reopened": "reopened",
        "approved": "approved", "linked": "linked", "opened": "opened", "deleted": "deleted",
        "imported": "imported into"}


def last_event(obj):
    from app.models import TrailEvent

    return db.session.scalar(
        sa.select(TrailEvent).where(TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id)
        .order_by(TrailEvent.seq.desc()).limit(1))


def who_acted(obj, noun: str = "this") -> str:
    """"Nadia Holt published this on 3 December 2026 at 10:04." from the object's last trail
    event (a fresh read, so it names whoever won the race)."""
    from app.filters import uk_datetime

    event = last_event(obj)
    if event is None:
        return f"Someone else changed {noun} first."
    verb = event.verb.rsplit("_", 1)[-1] if event.verb.endswith(("_added", "_moved", "_removed")) else (
        event.verb.split("_", 1)[1] if "_" in event.verb else event.verb)
    did = PAST.get(verb, verb.replace("_", " "))
    return f"{event.actor_name or 'Docket'} {did} {noun} on {uk_datetime(event.occurred_at)}."


def check_version(obj, expected: int | None, noun: str = "this", field: str | None = None) -> None:
    """Refuse a change made from a page loaded before someone else's change (rule 2).

    `expected` None means the request carried no version: refused too, as the page it came
    from is older than this rule (or the request was made by hand)."""
    if expected is None or obj.version != expected:
        raise Refused(f"{who_acted(obj, noun)} Nothing was changed: look at it again, then try once more.",
                      field)


def touch(parent) -> None:
    """Bump a parent's version (rule 3) so that two changes to its children cannot both win."""
    from app.models import utcnow

    parent.updated_at = utcnow()  # a change, so the flush is an UPDATE … WHERE version = loaded,
    # and the ORM's version_id_col adds one to the version


def _is_unique_violation(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


@contextmanager
def guarded(already: str, stale=None, obj=None, noun: str = "this"):
    """Run a change; turn a lost race into `Refused` (rules 1 and 2), rolling everything back.

    `already` is said when a unique constraint refused a duplicate ("… is already on this
    agenda"); `stale` when a version check in the database refused the change (a string, or a
    function called after the rollback so it can name the winner; default: who acted on `obj`,
    called `noun`, and when)."""
    try:
        yield
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if not _is_unique_violation(exc):
            raise
        raise Refused(already) from None
    except (StaleDataError, OperationalError) as exc:
        db.session.rollback()
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        db.session.expire_all()
        message = stale() if callable(stale) else stale
        message = message or (who_acted(obj, noun) + " Nothing was changed: look at it again, then try once more."
                            if obj is not None else "Someone else acted at the same moment. Nothing was changed.")
        raise Refused(message) from None
