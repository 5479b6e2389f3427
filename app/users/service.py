"""People and their roles. Every change is written with its trail event."""
import re
import secrets
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from app.auth.passwords import hash_password, password_problem
from app.auth.service import new_session_token, normalise_email
from app.extensions import db
from app.forms import text_problem
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


EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"()\[\]]+@[^@\s,;<>\"()\[\]]+\.[^@\s,;<>\"()\[\]]+$")


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter an email address"
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        return "Enter an email address in the correct format, like name@council.gov.uk"
    return None


def _clean(text: str | None, label: str, limit: int = 200) -> str | None:
    text = (text or "").strip()
    problem = text_problem(text, label, one_line=True)
    if problem:
        raise UserError(problem)
    if len(text) > limit:
        raise UserError(f"{label} must be {limit} characters or fewer")
    return text or None


def person_with_email(email: str, other_than: User | None = None) -> User | None:
    query = sa.select(User).where(User.email == normalise_email(email))
    if other_than is not None:
        query = query.where(User.id != other_than.id)
    return db.session.scalar(query)


def _checked_details(email: str, name: str, job_title: str | None, other_than: User | None = None):
    """A person's e-mail address, name and job title, tidied, or the first problem with them."""
    email = normalise_email(email)
    problem = email_problem(email)
    if problem:
        raise UserError(problem)
    name = _clean(name, "Name")
    if not name:
        raise UserError("Enter the person's name")
    existing = person_with_email(email, other_than=other_than)
    if existing:
        raise UserError(f"There is already a person with the email address {email}: {existing.name}")
    return email, name, _clean(job_title, "Job title")


def create_user(email: str, name: str, password: str | None = None, job_title: str | None = None,
                actor=None) -> User:
    """A new person. Without a password they cannot sign in until they choose one from a
    set-password link (app/auth/links.py). The caller commits."""
    email, name, job_title = _checked_details(email, name, job_title)
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise UserError(problem)
    user = User(email=email, name=name, job_title=job_title,
                password_hash=hash_password(password) if password is not None else None,
                session_token=secrets.token_hex(16))
    db.session.add(user)
    db.session.flush()
    record("user_created", user, actor=actor, data={"email": email, "name": user.name, "job_title": user.job_title})
    return user


def update_user(user: User, name: str, email: str, job_title: str | None, actor=None) -> dict:
    """Change a person's details; the trail has old -> new. Returns the changes (empty if none).
    A changed email address ends their sessions (it is what they sign in with)."""
    email, name, job_title = _checked_details(email, name, job_title, other_than=user)
    changes = {}
    for label, attr, new in (("Name", "name", name), ("Email address", "email", email),
                             ("Job title", "job_title", job_title)):
        old = getattr(user, attr)
        if old != new:
            changes[label] = [old, new]
            setattr(user, attr, new)
    if changes:
        if "Email address" in changes:
            new_session_token(user)
        record("user_edited", user, actor=actor, data={"name": user.name, "changes": changes})
    return changes


def deactivate_user(user: User, actor=None) -> None:
    """A leaver: they cannot sign in, every session they had ends, unused set-password links
    end. Their name stays on everything they did; nothing is deleted. The caller commits."""
    if not user.active:
        raise UserError(f"{user.name} is already deactivated")
    if actor is not None and actor.id == user.id:
        raise UserError("You cannot deactivate yourself: ask another administrator")
    if any(a.role == Role.ADMINISTRATOR for a in user.roles):
        others = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(User.id))).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.ADMINISTRATOR, User.active.is_(True), User.id != user.id))
        if not others:
            raise UserError(f"{user.name} is the only active administrator: make someone else an administrator first")
    from app.models import SetPasswordLink, utcnow

    user.active = False
    new_session_token(user)
    db.session.execute(sa.update(SetPasswordLink)
                       .where(SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    record("person_deactivated", user, actor=actor, from_state="active", to_state="deactivated",
           data={"name": user.name, "email": user.email})


def reactivate_user(user: User, actor=None) -> None:
    if user.active:
        raise UserError(f"{user.name} is already active")
    user.active = True
    new_session_token(user)
    record("person_reactivated", user, actor=actor, from_state="deactivated", to_state="active",
           data={"name": user.name, "email": user.email})


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


# --- the People list (administrators) ---------------------------------------------------------

PEOPLE_PAGE = 50


@dataclass
class RoleLine:
    """A role as the People list shows it: "Head of Service (Children's Social Care)"."""

    role: Role
    scope_label: str


@dataclass
class PersonRow:
    """One row of the People list: only what the list shows (and how the person signs in)."""

    id: int
    name: str
    job_title: str | None
    email: str
    active: bool
    password_hash: str | None
    oidc_subject: str | None
    roles: list[RoleLine] = field(default_factory=list)
    signs_in_with: str = ""


@dataclass
class PeoplePage:
    people: list[PersonRow]
    total: int
    page: int
    pages: int


@cache
def _people_statements(searched: bool, by_role: bool, by_service: bool, show: str) -> tuple:
    """The list's count, page and roles statements for one shape of search and filters, built
    once with the search's values as parameters (building them cost more than running them)."""
    where = []
    if searched:
        like = sa.bindparam("like")
        where.append(sa.or_(sa.func.lower(User.name).like(like), sa.func.lower(User.email).like(like),
                            sa.func.lower(User.job_title).like(like)))
    if by_role:
        where.append(User.roles.any(RoleAssignment.role == sa.bindparam("role", type_=RoleAssignment.role.type)))
    if by_service:
        sid = sa.bindparam("service_id", type_=sa.Integer())
        directorate = sa.select(Service.directorate_id).where(Service.id == sid).scalar_subquery()
        where.append(User.roles.any(sa.or_(RoleAssignment.service_id == sid,
                                           RoleAssignment.directorate_id == directorate)))
    if show == "deactivated":
        where.append(User.active.is_(False))
    elif show != "all":
        where.append(User.active.is_(True))
    count = sa.select(sa.func.count(User.id)).where(*where)
    rows = (sa.select(User.id, User.name, User.job_title, User.email, User.active, User.password_hash, User.oidc_subject)
            .where(*where).order_by(User.name, User.id)
            .limit(sa.bindparam("limit", type_=sa.Integer())).offset(sa.bindparam("offset", type_=sa.Integer())))
    roles = (sa.select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.scope_kind,
                       RoleAssignment.service_id, Service.name, RoleAssignment.directorate_id,
                       Directorate.name, RoleAssignment.committee_id, Committee.name)
             .outerjoin(Service, Service.id == RoleAssignment.service_id)
             .outerjoin(Directorate, Directorate.id == RoleAssignment.directorate_id)
             .outerjoin(Committee, Committee.id == RoleAssignment.committee_id)
             .where(RoleAssignment.user_id.in_(sa.bindparam("user_ids", expanding=True))).order_by(RoleAssignment.id))
    return count, rows, roles


def people_page(q: str, role: str, service_id: str, show: str, page: int, per_page: int = PEOPLE_PAGE) -> PeoplePage:
    """A page of the People list, by name: the people as rows of the columns it shows, and
    their roles with what each is for, in three queries whatever the number of people. The
    search and filters are already checked by the caller."""
    count, page_rows, roles = _people_statements(bool(q), bool(role), bool(service_id), show)
    values = {}
    if q:
        values["like"] = f"%{q.lower().replace('%', '').replace('_', '')}%"
    if role:
        values["role"] = Role(role)
    if service_id:
        values["service_id"] = int(service_id)
    total = db.session.scalar(count, values)
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(page_rows, dict(values, limit=per_page, offset=(page - 1) * per_page)).all()
    people = [PersonRow(*row) for row in rows]
    by_id = {p.id: p for p in people}
    if by_id:
        for user_id, role_value, kind, service_id_, service, directorate_id, directorate, committee_id, committee \
                in db.session.execute(roles, {"user_ids": list(by_id)}):
            # as RoleAssignment.scope_label words it
            if kind == ScopeKind.EVERYTHING:
                label = "everything"
            elif service_id_ is not None:
                label = service
            elif directorate_id is not None:
                label = directorate
            elif committee_id is not None:
                label = committee
            else:
                label = "—"
            by_id[user_id].roles.append(RoleLine(role_value, label))
    return PeoplePage(people=people, total=total, page=page, pages=pages)


@cache
def _service_choices_statement() -> sa.Select:
    return sa.select(Service.id, Service.name).order_by(Service.name)


def service_choices() -> list:
    """(id, name) of every service, by name, for the list's filter."""
    return db.session.execute(_service_choices_statement()).all()
