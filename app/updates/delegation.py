"""Delegation: a Head of Service names a deputy who signs off for them for a while.

The rules (README, "Progress updates and sign-off"): the deputy works in one of the services
the Head of Service covers (holds a role there, or in its directorate; to name someone from
elsewhere, an administrator first gives them a role in the service); the delegation starts
today or later, within the next 12 months, and lasts at most 12 months; and a Head of
Service's delegations never overlap: a second one is refused until the first is ended or
over. A double-click is refused as already done (app/concurrency.py).
"""
from datetime import date, timedelta

import sqlalchemy as sa

from app.concurrency import Refused, guarded
from app.extensions import db
from app.filters import uk_date, uk_datetime
from app.models import Delegation, Role, RoleAssignment, ScopeKind, Service, User
from app.trail import record


def a_year_after(day: date) -> date:
    """The same day 12 months later (29 February goes to 28 February)."""
    if day.year >= date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class DelegationInvalid(ValueError):
    """`problems` maps a form field to what is wrong with it, in plain English."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def head_services(head_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(RoleAssignment.service_id).where(
        RoleAssignment.user_id == head_id, RoleAssignment.role == Role.HEAD_OF_SERVICE,
        RoleAssignment.scope_kind == ScopeKind.SERVICE)))


def eligible_deputies(head: User) -> list[User]:
    """Active people with a role in a service the Head of Service covers, or in its directorate."""
    services = head_services(head.id) or {-1}
    directorates = sa.select(Service.directorate_id).where(Service.id.in_(services))
    in_service = sa.select(RoleAssignment.user_id).where(sa.or_(
        sa.and_(RoleAssignment.scope_kind == ScopeKind.SERVICE, RoleAssignment.service_id.in_(services)),
        sa.and_(RoleAssignment.scope_kind == ScopeKind.DIRECTORATE, RoleAssignment.directorate_id.in_(directorates)),
    ))
    return db.session.scalars(sa.select(User).where(User.active.is_(True), User.id != head.id,
                                                    User.id.in_(in_service)).order_by(User.name)).all()


def _overlapping(head_id: int, starts_on: date, ends_on: date, other_than: int | None = None) -> Delegation | None:
    query = sa.select(Delegation).where(Delegation.head_id == head_id, Delegation.revoked_at.is_(None),
                                        Delegation.starts_on <= ends_on, Delegation.ends_on >= starts_on)
    if other_than is not None:
        query = query.where(Delegation.id != other_than)
    return db.session.scalar(query.order_by(Delegation.starts_on).limit(1))


def _when_named(item: Delegation) -> str:
    return uk_datetime(item.created_at)


def name_deputy(head: User, deputy: User | None, starts_on: date, ends_on: date,
                today: date | None = None) -> Delegation:
    """Name `deputy` to sign off for `head` from `starts_on` until `ends_on` (both included).

    Raises DelegationInvalid (what to correct, by field) or Refused (the same delegation was
    made a moment ago: a double-click). Writes the delegation and its trail event in one
    transaction, and commits."""
    today = today or date.today()
    problems = {}
    if deputy is None or not deputy.active:
        problems["deputy_id"] = "Choose your deputy from the list"
    elif deputy.id == head.id:
        problems["deputy_id"] = "Choose someone other than yourself"
    elif deputy.id not in {p.id for p in eligible_deputies(head)}:
        problems["deputy_id"] = (f"{deputy.name} does not work in your services. Choose someone who does; an "
                                 f"administrator can give a person a role in your service first")
    if starts_on < today:
        problems["starts_on"] = "From must be today or in the future"
    elif starts_on > a_year_after(today):
        problems["starts_on"] = f"From must be within the next 12 months, by {uk_date(a_year_after(today))}"
    if ends_on < starts_on:
        problems["ends_on"] = "Until must be on or after From"
    elif ends_on >= a_year_after(starts_on):
        problems["ends_on"] = (f"A deputy can be named for at most 12 months: Until must be "
                               f"{uk_date(a_year_after(starts_on) - timedelta(days=1))} or earlier")
    if problems:
        raise DelegationInvalid(problems)
    same = db.session.scalar(sa.select(Delegation).where(
        Delegation.head_id == head.id, Delegation.deputy_id == deputy.id, Delegation.revoked_at.is_(None),
        Delegation.starts_on == starts_on, Delegation.ends_on == ends_on))
    if same is not None:
        raise Refused(f"You named {deputy.name} as your deputy from {uk_date(starts_on)} until {uk_date(ends_on)} "
                      f"on {_when_named(same)}. Nothing else was changed.")
    item = Delegation(head_id=head.id, deputy_id=deputy.id, starts_on=starts_on, ends_on=ends_on)
    with guarded(f"You already have a deputy from {uk_date(starts_on)}: it was named a moment ago. "
                 f"Nothing else was changed."):
        db.session.add(item)
    # The trail's head is locked by record(), so delegations made at the same moment are
    # checked one after the other: the overlap check below sees any made first.
    record("delegation_created", item, actor=head, data={"deputy": deputy.name, "from": str(starts_on),
                                                         "until": str(ends_on)})
    clash = _overlapping(head.id, starts_on, ends_on, other_than=item.id)
    if clash is not None:
        message = (f"{clash.deputy.name} is already your deputy from {uk_date(clash.starts_on)} until "
                   f"{uk_date(clash.ends_on)}. Choose dates after that, or end that delegation first")
        db.session.rollback()
        raise DelegationInvalid({"starts_on": message})
    db.session.commit()
    return item


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
