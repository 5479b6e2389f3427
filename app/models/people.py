"""One-time set-password links (app/auth/links.py makes and uses them)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime
from app.models.org import User


class SetPasswordLink(Model):
    """A link that lets one person choose their password once, within 24 hours.

    Only the SHA-256 of the link's secret is stored: a copy of the database does not give
    anyone a working link. A new link for the same person ends the older ones (`used_at`)."""

    __tablename__ = "set_password_link"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
