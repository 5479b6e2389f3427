"""Indicators with no owner: nobody is asked for their values, so they can never be completed.
The Head of Service (or an administrator) sees them listed and names an owner for each, which
is an edit of the indicator, on the trail as "indicator_owner_named" with the owner old → new."""
from functools import cache

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Indicator, IndicatorValue, PeriodState, Plan, PlanStatus, ReportingPeriod, Role, User
from app.permissions import can, permission_required, scope_for
from app.updates import bp


def unowned_indicators(user) -> list[Indicator]:
    """Indicators in the person's services (every service for an administrator) that are
    reported on (included), in a plan that is not archived, and have no owner."""
    scope = scope_for(user)
    q = (sa.select(Indicator).join(Plan, Indicator.plan_id == Plan.id)
         .where(Indicator.owner_id.is_(None), Indicator.include.is_(True), Plan.status != PlanStatus.ARCHIVED)
         .options(joinedload(Indicator.plan).joinedload(Plan.service))
         .order_by(Plan.title, Indicator.position, Indicator.id))
    if not scope.admin:
        services = scope.services(Role.HEAD_OF_SERVICE)
        if not services:
            return []
        q = q.where(Plan.service_id.in_(services))
    return list(db.session.scalars(q).unique())


@cache
def unowned_count_select(every_service: bool):
    """The count of the indicators `unowned_indicators` lists: in every service, or in those bound
    as `unowned_services`. Built once: building a statement costs more than running it."""
    q = (sa.select(sa.func.count(Indicator.id)).join(Plan, Indicator.plan_id == Plan.id)
         .where(Indicator.owner_id.is_(None), Indicator.include.is_(True), Plan.status != PlanStatus.ARCHIVED))
    return q if every_service else q.where(Plan.service_id.in_(sa.bindparam("unowned_services", expanding=True)))


def unowned_count_query(scope):
    """(statement, parameters) counting the indicators `unowned_indicators` lists for the person
    whose scope this is, or None when there can be none."""
    if scope.admin:
        return unowned_count_select(True), {}
    services = scope.services(Role.HEAD_OF_SERVICE)
    return (unowned_count_select(False), {"unowned_services": sorted(services)}) if services else None


def unowned_count(user) -> int:
    """How many indicators `unowned_indicators` lists for the person: one count."""
    query = unowned_count_query(scope_for(user))
    return db.session.scalar(*query) if query is not None else 0


def values_waiting(indicators) -> dict[int, list[str]]:
    """For each indicator, the open periods whose value nobody has been asked for."""
    ids = [i.id for i in indicators]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(IndicatorValue.indicator_id, ReportingPeriod.name)
        .join(ReportingPeriod, IndicatorValue.period_id == ReportingPeriod.id)
        .where(IndicatorValue.indicator_id.in_(ids), ReportingPeriod.state == PeriodState.OPEN)
        .order_by(ReportingPeriod.ends_on)).all()
    out: dict[int, list[str]] = {}
    for indicator_id, name in rows:
        out.setdefault(indicator_id, []).append(name)
    return out


def people_choices() -> list[tuple[str, str]]:
    people = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)).all()
    return [("", "Choose a person")] + [(str(u.id), u.name + (f" ({u.job_title})" if u.job_title else ""))
                                        for u in people]


def name_owner(indicator: Indicator, owner: User | None, expected_version, actor) -> None:
    """Name the owner of an indicator that has none: one transaction with its trail event."""
    from app.plans.service import PlanEditError, save

    if owner is None or not owner.active:
        raise PlanEditError("Choose the person who will own this indicator", "owner")
    if indicator.owner_id is not None:
        raise PlanEditError(f"This indicator already has an owner: {indicator.owner.name}. Nothing was changed.")
    save(indicator, {"owner": owner}, verb="indicator_owner_named", expected_version=expected_version, actor=actor,
         labels={"owner": "Owner"})


def _page(errors=None, chosen=None, page_error=None, status=200):
    indicators = unowned_indicators(current_user)
    return render_template("updates/unowned.html", indicators=indicators, waiting=values_waiting(indicators),
                           choices=people_choices(), errors=errors or {}, chosen=chosen or {},
                           back=url_for("updates.queue") if can(current_user, "view_sign_off_queue")
                           else url_for("main.home"),
                           error_list=[{"text": m, "href": f"#owner-{i}"} for i, m in (errors or {}).items()],
                           page_error=page_error), status


@bp.route("/indicators/without-owner", methods=["GET"])
@permission_required("view_unowned_indicators")
def unowned():
    return _page()


@bp.route("/indicators/<int:indicator_id>/owner", methods=["POST"])
@permission_required("name_indicator_owner", Indicator)
def name_indicator_owner(indicator):
    from app.plans.service import PlanEditError, StaleEdit

    raw = request.form.get("owner_id", "")
    owner = db.session.get(User, int(raw)) if raw.isdigit() and 0 < int(raw) < 2**31 else None
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = -1  # a form without its version is refused as stale, like any other
    try:
        name_owner(indicator, owner, version, current_user._get_current_object())
    except StaleEdit as exc:
        db.session.rollback()
        return _page(page_error=str(exc), status=409)
    except PlanEditError as exc:
        db.session.rollback()
        if exc.field:
            return _page(errors={indicator.id: str(exc)}, chosen={indicator.id: raw}, status=400)
        return _page(page_error=str(exc), status=409)
    flash(f"{owner.name} now owns {indicator.reference or 'the indicator'}: {indicator.description}.", "success")
    return redirect(url_for("updates.unowned"))
