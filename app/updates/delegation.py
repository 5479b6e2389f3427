"""Delegation: a Head of Service names a deputy who signs off for them for a while."""
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Delegation, Role, RoleAssignment, ScopeKind


def active_delegations(deputy_id: int, today: date | None = None) -> list[Delegation]:
    today = today or date.today()
    return db.session.scalars(
        sa.select(Delegation).where(
            Delegation.deputy_id == deputy_id, Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today, Delegation.ends_on >= today,
        )
    ).all()


def deputy_services(deputy_id: int, today: date | None = None) -> dict[int, int]:
    """Service id -> id of the Head of Service the deputy acts for there, today."""
    out: dict[int, int] = {}
    for delegation in active_delegations(deputy_id, today):
        service_ids = db.session.scalars(
            sa.select(RoleAssignment.service_id).where(
                RoleAssignment.user_id == delegation.head_id, RoleAssignment.role == Role.HEAD_OF_SERVICE,
                RoleAssignment.scope_kind == ScopeKind.SERVICE,
            )
        ).all()
        for sid in service_ids:
            out.setdefault(sid, delegation.head_id)
    return out
