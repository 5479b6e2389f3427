"""Writing and checking the hash-chained trail.

Every transition in Docket calls `record()` inside the same transaction as the change it
records; nothing else writes to the trail, and nothing updates or deletes an event (except
`flask trail rekey`, run once by an administrator: app/trail/rekey.py).

Each event's hash is HMAC-SHA256, keyed with `TRAIL_KEY` (a secret kept outside the
database), of the previous event's hash and the event's fields. Someone who can change the
database but does not have the key cannot write an event, or a whole chain, that verifies.
What the key cannot show (a trail cut short with its head moved back) an anchor can: the
position and hash of the newest event, kept outside Docket (`flask trail anchor`) and checked
with `flask trail verify --anchor SEQ:HASH`.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_login import current_user

from app.extensions import db
from app.models import GENESIS_HASH, Plan, TrailEvent, TrailHead, User, utcnow

HEAD_ID = 1


def _canonical(event: TrailEvent) -> str:
    """The fields a hash covers, in a form that reads back the same on every database."""
    occurred: datetime = event.occurred_at
    return json.dumps(
        {
            "seq": event.seq,
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "on_behalf_of_id": event.on_behalf_of_id,
            "verb": event.verb,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "object_version": event.object_version,
            "comment": event.comment,
            "data": event.data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def event_hash(prev_hash: str, event: TrailEvent, key: str | None = None) -> str:
    """HMAC-SHA256 under TRAIL_KEY of the previous hash and this event's fields."""
    key = key if key is not None else current_app.config["TRAIL_KEY"]
    message = (prev_hash + _canonical(event)).encode("ascii")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def unkeyed_hash(prev_hash: str, event: TrailEvent) -> str:
    """Plain SHA-256, as Docket made the chain before it was keyed (before migration 0009)."""
    return hashlib.sha256((prev_hash + _canonical(event)).encode("ascii")).hexdigest()


def _state(value):
    if value is None:
        return None
    return getattr(value, "value", str(value))


def _default_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


_UNSET = object()


def record(
    verb: str,
    obj=None,
    *,
    actor=_UNSET,
    object_type: str | None = None,
    object_id: int | None = None,
    from_state=None,
    to_state=None,
    version: int | None = None,
    comment: str | None = None,
    data: dict | None = None,
    on_behalf_of=None,
) -> TrailEvent:
    """Append one event to the trail in the current transaction. The caller commits.

    `obj` is the thing acted on (any model); its table name and id are recorded.
    `actor` defaults to the signed-in person; pass None for the system.
    """
    if actor is _UNSET:
        actor = _default_actor()
    if obj is not None:
        if obj.id is None:
            db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id

    session = db.session
    # Lock the head first: on PostgreSQL this row lock orders concurrent writers; on SQLite
    # the UPDATE takes the database's write lock. Either way the chain cannot fork.
    result = session.execute(
        sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(last_seq=TrailHead.last_seq + 1)
    )
    if result.rowcount == 0:
        session.add(TrailHead(id=HEAD_ID, last_seq=1, last_hash=GENESIS_HASH))
        session.flush()
    seq, prev_hash = session.execute(
        sa.select(TrailHead.last_seq, TrailHead.last_hash).where(TrailHead.id == HEAD_ID)
    ).one()

    event = TrailEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else None,
        on_behalf_of_id=on_behalf_of.id if on_behalf_of is not None else None,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        from_state=_state(from_state),
        to_state=_state(to_state),
        object_version=version,
        comment=comment,
        data=json.dumps(data, sort_keys=True, default=str) if data is not None else None,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(prev_hash, event)
    session.add(event)
    session.execute(sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(last_hash=event.hash))
    return event


@dataclass
class TrailProblem:
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"event {self.seq} (id {self.event_id})" if self.seq is not None else "the trail"
        return f"{where}: {self.message}"


def parse_anchor(text: str) -> tuple[int, str]:
    """'SEQ:HASH', as `flask trail anchor` prints it. Raises ValueError with the reason."""
    seq_text, sep, digest = (text or "").strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not seq_text.strip().isdigit() or int(seq_text) < 1:
        raise ValueError("write the anchor as the event's number, a colon and its hash, like 1234:9f86d0…")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("the hash after the colon must be 64 hexadecimal characters")
    return int(seq_text), digest


def _unkeyed_message(event: TrailEvent) -> str:
    return (
        f"its hash ({event.verb} by {event.actor_name or 'the system'}) was made without the trail key, "
        "with plain SHA-256. Either this event was written before Docket keyed its trail (then, "
        "once, after checking, run `flask trail rekey`), or someone without the key rewrote it."
    )


def verify(anchor: tuple[int, str] | None = None) -> tuple[int, TrailProblem | None]:
    """Walk the chain in order. Returns (events checked, first problem or None).

    With an anchor (seq, hash) from `flask trail anchor`, that event must still be there with
    that hash."""
    key = current_app.config["TRAIL_KEY"]
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    anchor_seen = False
    stmt = sa.select(TrailEvent).order_by(TrailEvent.seq).execution_options(yield_per=2000)
    for event in db.session.scalars(stmt):
        if event.seq != expected_seq:
            return checked, TrailProblem(
                event.seq, event.id,
                f"expected event number {expected_seq} here; an event is missing or the order was changed.",
            )
        if event.prev_hash != expected_prev:
            return checked, TrailProblem(
                event.seq, event.id,
                "it does not follow on from the event before it: that event was changed, "
                "deleted or moved.",
            )
        if event_hash(event.prev_hash, event, key) != event.hash:
            if unkeyed_hash(event.prev_hash, event) == event.hash:
                return checked, TrailProblem(event.seq, event.id, _unkeyed_message(event))
            return checked, TrailProblem(
                event.seq, event.id,
                f"its contents ({event.verb} by {event.actor_name or 'the system'}) "
                "no longer match its hash: it was changed after it was written, or its hash was "
                "made without the trail key.",
            )
        if anchor is not None and event.seq == anchor[0]:
            anchor_seen = True
            if event.hash != anchor[1]:
                return checked, TrailProblem(
                    event.seq, event.id,
                    f"the anchor says this event's hash is {anchor[1]}, but it is {event.hash}: "
                    "the trail was rewritten from here (or TRAIL_KEY was changed, or the trail "
                    "rekeyed, since the anchor was taken).",
                )
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = db.session.get(TrailHead, HEAD_ID)
    if head is None and checked:
        return checked, TrailProblem(None, None, "the trail's head is missing: it was deleted.")
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return checked, TrailProblem(
            head.last_seq, None,
            f"the trail should end at event {head.last_seq} but ends at event {checked}: "
            "the newest events were deleted or changed.",
        )
    if anchor is not None and not anchor_seen:
        return checked, TrailProblem(
            anchor[0], None,
            f"the anchor names event {anchor[0]}, but the trail ends at event {checked}: "
            "events were deleted from the end and the head moved back.",
        )
    if checked == 0:
        people = db.session.scalar(sa.select(sa.func.count(User.id)))
        plans = db.session.scalar(sa.select(sa.func.count(Plan.id)))
        if people or plans:
            return 0, TrailProblem(
                None, None,
                f"it is empty, but the database holds {people} people and {plans} plans, whose "
                "creation would be on it: its events were deleted.",
            )
    return checked, None
