"""Councillors who sign in: a committee member linked to a person, who holds the Councillor
role for that committee (app/models/org.py) and so reads its agendas and confidential packs."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Committee, CommitteeMember, Role, RoleAssignment, ScopeKind, User
from app.trail import record


class CouncillorError(Exception):
    """A link that cannot be made; the message says why in plain English."""


def member_called(committee: Committee, name: str) -> CommitteeMember:
    wanted = " ".join((name or "").split()).lower()
    for member in committee.members:
        if member.name.lower() == wanted:
            return member
    names = ", ".join(m.name for m in committee.members) or "none yet"
    raise CouncillorError(f"{committee.name} has no member called {name!r} (its members: {names})")


def link_councillor(committee: Committee, member: CommitteeMember, user: User, actor=None) -> bool:
    """Link the member to the person and grant them the Councillor role for the committee, on the
    trail in the same transaction (the caller commits). Returns whether anything changed."""
    from app.users.service import grant_role

    if member.committee_id != committee.id:
        raise CouncillorError(f"{member.name} is not a member of {committee.name}")
    if not user.active:
        raise CouncillorError(f"{user.name} cannot sign in (their account is deactivated)")
    other = next((m for m in committee.members if m.user_id == user.id and m.id != member.id), None)
    if other is not None:
        raise CouncillorError(f"{user.name} is already linked to {other.name} on {committee.name}")
    had_role = db.session.scalar(sa.select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == Role.COUNCILLOR,
        RoleAssignment.committee_id == committee.id))
    if member.user_id == user.id and had_role:
        return False
    old = member.user.name if member.user is not None else None
    member.user_id = user.id
    grant_role(user, Role.COUNCILLOR, ScopeKind.COMMITTEE, committee, actor=actor)
    record("committee_member_linked", committee, actor=actor,
           data={"member": member.name, "person": user.name, "email": user.email,
                 "changes": {f"{member.name} signs in as": [old, user.name]}})
    return True


def unlink_councillor(committee: Committee, member: CommitteeMember, actor=None) -> bool:
    """Unlink the member and take the Councillor role for the committee away."""
    from app.users.service import revoke_role

    if member.user_id is None:
        return False
    user = member.user
    member.user_id = None
    assignment = db.session.scalar(sa.select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == Role.COUNCILLOR,
        RoleAssignment.committee_id == committee.id))
    if assignment is not None:
        revoke_role(assignment, actor=actor)
    record("committee_member_unlinked", committee, actor=actor,
           data={"member": member.name, "person": user.name,
                 "changes": {f"{member.name} signs in as": [user.name, None]}})
    return True
