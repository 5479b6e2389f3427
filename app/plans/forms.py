"""The forms for editing a plan and what it holds."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import (
    ChoiceField,
    NumberField,
    RadioChoiceField,
    StringField,
    TextAreaField,
    UKDateField,
    VersionField,
)
from app.plans.setup import period_label_validator
from app.models import ActionStatus, ActionType, Direction, Frequency, PlanStatus, Polarity, Rag, Unit


def _blank_or(choices, blank="Not given"):
    return [("", blank)] + list(choices)


class _Versioned(FlaskForm):
    version = VersionField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class PlanForm(_Versioned):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired(message="Enter the plan's title"), Length(max=300)])
    period_label = StringField("Period the plan covers", description="For example, 2016-19 or 2019/20",
                               widget=GovTextInput(), validators=[Optional(), Length(max=40), period_label_validator])
    plan_holder_title = StringField("Service plan holder", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    director_title = StringField("Director", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    cabinet_member = StringField("Cabinet member", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    last_updated_on = UKDateField("Date last updated", description="For example, 11 7 2018")
    staff_ftes = NumberField("Staff FTEs", validators=[Optional(), NumberRange(
        min=0, message="Staff FTEs must be 0 or more")])
    net_revenue_budget = NumberField("Net revenue budget (£)", description="In pounds, for example 20590000")
    description = TextAreaField("Description", widget=GovTextArea(), validators=[Optional(), Length(max=20000)])
    operating_context = TextAreaField("Operating context and baseline resources", widget=GovTextArea(),
                                      validators=[Optional(), Length(max=20000)])
    priorities = TextAreaField("Service improvement priorities", widget=GovTextArea(),
                               validators=[Optional(), Length(max=20000)])
    # Archiving is its own step (app/plans/setup_routes.py: administrators, on the trail as plan_archived).
    status = RadioChoiceField("Status", choices=[c for c in PlanStatus.choices() if c[0] != PlanStatus.ARCHIVED.value],
                              widget=GovRadioInput(), validators=[DataRequired(message="Choose the plan's status")])


class ThemeForm(_Versioned):
    title = TextAreaField("Priority theme", widget=GovTextArea(),
                          validators=[DataRequired(message="Enter the priority theme"), Length(max=2000)])


class ActionForm(_Versioned):
    reference = StringField("Reference ID", description="Unique within the plan, for example CSS013",
                            widget=GovTextInput(),
                            validators=[DataRequired(message="Enter a reference ID"), Length(max=40)])
    theme_id = ChoiceField("Priority theme", widget=GovSelect(), validators=[Optional()])
    group_title = StringField("Group", description="The sub-heading the action sits under within its theme, "
                              "for example Deliver the Youth Offer Strategy", widget=GovTextInput(),
                              validators=[Optional(), Length(max=300)])
    title = TextAreaField("Action", widget=GovTextArea(),
                          validators=[DataRequired(message="Enter the action"), Length(max=5000)])
    action_type = ChoiceField("Business as usual or project", choices=_blank_or(ActionType.choices()),
                              widget=GovSelect(), validators=[Optional()])
    statutory = BooleanField("This is a statutory service", widget=GovCheckboxInput())
    type_note = StringField("Note on the type", description="Anything else the plan says about it",
                            widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    owner_id = ChoiceField("Accountable officer", widget=GovSelect(), validators=[Optional()])
    partners = TextAreaField("Partners", description="Other agencies that lead or help with the action, one per line",
                             widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    due_on = UKDateField("Completed by date", description="For example, 31 3 2019")
    timing = StringField("Timing", description="When it is not one date, as the plan says it: for example Monthly, "
                         "Ongoing, or 31/05/21 31/08/21", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    rag = ChoiceField("Current RAG status", choices=_blank_or(Rag.choices(), "Not rated"), widget=GovSelect(),
                      validators=[Optional()])
    status = RadioChoiceField("Status", choices=ActionStatus.choices(), widget=GovRadioInput(),
                        validators=[DataRequired(message="Choose the action's status")])


class MilestoneForm(_Versioned):
    text = TextAreaField("Milestone or deliverable", widget=GovTextArea(),
                         validators=[DataRequired(message="Enter the milestone"), Length(max=5000)])
    due_on = UKDateField("By when", description="For example, 30 9 2019")
    lead = StringField("Lead", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    done = BooleanField("This milestone is done", widget=GovCheckboxInput())


class RiskForm(_Versioned):
    reference = StringField("Reference ID", widget=GovTextInput(),
                            validators=[DataRequired(message="Enter a reference ID"), Length(max=40)])
    description = TextAreaField("Risk", widget=GovTextArea(),
                                validators=[DataRequired(message="Describe the risk"), Length(max=5000)])
    rag = ChoiceField("Rating (RAG)", choices=_blank_or([(r.value, r.label) for r in (Rag.RED, Rag.AMBER, Rag.GREEN)],
                                                        "Not rated"),
                      widget=GovSelect(), validators=[Optional()])
    mitigations = TextAreaField("Actions to mitigate and correct", widget=GovTextArea(),
                                validators=[Optional(), Length(max=20000)])
    owner_id = ChoiceField("Responsible officer", widget=GovSelect(), validators=[Optional()])


class IndicatorForm(_Versioned):
    reference = StringField("Reference ID", description="Optional: some indicators have none",
                            widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    description = TextAreaField("Indicator description", widget=GovTextArea(),
                                validators=[DataRequired(message="Enter the indicator's description"),
                                            Length(max=5000)])
    group_name = StringField("Group", description="For example, Service Delivery or Finance",
                             widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    frequency = ChoiceField("Collection frequency", choices=Frequency.choices(), widget=GovSelect(),
                            validators=[DataRequired(message="Choose how often it is collected")])
    polarity = RadioChoiceField("Polarity", choices=Polarity.choices(), widget=GovRadioInput(),
                          validators=[DataRequired(message="Choose the polarity")])
    unit = ChoiceField("Unit", choices=Unit.choices(), widget=GovSelect(),
                       validators=[DataRequired(message="Choose the unit")])
    target = NumberField("Target", places=4)
    target_text = StringField("Target as written", description="When the target is not a number, for example TBC, "
                              "or Gross £51.300m. Net £27.940m.", widget=GovTextInput(),
                              validators=[Optional(), Length(max=200)])
    target_rationale = TextAreaField("Why this target", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    benchmark_comparator = StringField("Comparator", description="Similar authorities' figure, as written",
                                       widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    benchmark_national = StringField("National benchmark", widget=GovTextInput(),
                                     validators=[Optional(), Length(max=100)])
    benchmark_regional = StringField("Regional benchmark", widget=GovTextInput(),
                                     validators=[Optional(), Length(max=100)])
    owner_id = ChoiceField("Responsible officer", widget=GovSelect(), validators=[Optional()])
    direction = ChoiceField("Latest direction of travel", choices=_blank_or(Direction.choices()),
                            widget=GovSelect(), validators=[Optional()])
    include = BooleanField("Include this indicator in reports", widget=GovCheckboxInput())
    comments = TextAreaField("Comments", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
