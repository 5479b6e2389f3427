from collections import namedtuple
from dataclasses import astuple, dataclass
from datetime import date

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from app import cache
from app.extensions import db
from app.htmx import wants_partial
from app.models import Action, ActionType, Indicator, Plan, ProgressUpdate, Rag, Risk, Service, TrailEvent
from app.permissions import can, permission_required
from app.plans import bp
from app.plans.queries import ActionFilter, filter_actions, is_overdue, owners_in_plan, plans_for


@bp.route("/plans/")
@permission_required("list_plans")
def index():
    return render_template("plans/index.html", plans=plans_for(current_user))


@dataclass(frozen=True)
class PlanFacts:
    """What the plan page's title and filter form show of the plan, as plain data."""

    service_name: str
    title: str
    themes: tuple  # of Choice(id, title)
    owners: tuple  # of Owner(id, name, job_title)


Choice = namedtuple("Choice", "id title")
Owner = namedtuple("Owner", "id name job_title")


def _load_plan(plan: Plan) -> Plan:
    """The plan with its service, directorate and themes, in one query rather than one each
    (and none if this request has them already)."""
    if {"service", "themes"} & sa.inspect(plan).unloaded:
        db.session.scalars(sa.select(Plan).where(Plan.id == plan.id).options(
            joinedload(Plan.service).joinedload(Service.directorate), joinedload(Plan.themes))).unique().one()
    return plan


def _plan_facts(plan: Plan) -> PlanFacts:
    plan = _load_plan(plan)
    return PlanFacts(plan.service.name, plan.title, tuple(Choice(t.id, t.title) for t in plan.themes),
                     tuple(Owner(u.id, u.name, u.job_title) for u in owners_in_plan(plan)))


@bp.route("/plans/<int:plan_id>")
@permission_required("view_plan", Plan)
def show(plan):
    """The plan page. Its parts are kept until anything is recorded on the trail (app/cache.py):
    the actions for these filters, the top of the page, and the risks and indicators."""
    f = ActionFilter.from_args(request.args)
    today = date.today()
    actions = cache.results.get(("plan actions", plan.id, astuple(f), today), lambda: Markup(render_template(
        "plans/_actions.html", plan=plan, f=f, results=filter_actions(plan, f, today), is_overdue=is_overdue)))
    if wants_partial():
        return actions
    can_edit = can(current_user, "edit_plan", plan)

    def header():
        return Markup(render_template("plans/_plan_header.html", plan=_load_plan(plan), can_edit=can_edit))

    def tables():
        risks = db.session.scalars(sa.select(Risk).where(Risk.plan_id == plan.id).options(joinedload(Risk.owner))
                                   .order_by(Risk.reference)).all()
        indicators = db.session.scalars(
            sa.select(Indicator).where(Indicator.plan_id == plan.id)
            .options(joinedload(Indicator.results), joinedload(Indicator.owner)).order_by(Indicator.position)
        ).unique().all()
        return Markup(render_template("plans/_plan_tables.html", plan=plan, risks=risks, indicators=indicators,
                                      can_edit=can_edit))

    return render_template(
        "plans/show.html", plan=plan, f=f, rags=list(Rag), types=list(ActionType), actions=actions,
        facts=cache.results.get(("plan facts", plan.id), lambda: _plan_facts(plan)),
        header=cache.results.get(("plan header", plan.id, can_edit), header),
        tables=cache.results.get(("plan tables", plan.id, can_edit), tables))


@bp.route("/actions/<int:action_id>")
@permission_required("view_action", Action)
def action(action):
    updates = db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id)
        .options(selectinload(ProgressUpdate.period)).order_by(ProgressUpdate.id.desc())
    ).all()
    from app.trail.browse import events_of  # the action's events and its updates' and milestones'

    trail = events_of(action)
    return render_template(
        "plans/action.html", action=action, plan=action.plan, updates=updates, trail=trail,
        overdue=is_overdue(action), can_edit=can(current_user, "edit_action", action),
    )
