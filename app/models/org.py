"""The council's organisation and the people who use Docket."""
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import LabelledEnum, Model, UTCDateTime, enum_column, utcnow


class Role(LabelledEnum):
    ADMINISTRATOR = ("administrator", "Administrator")
    ASSISTANT_DIRECTOR = ("assistant_director", "Assistant Director")
    HEAD_OF_SERVICE = ("head_of_service", "Head of Service")
    ACTION_OWNER = ("action_owner", "Action owner")
    CLERK = ("clerk", "Committee clerk")
    COUNCILLOR = ("councillor", "Councillor")


class ScopeKind(LabelledEnum):
    EVERYTHING = ("everything", "Everything")
    SERVICE = ("service", "Service")
    DIRECTORATE = ("directorate", "Directorate")
    COMMITTEE = ("committee", "Committee")


# Which kinds of scope each role may be granted for.
ROLE_SCOPES = {
    Role.ADMINISTRATOR: {ScopeKind.EVERYTHING},
    Role.ASSISTANT_DIRECTOR: {ScopeKind.SERVICE, ScopeKind.DIRECTORATE},
    Role.HEAD_OF_SERVICE: {ScopeKind.SERVICE},
    Role.ACTION_OWNER: {ScopeKind.SERVICE},
    Role.CLERK: {ScopeKind.COMMITTEE},
    Role.COUNCILLOR: {ScopeKind.COMMITTEE},
}


class Directorate(Model):
    __tablename__ = "directorate"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    director_title: Mapped[str | None] = mapped_column(sa.String(200))
    director_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Retired: kept with its history, left out of choices for new things (app/organisation).
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    services: Mapped[list["Service"]] = relationship(back_populates="directorate", order_by="Service.name")
    director: Mapped["User | None"] = relationship(foreign_keys=[director_id])


class Service(Model):
    __tablename__ = "service"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    directorate_id: Mapped[int] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    plan_holder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The chief officer the council names to approve the service's committee papers (issue 14),
    # when it is not (only) the service's Assistant Director.
    chief_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Retired: its plans and history stay readable; left out of choices for new plans and people.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    directorate: Mapped[Directorate] = relationship(back_populates="services")
    plan_holder: Mapped["User | None"] = relationship(foreign_keys=[plan_holder_id])
    chief_officer: Mapped["User | None"] = relationship(foreign_keys=[chief_officer_id])
    plans: Mapped[list["Plan"]] = relationship(back_populates="service")  # noqa: F821


class User(UserMixin, Model):
    __tablename__ = "user_account"
    # One directory account for one person, at most (app/auth/oidc.py).
    __table_args__ = (
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
        # The People list, by name a page at a time: read in order, not sorted (migration 0022).
        sa.Index("ix_user_account_name_id", "name", "id"),
    )

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Changing this signs the person out everywhere (Flask-Login id includes it).
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16))
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sign-in with the council's directory: the directory's stable identifier for this person
    # (its `iss` and `sub`), stored when they first sign in through it (app/auth/oidc.py).
    oidc_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", foreign_keys="RoleAssignment.user_id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleAssignment(Model):
    """A role a person holds, within one scope (a service, directorate or committee)."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "scope_kind", "service_id", "directorate_id", "committee_id"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = enum_column(Role)
    scope_kind: Mapped[ScopeKind] = enum_column(ScopeKind)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    committee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee.id"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    service: Mapped[Service | None] = relationship()
    directorate: Mapped[Directorate | None] = relationship()
    committee: Mapped["Committee | None"] = relationship()  # noqa: F821

    @property
    def scope_label(self) -> str:
        if self.scope_kind == ScopeKind.EVERYTHING:
            return "everything"
        target = self.service or self.directorate or self.committee
        return target.name if target else "—"


class SignInFailure(Model):
    """A failed sign-in, kept to throttle guessing (shared by every app server)."""

    __tablename__ = "sign_in_failure"
    # Counted by source address and email address, and by source address alone (app/auth/throttle.py).
    __table_args__ = (sa.Index("ix_sign_in_failure_ip_address_occurred_at", "ip_address", "occurred_at"),)

    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
