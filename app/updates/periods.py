"""Reporting periods (administrators) and delegation of sign-off (Heads of Service)."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SubmitField
from wtforms.validators import DataRequired, Length

from app.concurrency import Refused
from app.extensions import db
from app.filters import uk_date, uk_datetime
from app.forms import ChoiceField, StringField, UKDateField
from app.models import Delegation, ReportingPeriod, User, utcnow
from app.permissions import permission_required
from app.trail import record
from app.updates import bp, service
from app.updates import delegation as delegation_rules


class PeriodForm(FlaskForm):
    name = StringField("Name", description="For example, Q2 2019/20", widget=GovTextInput(),
                       validators=[DataRequired(message="Enter the period's name"), Length(max=60)])
    starts_on = UKDateField("Start date", required=True)
    ends_on = UKDateField("End date", required=True)
    update_deadline = UKDateField("Deadline for updates", required=True,
                                  description="Owners submit their updates by this date")
    signoff_deadline = UKDateField("Deadline for sign-off", required=True,
                                   description="Heads of Service sign updates off by this date")
    submit = SubmitField("Save period", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.ends_on.data <= self.starts_on.data:
            self.ends_on.errors.append("End date must be after the start date")
            ok = False
        if ok and self.update_deadline.data < self.ends_on.data:
            self.update_deadline.errors.append("Deadline for updates must be on or after the end date")
            ok = False
        if ok and self.signoff_deadline.data < self.update_deadline.data:
            self.signoff_deadline.errors.append("Deadline for sign-off must be on or after the deadline for updates")
            ok = False
        return ok


@bp.route("/periods/")
@permission_required("manage_periods")
def periods():
    rows = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on.desc())).all()
    return render_template("updates/periods.html", periods=rows)


@bp.route("/periods/new", methods=["GET", "POST"])
@permission_required("manage_periods")
def new_period():
    form = PeriodForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(sa.select(ReportingPeriod.id).where(ReportingPeriod.name == name)):
            form.name.errors.append(f"There is already a period called {name}")
        else:
            period = ReportingPeriod(name=name, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                     update_deadline=form.update_deadline.data,
                                     signoff_deadline=form.signoff_deadline.data)
            db.session.add(period)
            db.session.flush()
            record("period_created", period, data={"name": name})
            db.session.commit()
            flash(f"{name} was added. Open it when owners should start writing their updates.", "success")
            return redirect(url_for("updates.periods"))
    return render_template("updates/period_form.html", form=form), 200 if request.method == "GET" else 400


# Opening and closing a period, plan by plan: app/updates/period_routes.py (issue 12).


class DelegationForm(FlaskForm):
    deputy_id = ChoiceField("Deputy", widget=GovSelect(), validators=[DataRequired(message="Choose your deputy")])
    starts_on = UKDateField("From", required=True)
    ends_on = UKDateField("Until", required=True, description="The last day they may sign off for you")
    submit = SubmitField("Name deputy", widget=GovSubmitInput())


@bp.route("/delegation", methods=["GET", "POST"])
@permission_required("delegate_sign_off")
def delegation():
    me = current_user._get_current_object()
    form = DelegationForm()
    form.deputy_id.choices = [("", "Choose a person")] + [
        (str(p.id), p.name + (f" ({p.job_title})" if p.job_title else "")) for p in delegation_rules.eligible_deputies(me)]
    page_error, status = None, 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        deputy = db.session.get(User, int(form.deputy_id.data))
        try:
            item = delegation_rules.name_deputy(me, deputy, form.starts_on.data, form.ends_on.data)
        except delegation_rules.DelegationInvalid as exc:
            db.session.rollback()
            for field, message in exc.problems.items():
                form[field].errors = list(form[field].errors) + [message]
        except Refused as exc:
            db.session.rollback()
            page_error, status = str(exc), exc.status
        else:
            flash(f"{deputy.name} may sign off for you from {uk_date(item.starts_on)} "
                  f"until {uk_date(item.ends_on)}.", "success")
            return redirect(url_for("updates.delegation"))
    mine = db.session.scalars(sa.select(Delegation).where(Delegation.head_id == me.id)
                              .order_by(Delegation.starts_on.desc())).all()
    return render_template("updates/delegation.html", form=form, delegations=mine, page_error=page_error), status


@bp.route("/delegation/<int:delegation_id>/end", methods=["POST"])
@permission_required("end_delegation", Delegation)
def end_delegation(delegation):
    # Conditional on it not being ended yet, so a double-click or two tabs end it once.
    ended = db.session.execute(
        sa.update(Delegation).where(Delegation.id == delegation.id, Delegation.revoked_at.is_(None))
        .values(revoked_at=utcnow(), updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if ended == 1:
        record("delegation_ended", delegation, data={"deputy": delegation.deputy.name})
        db.session.commit()
        flash(f"{delegation.deputy.name} can no longer sign off for you.", "success")
    else:
        db.session.rollback()
        flash(f"{delegation.deputy.name} could already no longer sign off for you: that delegation was ended "
              f"on {uk_datetime(db.session.get(Delegation, delegation.id).revoked_at)}.", "info")
    return redirect(url_for("updates.delegation"))
