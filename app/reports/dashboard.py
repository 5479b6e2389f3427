"""The dashboard for Assistant Directors and Heads of Service: per plan, the RAG mix of the
latest period, overdue updates, what waits on whom, and how long each step of the cycle took."""
from collections import Counter, defaultdict
from datetime import date
from statistics import median

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from app.extensions import db
from app.models import (
    Action,
    PeriodState,
    Plan,
    ProgressUpdate,
    Rag,
    Report,
    ReportingPeriod,
    ReportState,
    ReportVersion,
    Role,
    UpdateState,
    User,
)
from app.permissions import permission_required, scope_for
from app.reports import bp

RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED]


def _days(later, period_end: date):
    if later is None:
        return None
    return (later.date() - period_end).days


def dashboard_for(user, today: date | None = None) -> dict:
    today = today or date.today()
    scope = scope_for(user)
    plans_q = sa.select(Plan).options(joinedload(Plan.service)).order_by(Plan.title)
    if not scope.admin:
        plans_q = plans_q.where(Plan.service_id.in_(scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR)))
    plans = db.session.scalars(plans_q).all()
    period = db.session.scalar(
        sa.select(ReportingPeriod).where(ReportingPeriod.state != PeriodState.PLANNED)
        .order_by(ReportingPeriod.ends_on.desc()).limit(1))
    rows = []
    if period is None or not plans:
        return {"period": period, "plans": rows}
    # The figures need a few columns of each update, not the updates themselves: rows are several
    # times cheaper than hundreds of objects. Only overdue updates, which are listed, are loaded.
    # The plans' actions are a subquery so that SQLite looks updates up by (action, period)
    # instead of reading every update of the period in the council.
    in_plans = (ProgressUpdate.period_id == period.id,
                ProgressUpdate.action_id.in_(sa.select(Action.id).where(Action.plan_id.in_([p.id for p in plans]))))
    updates = db.session.execute(
        sa.select(ProgressUpdate.id, ProgressUpdate.state, ProgressUpdate.rag, ProgressUpdate.submitted_at,
                  ProgressUpdate.signed_off_at, Action.plan_id, User.name.label("owner_name"))
        .join(Action, ProgressUpdate.action_id == Action.id).outerjoin(User, Action.owner_id == User.id)
        .where(*in_plans)
    ).all()
    by_plan = defaultdict(list)
    for u in updates:
        by_plan[u.plan_id].append(u)
    late = {}
    if period.update_deadline < today:
        late = {u.id: u for u in db.session.scalars(
            sa.select(ProgressUpdate).join(Action)
            .where(*in_plans, ProgressUpdate.state.in_([UpdateState.DRAFT, UpdateState.RETURNED]))
            .options(contains_eager(ProgressUpdate.action).joinedload(Action.owner)))}
    # Only the reports on these plans (the rest would be read and thrown away), without their
    # content, which the dashboard does not show.
    reports = db.session.scalars(
        sa.select(Report).where(Report.period_id == period.id, Report.plans.any(Plan.id.in_([p.id for p in plans])))
        .options(defer(Report.content), joinedload(Report.author), selectinload(Report.plans),
                 selectinload(Report.versions).defer(ReportVersion.content))).all()
    for plan in plans:
        items = by_plan.get(plan.id, [])
        signed = [u for u in items if u.state == UpdateState.SIGNED_OFF]
        mix = Counter(u.rag.value if u.rag else "none" for u in signed)
        overdue = [late[u.id] for u in items if u.state in (UpdateState.DRAFT, UpdateState.RETURNED)
                   and period.update_deadline < today]
        waiting = []
        owners = Counter(u.owner_name if u.owner_name is not None else "No owner" for u in items
                         if u.state in (UpdateState.DRAFT, UpdateState.RETURNED))
        for name, n in owners.most_common():
            waiting.append((name, f"{n} update{'s' if n != 1 else ''} to write"))
        submitted = sum(1 for u in items if u.state == UpdateState.SUBMITTED)
        if submitted:
            waiting.append(("Head of Service", f"{submitted} update{'s' if submitted != 1 else ''} to sign off"))
        plan_reports = [r for r in reports if plan in r.plans]
        for r in plan_reports:
            if r.state == ReportState.SUBMITTED:
                waiting.append(("Assistant Director", f"report “{r.title}” to approve"))
            elif r.state in (ReportState.DRAFT, ReportState.RETURNED):
                waiting.append((r.author.name if r.author else "Author", f"report “{r.title}” to finish"))
        to_submit = [d for d in (_days(u.submitted_at, period.ends_on) for u in items) if d is not None]
        to_sign = [d for d in (_days(u.signed_off_at, period.ends_on) for u in signed) if d is not None]
        to_approve = [d for d in (_days(v.approved_at, period.ends_on) for r in plan_reports for v in r.versions
                                  if v.approved_at and v.number == 1) if d is not None]
        rows.append({
            "plan": plan, "total": len(items), "signed": len(signed),
            "mix": [{"rag": r.value, "label": r.label, "count": mix.get(r.value, 0)} for r in RAGS],
            "overdue": overdue, "waiting": waiting,
            "timeliness": [("Period end to submission", median(to_submit) if to_submit else None),
                           ("Period end to sign-off", median(to_sign) if to_sign else None),
                           ("Period end to report approval", median(to_approve) if to_approve else None)],
        })
    return {"period": period, "plans": rows}


@bp.route("/dashboard")
@permission_required("view_dashboard")
def dashboard():
    return render_template("reports/dashboard.html", board=dashboard_for(current_user._get_current_object()))
