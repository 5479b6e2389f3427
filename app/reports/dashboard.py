"""The dashboard for Assistant Directors and Heads of Service: per plan, the RAG mix of the
latest period, overdue updates, what waits on whom, and how long each step of the cycle took."""
from collections import Counter, defaultdict, namedtuple
from datetime import date

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app import cache
from app.extensions import db
from app.links import id_url
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
    Service,
    UpdateState,
    User,
    report_plan,
)
from app.permissions import permission_required, scope_for
from app.reports import bp

RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED]
OPEN_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)

# What the pages show of a plan (the dashboard and the Assistant Director's home): plain
# values rather than the plan and its service as objects.
PlanInfo = namedtuple("PlanInfo", "id title service")
ServiceInfo = namedtuple("ServiceInfo", "name")


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


def days_text(days) -> str:
    """A median number of days after the period ended, as the dashboard says it."""
    if days is None:
        return "Not yet"
    d = round(abs(days), 1)
    shown = int(d) if d == int(d) else d
    if days < 0:
        return f"{shown} day{'' if shown == 1 else 's'} early"
    if days == 0:
        return "0 days: on the day the period ended"
    return f"{shown} day{'' if shown == 1 else 's'}"


# --- the statements ------------------------------------------------------------------------
# Built once (for each kind of database) with named parameters, so that a view only binds its
# values: building and keying a statement of subqueries cost more than running it.

_BUILT: dict[str, dict] = {}


def _statements(dialect: str) -> dict:
    built = _BUILT.get(dialect)
    if built is None:
        built = _BUILT[dialect] = _build(dialect)
    return built


def _build(dialect: str) -> dict:
    pl, sv, rp = Plan.__table__, Service.__table__, ReportingPeriod.__table__
    pu, ac, us = ProgressUpdate.__table__, Action.__table__, User.__table__
    ind, iv, rep, rv = Indicator.__table__, IndicatorValue.__table__, Report.__table__, ReportVersion.__table__
    period_id = sa.bindparam("period_id", type_=sa.Integer())
    plan_ids = sa.bindparam("plan_ids", expanding=True, type_=sa.Integer())
    ends_on = sa.bindparam("ends_on", type_=sa.Date())
    s = {}
    plans = (sa.select(pl.c.id, pl.c.title, sv.c.name).join(sv, pl.c.service_id == sv.c.id)
             .order_by(pl.c.title, pl.c.id))
    s["plans"] = plans
    s["plans_in"] = plans.where(pl.c.service_id.in_(sa.bindparam("service_ids", expanding=True, type_=sa.Integer())))
    s["period"] = (sa.select(rp.c.id, rp.c.name, rp.c.ends_on, rp.c.update_deadline)
                   .where(rp.c.state != PeriodState.PLANNED).order_by(rp.c.ends_on.desc()).limit(1))
    # Every query below joins the period's updates to their actions. SQLite looks updates up by
    # (action, period) only when the plans' actions are a subquery (otherwise it reads every
    # update of the period in the council); PostgreSQL, given the subquery, reads every action
    # in the council. The same for indicator values.
    if dialect == "sqlite":
        in_plans = (pu.c.period_id == period_id,
                    pu.c.action_id.in_(sa.select(ac.c.id).where(ac.c.plan_id.in_(plan_ids))))
        values_in_plans = (iv.c.period_id == period_id,
                           iv.c.indicator_id.in_(sa.select(ind.c.id).where(ind.c.plan_id.in_(plan_ids))))
    else:
        in_plans = (pu.c.period_id == period_id, ac.c.plan_id.in_(plan_ids))
        values_in_plans = (iv.c.period_id == period_id, ind.c.plan_id.in_(plan_ids))
    updates = pu.join(ac, pu.c.action_id == ac.c.id)

    # Each update of the period in these plans, as a row of plain values: its plan, state, RAG
    # status, its action owner's name, and the days from the period's end to its submission and
    # its sign-off. Counting them here costs less than the database's grouping and sorting
    # (which would return nearly as many rows: by plan, state, RAG, owner and day).
    as_text = sa.String()
    s["updates"] = (sa.select(ac.c.plan_id, sa.type_coerce(pu.c.state, as_text), sa.type_coerce(pu.c.rag, as_text),
                              us.c.name, days_after(pu.c.submitted_at, ends_on),
                              days_after(pu.c.signed_off_at, ends_on))
                    .select_from(updates.outerjoin(us, ac.c.owner_id == us.c.id)).where(*in_plans))
    # How many updates each plan has in each state (My tasks' oversight: counts, not rows).
    s["update_counts"] = (sa.select(ac.c.plan_id, sa.type_coerce(pu.c.state, as_text), sa.func.count())
                          .select_from(updates).where(*in_plans).group_by(ac.c.plan_id, pu.c.state))
    # Overdue updates (listed): (update id, plan id, action reference, owner's name).
    s["late"] = (sa.select(pu.c.id, ac.c.plan_id, ac.c.reference, us.c.name)
                 .select_from(updates.outerjoin(us, ac.c.owner_id == us.c.id))
                 .where(*in_plans, pu.c.state.in_(OPEN_STATES)).order_by(ac.c.reference))
    # The period's reports on these plans: (plan, title, state, author's name, when its first
    # version was approved). The dashboard shows nothing else of them.
    first_approved = (sa.select(rv.c.approved_at).where(rv.c.report_id == rep.c.id, rv.c.number == 1)
                      .limit(1).scalar_subquery())
    s["reports"] = (sa.select(report_plan.c.plan_id, rep.c.title, rep.c.state, us.c.name, first_approved)
                    .select_from(report_plan.join(rep, rep.c.id == report_plan.c.report_id)
                                 .outerjoin(us, rep.c.author_id == us.c.id))
                    .where(rep.c.period_id == period_id, report_plan.c.plan_id.in_(plan_ids)).order_by(rep.c.id))
    s["values"] = (sa.select(ind.c.plan_id, ind.c.reference, ind.c.description, ind.c.polarity, ind.c.unit, ind.c.target,
                             iv.c.id, iv.c.state, iv.c.value, us.c.name)
                   .select_from(iv.join(ind, iv.c.indicator_id == ind.c.id).outerjoin(us, ind.c.owner_id == us.c.id))
                   .where(*values_in_plans).order_by(ind.c.plan_id, ind.c.position, ind.c.id))
    return s


# --- the figures -------------------------------------------------------------------------------

PLANS_PER_PAGE = 10  # a directorate's plans fit on one page; an administrator's whole council is paged


def _plans_and_period(user, st: dict) -> tuple[list[PlanInfo], tuple | None]:
    """The plans in the person's area (every plan for an administrator), by title, and the
    latest period that is not planned."""
    scope = scope_for(user)
    if scope.admin:
        rows = db.session.execute(st["plans"]).all()
    else:
        rows = db.session.execute(st["plans_in"], {"service_ids": sorted(
            scope.services(Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR))}).all()
    plans = [PlanInfo(plan_id, title, ServiceInfo(service)) for plan_id, title, service in rows]
    return plans, db.session.execute(st["period"]).first()


def dashboard_for(user, today: date | None = None, page: int = 1) -> dict:
    """The dashboard's figures for one page of the plans in the person's area (PLANS_PER_PAGE):
    {"period", "plans": [{"plan", figures…}], "page", "pages", "total"}."""
    today = today or date.today()
    st = _statements(db.session.get_bind().dialect.name)
    plans, period = _plans_and_period(user, st)
    pages = max((len(plans) + PLANS_PER_PAGE - 1) // PLANS_PER_PAGE, 1)
    page = min(max(page, 1), pages)
    paging = {"page": page, "pages": pages, "total": len(plans), "first": (page - 1) * PLANS_PER_PAGE + 1}
    plans = plans[(page - 1) * PLANS_PER_PAGE:page * PLANS_PER_PAGE]
    if period is None or not plans:
        return {"period": period, "plans": [], **paging}
    plan_ids = tuple(p.id for p in plans)
    # Each plan's figures are kept until that plan changes (app/cache.py): one officer's change
    # works out their own plan's figures again, not the whole directorate's.
    figures = cache.results.get_each("dashboard plan", plan_ids, (period.id, today),
                                     lambda missing: _figures(missing, period, today))
    return {"period": period, "plans": [dict(plan=plan, **figures[plan.id]) for plan in plans], **paging}


def oversight_for(user, today: date | None = None) -> dict:
    """What the Assistant Director's My tasks shows of each plan in their area: updates signed
    off of all, overdue updates, indicator values off target. Counted by the database (one row a
    plan and state) rather than worked out as the whole dashboard: {"period", "plans": [{"plan",
    "signed", "total", "overdue", "off_target"}]}."""
    from app.updates.rules import OFF_TRACK, value_rag

    today = today or date.today()
    st = _statements(db.session.get_bind().dialect.name)
    plans, period = _plans_and_period(user, st)
    if period is None or not plans:
        return {"period": period, "plans": []}
    params = {"period_id": period.id, "plan_ids": [p.id for p in plans], "ends_on": period.ends_on}
    late = period.update_deadline < today
    rows = {p.id: {"plan": p, "signed": 0, "total": 0, "overdue": 0, "off_target": 0} for p in plans}
    signed_off, open_states = UpdateState.SIGNED_OFF.value, {s.value for s in OPEN_STATES}
    for plan_id, state, n in db.session.execute(st["update_counts"], params):
        row = rows[plan_id]
        row["total"] += n
        if state == signed_off:
            row["signed"] += n
        elif late and state in open_states:
            row["overdue"] += n
    reported = (UpdateState.SUBMITTED, UpdateState.SIGNED_OFF)
    for plan_id, _ref, _description, polarity, _unit, target, _id, state, value, _owner in db.session.execute(
            st["values"], params):
        if state in reported and value is not None and value_rag(value, target, polarity) in OFF_TRACK:
            rows[plan_id]["off_target"] += 1
    return {"period": period, "plans": list(rows.values())}


def _figures(plan_ids: tuple[int, ...], period, today: date) -> dict[int, dict]:
    """Each plan's figures for the period, as plain data."""
    # The figures are counted by the database, a row a plan (or a plan and an owner): the page
    # costs the same for a plan of 10 actions or 300. Only overdue updates, which are listed,
    # are loaded one by one.
    st = _statements(db.session.get_bind().dialect.name)
    params = {"period_id": period.id, "plan_ids": list(plan_ids), "ends_on": period.ends_on}
    run = db.session.execute
    totals, submitted_, mixes = Counter(), Counter(), defaultdict(Counter)
    owners_by_plan, submitted_days, signed_days = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    signed_off, submitted, open_states = UpdateState.SIGNED_OFF.value, UpdateState.SUBMITTED.value, {s.value for s in OPEN_STATES}
    for plan_id, state, rag, owner, submitted_day, signed_day in run(st["updates"], params).all():
        totals[plan_id] += 1
        if state == signed_off:
            mixes[plan_id][rag or "none"] += 1
            if signed_day is not None:
                signed_days[plan_id][signed_day] += 1
        elif state == submitted:
            submitted_[plan_id] += 1
        elif state in open_states:
            owners_by_plan[plan_id][owner or "No owner"] += 1
        if submitted_day is not None:
            submitted_days[plan_id][submitted_day] += 1
    indicators = _indicator_figures(st, params)
    late = defaultdict(list)  # (update id, action reference, owner's name), as only these are shown
    if period.update_deadline < today:
        for update_id, plan_id, reference, name in run(st["late"], params):
            late[plan_id].append((update_id, reference, name))
    reports = defaultdict(list)
    for plan_id, *report in run(st["reports"], params):
        reports[plan_id].append(report)
    out = {}
    for plan_id in plan_ids:
        mix = mixes.get(plan_id) or Counter()
        owners = owners_by_plan.get(plan_id) or Counter()
        submitted = submitted_[plan_id]
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
        for title, state, author_name, _ in plan_reports:
            if state == ReportState.SUBMITTED:
                waiting.append(("Assistant Director", f"report “{title}” to approve"))
            elif state in (ReportState.DRAFT, ReportState.RETURNED):
                waiting.append((author_name if author_name is not None else "Author", f"report “{title}” to finish"))
        to_approve = [d for d in (_days(approved_at, period.ends_on) for *_, approved_at in plan_reports) if d is not None]
        out[plan_id] = {
            "total": totals[plan_id], "signed": sum(mix.values()),
            "mix": [{"rag": r.value, "label": r.label, "count": mix.get(r.value, 0)} for r in RAGS],
            "overdue": late.get(plan_id, []), "waiting": waiting, "indicators": ind,
            "timeliness": [("Period end to submission", days_text(_median(submitted_days[plan_id]))),
                           ("Period end to sign-off", days_text(_median(signed_days[plan_id]))),
                           ("Period end to report approval", days_text(_median(Counter(to_approve))))],
        }
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""


def _and(*parts: str) -> str:
    return " and ".join(p for p in parts if p)


def _no_indicators() -> dict:
    return {"total": 0, "judged": 0, "on_target": 0, "off_target": 0, "not_judged": 0, "waiting": 0,
            "off": [], "to_write": Counter(), "to_sign_off": 0, "by_polarity": []}


def _indicator_figures(st: dict, params: dict) -> dict[int, dict]:
    """The period's indicator values, per plan: how many meet their target and how many miss
    it (judged by each indicator's polarity: up is good, up is bad; neutral ones and those
    without a target are not judged), which miss it, and whom the rest wait on."""
    from app.filters import format_value
    from app.models import Polarity
    from app.updates.rules import OFF_TRACK, value_rag

    out: dict[int, dict] = {}
    reported = (UpdateState.SUBMITTED, UpdateState.SIGNED_OFF)
    for plan_id, ref, description, polarity, unit, target, value_id, state, value, owner in db.session.execute(
            st["values"], params).all():
        f = out.get(plan_id)
        if f is None:
            f = out[plan_id] = _no_indicators()
        f["total"] += 1
        if state in OPEN_STATES:
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
    links = {kind: id_url("updates.show", "obj_id", kind=kind) for kind in ("update", "value")}
    page = request.args.get("page", 1, type=int) or 1
    return render_template("reports/dashboard.html", today=today, links=links,
                           board=dashboard_for(current_user._get_current_object(), today, page))
