"""Who may do what to which object: one function, `can`, answers every question.

Routes never decide permission themselves: they call `can` (or use `permission_required`,
which loads the object named in the URL and calls it). Hiding a button is not a check.
"""
from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy.orm.util import identity_key
from werkzeug.exceptions import Forbidden
from werkzeug.local import LocalProxy

from app.extensions import db
from app.models import Role, RoleAssignment, ScopeKind, Service, User


class Scope:
    """The roles one person holds, resolved to the ids they reach."""

    def __init__(self, user, rows=None):
        """`rows` are those of `scope_query` for this person, when the caller has read them
        already (signing the person in reads them with the person: `load_with_scope`)."""
        self.user = user
        self._user_id = getattr(user, "id", None) if user is not None else None
        # One query: the person's roles, with the services of any directorate they hold a role in.
        # Whether they are anyone's deputy today rides along, so that most people, who are not,
        # cost no query for it.
        if rows is None:
            rows = db.session.execute(*scope_query(self._user_id)).all() if self._user_id else []
        deputy = bool(rows and rows[0][5])
        # Whether they wrote any report (Reports in their menu) rides along too.
        self.report_author = bool(rows and rows[0][6])
        rows = [row[:5] for row in rows if row[0] is not None]
        self.roles = {role for role, *_ in rows}
        self.admin = Role.ADMINISTRATOR in self.roles
        self._services: dict[Role, set[int]] = {}
        self._committees: set[int] = set()
        self._councillor_of: set[int] = set()  # committees the person sits on (Role.COUNCILLOR)
        for role, kind, service_id, committee_id, directorate_service_id in rows:
            if kind == ScopeKind.SERVICE and service_id:
                self._services.setdefault(role, set()).add(service_id)
            elif kind == ScopeKind.DIRECTORATE:
                services = self._services.setdefault(role, set())
                if directorate_service_id:
                    services.add(directorate_service_id)
            elif kind == ScopeKind.COMMITTEE and committee_id and role == Role.COUNCILLOR:
                self._councillor_of.add(committee_id)
            elif kind == ScopeKind.COMMITTEE and committee_id:
                self._committees.add(committee_id)
        self._deputy_for: dict[int, int] | None = None if deputy else {}

    @property
    def deputy_for(self) -> dict[int, int]:
        """Deputies: service id -> the Head of Service they may sign off for, today (asked the
        first time it is needed)."""
        if self._deputy_for is None:
            self._deputy_for = {}
            if self._user_id:
                from app.updates.delegation import deputy_services

                self._deputy_for = deputy_services(self._user_id)
        return self._deputy_for

    def has(self, role: Role) -> bool:
        return self.admin or role in self.roles

    def services(self, *roles: Role) -> set[int]:
        """Ids of the services where the person holds any of these roles."""
        out: set[int] = set()
        for role in roles or tuple(self._services):
            out |= self._services.get(role, set())
        return out

    def committees(self) -> set[int]:
        """The committees the person clerks (not those they sit on as a councillor)."""
        return set(self._committees)

    def councillor_of(self) -> set[int]:
        return set(self._councillor_of)

    @property
    def councillor_only(self) -> bool:
        """A councillor and nothing else: reads their committees' papers, and no officer pages."""
        return self.roles == {Role.COUNCILLOR}


_SCOPE_STATEMENTS: dict[bool, sa.Select] = {}


def scope_query(user_id: int, with_person: bool = False) -> tuple[sa.Select, dict]:
    """The rows a Scope is made of: one per role the person holds (one with no role if none),
    each with the service of a directorate role, whether they are anyone's deputy today and
    whether they wrote any report;
    `with_person` puts the person first in each row (for `load_with_scope`).

    Every request asks it, so the statement is built once and given the person and the day as
    parameters: building it anew cost as much as running it."""
    statement = _SCOPE_STATEMENTS.get(with_person)
    if statement is None:
        from app.models import Delegation, Report
        from app.settings import council_name_column

        user_id_param, today = sa.bindparam("scope_user_id"), sa.bindparam("scope_today", type_=sa.Date)
        deputy_today = sa.exists().where(Delegation.deputy_id == user_id_param, Delegation.revoked_at.is_(None),
                                         Delegation.starts_on <= today, Delegation.ends_on >= today)
        statement = (
            sa.select(*((User, council_name_column()) if with_person else ()), RoleAssignment.role, RoleAssignment.scope_kind,
                      RoleAssignment.service_id, RoleAssignment.committee_id, Service.id, deputy_today,
                      sa.exists().where(Report.author_id == user_id_param))
            .select_from(User).outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
            .outerjoin(Service, sa.and_(RoleAssignment.scope_kind == ScopeKind.DIRECTORATE,
                                        Service.directorate_id == RoleAssignment.directorate_id))
            .where(User.id == user_id_param))
        _SCOPE_STATEMENTS[with_person] = statement
    return statement, {"scope_user_id": user_id, "scope_today": date.today()}


def load_with_scope(user_id: int):
    """The person with this id, or None, read together with their scope (and the council's name,
    which every page shows) in one query, on every request: the scope is kept for the request,
    as `scope_for` keeps it."""
    from app.settings import remember_council_name

    rows = db.session.execute(*scope_query(user_id, with_person=True)).all()
    if not rows:
        return None
    user = rows[0][0]
    if has_request_context():
        g.setdefault("_docket_scopes", {})[user.id] = Scope(user, rows=[row[2:] for row in rows])
        remember_council_name(rows[0][1])  # every page shows it: it rides along too
    return user


def scope_for(user) -> Scope:
    """The person's scope, worked out once per request."""
    if has_request_context():
        cache = g.setdefault("_docket_scopes", {})
        key = getattr(user, "id", None)
        if key not in cache:
            cache[key] = Scope(user)
        return cache[key]
    return Scope(user)


# --- policies: one function per verb, (scope, object) -> bool --------------------------

def _admin_only(scope: Scope, obj) -> bool:
    return scope.admin


def _signed_in(scope: Scope, obj) -> bool:
    """A signed-in officer. A councillor with no other role reads only their committees' papers
    (app/public/councillors.py), so the officers' pages are not theirs."""
    return scope.user is not None and not scope.councillor_only


def _anyone_signed_in(scope: Scope, obj) -> bool:
    return scope.user is not None


def _owns_in_plan(scope: Scope, plan) -> bool:
    """An accountable officer may see the plan that holds their actions or indicators."""
    from app.models import Action, Indicator

    uid = scope.user.id
    return bool(
        db.session.scalar(sa.select(Action.id).where(Action.plan_id == plan.id, Action.owner_id == uid).limit(1))
        or db.session.scalar(
            sa.select(Indicator.id).where(Indicator.plan_id == plan.id, Indicator.owner_id == uid).limit(1)
        )
    )


def _view_plan(scope: Scope, plan) -> bool:
    if plan is None:
        return scope.admin or bool(scope.services())
    return scope.admin or plan.service_id in scope.services() or _owns_in_plan(scope, plan)


def _edit_plan(scope: Scope, plan) -> bool:
    """Administrators everywhere; Heads of Service within their services. Nobody changes an
    archived plan: it is read-only (issue 12; `archived_refusal` says so on the 403 page)."""
    if plan is None:
        return scope.admin
    if _is_archived(plan):
        return False
    return scope.admin or plan.service_id in scope.services(Role.HEAD_OF_SERVICE)


def _is_archived(plan) -> bool:
    from app.models import PlanStatus

    return plan.status == PlanStatus.ARCHIVED


def plan_of(obj):
    """The plan a plan, theme, action, milestone, risk or indicator belongs to (else None)."""
    if obj is None or getattr(obj, "__tablename__", None) == "plan":
        return obj
    if getattr(obj, "__tablename__", None) == "milestone":
        return obj.action.plan
    return getattr(obj, "plan", None) if getattr(obj, "__tablename__", None) in (
        "priority_theme", "action", "risk", "indicator") else None


class PlanArchived(Forbidden):
    """A change refused because the plan is archived: the 403 page says so in plain words."""


PLAN_CHANGES = {"edit_plan", "import_plan", "edit_action", "edit_theme", "edit_milestone", "edit_risk",
                "edit_indicator"}


def archived_refusal(user, verb: str, obj) -> None:
    """Raise PlanArchived when `verb` changes `obj` in an archived plan that `user` may read."""
    plan = plan_of(obj) if verb in PLAN_CHANGES else None
    if plan is not None and _is_archived(plan) and can(user, "view_plan", plan):
        raise PlanArchived(f"{plan.title}{' ' + plan.period_label if plan.period_label else ''} is archived, "
                           "so it can no longer be changed or imported into. It stays readable.")


def _view_action(scope: Scope, action) -> bool:
    return _view_plan(scope, action.plan)


def _edit_action(scope: Scope, action) -> bool:
    return _edit_plan(scope, action.plan)


def service_id_of(obj) -> int:
    """The service a progress update or indicator value belongs to."""
    owner = getattr(obj, "action", None) or getattr(obj, "indicator", None)
    return owner.plan.service_id


def owner_id_of(obj) -> int | None:
    owner = getattr(obj, "action", None) or getattr(obj, "indicator", None)
    return owner.owner_id


def _view_update(scope: Scope, upd) -> bool:
    """The owner; Heads of Service, their deputies and Assistant Directors over the service.
    Other owners in the service do not see a colleague's update."""
    sid = service_id_of(upd)
    return (scope.admin or owner_id_of(upd) == scope.user.id
            or sid in scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR) or sid in scope.deputy_for)


def _edit_update(scope: Scope, upd) -> bool:
    """The owner only: an owner's update is the owner's words. Others comment, return, sign
    off or reopen it; none rewrites it (a Head of Service who wants another writer changes the
    action's owner)."""
    return owner_id_of(upd) is not None and owner_id_of(upd) == scope.user.id


def _sign_off_update(scope: Scope, upd) -> bool:
    """A Head of Service for the service, or their deputy while the delegation lasts."""
    sid = service_id_of(upd)
    return sid in scope.services(Role.HEAD_OF_SERVICE) or sid in scope.deputy_for


def _sign_off_queue(scope: Scope, obj) -> bool:
    return bool(scope.services(Role.HEAD_OF_SERVICE) or scope.deputy_for)


def _delegate(scope: Scope, obj) -> bool:
    return bool(scope.services(Role.HEAD_OF_SERVICE))


def _report_services(report) -> set[int]:
    if report.service_id is not None and not report.plans:  # a committee paper (issue 14)
        return {report.service_id}
    return {p.service_id for p in report.plans}


def _names_chief_officer(scope: Scope, report) -> bool:
    """The chief officer the council names for a paper's service (issue 14)."""
    return bool(report.service_id and not report.plans and report.service is not None
                and report.service.chief_officer_id == scope.user.id)


def _view_report(scope: Scope, report) -> bool:
    from app.models import ReportState

    services = _report_services(report)
    if scope.admin or report.author_id == scope.user.id:
        return True
    if services and services <= scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR):
        return True
    if _names_chief_officer(scope, report):
        return True
    if scope.councillor_only:
        return False  # a councillor reads papers in the agenda packs (app/public/councillors.py)
    if report.state == ReportState.PUBLISHED:
        # a paper of an exempt item is read in the confidential pack, by those who may (issue 14)
        from app.models import AgendaItem

        return not db.session.scalar(sa.select(AgendaItem.id).where(
            AgendaItem.report_id == report.id, AgendaItem.exempt_paragraph.is_not(None)).limit(1))
    if report.state == ReportState.APPROVED and scope.committees():
        # A clerk reads the approved reports of their own committees: the report's committee,
        # or, when it names none, the committee for its directorate (`in_committee_scope`, the
        # rule the agenda builder uses). Not every approved report without a committee.
        from app.meetings.service import in_committee_scope
        from app.models import Committee

        return any(in_committee_scope(report, committee) for committee in
                   db.session.scalars(sa.select(Committee).where(Committee.id.in_(scope.committees()))))
    return False


def _edit_report(scope: Scope, report) -> bool:
    services = _report_services(report)
    return (report.author_id == scope.user.id or scope.admin
            or bool(services) and services <= scope.services(Role.HEAD_OF_SERVICE))


def _approve_report(scope: Scope, report) -> bool:
    services = _report_services(report)
    return bool(services) and services <= scope.services(Role.ASSISTANT_DIRECTOR) or _names_chief_officer(scope, report)


def _create_report(scope: Scope, obj) -> bool:
    return scope.admin or bool(scope.services(Role.HEAD_OF_SERVICE))


def _dashboard(scope: Scope, obj) -> bool:
    return scope.admin or bool(scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR))


def _clerk_of(scope: Scope, committee_id) -> bool:
    return scope.admin or committee_id in scope.committees()


def _manage_committee(scope: Scope, committee) -> bool:
    if committee is None:
        return scope.admin or bool(scope.committees())
    return _clerk_of(scope, committee.id)


def _manage_meeting(scope: Scope, meeting) -> bool:
    return _clerk_of(scope, meeting.committee_id)


def _read_confidential(scope: Scope, meeting) -> bool:
    """A meeting's confidential pack: its committee's councillors and clerk, administrators, and
    the officers the clerk named (app/meetings/exempt.py)."""
    from app.meetings.exempt import may_read_confidential

    return may_read_confidential(scope.user, meeting)


def _councillor(scope: Scope, obj) -> bool:
    return bool(scope.councillor_of())


def _reports_menu(scope: Scope, obj) -> bool:
    """Who has Reports in the menu: those who write, approve or place reports (Heads of
    Service, Assistant Directors, clerks, administrators) and anyone who is a report's author."""
    return bool(scope.admin or scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR) or scope.committees()
                or scope.report_author)


POLICIES = {
    "use_docket": _signed_in,
    "administer": _admin_only,
    "manage_users": _admin_only,
    "view_trail": _admin_only,
    "list_plans": _signed_in,
    "view_plan": _view_plan,
    "edit_plan": _edit_plan,
    "import_plan": _edit_plan,
    "create_plan": _admin_only,
    "view_action": _view_action,
    "edit_action": _edit_action,
    "edit_theme": lambda scope, theme: _edit_plan(scope, theme.plan),
    "edit_milestone": lambda scope, milestone: _edit_plan(scope, milestone.action.plan),
    "edit_risk": lambda scope, risk: _edit_plan(scope, risk.plan),
    "edit_indicator": lambda scope, indicator: _edit_plan(scope, indicator.plan),
    # progress updates and indicator values
    "manage_periods": _admin_only,
    "view_update": _view_update,
    "edit_update": _edit_update,
    "sign_off_update": _sign_off_update,
    "view_sign_off_queue": _sign_off_queue,
    "delegate_sign_off": _delegate,
    "end_delegation": lambda scope, delegation: delegation.head_id == scope.user.id,
    # committee reports
    "list_reports": _signed_in,
    "create_report": _create_report,
    "view_report": _view_report,
    "edit_report": _edit_report,
    "approve_report": _approve_report,
    "view_dashboard": _dashboard,
    # committees, meetings, agendas, work plans (clerks of the committee; administrators)
    "view_committees": _signed_in,
    "view_committee": _signed_in,
    "manage_committee": _manage_committee,
    "manage_meeting": _manage_meeting,
    "view_meeting": _signed_in,  # drafts are shown only to clerks: the route checks manage_meeting
    # --- organisation, committees and settings (issue 12) ---
    "manage_organisation": _admin_only, "manage_settings": _admin_only,
    # --- plans set-up, roll-over and periods (issue 12) ---
    "archive_plan": _admin_only,
    "roll_over_plan": _admin_only,
    # --- people and passwords (issue 12) ---
    "change_own_password": _anyone_signed_in,
    # --- directory sign-in (issue 15) ---
    # --- plan import in the council's own shape (issue 13) ---
    # --- plan fields, current position and export (issue 13) ---
    # --- committee papers (issue 14) ---
    "write_paper": lambda scope, service: scope.admin or (
        bool(scope.services()) if service is None else service.id in scope.services()),
    "view_meeting_papers": _manage_meeting, "chase_paper": _manage_meeting,
    # --- exempt items, councillors and public agendas (issue 14) ---
    "read_confidential_pack": _read_confidential, "councillor_home": _councillor,
    "mark_exempt": _manage_meeting, "name_confidential_reader": _manage_meeting,
    # --- the clerk's editing tools and the pack (issue 14) ---
    # --- the owner's quarter (issue 16) ---
    "enter_own_values": _signed_in,  # the all-values page lists only the person's own values
    "enter_own_values": _signed_in,  # the all-values page lists only the person's own values
    # --- sign-off, approval, dashboard and reports (issue 16) ---
    "view_unowned_indicators": lambda scope, obj: scope.admin or bool(scope.services(Role.HEAD_OF_SERVICE)),
    "name_indicator_owner": lambda scope, indicator: _edit_plan(scope, indicator.plan),
    "reports_menu": _reports_menu,
    # --- performance (issue 17) ---
}


class UnknownPermission(LookupError):
    pass


def can(user, verb: str, obj=None) -> bool:
    """May this user do `verb` to `obj`? Unknown verbs are refused loudly, never allowed."""
    # `current_user` is a proxy that finds the person again on every attribute: find them once.
    user = getattr(user, "_get_current_object", None)() if isinstance(user, LocalProxy) else user
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    try:
        policy = POLICIES[verb]
    except KeyError:
        raise UnknownPermission(verb) from None
    return bool(policy(scope_for(user), obj))


_BY_ID: dict[type, sa.Select] = {}


def load_by_id(model, pk: int):
    """`db.session.get(model, pk)` for a model with an `id` key, in a statement built once per
    model: building `get`'s statement afresh cost as much as running it, on every page that
    shows one object (issue 17)."""
    found = db.session.identity_map.get(identity_key(model, pk))
    if found is not None:
        return found
    statement = _BY_ID.get(model)
    if statement is None:
        statement = _BY_ID[model] = sa.select(model).where(model.id == sa.bindparam("pk"))
    return db.session.execute(statement, {"pk": pk}).scalar_one_or_none()


def permission_required(verb: str, model=None, url_arg: str | None = None):
    """Route decorator: load `model` by the URL argument (404 if absent) and check `can`.

    The loaded object is passed to the view in place of the id.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            obj = None
            if model is not None:
                key = url_arg or f"{model.__tablename__}_id"
                obj = load_by_id(model, kwargs.pop(key))
                if obj is None:
                    abort(404)
                kwargs[model.__tablename__] = obj
            if not can(current_user, verb, obj):
                archived_refusal(current_user, verb, obj)  # an archived plan: says why (issue 12)
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = verb
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to people who are not signed in."""
    view.is_public = True
    return view
