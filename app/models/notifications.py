"""Notifications: an outbox written in the same transaction as the change that causes it."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime


class Notification(Model):
    """One message to one person. Sent by e-mail after commit when MAIL_SERVER is set;
    always readable in Docket. `dedupe_key` stops the same reminder being sent twice."""

    __tablename__ = "notification"

    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # "update_submitted", "reminder_digest", …
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500))  # a path in Docket
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped["User"] = relationship()  # noqa: F821


class Delegation(Model):
    """A Head of Service names a deputy who may sign off for them between two dates."""

    __tablename__ = "delegation"
    # A Head of Service's live delegations never overlap (app/updates/delegation.py checks it
    # under the trail's lock), so no two start on one day: a double-click cannot make two.
    __table_args__ = (
        sa.Index("uq_delegation_head_id_starts_on_live", "head_id", "starts_on", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL")),
    )

    head_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    head: Mapped["User"] = relationship(foreign_keys=[head_id])  # noqa: F821
    deputy: Mapped["User"] = relationship(foreign_keys=[deputy_id])  # noqa: F821


class AttachmentContent(Model):
    """The bytes of an attachment, kept in the database so every app server can serve them."""

    __tablename__ = "attachment_content"

    attachment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attachment.id", ondelete="CASCADE"), unique=True, index=True
    )
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
