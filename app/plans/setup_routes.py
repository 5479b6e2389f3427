"""Pages that set plans up (administrators): add a plan, archive one, roll one over.

The rules are in app/plans/setup.py; these pages show the forms, call them, and show a
refusal beside the field (400) or at the top of the page (409) with nothing stored.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.concurrency import Refused
from app.errors import render_error
from app.extensions import db
from app.forms import ChoiceField, StringField, TextAreaField, VersionField
from app.models import Plan, PlanStatus
from app.permissions import PlanArchived, permission_required
from app.plans import bp, setup
from app.plans.setup import PERIOD_HINT, period_label_validator


class NewPlanForm(FlaskForm):
    version = VersionField()
    service_id = ChoiceField("Service", widget=GovSelect(),
                             validators=[DataRequired(message="Choose the service the plan is for")])
    title = StringField("Title", description="For example, Service Improvement Plan", widget=GovTextInput(),
                        validators=[DataRequired(message="Enter the plan's title"), Length(max=300)])
    period_label = StringField("Period the plan covers", description=f"A year or a range of years, {PERIOD_HINT}",
                               widget=GovTextInput(),
                               validators=[DataRequired(message=f"Enter the period the plan covers, {PERIOD_HINT}"),
                                           Length(max=40), period_label_validator])
    director_title = StringField("Director", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    cabinet_member = StringField("Cabinet member", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description or vision", widget=GovTextArea(),
                                validators=[Optional(), Length(max=20000)])
    operating_context = TextAreaField("Operating context and baseline resources", widget=GovTextArea(),
                                      validators=[Optional(), Length(max=20000)])
    priorities = TextAreaField("Improvement priorities", widget=GovTextArea(),
                               validators=[Optional(), Length(max=20000)])
    submit = SubmitField("Add plan", widget=GovSubmitInput())


class ArchivePlanForm(FlaskForm):
    version = VersionField()
    submit = SubmitField("Archive plan", widget=GovSubmitInput())


class RollOverForm(FlaskForm):
    version = VersionField()
    title = StringField("Title of the new plan", widget=GovTextInput(),
                        validators=[DataRequired(message="Enter the new plan's title"), Length(max=300)])
    period_label = StringField("Period the new plan covers", description=f"A year or a range of years, {PERIOD_HINT}",
                               widget=GovTextInput(),
                               validators=[DataRequired(message=f"Enter the new plan's period, {PERIOD_HINT}"),
                                           Length(max=40), period_label_validator])
    action_ids = SelectMultipleField("Actions to carry across", choices=[], validate_choice=True)
    risk_ids = SelectMultipleField("Risks to carry across", choices=[], validate_choice=True)
    indicator_ids = SelectMultipleField("Indicators to carry across", choices=[], validate_choice=True)
    submit = SubmitField("Roll over", widget=GovSubmitInput())


@bp.app_errorhandler(PlanArchived)
def plan_archived(error):
    """An edit to an archived plan: a 403 that says why, in plain words."""
    return render_error(403, error.description)


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required("create_plan")
def new_plan():
    form = NewPlanForm()
    services = setup.services_for_new_plans()
    form.service_id.choices = [("", "Choose a service")] + [(str(s.id), s.name) for s in services]
    if request.method == "GET" and request.args.get("service_id", "").isdigit():
        form.service_id.data = request.args["service_id"]
    if form.validate_on_submit():
        service = next(s for s in services if str(s.id) == form.service_id.data)
        try:
            plan = setup.create_plan(service, form.title.data, form.period_label.data,
                                     actor=current_user._get_current_object(),
                                     **{name: getattr(form, name).data for name in setup.PLAN_TEXTS})
        except setup.SetupError as exc:
            db.session.rollback()
            target = form[exc.field] if exc.field in form else form.title
            target.errors = list(target.errors) + [str(exc)]
        else:
            flash(f"{setup.plan_name(plan)} was added for {service.name}. Add its actions, risks and "
                  "indicators, or import them from a spreadsheet.", "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/edit.html", form=form, heading="Add a plan", caption="Plans",
                           back=url_for("plans.index"), page_error=None, current=None), (
        200 if request.method == "GET" else 400)


@bp.route("/plans/<int:plan_id>/archive", methods=["GET", "POST"])
@permission_required("archive_plan", Plan)
def archive_plan(plan):
    form = ArchivePlanForm()
    page_error, status = None, 200
    if request.method == "GET":
        form.version.data = plan.version
    elif form.validate_on_submit():
        try:
            setup.archive_plan(plan, form.version.data, current_user._get_current_object())
        except Refused as exc:
            db.session.rollback()
            page_error, status = str(exc), exc.status
        else:
            flash(f"{setup.plan_name(plan)} is archived: it stays readable, and can no longer be changed.",
                  "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    else:
        status = 400
    if plan.status == PlanStatus.ARCHIVED and page_error is None:
        page_error, status = setup.archived_message(plan), (409 if request.method == "POST" else 200)
    return render_template("plans/archive.html", plan=plan, form=form, page_error=page_error), status


def _roll_over_form(plan, choices):
    form = RollOverForm()
    form.action_ids.choices = [(str(a.id), a.reference) for a in choices.actions]
    form.risk_ids.choices = [(str(r.id), r.reference) for r in choices.risks]
    form.indicator_ids.choices = [(str(i.id), i.reference or str(i.id)) for i in choices.indicators]
    if request.method == "GET":
        form.version.data = plan.version
        form.title.data = plan.title
        form.period_label.data = setup.next_period_label(plan.period_label)
        for name in ("action_ids", "risk_ids", "indicator_ids"):  # every row ticked to begin with
            getattr(form, name).data = [value for value, _ in getattr(form, name).choices]
    return form


@bp.route("/plans/<int:plan_id>/roll-over", methods=["GET", "POST"])
@permission_required("roll_over_plan", Plan)
def roll_over(plan):
    """A preview of what the next period's plan will carry across; confirming makes it."""
    choices = setup.roll_over_choices(plan)
    form = _roll_over_form(plan, choices)
    page_error, status = None, 200 if request.method == "GET" else 400
    if plan.status == PlanStatus.ARCHIVED:
        page_error, status = setup.archived_message(plan), (200 if request.method == "GET" else 409)
    elif form.validate_on_submit():
        try:
            done = setup.roll_over(plan, title=form.title.data, period_label=form.period_label.data,
                                   action_ids=form.action_ids.data, risk_ids=form.risk_ids.data,
                                   indicator_ids=form.indicator_ids.data, expected_version=form.version.data,
                                   actor=current_user._get_current_object())
        except setup.SetupError as exc:
            db.session.rollback()
            target = form[exc.field] if exc.field in form else form.title
            target.errors = list(target.errors) + [str(exc)]
        except Refused as exc:
            db.session.rollback()
            page_error, status = str(exc), exc.status
        else:
            c = done.counts
            flash(f"{setup.plan_name(done.plan)} was made with {c['actions']} actions, {c['risks']} risks and "
                  f"{c['indicators']} indicators carried across. {setup.plan_name(plan)} is archived.", "success")
            return redirect(url_for("plans.show", plan_id=done.plan.id))
    successor = setup.successor_of(plan) if plan.status == PlanStatus.ARCHIVED else None
    return render_template("plans/roll_over.html", plan=plan, form=form, choices=choices, page_error=page_error,
                           successor=successor), status


@bp.app_template_global("may_set_up")
def may_set_up(verb: str, obj=None) -> bool:
    """For templates: may the signed-in person create, archive or roll over (this) plan?"""
    from app.permissions import can

    return can(current_user, verb, obj)


@bp.app_template_global("plan_successor")
def plan_successor(plan):
    """The plan an archived plan was rolled over into, if any."""
    return setup.successor_of(plan) if plan.status == PlanStatus.ARCHIVED else None
