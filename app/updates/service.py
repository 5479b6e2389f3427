"""Progress updates and indicator values: every transition in one function each.

draft → submitted → signed off; submitted → returned → submitted (return needs a comment);
submitted → draft (the owner withdraws); signed off → returned (a Head of Service reopens,
with a reason). Each transition checks permission and state, writes the new state and its
trail event in one transaction, queues its notifications in the same transaction, and
refuses a stale move (someone acted first) with who acted and when.
"""
import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.filters import uk_datetime
from app.models import (
    ActionStatus,
    IndicatorValue,
    Milestone,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    Role,
    RoleAssignment,
    ScopeKind,
    TrailEvent,
    UpdateState,
    User,
    utcnow,
)
from app.models.plans import Frequency
from app.permissions import can, owner_id_of, scope_for, service_id_of
from app.trail import record
from app.updates import rules

S = UpdateState


class TransitionError(Exception):
    """A move that is not allowed now; the message says why, in plain English."""


class NotAllowed(TransitionError):
    pass


class StaleTransition(TransitionError):
    """Someone else acted on it first."""


class Invalid(TransitionError):
    """The update is not ready: `problems` maps field -> message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("There is a problem with the update")
        self.problems = problems


# --- helpers --------------------------------------------------------------------------

def kind_of(obj) -> str:
    return "update" if isinstance(obj, ProgressUpdate) else "value"


def title_of(obj) -> str:
    if isinstance(obj, ProgressUpdate):
        return f"{obj.action.reference} {obj.period.name}"
    ref = obj.indicator.reference or obj.indicator.description[:40]
    return f"indicator {ref} {obj.period.name}"


def link_of(obj) -> str:
    return f"/updates/{obj.id}" if isinstance(obj, ProgressUpdate) else f"/indicator-values/{obj.id}"


def last_event(obj) -> TrailEvent | None:
    return db.session.scalar(
        sa.select(TrailEvent).where(TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id)
        .order_by(TrailEvent.seq.desc()).limit(1)
    )


PAST = {"drafted": "started", "submitted": "submitted", "resubmitted": "resubmitted", "withdrawn": "withdrew", "returned": "returned", "signed_off": "signed off",
        "reopened": "reopened", "saved": "saved a change to", "created": "created"}


def _who_acted(obj) -> str:
    event = last_event(obj)
    if event is None:
        return "Someone else changed this update first."
    verb = event.verb.split("_", 1)[1] if "_" in event.verb else event.verb
    did = PAST.get(verb, verb.replace("_", " "))
    return f"{event.actor_name or 'Docket'} {did} this on {uk_datetime(event.occurred_at)}."


def _check(obj, expected_version: int | None, allowed_from: set, doing: str):
    if expected_version is not None and obj.version != expected_version:
        raise StaleTransition(f"{_who_acted(obj)} It was not {doing} again; what you typed is kept below.")
    if obj.state not in allowed_from:
        raise TransitionError(
            f"This {kind_of(obj)} is {obj.state.label.lower()}, so it cannot be {doing} now. {_who_acted(obj)}"
        )


def _commit(obj, doing: str, flush_only: bool = False):
    """Commit (or flush), turning a lost race into a clear refusal."""
    try:
        db.session.flush() if flush_only else db.session.commit()
    except (StaleDataError, OperationalError) as exc:
        db.session.rollback()
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        db.session.expire_all()
        raise StaleTransition(f"{_who_acted(obj)} It was not {doing} again; what you typed is kept below.") from None


def _transition(obj, actor, verb: str, to_state: UpdateState, comment: str | None = None,
                on_behalf_of=None, data=None):
    from_state = obj.state
    obj.state = to_state
    _commit(obj, verb.replace("_", " "), flush_only=True)
    record(f"{kind_of(obj)}_{verb}", obj, actor=actor, from_state=from_state, to_state=to_state,
           version=obj.version, comment=comment, on_behalf_of=on_behalf_of, data=data)


def heads_of_service(service_id: int, today: date | None = None) -> list[User]:
    """The service's Heads of Service, and their deputies while a delegation lasts."""
    from app.models import Delegation

    today = today or date.today()
    heads = db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == Role.HEAD_OF_SERVICE, RoleAssignment.scope_kind == ScopeKind.SERVICE,
            RoleAssignment.service_id == service_id, User.active.is_(True),
        )
    ).all()
    deputies = db.session.scalars(
        sa.select(User).join(Delegation, Delegation.deputy_id == User.id).where(
            Delegation.head_id.in_([h.id for h in heads] or [-1]), Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today, Delegation.ends_on >= today, User.active.is_(True),
        )
    ).all()
    seen, out = set(), []
    for person in list(heads) + list(deputies):
        if person.id not in seen:
            seen.add(person.id)
            out.append(person)
    return out


def _notify(recipient, kind, subject, body, obj):
    from app.notifications.service import notify

    if recipient is not None:
        notify(recipient, kind, subject, body, link=link_of(obj))


def _owner(obj) -> User | None:
    uid = owner_id_of(obj)
    return db.session.get(User, uid) if uid else None


# --- reporting periods ----------------------------------------------------------------

def falls_in(frequency: Frequency, period: ReportingPeriod) -> bool:
    """Whether an indicator collected at this frequency is due in this period."""
    if frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        return True
    month = period.ends_on.month
    if frequency == Frequency.SIX_MONTHLY:
        return month in (9, 3) or (period.ends_on - period.starts_on).days > 100
    return month == 3 or (period.ends_on - period.starts_on).days > 300  # annual: the year's last quarter


def open_period(period: ReportingPeriod, actor, plans=None) -> dict:
    """Open a period for `plans` (None: every live plan it is not open for yet): a draft update
    for every live action and a draft value for every included indicator due in it, each
    starting from the previous period's text. The rules are in app/updates/opening.py."""
    from app.updates import opening

    return opening.open_period(period, actor, plans)


# --- saving and submitting ------------------------------------------------------------

def _refuse_if_closed(obj) -> None:
    """A closed period takes no more saving, submitting or withdrawing (app/updates/opening.py)."""
    from app.updates import opening

    opening.refuse_if_closed(obj)


UPDATE_FIELDS = ("narrative", "rag", "percent_complete", "key_actions_remaining", "corrective_action",
                 "next_focus", "milestones_done")
VALUE_FIELDS = ("value", "commentary")


def _display(value):
    return getattr(value, "label", value)


def _apply(obj, values: dict) -> dict:
    changes = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value and not (old in (None, "") and value in (None, "")):
            changes[field] = [_display(old), _display(value)]
            setattr(obj, field, value)
    if changes:
        obj.last_saved_at = utcnow()  # "Last saved" shows the owner's own saves only
    return changes


def save_draft(obj, values: dict, expected_version: int | None, actor) -> dict:
    """Save what the owner typed, complete or not, while it is a draft or returned. Only the
    owner writes an update (permissions `edit_update`); a submitted one is withdrawn first."""
    if not can(actor, "edit_update", obj):
        raise NotAllowed("Only its owner can change this update.")
    if obj.state == S.SUBMITTED:
        raise TransitionError("This update has been submitted. Withdraw it to change it.")
    _refuse_if_closed(obj)
    _check(obj, expected_version, {S.DRAFT, S.RETURNED}, "saved")
    first_draft = obj.state == S.DRAFT and last_event(obj) is None
    changes = _apply(obj, values)
    if changes:
        _commit(obj, "saved", flush_only=True)  # a same-moment save of this version is refused, not a 500
        if first_draft:  # the timeline starts when the owner first works on it
            record(f"{kind_of(obj)}_drafted", obj, actor=actor, version=obj.version, to_state=S.DRAFT)
        _commit(obj, "saved")
    return changes


def _problems(obj) -> dict:
    if isinstance(obj, ProgressUpdate):
        return rules.update_problems({f: getattr(obj, f) for f in UPDATE_FIELDS})
    return value_problems(obj, {"value": obj.value, "commentary": obj.commentary})


def value_problems(obj: IndicatorValue, values: dict) -> dict:
    """What stops this value being submitted with `values`: judged against its target and
    the latest known result (an earlier period's or the plan's yearly result)."""
    ind = obj.indicator
    return rules.value_problems(values, ind.target, ind.polarity, rules.previous_result(ind, obj.period), ind.unit)


def submit(obj, values: dict, expected_version: int | None, actor) -> None:
    """Save and submit for sign-off. Everything is checked; problems are raised as Invalid
    with nothing stored."""
    if not can(actor, "edit_update", obj):
        raise NotAllowed("You cannot submit this update.")
    _refuse_if_closed(obj)
    _check(obj, expected_version, {S.DRAFT, S.RETURNED}, "submitted")
    from_state = obj.state
    _apply(obj, values)
    problems = _problems(obj)
    if problems:
        db.session.rollback()
        raise Invalid(problems)
    _mark_submitted(obj, from_state, actor)
    for head in heads_of_service(service_id_of(obj)):
        if head.id != actor.id:
            _notify(head, f"{kind_of(obj)}_submitted", f"For sign-off: {title_of(obj)}",
                    f"{actor.name} submitted {title_of(obj)} for your sign-off.", obj)
    _commit(obj, "submitted")


def _mark_submitted(obj, from_state, actor) -> None:
    obj.submitted_at = utcnow()
    obj.submitted_by_id = actor.id
    verb = "resubmitted" if from_state == S.RETURNED else "submitted"
    _transition(obj, actor, verb, S.SUBMITTED)


# --- several indicator values at once (the all-values page) -----------------------------------

class SomeRefused(TransitionError):
    """Several values were saved or submitted together and some could not be: nothing was
    stored. `problems`: value id -> {field: message}; `refusals`: value id -> why it was refused
    (someone changed it first, it was submitted, the period closed)."""

    def __init__(self, problems: dict[int, dict[str, str]], refusals: dict[int, str]):
        super().__init__("Nothing was saved: there is a problem with some of the values")
        self.problems = problems
        self.refusals = refusals


def _ready_to_change(obj, expected_version, actor, doing: str) -> None:
    if not can(actor, "edit_update", obj):
        raise NotAllowed("Only its owner can change this value.")
    if obj.state == S.SUBMITTED:
        raise TransitionError(f"This value has been submitted, so it was not {doing}. Withdraw it to change it.")
    _refuse_if_closed(obj)
    _check(obj, expected_version, {S.DRAFT, S.RETURNED}, doing)


def _each_ready(entries, actor, doing: str) -> dict[int, str]:
    refusals = {}
    for obj, _values, version in entries:
        try:
            _ready_to_change(obj, version, actor, doing)
        except TransitionError as exc:
            refusals[obj.id] = str(exc)
    return refusals


def _flush_each(entries, doing: str, step) -> None:
    """Apply `step` to each value and flush it, so that a lost race names its value."""
    for obj, values, _version in entries:
        try:
            step(obj, values)
            _commit(obj, doing, flush_only=True)
        except StaleTransition as exc:
            raise SomeRefused({}, {obj.id: str(exc)}) from None


def save_values(entries, actor) -> int:
    """Save several indicator values' drafts at once: `entries` is [(value, {"value": …,
    "commentary": …}, version loaded)]. All or nothing: one refused (stale, submitted, closed)
    raises SomeRefused and stores none. Returns how many changed. Same trail as `save_draft`."""
    refusals = _each_ready(entries, actor, "saved")
    if refusals:
        raise SomeRefused({}, refusals)
    changed = []

    def step(obj, values):
        first_draft = obj.state == S.DRAFT and last_event(obj) is None
        if _apply(obj, values):
            changed.append(obj)
            if first_draft:
                _commit(obj, "saved", flush_only=True)
                record(f"{kind_of(obj)}_drafted", obj, actor=actor, version=obj.version, to_state=S.DRAFT)

    _flush_each(entries, "saved", step)
    try:
        _commit(entries[-1][0] if entries else None, "saved")
    except StaleTransition as exc:
        raise SomeRefused({}, {entries[-1][0].id: str(exc)}) from None
    return len(changed)


def submit_values(entries, actor) -> int:
    """Save and submit several indicator values for sign-off at once. All or nothing: any
    value's problems (SomeRefused.problems) or refusal stores none of them. Same checks, trail
    and state as `submit`; each Head of Service is told once."""
    refusals = _each_ready(entries, actor, "submitted")
    problems = {}
    for obj, values, _version in entries:
        if obj.id not in refusals:
            found = value_problems(obj, values)
            if found:
                problems[obj.id] = found
    if refusals or problems:
        raise SomeRefused(problems, refusals)

    def step(obj, values):
        from_state = obj.state
        _apply(obj, values)
        _mark_submitted(obj, from_state, actor)

    _flush_each(entries, "submitted", step)
    if entries:
        by_service: dict[int, list] = {}
        for obj, _values, _version in entries:
            by_service.setdefault(service_id_of(obj), []).append(obj)
        for service_id, objs in by_service.items():
            titles = [title_of(obj) for obj in objs]
            for head in heads_of_service(service_id):
                if head.id == actor.id:
                    continue
                if len(objs) == 1:
                    _notify(head, "value_submitted", f"For sign-off: {titles[0]}",
                            f"{actor.name} submitted {titles[0]} for your sign-off.", objs[0])
                else:
                    from app.notifications.service import notify

                    notify(head, "value_submitted", f"For sign-off: {len(titles)} indicator values",
                           f"{actor.name} submitted {len(titles)} indicator values for your sign-off:\n\n"
                           + "\n".join(f"- {t}" for t in titles), link="/sign-off")
        try:
            _commit(entries[-1][0], "submitted")
        except StaleTransition as exc:
            raise SomeRefused({}, {entries[-1][0].id: str(exc)}) from None
    return len(entries)


def withdraw(obj, expected_version: int | None, actor) -> None:
    if not can(actor, "edit_update", obj):
        raise NotAllowed("Only the owner can withdraw this update.")
    _refuse_if_closed(obj)
    _check(obj, expected_version, {S.SUBMITTED}, "withdrawn")
    _transition(obj, actor, "withdrawn", S.DRAFT)
    _commit(obj, "withdrawn")


def _on_behalf_of(obj, actor):
    """When a deputy acts, the Head of Service they act for."""
    scope = scope_for(actor)
    sid = service_id_of(obj)
    if sid in scope.services(Role.HEAD_OF_SERVICE):
        return None
    head_id = scope.deputy_for.get(sid)
    return db.session.get(User, head_id) if head_id else None


def return_to_owner(obj, comment: str, expected_version: int | None, actor) -> None:
    if not can(actor, "sign_off_update", obj):
        raise NotAllowed("Only a Head of Service for this service, or their deputy, can return it.")
    if not (comment or "").strip():
        raise Invalid({"comment": "Enter a comment saying what the owner needs to change"})
    _check(obj, expected_version, {S.SUBMITTED}, "returned")
    obj.return_comment = comment.strip()
    _transition(obj, actor, "returned", S.RETURNED, comment=comment.strip(), on_behalf_of=_on_behalf_of(obj, actor))
    _notify(_owner(obj), f"{kind_of(obj)}_returned", f"Returned to you: {title_of(obj)}",
            f"{actor.name} returned {title_of(obj)} to you with this comment:\n\n{comment.strip()}", obj)
    _commit(obj, "returned")


def sign_off(obj, expected_version: int | None, actor) -> None:
    if not can(actor, "sign_off_update", obj):
        raise NotAllowed("Only a Head of Service for this service, or their deputy, can sign it off.")
    _check(obj, expected_version, {S.SUBMITTED}, "signed off")
    if obj.submitted_by_id == actor.id:
        raise NotAllowed("You submitted this update yourself, so someone else must sign it off.")
    obj.signed_off_at = utcnow()
    obj.signed_off_by_id = actor.id
    obj.return_comment = None
    if isinstance(obj, ProgressUpdate):
        obj.action.rag = obj.rag  # the action's current RAG is its last signed-off update's
        if obj.rag == Rag.COMPLETE:
            obj.action.status = ActionStatus.COMPLETE
        for mid in json.loads(obj.milestones_done or "[]"):
            milestone = db.session.get(Milestone, mid)
            if milestone is not None and milestone.action_id == obj.action_id:
                milestone.done = True
    _transition(obj, actor, "signed_off", S.SIGNED_OFF, on_behalf_of=_on_behalf_of(obj, actor))
    _commit(obj, "signed off")


def reopen(obj, reason: str, expected_version: int | None, actor) -> None:
    if not can(actor, "sign_off_update", obj):
        raise NotAllowed("Only a Head of Service for this service can reopen it.")
    if not (reason or "").strip():
        raise Invalid({"reason": "Enter the reason for reopening it"})
    _check(obj, expected_version, {S.SIGNED_OFF}, "reopened")
    obj.return_comment = reason.strip()
    obj.signed_off_at = None
    obj.signed_off_by_id = None
    _transition(obj, actor, "reopened", S.RETURNED, comment=reason.strip(), on_behalf_of=_on_behalf_of(obj, actor))
    _notify(_owner(obj), f"{kind_of(obj)}_reopened", f"Reopened: {title_of(obj)}",
            f"{actor.name} reopened {title_of(obj)} and returned it to you:\n\n{reason.strip()}", obj)
    _commit(obj, "reopened")
