"""Opening a reporting period for chosen plans, and closing it (administrators).

`/periods/<id>/open`: GET shows the confirmation (the live plans, each ticked, with the drafts
opening would make); POST opens. A POST without the confirmation's plan list (a script, or
an older page) opens the period for every live plan, as before. `/periods/<id>/close`: GET
asks, POST closes. Rules: app/updates/opening.py.
"""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from app.concurrency import Refused
from app.extensions import db
from app.models import PeriodState, Plan, ReportingPeriod
from app.permissions import permission_required
from app.updates import bp, opening, service

CHOOSING = "choosing_plans"  # the confirmation page's marker: its plan list was sent


class OpenPeriodForm(FlaskForm):
    plan_ids = SelectMultipleField("Plans to open it for", choices=[], validate_choice=True)
    submit = SubmitField("Open the period", widget=GovSubmitInput())


class ClosePeriodForm(FlaskForm):
    submit = SubmitField("Close the period", widget=GovSubmitInput())


def _open_page(period, form, page_error=None, status=200):
    pv = opening.preview(period)
    chosen = {int(i) for i in (form.plan_ids.data or [])}
    return render_template("updates/period_open.html", period=period, form=form, preview=pv,
                           totals=pv.totals(chosen), sentence=opening.plan_sentence(pv.totals(chosen)),
                           opened=period.plans, page_error=page_error, choosing=CHOOSING), status


@bp.route("/periods/<int:reporting_period_id>/open", methods=["GET", "POST"])
@permission_required("manage_periods", ReportingPeriod)
def open_period(reporting_period):
    period = reporting_period
    form = OpenPeriodForm()
    pv = opening.preview(period)
    form.plan_ids.choices = [(str(p.plan.id), p.plan.title) for p in pv.plans]
    if request.method == "GET":
        form.plan_ids.data = [value for value, _ in form.plan_ids.choices]  # every plan ticked to begin with
        return _open_page(period, form)
    if not form.validate_on_submit():
        return _open_page(period, form, status=400)
    plans = None
    if CHOOSING in request.form:
        plans = db.session.scalars(sa.select(Plan).where(Plan.id.in_([int(i) for i in form.plan_ids.data] or [-1]))
                                   ).all()
        if not plans:
            form.plan_ids.errors = list(form.plan_ids.errors) + [f"Choose at least one plan to open {period.name} for"]
            return _open_page(period, form, status=400)
    was_open = period.state == PeriodState.OPEN
    try:
        counts = service.open_period(period, current_user._get_current_object(), plans)
    except (service.TransitionError, Refused) as exc:
        db.session.rollback()
        db.session.expire_all()
        return _open_page(db.session.get(ReportingPeriod, period.id), form, page_error=str(exc), status=409)
    flash(f"{period.name} is open{' for more plans' if was_open else ''}: {counts['updates']} draft updates and "
          f"{counts['values']} indicator values were created for their owners.", "success")
    return redirect(url_for("updates.periods"))


@bp.route("/periods/<int:reporting_period_id>/close", methods=["GET", "POST"])
@permission_required("manage_periods", ReportingPeriod)
def close_period(reporting_period):
    period = reporting_period
    form = ClosePeriodForm()
    page_error, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                opening.close_period(period, current_user._get_current_object())
            except service.TransitionError as exc:
                db.session.rollback()
                db.session.expire_all()
                period = db.session.get(ReportingPeriod, period.id)
                page_error, status = str(exc), 409
            else:
                flash(f"{period.name} is closed: no more updates or values can be submitted for it. "
                      "Anything not submitted stays listed as late.", "success")
                return redirect(url_for("updates.periods"))
        else:
            status = 400
    late = opening.not_submitted(period)
    return render_template("updates/period_close.html", period=period, form=form, page_error=page_error,
                           late=late), status
