"""People and their roles. Every change is written with its trail event."""
import secrets

import sqlalchemy as sa

from app.auth.passwords import hash_password, password_problem
from app.auth.service import new_session_token, normalise_email
from app.extensions import db
from app.models import (
    ROLE_SCOPES,
    Committee,
    Directorate,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    User,
)
from app.trail import record


class UserError(ValueError):
    """A person or role change that cannot be made; the message says why in plain English."""


def create_user(email: str, name: str, password: str, job_title: str | None = None, actor=None) -> User:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise UserError("Enter an email address in the correct format, like name@council.gov.uk")
    if not name.strip():
        raise UserError("Enter the person's name")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise UserError(f"There is already a person with the email address {email}")
    user = User(email=email, name=name.strip(), job_title=(job_title or "").strip() or None,
                password_hash=hash_password(password), session_token=secrets.token_hex(16))
    db.session.add(user)
    db.session.flush()
    record("user_created", user, actor=actor, data={"email": email, "name": user.name, "job_title": user.job_title})
    return user


def find_scope(kind: ScopeKind, name_or_id: str | None):
    """Look up a service, directorate or committee by id or by exact name."""
    model = {ScopeKind.SERVICE: Service, ScopeKind.DIRECTORATE: Directorate, ScopeKind.COMMITTEE: Committee}.get(kind)
    if model is None:
        return None
    if not name_or_id:
        raise UserError(f"Name the {kind.label.lower()} for this role")
    target = None
    if str(name_or_id).isdigit():
        target = db.session.get(model, int(name_or_id))
    if target is None:
        target = db.session.scalar(sa.select(model).where(model.name == name_or_id))
    if target is None:
        raise UserError(f"There is no {kind.label.lower()} called {name_or_id!r}")
    return target


def grant_role(user: User, role: Role, scope_kind: ScopeKind, scope=None, actor=None) -> RoleAssignment:
    if scope_kind not in ROLE_SCOPES[role]:
        allowed = " or ".join(sorted(k.label.lower() for k in ROLE_SCOPES[role]))
        raise UserError(f"The {role.label} role is granted for a {allowed}, not a {scope_kind.label.lower()}")
    fields = {"service_id": None, "directorate_id": None, "committee_id": None}
    if scope_kind != ScopeKind.EVERYTHING:
        if scope is None:
            raise UserError(f"Name the {scope_kind.label.lower()} for this role")
        fields[f"{scope_kind.value}_id"] = scope.id
    existing = db.session.scalar(
        sa.select(RoleAssignment).filter_by(user_id=user.id, role=role, scope_kind=scope_kind, **fields)
    )
    if existing:
        return existing
    assignment = RoleAssignment(
        user=user, role=role, scope_kind=scope_kind, granted_by_id=actor.id if actor else None, **fields
    )
    db.session.add(assignment)
    db.session.flush()
    new_session_token(user)  # what the person may do changed: their sessions start again
    record(
        "role_granted", user, actor=actor,
        data={"role": role.value, "scope": scope_kind.value, "scope_name": scope.name if scope else "everything"},
    )
    return assignment


def revoke_role(assignment: RoleAssignment, actor=None) -> None:
    user = assignment.user
    data = {"role": assignment.role.value, "scope": assignment.scope_kind.value, "scope_name": assignment.scope_label}
    db.session.delete(assignment)
    new_session_token(user)  # a copied cookie must not keep the role that was taken away
    record("role_revoked", user, actor=actor, data=data)
