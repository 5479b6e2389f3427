"""The daily reminder digest: one notification a day per person, with what applies to them.

- their progress updates and indicator values due within 7 days (draft or returned, period open);
- their overdue ones;
- for a Head of Service, and for a deputy while a delegation from that head is active: the
  overdue ones in their services (a copy of what the owner is told), and the submitted ones
  still waiting for sign-off after the period's sign-off deadline.

Everything is read in a fixed number of queries, whatever the number of updates.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    Delegation,
    Indicator,
    IndicatorValue,
    Notification,
    PeriodState,
    Plan,
    PlanStatus,
    ProgressUpdate,
    ReportingPeriod,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    UpdateState,
    User,
)
from app.notifications.service import absolute_url, base_url, dispatch_pending, notify

DUE_WITHIN_DAYS = 7
KIND = "reminder_digest"
LINK = "/"  # the home page: where a person's work starts
LONDON = ZoneInfo("Europe/London")
OPEN_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)


def london_today() -> date:
    return datetime.now(LONDON).date()


def dedupe_key(user_id: int, today: date) -> str:
    return f"reminder:{user_id}:{today.isoformat()}"


@dataclass(frozen=True)
class Item:
    """One progress update or indicator value that someone should hear about."""

    what: str  # "progress update" | "indicator value"
    id: int
    reference: str | None
    title: str
    service_id: int
    service_name: str
    period_name: str
    owner_id: int | None
    owner_name: str | None
    state: UpdateState
    update_deadline: date
    signoff_deadline: date
    submitted_at: datetime | None

    def label(self) -> str:
        title = " ".join(self.title.split())
        if len(title) > 90:
            title = title[:89].rstrip() + "…"
        return f"{self.reference} {title}" if self.reference else title

    @property
    def path(self) -> str:
        """The update's page in Docket (app/updates serves both kinds)."""
        prefix = "updates" if self.what == "progress update" else "indicator-values"
        return f"/{prefix}/{self.id}"

    def sort_key(self):
        return (self.update_deadline, self.service_name, self.what != "progress update",
                self.reference or "", self.title, self.id)


@dataclass
class Digest:
    recipient: User
    due: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    # service id -> (service name, capacity note, items)
    service_overdue: dict[int, list[Item]] = field(default_factory=dict)
    waiting_signoff: dict[int, list[Item]] = field(default_factory=dict)
    capacity: dict[int, str] = field(default_factory=dict)  # service id -> "" or "as deputy for …"

    def __bool__(self) -> bool:
        return bool(self.due or self.overdue or self.service_overdue or self.waiting_signoff)


# --- reading -----------------------------------------------------------------------------

def _open_items(today: date) -> list[Item]:
    """Updates and indicator values in open periods that are due soon, overdue, or waiting
    for sign-off past the deadline: two queries, with everything joined in."""
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    owner = aliased(User)

    def relevant(state_col):
        return sa.or_(
            sa.and_(state_col.in_(OPEN_STATES), ReportingPeriod.update_deadline <= horizon),
            sa.and_(state_col == UpdateState.SUBMITTED, ReportingPeriod.signoff_deadline < today),
        )

    period_cols = (ReportingPeriod.name, ReportingPeriod.update_deadline, ReportingPeriod.signoff_deadline)
    updates = db.session.execute(
        sa.select(
            ProgressUpdate.id, ProgressUpdate.state, ProgressUpdate.submitted_at,
            Action.reference, Action.title, Action.owner_id, owner.name,
            Service.id, Service.name, *period_cols,
        )
        .join(Action, ProgressUpdate.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .join(ReportingPeriod, ProgressUpdate.period_id == ReportingPeriod.id)
        .outerjoin(owner, sa.and_(Action.owner_id == owner.id, owner.active.is_(True)))
        .where(
            ReportingPeriod.state == PeriodState.OPEN,
            Action.status != ActionStatus.WITHDRAWN,
            Plan.status != PlanStatus.ARCHIVED,
            relevant(ProgressUpdate.state),
        )
    ).all()
    values = db.session.execute(
        sa.select(
            IndicatorValue.id, IndicatorValue.state, IndicatorValue.submitted_at,
            Indicator.reference, Indicator.description, Indicator.owner_id, owner.name,
            Service.id, Service.name, *period_cols,
        )
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .join(ReportingPeriod, IndicatorValue.period_id == ReportingPeriod.id)
        .outerjoin(owner, sa.and_(Indicator.owner_id == owner.id, owner.active.is_(True)))
        .where(
            ReportingPeriod.state == PeriodState.OPEN,
            Plan.status != PlanStatus.ARCHIVED,
            relevant(IndicatorValue.state),
        )
    ).all()
    items = []
    for what, rows in (("progress update", updates), ("indicator value", values)):
        for (id_, state, submitted_at, reference, title, owner_id, owner_name,
             service_id, service_name, period_name, update_deadline, signoff_deadline) in rows:
            items.append(Item(
                what=what, id=id_, reference=reference, title=title or "", service_id=service_id,
                service_name=service_name, period_name=period_name,
                # an owner who has been deactivated is not reminded; their head still is
                owner_id=owner_id if owner_name is not None else None, owner_name=owner_name,
                state=state, update_deadline=update_deadline, signoff_deadline=signoff_deadline,
                submitted_at=submitted_at,
            ))
    return items


def _service_watchers(service_ids: set[int], today: date) -> dict[int, dict[int, str]]:
    """person id -> {service id: capacity}: active Heads of Service of these services, and the
    active deputies of those heads (capacity names the head they stand in for)."""
    if not service_ids:
        return {}
    heads = db.session.execute(
        sa.select(RoleAssignment.user_id, RoleAssignment.service_id, User.name)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role == Role.HEAD_OF_SERVICE,
            RoleAssignment.scope_kind == ScopeKind.SERVICE,
            RoleAssignment.service_id.in_(service_ids),
            User.active.is_(True),
        )
    ).all()
    watchers: dict[int, dict[int, str]] = defaultdict(dict)
    services_of_head: dict[int, set[int]] = defaultdict(set)
    head_names: dict[int, str] = {}
    for user_id, service_id, name in heads:
        watchers[user_id][service_id] = ""  # in their own right: wins over any deputy note
        services_of_head[user_id].add(service_id)
        head_names[user_id] = name
    if services_of_head:
        deputy = aliased(User)
        delegations = db.session.execute(
            sa.select(Delegation.head_id, Delegation.deputy_id, Delegation.ends_on)
            .join(deputy, deputy.id == Delegation.deputy_id)
            .where(
                Delegation.head_id.in_(list(services_of_head)),
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
                Delegation.revoked_at.is_(None),
                deputy.active.is_(True),
            )
            .order_by(Delegation.id)
        ).all()
        for head_id, deputy_id, ends_on in delegations:
            if deputy_id == head_id:
                continue
            note = f"as deputy for {head_names[head_id]} until {_uk_date(ends_on)}"
            for service_id in services_of_head[head_id]:
                watchers[deputy_id].setdefault(service_id, note)
    return watchers


def build_digests(today: date) -> list[Digest]:
    """Everyone's digest for `today` (people with nothing to hear about are left out)."""
    items = _open_items(today)
    watchers = _service_watchers({i.service_id for i in items}, today)

    digests: dict[int, Digest] = {}

    def digest_for(user_id: int) -> Digest:
        if user_id not in digests:
            digests[user_id] = Digest(recipient=None)  # recipient filled in below
        return digests[user_id]

    by_service: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_service[item.service_id].append(item)
        if item.owner_id is None or item.state not in OPEN_STATES:
            continue
        if item.update_deadline < today:
            digest_for(item.owner_id).overdue.append(item)
        else:
            digest_for(item.owner_id).due.append(item)

    for person_id, services in watchers.items():
        for service_id, capacity in services.items():
            overdue = [i for i in by_service.get(service_id, [])
                       if i.state in OPEN_STATES and i.update_deadline < today and i.owner_id != person_id]
            waiting = [i for i in by_service.get(service_id, [])
                       if i.state == UpdateState.SUBMITTED and i.signoff_deadline < today]
            if not (overdue or waiting):
                continue
            digest = digest_for(person_id)
            digest.capacity[service_id] = capacity
            if overdue:
                digest.service_overdue[service_id] = sorted(overdue, key=Item.sort_key)
            if waiting:
                digest.waiting_signoff[service_id] = sorted(waiting, key=Item.sort_key)

    if not digests:
        return []
    users = {
        u.id: u for u in db.session.scalars(
            sa.select(User).where(User.id.in_(list(digests)), User.active.is_(True))
        )
    }
    out = []
    for user_id, digest in digests.items():
        if user_id not in users or not digest:
            continue
        digest.recipient = users[user_id]
        digest.due.sort(key=Item.sort_key)
        digest.overdue.sort(key=Item.sort_key)
        out.append(digest)
    out.sort(key=lambda d: (d.recipient.name, d.recipient.id))
    return out


# --- writing -----------------------------------------------------------------------------

def _uk_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _due_phrase(deadline: date, today: date) -> str:
    left = (deadline - today).days
    if left == 0:
        return "due today"
    if left == 1:
        return "due tomorrow"
    return f"due in {_days(left)}"


def subject_for(digest: Digest, today: date) -> str:
    parts = []
    if digest.due:
        parts.append(f"{len(digest.due)} due soon")
    if digest.overdue:
        parts.append(f"{len(digest.overdue)} overdue")
    n_service = sum(len(v) for v in digest.service_overdue.values())
    if n_service:
        parts.append(f"{n_service} overdue in your service{'s' if len(digest.service_overdue) > 1 else ''}")
    n_waiting = sum(len(v) for v in digest.waiting_signoff.values())
    if n_waiting:
        parts.append(f"{n_waiting} waiting for sign-off")
    return f"Docket reminders for {_uk_date(today)}: " + ", ".join(parts)


def body_for(digest: Digest, today: date) -> str:
    lines = [f"Hello {digest.recipient.name},", "", f"Your Docket reminders for {today:%A} {_uk_date(today)}."]
    # In e-mail, each item links to its page when Docket knows its own address.
    with_links = base_url() is not None

    def link(item: Item) -> None:
        if with_links:
            lines.append(f"  {absolute_url(item.path)}")

    def section(title: str, intro: str | None = None):
        lines.extend(["", title, "-" * len(title)])
        if intro:
            lines.append(intro)

    if digest.due:
        section(f"Due in the next {DUE_WITHIN_DAYS} days")
        for i in digest.due:
            note = "; returned to you for changes" if i.state == UpdateState.RETURNED else ""
            lines.append(
                f"- {i.label()}: {i.what} for {i.period_name}, {_due_phrase(i.update_deadline, today)}"
                f" ({_uk_date(i.update_deadline)}{note})"
            )
            link(i)
    if digest.overdue:
        section("Overdue")
        for i in digest.overdue:
            note = "; returned to you for changes" if i.state == UpdateState.RETURNED else ""
            lines.append(
                f"- {i.label()}: {i.what} for {i.period_name}, was due {_uk_date(i.update_deadline)}"
                f" ({_days((today - i.update_deadline).days)} overdue{note})"
            )
            link(i)

    def by_service(groups: dict[int, list[Item]], describe):
        for service_id, items in sorted(groups.items(), key=lambda kv: kv[1][0].service_name):
            capacity = digest.capacity.get(service_id) or ""
            lines.append(f"{items[0].service_name}{f' ({capacity})' if capacity else ''}:")
            for i in items:
                lines.append(f"- {i.label()}: {describe(i)}")
                link(i)

    if digest.service_overdue:
        section("Overdue in your services",
                "A copy for the Head of Service of what the accountable officers have been told.")
        by_service(digest.service_overdue, lambda i: (
            f"{i.what} for {i.period_name} from {i.owner_name or 'no accountable officer'}, "
            f"was due {_uk_date(i.update_deadline)} ({_days((today - i.update_deadline).days)} overdue)"
        ))
    if digest.waiting_signoff:
        section("Waiting for sign-off after the deadline",
                "Submitted, and not yet signed off or returned.")
        by_service(digest.waiting_signoff, lambda i: (
            f"{i.what} for {i.period_name} from {i.owner_name or 'no accountable officer'}"
            + (f", submitted {_uk_date(i.submitted_at.date())}" if i.submitted_at else "")
            + f"; the sign-off deadline was {_uk_date(i.signoff_deadline)}"
            f" ({_days((today - i.signoff_deadline).days)} ago)"
        ))
    lines.extend(["", "You get one reminder a day, on days when something needs you."])
    return "\n".join(lines)


@dataclass
class ReminderResult:
    created: int = 0
    already: int = 0
    emailed: int = 0

    def sentence(self) -> str:
        return (f"Sent {self.created} reminder digest{'' if self.created == 1 else 's'}; "
                f"{self.already} already sent today.")


def send_reminders(today: date | None = None, dispatch: bool = True) -> ReminderResult:
    """Write today's digests in one transaction, commit, then e-mail them (if mail is set up).

    Running it again on the same day writes nothing new: each digest's dedupe key is
    reminder:<person id>:<date>, and the unique constraint refuses a second one.
    """
    today = today or london_today()
    result = ReminderResult()
    digests = build_digests(today)
    keys = {dedupe_key(d.recipient.id, today): d for d in digests}
    existing = set(db.session.scalars(
        sa.select(Notification.dedupe_key).where(Notification.dedupe_key.in_(list(keys)))
    )) if keys else set()
    try:
        for key, digest in keys.items():
            if key in existing:
                result.already += 1
                continue
            written = notify(digest.recipient, KIND, subject_for(digest, today), body_for(digest, today),
                             link=LINK, dedupe_key=key)
            if written is None:  # another run got there first
                result.already += 1
            else:
                result.created += 1
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if dispatch:
        result.emailed = dispatch_pending(limit=None)
    return result
