"""The council's organisation: directorates, services and committees. Rules in plain functions
that the pages and the command line both call; each change writes its trail event in the same
transaction (the caller commits).

Retiring keeps a thing and its history readable (plans, meetings, the trail) but leaves it out
of the choices for anything new (`live_directorates`, `live_services`, `live_committees`)."""
import sqlalchemy as sa

from app.concurrency import Refused, check_version
from app.extensions import db
from app.models import (
    Committee,
    CommitteeMember,
    Directorate,
    MemberRole,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    User,
    utcnow,
)
from app.trail import record
from app.users.service import UserError, grant_role, revoke_role


class OrgError(ValueError):
    """A change that cannot be made; the message says why, beside `field` when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- choices for new things ---------------------------------------------------------------

def live_directorates() -> list[Directorate]:
    return db.session.scalars(sa.select(Directorate).where(Directorate.retired_at.is_(None))
                              .order_by(Directorate.name)).all()


def live_services() -> list[Service]:
    """Services that new plans and people may be given (not retired)."""
    return db.session.scalars(sa.select(Service).where(Service.retired_at.is_(None)).order_by(Service.name)).all()


def live_committees() -> list[Committee]:
    return db.session.scalars(sa.select(Committee).where(Committee.retired_at.is_(None))
                              .order_by(Committee.name)).all()


def active_people() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)).all()


def person_label(user: User | None) -> str | None:
    if user is None:
        return None
    return user.name + (f" ({user.job_title})" if user.job_title else "")


# --- names ---------------------------------------------------------------------------------

def _clean_name(name: str | None, noun: str, limit: int) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise OrgError(f"Enter the {noun}'s name", "name")
    if len(name) > limit:
        raise OrgError(f"The {noun}'s name must be {limit} characters or fewer", "name")
    return name


def _check_unique(model, name: str, noun: str, except_id: int | None = None) -> None:
    """A name that exists already (in any case) is refused, naming the existing one. Compared in
    Python: SQLite's lower() folds only A to Z, and a council has tens of these, not thousands."""
    query = sa.select(model.id, model.name)
    if except_id is not None:
        query = query.where(model.id != except_id)
    wanted = name.casefold()
    for _, existing in db.session.execute(query):
        if existing.casefold() == wanted:
            raise OrgError(f"There is already a {noun} called {existing}", "name")


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def find_directorate(name_or_id: str) -> Directorate:
    return _find(Directorate, name_or_id, "directorate")


def find_service(name_or_id: str) -> Service:
    return _find(Service, name_or_id, "service")


def _find(model, name_or_id, noun):
    text = " ".join(str(name_or_id or "").split())
    found = db.session.get(model, int(text)) if text.isdigit() else None
    if found is None and text:
        found = db.session.scalar(sa.select(model).where(model.name == text))
    if found is None and text:
        wanted = text.casefold()
        found = next((m for m in db.session.scalars(sa.select(model)) if m.name.casefold() == wanted), None)
    if found is None:
        raise OrgError(f"There is no {noun} called {text!r}", noun)
    return found


def find_person(text: str) -> User | None:
    """A person in Docket by e-mail address or exact name (None if nobody, or more than one, has it)."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if "@" in text:
        return db.session.scalar(sa.select(User).where(User.email == text.lower()))
    wanted = text.casefold()
    found = [u for u in db.session.scalars(sa.select(User).where(User.active.is_(True)))
             if " ".join(u.name.split()).casefold() == wanted]
    return found[0] if len(found) == 1 else None


# --- directorates ------------------------------------------------------------------------

def create_directorate(name: str, director: User | None = None, director_title: str | None = None,
                       actor=None) -> Directorate:
    name = _clean_name(name, "directorate", 200)
    _check_unique(Directorate, name, "directorate")
    directorate = Directorate(name=name, director=director, director_title=_clean(director_title))
    db.session.add(directorate)
    db.session.flush()
    record("directorate_created", directorate, actor=actor,
           data={"name": name, "director": director.name if director else None,
                 "director_title": directorate.director_title})
    return directorate


def edit_directorate(directorate: Directorate, version: int | None, name: str, director: User | None,
                     director_title: str | None, actor=None) -> dict:
    check_version(directorate, version, "this directorate")
    name = _clean_name(name, "directorate", 200)
    _check_unique(Directorate, name, "directorate", directorate.id)
    changes = {}
    if name != directorate.name:
        changes["Name"] = [directorate.name, name]
        directorate.name = name
    if (director.id if director else None) != directorate.director_id:
        changes["Corporate Director"] = [directorate.director.name if directorate.director else None,
                                         director.name if director else None]
        directorate.director = director
    title = _clean(director_title)
    if title != directorate.director_title:
        changes["Director's job title"] = [directorate.director_title, title]
        directorate.director_title = title
    if changes:
        verb = "directorate_renamed" if list(changes) == ["Name"] else "directorate_edited"
        db.session.flush()
        record(verb, directorate, actor=actor, data={"changes": changes})
    return changes


def retire_directorate(directorate: Directorate, version: int | None, actor=None) -> None:
    if directorate.retired_at is not None:
        raise Refused(f"{directorate.name} was already retired.")
    check_version(directorate, version, "this directorate")
    live = [s.name for s in directorate.services if s.retired_at is None]
    if live:
        raise OrgError(f"Move or retire its services first: {', '.join(live)} "
                       f"{'is' if len(live) == 1 else 'are'} still in {directorate.name}")
    directorate.retired_at = utcnow()
    db.session.flush()
    record("directorate_retired", directorate, actor=actor, data={"name": directorate.name})


# --- services ----------------------------------------------------------------------------

def _holders(service: Service, role: Role) -> list[RoleAssignment]:
    return db.session.scalars(sa.select(RoleAssignment).where(
        RoleAssignment.service_id == service.id, RoleAssignment.role == role,
        RoleAssignment.scope_kind == ScopeKind.SERVICE).order_by(RoleAssignment.id)).all()


def assistant_director_of(service: Service) -> User | None:
    found = _holders(service, Role.ASSISTANT_DIRECTOR)
    return found[0].user if found else None


def heads_of(service: Service) -> list[User]:
    return [a.user for a in _holders(service, Role.HEAD_OF_SERVICE)]


def _grant(user: User, role: Role, service: Service, actor) -> None:
    try:
        grant_role(user, role, ScopeKind.SERVICE, service, actor=actor)
    except UserError as exc:
        raise OrgError(str(exc)) from None


def _set_people(service: Service, ad: User | None, heads: list[User], actor) -> dict:
    """The service's Assistant Director and Heads of Service, as role assignments (the same
    rules and trail as granting a role anywhere else)."""
    changes = {}
    current_ad = _holders(service, Role.ASSISTANT_DIRECTOR)
    old_ad = current_ad[0].user if current_ad else None
    if (ad.id if ad else None) != (old_ad.id if old_ad else None) or len(current_ad) > 1:
        for assignment in current_ad:
            if ad is None or assignment.user_id != ad.id:
                revoke_role(assignment, actor=actor)
        if ad is not None and not any(a.user_id == ad.id for a in current_ad):
            _grant(ad, Role.ASSISTANT_DIRECTOR, service, actor)
        changes["Assistant Director"] = [old_ad.name if old_ad else None, ad.name if ad else None]
    service.plan_holder = ad
    current_heads = _holders(service, Role.HEAD_OF_SERVICE)
    wanted = {u.id: u for u in heads}
    old_names = [a.user.name for a in current_heads]
    for assignment in current_heads:
        if assignment.user_id not in wanted:
            revoke_role(assignment, actor=actor)
    have = {a.user_id for a in current_heads}
    for user in heads:
        if user.id not in have:
            _grant(user, Role.HEAD_OF_SERVICE, service, actor)
    new_names = [u.name for u in heads]
    if sorted(old_names) != sorted(new_names):
        changes["Heads of Service"] = [", ".join(old_names) or None, ", ".join(new_names) or None]
    return changes


def create_service(name: str, directorate: Directorate, assistant_director: User | None = None,
                   heads: list[User] | None = None, actor=None) -> Service:
    name = _clean_name(name, "service", 200)
    _check_unique(Service, name, "service")
    if directorate is None:
        raise OrgError("Choose the service's directorate", "directorate")
    if directorate.retired_at is not None:
        raise OrgError(f"{directorate.name} is retired: choose another directorate", "directorate")
    service = Service(name=name, directorate=directorate)
    db.session.add(service)
    db.session.flush()
    record("service_created", service, actor=actor, data={"name": name, "directorate": directorate.name})
    _set_people(service, assistant_director, list(heads or []), actor)
    db.session.flush()
    return service


KEEP = object()  # edit_service: leave the chief officer for papers as it is


def edit_service(service: Service, version: int | None, name: str, directorate: Directorate,
                 assistant_director: User | None, heads: list[User], actor=None, chief_officer=KEEP) -> dict:
    check_version(service, version, "this service")
    name = _clean_name(name, "service", 200)
    _check_unique(Service, name, "service", service.id)
    changes = {}
    if name != service.name:
        changes["Name"] = [service.name, name]
        service.name = name
    if directorate is None:
        raise OrgError("Choose the service's directorate", "directorate")
    if directorate.id != service.directorate_id:
        if directorate.retired_at is not None:
            raise OrgError(f"{directorate.name} is retired: choose another directorate", "directorate")
        old = service.directorate.name
        service.directorate = directorate
        db.session.flush()
        record("service_moved", service, actor=actor,
               data={"changes": {"Directorate": [old, directorate.name]}})
        changes["Directorate"] = [old, directorate.name]
    people = _set_people(service, assistant_director, heads, actor)
    if chief_officer is not KEEP and (chief_officer.id if chief_officer else None) != service.chief_officer_id:
        # committee papers (issue 14): the chief officer the council names to approve them
        old = service.chief_officer
        people["Chief officer for committee papers"] = [old.name if old else None,
                                                        chief_officer.name if chief_officer else None]
        service.chief_officer = chief_officer
    own = {k: v for k, v in changes.items() if k != "Directorate"}
    own.update(people)
    if own:
        verb = "service_renamed" if list(own) == ["Name"] else "service_edited"
        db.session.flush()
        record(verb, service, actor=actor, data={"changes": own})
    changes.update(people)
    return changes


def retire_service(service: Service, version: int | None, actor=None) -> None:
    if service.retired_at is not None:
        raise Refused(f"{service.name} was already retired.")
    check_version(service, version, "this service")
    service.retired_at = utcnow()
    db.session.flush()
    record("service_retired", service, actor=actor, data={"name": service.name})


# --- committees --------------------------------------------------------------------------

def create_committee(name: str, *, members: list[tuple[str, MemberRole]] | None = None, clerk: User | None = None,
                     clerk_name: str | None = None, clerk_telephone: str | None = None,
                     clerk_email: str | None = None, default_venue: str | None = None, default_time=None,
                     directorate: Directorate | None = None, actor=None) -> Committee:
    name = _clean_name(name, "committee", 300)
    _check_unique(Committee, name, "committee")
    members = list(members or [])
    chairs = [n for n, role in members if role == MemberRole.CHAIR]
    if len(chairs) > 1:
        raise OrgError(f"A committee has one Chair: {' and '.join(chairs)} are both marked (Chair)", "members")
    vices = [n for n, role in members if role == MemberRole.VICE_CHAIR]
    if len(vices) > 1:
        raise OrgError(f"A committee has one Vice-Chair: {' and '.join(vices)} are both marked (Vice-Chair)",
                       "members")
    committee = Committee(name=name, clerk=clerk, clerk_name=_clean(clerk_name) or (clerk.name if clerk else None),
                          clerk_telephone=_clean(clerk_telephone),
                          clerk_email=_clean(clerk_email) or (clerk.email if clerk else None),
                          default_venue=_clean(default_venue), default_time=default_time, directorate=directorate)
    committee.members = [CommitteeMember(name=n, role=role, position=i) for i, (n, role) in enumerate(members, 1)]
    db.session.add(committee)
    db.session.flush()
    record("committee_created", committee, actor=actor,
           data={"name": name, "clerk": clerk.name if clerk else None,
                 "chair": chairs[0] if chairs else None, "vice_chair": vices[0] if vices else None,
                 "members": [n for n, _ in members], "directorate": directorate.name if directorate else None})
    if clerk is not None:
        try:
            grant_role(clerk, Role.CLERK, ScopeKind.COMMITTEE, committee, actor=actor)
        except UserError as exc:
            raise OrgError(str(exc), "clerk") from None
    return committee


def retire_committee(committee: Committee, actor=None) -> None:
    """Conditional on it not being retired yet, so a double-click or two tabs retire it once."""
    if committee.retired_at is not None:
        raise Refused(f"{committee.name} was already retired.")
    done = db.session.execute(
        sa.update(Committee).where(Committee.id == committee.id, Committee.retired_at.is_(None))
        .values(retired_at=utcnow(), updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Refused(f"{committee.name} was already retired.")
    db.session.refresh(committee)
    record("committee_retired", committee, actor=actor, data={"name": committee.name})
