"""Results worth keeping between requests, kept exactly as long as nothing has changed.

Every change Docket makes is recorded on the trail in the same transaction as the change
itself (a transition, an edit, a saved draft, an import, a role granted), and each event
moves the trail's head (`TrailHead.last_seq`, with the new event's hash) on by one. A result kept under the head's
position is therefore as fresh as the database: the first request after any change, anywhere
in the council, finds no result under the new position and works it out again. Results are
also keyed by the day, for figures that depend on today's date (overdue, due soon).

The store is per process (each gunicorn worker keeps its own) and holds at most
`CACHE_ENTRIES` results, the least recently used going first; 0 turns it off. Keep only plain
data in it (numbers, strings, rows), never objects tied to a database session.
"""
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from threading import Lock
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from app.extensions import db

T = TypeVar("T")


def trail_position() -> tuple[int, str]:
    """How far the trail has got, and the hash of its last event (so that a database restored
    from an older backup, whose trail reaches the same number with other events, is told apart).
    Read once per reading request, afresh in any other (a request that writes moves the head,
    and must see its own move)."""
    from app.models import TrailHead
    from app.trail.service import HEAD_ID

    safe = has_request_context() and g.get("docket_safe_method")
    if safe and "docket_trail_position" in g:
        return g.docket_trail_position
    row = db.session.execute(sa.select(TrailHead.last_seq, TrailHead.last_hash).where(TrailHead.id == HEAD_ID)).first()
    position = tuple(row) if row else (0, "")
    if safe:
        g.docket_trail_position = position
    return position


class UntilChanged:
    """A bounded store of results keyed by what they are for, the trail's position and the day."""

    def __init__(self):
        self._results: OrderedDict = OrderedDict()
        self._lock = Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        size = current_app.config.get("CACHE_ENTRIES", 0)
        if size <= 0:
            return make()
        full_key = (current_app.import_name, current_app.config["SQLALCHEMY_DATABASE_URI"], key,
                    trail_position(), date.today())
        with self._lock:
            if full_key in self._results:
                self._results.move_to_end(full_key)
                self.hits += 1
                return self._results[full_key]
        self.misses += 1
        value = make()
        with self._lock:
            self._results[full_key] = value
            while len(self._results) > size:
                self._results.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


results = UntilChanged()
