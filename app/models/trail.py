"""The approval trail: an append-only, hash-chained log of everything that happened."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class TrailEvent(db.Model):
    """One event. Never updated or deleted; each carries the hash of the one before it."""

    __tablename__ = "trail_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3 … in the order written
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str | None] = mapped_column(sa.String(200))  # as they were called then
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    verb: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str | None] = mapped_column(sa.String(40))
    object_version: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[str | None] = mapped_column(sa.Text)  # JSON: what changed, old → new
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped["User | None"] = relationship(foreign_keys=[actor_id])  # noqa: F821
    on_behalf_of: Mapped["User | None"] = relationship(foreign_keys=[on_behalf_of_id])  # noqa: F821

    __table_args__ = (sa.Index("ix_trail_event_object", "object_type", "object_id"),)


class TrailHead(db.Model):
    """One row: the last event written. Appending locks it, so the chain never forks,
    and deleting the newest event is caught because the head still names it."""

    __tablename__ = "trail_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
