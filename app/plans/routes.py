import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

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


@bp.route("/plans/<int:plan_id>")
@permission_required("view_plan", Plan)
def show(plan):
    f = ActionFilter.from_args(request.args)
    results = filter_actions(plan, f)
    context = dict(
        plan=plan, f=f, results=results, is_overdue=is_overdue,
        owners=owners_in_plan(plan), rags=list(Rag), types=list(ActionType),
        can_edit=can(current_user, "edit_plan", plan),
    )
    if wants_partial():
        return render_template("plans/_actions.html", **context)
    # What the page shows of the plan itself (service, directorate, themes, risks) in two
    # queries rather than one each as the template reaches them.
    db.session.scalars(sa.select(Plan).where(Plan.id == plan.id).options(
        joinedload(Plan.service).joinedload(Service.directorate), joinedload(Plan.themes),
        selectinload(Plan.risks).joinedload(Risk.owner),
    )).unique().one()
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.plan_id == plan.id)
        .options(joinedload(Indicator.results), joinedload(Indicator.owner)).order_by(Indicator.position)
    ).unique().all()
    return render_template("plans/show.html", indicators=indicators, **context)


@bp.route("/actions/<int:action_id>")
@permission_required("view_action", Action)
def action(action):
    updates = db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id)
        .options(selectinload(ProgressUpdate.period)).order_by(ProgressUpdate.id.desc())
    ).all()
    trail = db.session.scalars(
        sa.select(TrailEvent).where(TrailEvent.object_type == "action", TrailEvent.object_id == action.id)
        .order_by(TrailEvent.seq.desc())
    ).all()
    return render_template(
        "plans/action.html", action=action, plan=action.plan, updates=updates, trail=trail,
        overdue=is_overdue(action), can_edit=can(current_user, "edit_action", action),
    )
