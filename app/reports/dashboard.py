"""The dashboard for Assistant Directors and Heads of Service: per plan, the RAG mix of the
latest period, overdue updates, what waits on whom, and how long each step of the cycle took."""
from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.functions import FunctionElement
from flask import render_template
from flask_login import current_user
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload

from app import cache
from app.extensions import db
from app.models import (
    Action,
    Indicator,
    IndicatorValue,
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
    report_plan,
)
from app.permissions import permission_required, scope_for
from app.reports import bp

RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED]


def _days(later, period_end: date):
    if later is None:
        return None
    return (later.date() - period_end).days


class days_after(FunctionElement):
    """Whole days from a date to a timestamp's UTC calendar day, in SQL: days_after(col, date)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_after"


@compiles(days_after)
def _days_after(element, compiler, **kw):
    column, day = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return "(CAST(timezone('UTC', %s) AS DATE) - CAST(%s AS DATE))" % (column, day)


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw):
    column, day = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return "CAST(julianday(date(%s)) - julianday(%s) AS INTEGER)" % (column, day)


def _median(counts: Counter):
    """The median of values given as {value: how many times}, as statistics.median would give."""
    size = sum(counts.values())
    if not size:
        return None
    ordered = sorted(counts.items())

    def nth(k):  # the k-th smallest value, from 0
        for value, n in ordered:
            if k < n:
                return value
            k -= n

    if size % 2:
        return nth(size // 2)
    return (nth(size // 2 - 1) + nth(size // 2)) / 2


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
    if period is None or not plans:
        return {"period": period, "plans": []}
    plan_ids = tuple(p.id for p in plans)
    # The figures are kept until anything is recorded on the trail (app/cache.py).
    figures = cache.results.get(("dashboard", period.id, plan_ids, today), lambda: _figures(plan_ids, period, today))
    return {"period": period, "plans": [dict(plan=plan, **figures[plan.id]) for plan in plans]}


def _figures(plan_ids: tuple[int, ...], period: ReportingPeriod, today: date) -> dict[int, dict]:
    """Each plan's figures for the period, as plain data."""
    # The figures are counted by the database, grouped by plan: rows of counts rather than a row
    # (or an object) an update, so the page costs the same for a plan of 10 actions or 300.
    # Only overdue updates, which are listed, are loaded.
    # Every query below joins the updates to their actions. SQLite looks updates up by (action,
    # period) only when the plans' actions are a subquery (otherwise it reads every update of the
    # period in the council); PostgreSQL, given the subquery, reads every action in the council.
    if db.session.get_bind().dialect.name == "sqlite":
        in_plans = (ProgressUpdate.period_id == period.id,
                    ProgressUpdate.action_id.in_(sa.select(Action.id).where(Action.plan_id.in_(plan_ids))))
    else:
        in_plans = (ProgressUpdate.period_id == period.id, Action.plan_id.in_(plan_ids))
    open_states = [UpdateState.DRAFT, UpdateState.RETURNED]
    # Whom an open update waits on is worked out in a subquery, so that the grouping is by its
    # columns (PostgreSQL cannot match an expression with parameters in GROUP BY).
    each = (sa.select(Action.plan_id.label("plan_id"), ProgressUpdate.state.label("state"),
                      ProgressUpdate.rag.label("rag"),
                      sa.case((ProgressUpdate.state.in_(open_states), sa.func.coalesce(User.name, "")),
                              else_=None).label("waiting_on"))
            .select_from(ProgressUpdate).join(Action, ProgressUpdate.action_id == Action.id)
            .outerjoin(User, Action.owner_id == User.id).where(*in_plans).subquery())
    counts = db.session.execute(
        sa.select(each.c.plan_id, each.c.state, each.c.rag, each.c.waiting_on, sa.func.count())
        .group_by(each.c.plan_id, each.c.state, each.c.rag, each.c.waiting_on)
    ).all()
    # Days from the period's end to submission (every update sent) and to sign-off.
    # (Grouped by a subquery's columns again, for PostgreSQL's sake.)
    after = (sa.union_all(
        sa.select(sa.literal_column("'submitted'").label("kind"), Action.plan_id.label("plan_id"),
                  days_after(ProgressUpdate.submitted_at, period.ends_on).label("day"))
        .select_from(ProgressUpdate).join(Action, ProgressUpdate.action_id == Action.id)
        .where(*in_plans, ProgressUpdate.submitted_at.is_not(None)),
        sa.select(sa.literal_column("'signed'").label("kind"), Action.plan_id.label("plan_id"),
                  days_after(ProgressUpdate.signed_off_at, period.ends_on).label("day"))
        .select_from(ProgressUpdate).join(Action, ProgressUpdate.action_id == Action.id)
        .where(*in_plans, ProgressUpdate.state == UpdateState.SIGNED_OFF, ProgressUpdate.signed_off_at.is_not(None)),
    ).subquery())
    days = db.session.execute(sa.select(after.c.kind, after.c.plan_id, after.c.day, sa.func.count())
                              .group_by(after.c.kind, after.c.plan_id, after.c.day)).all()
    by_plan = defaultdict(list)
    for row in counts:
        by_plan[row[0]].append(row)
    days_by_plan = defaultdict(lambda: {"submitted": Counter(), "signed": Counter()})
    for kind, plan_id, day, n in days:
        days_by_plan[plan_id][kind][day] += n
    indicators = _indicator_figures(plan_ids, period)
    late = []  # (update id, plan id, action reference, owner's name): rows, as only these are shown
    if period.update_deadline < today:
        late = db.session.execute(
            sa.select(ProgressUpdate.id, Action.plan_id, Action.reference, User.name)
            .join(Action, ProgressUpdate.action_id == Action.id).outerjoin(User, Action.owner_id == User.id)
            .where(*in_plans, ProgressUpdate.state.in_(open_states)).order_by(Action.reference)).all()
    # The period's reports on these plans, as rows: (plan, title, state, author's name, when its
    # first version was approved). The dashboard shows nothing else of them.
    first_approved = (sa.select(ReportVersion.approved_at)
                      .where(ReportVersion.report_id == Report.id, ReportVersion.number == 1)
                      .limit(1).scalar_subquery())
    reports = defaultdict(list)
    for row in db.session.execute(
        sa.select(report_plan.c.plan_id, Report.title, Report.state, User.name.label("author_name"),
                  first_approved.label("approved_at"))
        .join(Report, Report.id == report_plan.c.report_id).outerjoin(User, Report.author_id == User.id)
        .where(Report.period_id == period.id, report_plan.c.plan_id.in_(plan_ids))
        .order_by(Report.id)
    ):
        reports[row.plan_id].append(row)
    out = {}
    for plan_id in plan_ids:
        items = by_plan.get(plan_id, [])
        total = sum(n for *_, n in items)
        mix = Counter()
        owners = Counter()
        submitted = 0
        for _, state, rag, owner_name, n in items:
            if state == UpdateState.SIGNED_OFF:
                mix[rag.value if rag else "none"] += n
            elif state == UpdateState.SUBMITTED:
                submitted += n
            elif state in open_states:
                owners[owner_name or "No owner"] += n
        overdue = [u for u in late if u.plan_id == plan_id]
        ind = indicators.get(plan_id) or _no_indicators()
        waiting = []
        value_owners = ind["to_write"]
        for name in sorted(set(owners) | set(value_owners),
                           key=lambda k: (-(owners.get(k, 0) + value_owners.get(k, 0)), k)):
            waiting.append((name, _and(_count(owners.get(name, 0), "update"),
                                       _count(value_owners.get(name, 0), "indicator value")) + " to write"))
        if submitted or ind["to_sign_off"]:
            waiting.append(("Head of Service", _and(_count(submitted, "update"),
                                                    _count(ind["to_sign_off"], "indicator value")) + " to sign off"))
        plan_reports = reports.get(plan_id, [])
        for r in plan_reports:
            if r.state == ReportState.SUBMITTED:
                waiting.append(("Assistant Director", f"report “{r.title}” to approve"))
            elif r.state in (ReportState.DRAFT, ReportState.RETURNED):
                waiting.append((r.author_name if r.author_name is not None else "Author", f"report “{r.title}” to finish"))
        to_approve = [d for d in (_days(r.approved_at, period.ends_on) for r in plan_reports) if d is not None]
        plan_days = days_by_plan[plan_id]
        signed = sum(mix.values())
        out[plan_id] = {
            "total": total, "signed": signed,
            "mix": [{"rag": r.value, "label": r.label, "count": mix.get(r.value, 0)} for r in RAGS],
            "overdue": overdue, "waiting": waiting, "indicators": ind,
            "timeliness": [("Period end to submission", _median(plan_days["submitted"])),
                           ("Period end to sign-off", _median(plan_days["signed"])),
                           ("Period end to report approval", _median(Counter(to_approve)))],
        }
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""


def _and(*parts: str) -> str:
    return " and ".join(p for p in parts if p)


def _no_indicators() -> dict:
    return {"total": 0, "judged": 0, "on_target": 0, "off_target": 0, "not_judged": 0, "waiting": 0,
            "off": [], "to_write": Counter(), "to_sign_off": 0, "by_polarity": []}


def _indicator_figures(plan_ids: tuple[int, ...], period: ReportingPeriod) -> dict[int, dict]:
    """The period's indicator values, per plan: how many meet their target and how many miss
    it (judged by each indicator's polarity: up is good, up is bad; neutral ones and those
    without a target are not judged), which miss it, and whom the rest wait on."""
    from app.filters import format_value
    from app.models import Polarity
    from app.updates.rules import OFF_TRACK, value_rag

    rows = db.session.execute(
        sa.select(Indicator.plan_id, Indicator.reference, Indicator.description, Indicator.polarity, Indicator.unit,
                  Indicator.target, IndicatorValue.id, IndicatorValue.state, IndicatorValue.value, User.name)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id).outerjoin(User, Indicator.owner_id == User.id)
        .where(IndicatorValue.period_id == period.id, Indicator.plan_id.in_(plan_ids))
        .order_by(Indicator.plan_id, Indicator.position, Indicator.id)).all()
    out: dict[int, dict] = {}
    reported = (UpdateState.SUBMITTED, UpdateState.SIGNED_OFF)
    for plan_id, ref, description, polarity, unit, target, value_id, state, value, owner in rows:
        f = out.setdefault(plan_id, _no_indicators())
        f["total"] += 1
        if state in (UpdateState.DRAFT, UpdateState.RETURNED):
            f["to_write"][owner or "No owner"] += 1
            f["waiting"] += 1
            continue
        if state == UpdateState.SUBMITTED:
            f["to_sign_off"] += 1
        if state not in reported or value is None:
            continue
        rag = value_rag(value, target, polarity)
        if rag is None:
            f["not_judged"] += 1
            continue
        f["judged"] += 1
        polarity_row = next((r for r in f["by_polarity"] if r["polarity"] == polarity.label), None)
        if polarity_row is None:
            polarity_row = {"polarity": polarity.label, "on_target": 0, "off_target": 0}
            f["by_polarity"].append(polarity_row)
        if rag in OFF_TRACK:
            f["off_target"] += 1
            polarity_row["off_target"] += 1
            f["off"].append({"id": value_id, "reference": ref or "", "description": description,
                             "value": format_value(value, unit), "target": format_value(target, unit),
                             "polarity": polarity.label, "rag": rag.label,
                             "better": "higher" if polarity == Polarity.UP_IS_GOOD else "lower",
                             "signed_off": state == UpdateState.SIGNED_OFF})
        else:
            f["on_target"] += 1
            polarity_row["on_target"] += 1
    for f in out.values():
        f["by_polarity"].sort(key=lambda r: r["polarity"])
    return out


@bp.route("/dashboard")
@permission_required("view_dashboard")
def dashboard():
    today = date.today()
    return render_template("reports/dashboard.html", board=dashboard_for(current_user._get_current_object(), today),
                           today=today)
