"""What the home page tells a person: who they are and what they can do."""
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from app.extensions import db
from app.models import Action, Committee, Directorate, Indicator, Role, RoleAssignment, ScopeKind, Service
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


@cache
def _roles_statement():
    return (sa.select(RoleAssignment.role, RoleAssignment.scope_kind, Service.name, Directorate.name, Committee.name)
            .outerjoin(Service, Service.id == RoleAssignment.service_id)
            .outerjoin(Directorate, Directorate.id == RoleAssignment.directorate_id)
            .outerjoin(Committee, Committee.id == RoleAssignment.committee_id)
            .where(RoleAssignment.user_id == sa.bindparam("user_id")).order_by(RoleAssignment.role))


def _roles(user) -> list[tuple[Role, ScopeKind, str]]:
    """The person's roles, each with what it reaches ("everything", or the service's, directorate's
    or committee's name, as RoleAssignment.scope_label says): one query, of names only."""
    out = []
    for role, kind, service, directorate, committee in db.session.execute(_roles_statement(), {"user_id": user.id}):
        if kind == ScopeKind.EVERYTHING:
            out.append((role, kind, "everything"))
        else:
            out.append((role, kind, next((n for n in (service, directorate, committee) if n is not None), "—")))
    return out


@cache
def _numbers_statement(unowned):
    """The person's (`user_id`) actions and indicators, and, with `unowned` (a statement), the
    indicators with no owner that they can name one for: one query. Built once for each."""
    user_id = sa.bindparam("user_id")
    counts = [sa.select(sa.func.count(Action.id)).where(Action.owner_id == user_id).scalar_subquery(),
              sa.select(sa.func.count(Indicator.id)).where(Indicator.owner_id == user_id).scalar_subquery()]
    if unowned is not None:
        counts.append(unowned.scalar_subquery())
    return sa.select(*counts)


def home_for(user) -> Home:
    home = Home(user=user)
    roles = _roles(user)
    for role, kind, label in roles:
        home.roles.append((role.label, label))
        scope = "the whole council" if kind == ScopeKind.EVERYTHING else label
        home.can_do.append(ROLE_SENTENCES[role].format(scope=scope))
    scope = scope_for(user)
    unowned, params = None, {"user_id": user.id}
    if scope.services(Role.HEAD_OF_SERVICE):
        from app.updates.unowned import unowned_count_query

        unowned, more = unowned_count_query(scope)
        params.update(more)
    numbers = db.session.execute(_numbers_statement(unowned), params).one()
    home.owned_actions, home.owned_indicators = numbers[0], numbers[1]
    if len(numbers) > 2:
        home.unowned_indicators = numbers[2]
    from app.updates.queries import my_tasks

    home.tasks = my_tasks(user)
    if scope.services(Role.ASSISTANT_DIRECTOR):
        from app.reports.dashboard import oversight_for

        home.oversight = oversight_for(user)
    if any(role == Role.ADMINISTRATOR for role, _, _ in roles):
        from app.main.admin_tasks import admin_tasks

        home.admin_tasks = admin_tasks()
    return home


__all__ = ["home_for", "Home", "Committee"]
