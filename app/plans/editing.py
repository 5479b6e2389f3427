"""Routes that edit a plan and what it holds. One handler serves every form: it shows the
form, saves through `service.save` (change + trail event in one transaction), refuses a
stale or invalid save with the person's typing kept, and redirects after success."""
from flask import flash, redirect, render_template, request, url_for

from app.extensions import db
from app.models import Action, Indicator, Milestone, Plan, PriorityTheme, Risk
from app.permissions import permission_required
from app.plans import bp
from app.plans.forms import ActionForm, IndicatorForm, MilestoneForm, PlanForm, RiskForm, ThemeForm
from app.plans.service import OwnerChoices, PlanEditError, StaleEdit, check_unique_reference, save


def _id_or_none(value):
    return int(value) if value not in (None, "") and str(value).isdigit() else None


def _enum_or_none(enum_cls, value):
    return enum_cls(value) if value else None


def _text_or_none(value):
    return " ".join((value or "").split()) or None


def _lines_or_none(value):
    """A list written one per line: each line trimmed, blank lines left out."""
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip()) or None


def _edit(obj, form, *, fields, verb, heading, caption, back, new=False, before_save=None, convert=None):
    """Show and save one form. `fields` maps form field -> model attribute."""
    labels = {attr: getattr(form, name).label.text for name, attr in fields.items()}
    if request.method == "GET":
        form.version.data = None if new else obj.version
    page_error = None
    if form.validate_on_submit():
        values = {attr: getattr(form, name).data for name, attr in fields.items()}
        if convert:
            values = convert(values)
        try:
            if before_save:
                before_save(values)
            changes = save(obj, values, verb=verb, expected_version=None if new else form.version.data,
                           labels=labels, new=new)
        except StaleEdit as exc:
            db.session.rollback()
            page_error = str(exc)
            form.version.data = obj.version  # saving again, after checking, is allowed
        except PlanEditError as exc:
            db.session.rollback()
            if exc.field and exc.field in form:
                form[exc.field].errors = list(form[exc.field].errors) + [str(exc)]
            else:
                page_error = str(exc)
        else:
            if new:
                flash(f"{heading.replace('Add ', '').capitalize()} saved.", "success")
            elif changes:
                flash(f"Your changes were saved: {', '.join(changes)}.", "success")
            else:
                flash("Nothing had changed, so nothing was saved.", "info")
            return redirect(back)
    status = 200 if request.method == "GET" else (409 if page_error else 400)
    return render_template("plans/edit.html", form=form, heading=heading, caption=caption, back=back,
                           page_error=page_error, current=None if new else obj), status


# --- the plan itself ------------------------------------------------------------------

PLAN_FIELDS = {n: n for n in ("title", "period_label", "plan_holder_title", "director_title", "cabinet_member",
                              "last_updated_on", "staff_ftes", "net_revenue_budget", "description",
                              "operating_context", "priorities", "status")}


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@permission_required("edit_plan", Plan)
def edit_plan(plan):
    form = PlanForm(obj=plan if request.method == "GET" else None)
    if request.method == "GET":
        form.status.data = plan.status.value

    def convert(values):
        from app.models import PlanStatus

        values["status"] = PlanStatus(values["status"])
        return values

    return _edit(plan, form, fields=PLAN_FIELDS, verb="plan_edited", heading="Edit plan details",
                 caption=f"{plan.service.name}: {plan.title}", back=url_for("plans.show", plan_id=plan.id),
                 convert=convert)


# --- priority themes ------------------------------------------------------------------

@bp.route("/plans/<int:plan_id>/themes/new", methods=["GET", "POST"])
@permission_required("edit_plan", Plan)
def new_theme(plan):
    theme = PriorityTheme(plan_id=plan.id, position=len(plan.themes) + 1)
    return _edit(theme, ThemeForm(), fields={"title": "title"}, verb="theme_created", heading="Add a priority theme",
                 caption=f"{plan.service.name}: {plan.title}", back=url_for("plans.edit_plan", plan_id=plan.id),
                 new=True)


@bp.route("/themes/<int:priority_theme_id>/edit", methods=["GET", "POST"])
@permission_required("edit_theme", PriorityTheme)
def edit_theme(priority_theme):
    form = ThemeForm(obj=priority_theme if request.method == "GET" else None)
    return _edit(priority_theme, form, fields={"title": "title"}, verb="theme_edited", heading="Edit priority theme",
                 caption=priority_theme.plan.service.name,
                 back=url_for("plans.edit_plan", plan_id=priority_theme.plan_id))


# --- actions --------------------------------------------------------------------------

ACTION_FIELDS = {n: n for n in ("reference", "theme_id", "group_title", "title", "action_type", "statutory",
                                "type_note", "owner_id", "partners", "due_on", "timing", "rag", "status")}


def _action_form(plan, obj=None):
    form = ActionForm(obj=obj if request.method == "GET" else None)
    form.theme_id.choices = [("", "No priority theme")] + [(str(t.id), t.title[:120]) for t in plan.themes]
    form.owner_id.choices = OwnerChoices.for_plan(plan)
    if request.method == "GET" and obj is not None:
        form.theme_id.data = str(obj.theme_id or "")
        form.owner_id.data = str(obj.owner_id or "")
        form.action_type.data = obj.action_type.value if obj.action_type else ""
        form.rag.data = obj.rag.value if obj.rag else ""
        form.status.data = obj.status.value
    elif request.method == "GET":
        form.status.data = "live"
    return form


def _convert_action(values):
    from app.models import ActionStatus, ActionType, Rag

    values["reference"] = values["reference"].strip()
    values["theme_id"] = _id_or_none(values["theme_id"])
    values["owner_id"] = _id_or_none(values["owner_id"])
    values["action_type"] = _enum_or_none(ActionType, values["action_type"])
    values["rag"] = _enum_or_none(Rag, values["rag"])
    values["status"] = ActionStatus(values["status"])
    values["type_note"] = (values["type_note"] or "").strip() or None
    values["group_title"] = _text_or_none(values["group_title"])
    values["timing"] = _text_or_none(values["timing"])
    values["partners"] = _lines_or_none(values["partners"])
    return values


@bp.route("/plans/<int:plan_id>/actions/new", methods=["GET", "POST"])
@permission_required("edit_plan", Plan)
def new_action(plan):
    action = Action(plan_id=plan.id)
    return _edit(action, _action_form(plan), fields=ACTION_FIELDS, verb="action_created", heading="Add an action",
                 caption=f"{plan.service.name}: {plan.title}", back=url_for("plans.show", plan_id=plan.id),
                 new=True, convert=_convert_action,
                 before_save=lambda v: check_unique_reference(Action, plan.id, v["reference"]))


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@permission_required("edit_action", Action)
def edit_action(action):
    return _edit(action, _action_form(action.plan, action), fields=ACTION_FIELDS, verb="action_edited",
                 heading=f"Edit action {action.reference}", caption=action.plan.service.name,
                 back=url_for("plans.action", action_id=action.id), convert=_convert_action,
                 before_save=lambda v: check_unique_reference(Action, action.plan_id, v["reference"], action.id))


# --- milestones -----------------------------------------------------------------------

MILESTONE_FIELDS = {n: n for n in ("text", "due_on", "lead", "done")}


@bp.route("/actions/<int:action_id>/milestones/new", methods=["GET", "POST"])
@permission_required("edit_action", Action)
def new_milestone(action):
    milestone = Milestone(action_id=action.id, position=len(action.milestones) + 1)
    return _edit(milestone, MilestoneForm(), fields=MILESTONE_FIELDS, verb="milestone_created",
                 heading="Add a milestone", caption=f"Action {action.reference}",
                 back=url_for("plans.action", action_id=action.id), new=True)


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@permission_required("edit_milestone", Milestone)
def edit_milestone(milestone):
    form = MilestoneForm(obj=milestone if request.method == "GET" else None)
    return _edit(milestone, form, fields=MILESTONE_FIELDS, verb="milestone_edited", heading="Edit milestone",
                 caption=f"Action {milestone.action.reference}",
                 back=url_for("plans.action", action_id=milestone.action_id))


# --- risks ----------------------------------------------------------------------------

RISK_FIELDS = {n: n for n in ("reference", "description", "rag", "mitigations", "owner_id")}


def _risk_form(plan, obj=None):
    form = RiskForm(obj=obj if request.method == "GET" else None)
    form.owner_id.choices = OwnerChoices.for_plan(plan)
    if request.method == "GET" and obj is not None:
        form.owner_id.data = str(obj.owner_id or "")
        form.rag.data = obj.rag.value if obj.rag else ""
    return form


def _convert_risk(values):
    from app.models import Rag

    values["reference"] = values["reference"].strip()
    values["owner_id"] = _id_or_none(values["owner_id"])
    values["rag"] = _enum_or_none(Rag, values["rag"])
    return values


@bp.route("/plans/<int:plan_id>/risks/new", methods=["GET", "POST"])
@permission_required("edit_plan", Plan)
def new_risk(plan):
    return _edit(Risk(plan_id=plan.id), _risk_form(plan), fields=RISK_FIELDS, verb="risk_created",
                 heading="Add a risk", caption=f"{plan.service.name}: {plan.title}",
                 back=url_for("plans.show", plan_id=plan.id) + "#risks", new=True, convert=_convert_risk,
                 before_save=lambda v: check_unique_reference(Risk, plan.id, v["reference"]))


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@permission_required("edit_risk", Risk)
def edit_risk(risk):
    return _edit(risk, _risk_form(risk.plan, risk), fields=RISK_FIELDS, verb="risk_edited",
                 heading=f"Edit risk {risk.reference}", caption=risk.plan.service.name,
                 back=url_for("plans.show", plan_id=risk.plan_id) + "#risks", convert=_convert_risk,
                 before_save=lambda v: check_unique_reference(Risk, risk.plan_id, v["reference"], risk.id))


# --- indicators -----------------------------------------------------------------------

INDICATOR_FIELDS = {n: n for n in ("reference", "description", "group_name", "frequency", "polarity", "unit",
                                   "target", "target_text", "target_rationale", "benchmark_comparator",
                                   "benchmark_national", "benchmark_regional", "owner_id", "direction", "include",
                                   "comments")}


def _indicator_form(plan, obj=None):
    form = IndicatorForm(obj=obj if request.method == "GET" else None)
    form.owner_id.choices = OwnerChoices.for_plan(plan)
    if request.method == "GET":
        if obj is not None:
            form.owner_id.data = str(obj.owner_id or "")
            for name in ("frequency", "polarity", "unit"):
                getattr(form, name).data = getattr(obj, name).value
            form.direction.data = obj.direction.value if obj.direction else ""
        else:
            form.include.data = True
            form.polarity.data = "neutral"
            form.frequency.data = "quarterly"
    return form


def _convert_indicator(values):
    from app.models import Direction, Frequency, Polarity, Unit

    values["reference"] = (values["reference"] or "").strip() or None
    values["owner_id"] = _id_or_none(values["owner_id"])
    values["frequency"] = Frequency(values["frequency"])
    values["polarity"] = Polarity(values["polarity"])
    values["unit"] = Unit(values["unit"])
    values["direction"] = _enum_or_none(Direction, values["direction"])
    values["group_name"] = (values["group_name"] or "").strip() or None
    for name in ("target_text", "benchmark_comparator", "benchmark_national", "benchmark_regional"):
        values[name] = _text_or_none(values[name])
    values["comments"] = (values["comments"] or "").strip() or None
    return values


@bp.route("/plans/<int:plan_id>/indicators/new", methods=["GET", "POST"])
@permission_required("edit_plan", Plan)
def new_indicator(plan):
    indicator = Indicator(plan_id=plan.id, position=len(plan.indicators) + 1)
    return _edit(indicator, _indicator_form(plan), fields=INDICATOR_FIELDS, verb="indicator_created",
                 heading="Add an indicator", caption=f"{plan.service.name}: {plan.title}",
                 back=url_for("plans.show", plan_id=plan.id) + "#indicators", new=True, convert=_convert_indicator,
                 before_save=lambda v: check_unique_reference(Indicator, plan.id, v["reference"]))


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@permission_required("edit_indicator", Indicator)
def edit_indicator(indicator):
    return _edit(indicator, _indicator_form(indicator.plan, indicator), fields=INDICATOR_FIELDS,
                 verb="indicator_edited", heading=f"Edit indicator {indicator.reference or ''}".strip(),
                 caption=indicator.plan.service.name,
                 back=url_for("plans.show", plan_id=indicator.plan_id) + "#indicators", convert=_convert_indicator,
                 before_save=lambda v: check_unique_reference(Indicator, indicator.plan_id, v["reference"],
                                                              indicator.id))
