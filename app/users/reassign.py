"""A leaver's open work, and handing it to someone else in one step.

Open work: the actions, indicators and risks they own in plans that are not archived (with
the draft, returned and submitted updates and values of those, which follow the action's or
indicator's owner), the delegations of sign-off they are part of that have not ended, and the
committees they clerk. `reassign` moves all of it in one transaction, with one trail event
per thing moved: the trail of what they did before stays as it was, with their name on it.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import (Action, ActionStatus, Committee, Delegation, Indicator, IndicatorValue, Plan, PlanStatus,
                        ProgressUpdate, Risk, Role, RoleAssignment, ScopeKind, UpdateState, User, utcnow)
from app.trail import record
from app.users.service import UserError, grant_role

OPEN_STATES = (UpdateState.DRAFT, UpdateState.RETURNED, UpdateState.SUBMITTED)


@dataclass
class OpenWork:
    actions: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    values: list = field(default_factory=list)
    delegations: list = field(default_factory=list)
    committees: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.actions or self.indicators or self.risks or self.delegations or self.committees)

    def lines(self) -> list[str]:
        """One plain line per kind of work, for the command line and the flash message."""
        out = []
        for items, one, many in ((self.actions, "action", "actions"), (self.indicators, "indicator", "indicators"),
                                 (self.risks, "risk", "risks"), (self.updates, "open progress update", "open progress updates"),
                                 (self.values, "open indicator value", "open indicator values"),
                                 (self.delegations, "delegation of sign-off", "delegations of sign-off"),
                                 (self.committees, "committee clerked", "committees clerked")):
            if items:
                out.append(f"{len(items)} {one if len(items) == 1 else many}")
        return out


def _live_plan():
    return Plan.status != PlanStatus.ARCHIVED


def open_work(user: User) -> OpenWork:
    work = OpenWork()
    work.actions = db.session.scalars(
        sa.select(Action).join(Plan).where(Action.owner_id == user.id, _live_plan(),
                                           Action.status == ActionStatus.LIVE)
        .order_by(Plan.title, Action.reference)).all()
    work.indicators = db.session.scalars(
        sa.select(Indicator).join(Plan).where(Indicator.owner_id == user.id, _live_plan())
        .order_by(Plan.title, Indicator.reference)).all()
    work.risks = db.session.scalars(
        sa.select(Risk).join(Plan).where(Risk.owner_id == user.id, _live_plan()).order_by(Plan.title, Risk.reference)).all()
    work.updates = db.session.scalars(
        sa.select(ProgressUpdate).join(Action).where(Action.owner_id == user.id,
                                                     ProgressUpdate.state.in_(OPEN_STATES))
        .order_by(ProgressUpdate.id)).all()
    work.values = db.session.scalars(
        sa.select(IndicatorValue).join(Indicator).where(Indicator.owner_id == user.id,
                                                        IndicatorValue.state.in_(OPEN_STATES))
        .order_by(IndicatorValue.id)).all()
    work.delegations = db.session.scalars(
        sa.select(Delegation).where(sa.or_(Delegation.head_id == user.id, Delegation.deputy_id == user.id),
                                    Delegation.revoked_at.is_(None), Delegation.ends_on >= date.today())
        .order_by(Delegation.starts_on)).all()
    clerked = sa.select(RoleAssignment.committee_id).where(RoleAssignment.user_id == user.id,
                                                           RoleAssignment.role == Role.CLERK)
    work.committees = db.session.scalars(
        sa.select(Committee).where(sa.or_(Committee.clerk_id == user.id, Committee.id.in_(clerked)))
        .order_by(Committee.name)).all()
    return work


def reassign(leaver: User, to: User, actor: User | None = None) -> OpenWork:
    """Give the leaver's open work to `to`. Delegations end (the new person's Head of Service
    names a deputy afresh). The caller commits; returns what was moved."""
    if to.id == leaver.id:
        raise UserError("Choose someone other than the person whose work it is")
    if not to.active:
        raise UserError(f"{to.name} is deactivated: choose someone who can sign in")
    work = open_work(leaver)
    if work.empty:
        raise UserError(f"{leaver.name} has no open work to reassign")
    moved = {"from": leaver.name, "to": to.name}
    for action in work.actions:
        action.owner_id = to.id
        record("action_reassigned", action, actor=actor,
               data={**moved, "reference": action.reference, "changes": {"Owner": [leaver.name, to.name]}})
    for indicator in work.indicators:
        indicator.owner_id = to.id
        record("indicator_reassigned", indicator, actor=actor,
               data={**moved, "reference": indicator.reference, "changes": {"Owner": [leaver.name, to.name]}})
    for risk in work.risks:
        risk.owner_id = to.id
        record("risk_reassigned", risk, actor=actor,
               data={**moved, "reference": risk.reference, "changes": {"Owner": [leaver.name, to.name]}})
    now = utcnow()
    for delegation in work.delegations:
        delegation.revoked_at = now
        record("delegation_ended", delegation, actor=actor,
               data={"deputy": delegation.deputy.name, "head": delegation.head.name,
                     "reason": f"{leaver.name}'s work was reassigned to {to.name}"})
    for committee in work.committees:
        if committee.clerk_id == leaver.id:
            committee.clerk_id = to.id
        grant_role(to, Role.CLERK, ScopeKind.COMMITTEE, committee, actor=actor)
        record("committee_clerk_reassigned", committee, actor=actor,
               data={**moved, "name": committee.name, "changes": {"Clerk": [leaver.name, to.name]}})
    _give_owner_roles(work, to, actor)
    record("person_work_reassigned", leaver, actor=actor,
           data={**moved, "to_email": to.email, "moved": work.lines()})
    db.session.flush()
    return work


def _give_owner_roles(work: OpenWork, to: User, actor) -> None:
    """The new owner needs the action owner role in each service whose work they now hold
    (unless a wider role there already lets them see the plan)."""
    services = {item.plan.service_id: item.plan.service for item in work.actions + work.indicators + work.risks}
    held = {a.service_id for a in to.roles if a.scope_kind == ScopeKind.SERVICE}
    if any(a.role == Role.ADMINISTRATOR for a in to.roles):
        return
    for service_id, service in services.items():
        if service_id not in held:
            grant_role(to, Role.ACTION_OWNER, ScopeKind.SERVICE, service, actor=actor)
