from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextArea
from wtforms import Field, SelectMultipleField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.forms import NumberField, RadioChoiceField, TextAreaField, VersionField
from app.models import Rag


class UpdateForm(FlaskForm):
    version = VersionField()
    narrative = TextAreaField("Progress this period", description="What has happened since the last update",
                              widget=GovTextArea(), validators=[Optional(), Length(max=20000)])
    rag = RadioChoiceField("RAG status", choices=Rag.choices(), widget=GovRadioInput(), validators=[Optional()])
    percent_complete = NumberField("Per cent complete", places=0, description="A whole number from 0 to 100",
                                   validators=[Optional(), NumberRange(min=0, max=100,
                                               message="Per cent complete must be between 0 and 100")])
    key_actions_remaining = TextAreaField("Key actions remaining", widget=GovTextArea(),
                                          validators=[Optional(), Length(max=20000)])
    corrective_action = TextAreaField("Corrective action", description="Needed when the status is red or amber",
                                      widget=GovTextArea(), validators=[Optional(), Length(max=20000)])
    next_focus = TextAreaField("Focus for the next period", widget=GovTextArea(),
                               validators=[Optional(), Length(max=20000)])
    milestones_done = SelectMultipleField("Milestones completed", description="Tick the milestones this period completed",
                                          widget=GovCheckboxesInput(), choices=[], validate_choice=True)


class ValueField(Field):
    """An indicator's value, written with or without the indicator's unit ("72%", "£2.1m",
    "1,234"); a different unit is refused (app/updates/units.py). Set `unit` before validating."""

    from govuk_frontend_wtf.wtforms_widgets import GovTextInput as _widget

    widget = _widget()
    unit = None

    def _value(self):
        from app.updates.units import plain

        if self.raw_data:
            return self.raw_data[0]
        return plain(self.data)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = None  # parsed in pre_validate, once the indicator's unit is known

    def pre_validate(self, form):
        from app.updates.units import parse_value

        if not self.raw_data:
            return
        try:
            self.data = parse_value(self.raw_data[0], self.unit, self.label.text)
        except ValueError as exc:
            self.data = None
            raise ValidationError(str(exc)) from None


class ValueForm(FlaskForm):
    version = VersionField()
    value = ValueField("Value for this period")
    commentary = TextAreaField("Commentary", description="Needed when the value misses its target or is worse than the latest result",
                               widget=GovTextArea(), validators=[Optional(), Length(max=20000)])


class CommentForm(FlaskForm):
    version = VersionField()
    comment = TextAreaField("Comment for the owner", description="Say what needs to change",
                            widget=GovTextArea(), validators=[Optional(), Length(max=5000)])


class ReasonForm(FlaskForm):
    version = VersionField()
    reason = TextAreaField("Reason for reopening", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
