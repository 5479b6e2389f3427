"""Keying a trail written before Docket keyed its chain (`flask trail rekey`).

Until migration 0009 each event's hash was plain SHA-256, which anyone with database access
could recompute. After the upgrade, new events are keyed (HMAC-SHA256 under TRAIL_KEY) and
follow on from the old ones, so the trail is a run of unkeyed events followed by keyed ones,
and `flask trail verify` reports the first unkeyed event. An administrator runs `flask trail
rekey` once: it checks the whole chain link by link (each event must follow on from the one
before and match its hash, plain or keyed), then rewrites every hash with the key, in one
transaction, and records a `trail_rekeyed` event with the old head's hash.

Rekeying can only carry forward what the old chain proved: an edit made by someone who
recomputed the unkeyed hashes before the rekey is not found by it. So it refuses anything an
upgrade cannot explain: an unkeyed event after a keyed one, or a trail rekeyed before.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import GENESIS_HASH, TrailEvent, TrailHead
from app.trail.service import HEAD_ID, event_hash, record, unkeyed_hash


class RekeyRefused(Exception):
    """The trail cannot be rekeyed; the message says why."""


@dataclass
class Rekeyed:
    events: int
    unkeyed: int
    old_head: tuple[int, str]
    new_head: tuple[int, str]


def rekey(actor=None) -> Rekeyed:
    """Check the old chain, rewrite every hash with TRAIL_KEY, record it. The caller commits."""
    # Take the head's lock first, so that nothing is appended while the chain is rewritten.
    db.session.execute(sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(last_seq=TrailHead.last_seq))
    head = db.session.get(TrailHead, HEAD_ID)
    events = db.session.scalars(sa.select(TrailEvent).order_by(TrailEvent.seq)).all()
    if not events:
        raise RekeyRefused("The trail is empty: there is nothing to rekey.")
    if any(e.verb == "trail_rekeyed" for e in events):
        raise RekeyRefused(
            "This trail was rekeyed before (it has a trail_rekeyed event). Unkeyed events after "
            "that were not written by Docket: the trail has been tampered with. Do not rekey it."
        )
    prev = GENESIS_HASH
    unkeyed = 0
    keyed_seen = None
    for expected_seq, event in enumerate(events, start=1):
        where = f"Event {event.seq} (id {event.id})"
        if event.seq != expected_seq:
            raise RekeyRefused(f"Event number {expected_seq} is missing or out of order: the old chain is broken.")
        if event.prev_hash != prev:
            raise RekeyRefused(f"{where} does not follow on from the event before it: the old chain is broken.")
        if event.hash == event_hash(prev, event):
            keyed_seen = keyed_seen or event.seq
        elif event.hash == unkeyed_hash(prev, event):
            if keyed_seen:
                raise RekeyRefused(
                    f"{where} is unkeyed but comes after keyed event {keyed_seen}. An upgrade only "
                    "leaves unkeyed events before keyed ones: this was written without the key."
                )
            unkeyed += 1
        else:
            raise RekeyRefused(f"{where} no longer matches its hash: it was changed after it was written.")
        prev = event.hash
    if head is None or head.last_seq != len(events) or head.last_hash != prev:
        raise RekeyRefused("The trail's head does not name its newest event: the newest events were deleted or changed.")
    if unkeyed == 0:
        raise RekeyRefused(f"Every one of the {len(events)} events is already keyed: there is nothing to rekey.")

    old_head = (head.last_seq, head.last_hash)
    prev = GENESIS_HASH
    for event in events:
        event.prev_hash = prev
        event.hash = event_hash(prev, event)
        prev = event.hash
    db.session.flush()
    db.session.execute(sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(last_hash=prev))
    event = record(
        "trail_rekeyed", actor=actor, object_type="trail",
        data={"events": len(events), "unkeyed_events": unkeyed, "old_head_seq": old_head[0],
              "old_head_hash": old_head[1]},
    )
    return Rekeyed(len(events), unkeyed, old_head, (event.seq, event.hash))
