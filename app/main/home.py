"""What the home page tells a person: who they are and what they can do."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Action, Committee, Indicator, Role, RoleAssignment, ScopeKind
from app.permissions import scope_for


@dataclass
class Home:
    user: object
    roles: list = field(default_factory=list)  # [(role label, scope label)]
    can_do: list = field(default_factory=list)  # sentences: what this person can do
    owned_actions: int = 0
    owned_indicators: int = 0
    tasks: object = None
    admin_tasks: list = field(default_factory=list)  # app/main/admin_tasks.py, for administrators
    unowned_indicators: int = 0  # for a Head of Service: indicators in their services with no owner
    oversight: dict | None = None  # for an Assistant Director: the dashboard's figures for their plans


ROLE_SENTENCES = {
    Role.ADMINISTRATOR: "manage people and their roles, the council's services and plans, and import plans",
    Role.ASSISTANT_DIRECTOR: "approve or return committee reports for {scope}, and see everything in it",
    Role.HEAD_OF_SERVICE: "sign off or return progress updates for {scope}, and draft its reports",
    Role.ACTION_OWNER: "write progress updates for your actions in {scope}",
    Role.CLERK: "keep the work plan, build agendas and publish agenda packs for {scope}",
    Role.COUNCILLOR: "read the agendas and confidential papers of {scope}",
}


def home_for(user) -> Home:
    home = Home(user=user)
    assignments = db.session.scalars(
        sa.select(RoleAssignment).where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.role)
        .options(joinedload(RoleAssignment.service), joinedload(RoleAssignment.directorate),
                 joinedload(RoleAssignment.committee))
    ).all()
    for a in assignments:
        home.roles.append((a.role.label, a.scope_label))
        scope = "the whole council" if a.scope_kind == ScopeKind.EVERYTHING else a.scope_label
        home.can_do.append(ROLE_SENTENCES[a.role].format(scope=scope))
    home.owned_actions, home.owned_indicators = db.session.execute(sa.select(
        sa.select(sa.func.count(Action.id)).where(Action.owner_id == user.id).scalar_subquery(),
        sa.select(sa.func.count(Indicator.id)).where(Indicator.owner_id == user.id).scalar_subquery(),
    )).one()
    from app.updates.queries import my_tasks

    home.tasks = my_tasks(user)
    scope = scope_for(user)
    if scope.services(Role.HEAD_OF_SERVICE):
        from app.updates.unowned import unowned_indicators

        home.unowned_indicators = len(unowned_indicators(user))
    if scope.services(Role.ASSISTANT_DIRECTOR):
        from app.reports.dashboard import dashboard_for

        home.oversight = dashboard_for(user)
    if any(a.role == Role.ADMINISTRATOR for a in assignments):
        from app.main.admin_tasks import admin_tasks

        home.admin_tasks = admin_tasks()
    scope_for(user)  # warm the per-request cache used by navigation
    return home


__all__ = ["home_for", "Home", "Committee"]
