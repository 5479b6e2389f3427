"""Forms for the administration pages. Text fields are Docket's own (app/forms.py)."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import ChoiceField, StringField, TextAreaField, VersionField
from app.meetings.routes import CommitteeForm
from app.organisation.service import active_people, live_directorates, person_label

NOBODY = ("", "Nobody yet")


def people_choices(placeholder=NOBODY) -> list[tuple[str, str]]:
    return [placeholder] + [(str(p.id), person_label(p)) for p in active_people()]


def directorate_choices(current=None, placeholder=("", "Choose a directorate")) -> list[tuple[str, str]]:
    live = live_directorates()
    if current is not None and current not in live:
        live = [current] + live
    return [placeholder] + [(str(d.id), d.name) for d in live]


class DirectorateForm(FlaskForm):
    version = VersionField()
    name = StringField("Name", description="For example, Children, Education and Communities", widget=GovTextInput(),
                       validators=[DataRequired(message="Enter the directorate's name"), Length(max=200)])
    director_id = ChoiceField("Corporate Director", widget=GovSelect(), validators=[Optional()],
                              description="A person in Docket. If they are not in Docket yet, give the job title below.")
    director_title = StringField("Director's job title", widget=GovTextInput(),
                                 description="For example, Corporate Director of Children, Education and Communities",
                                 validators=[Optional(), Length(max=200)])
    submit = SubmitField("Save directorate", widget=GovSubmitInput())


class ServiceForm(FlaskForm):
    version = VersionField()
    name = StringField("Name", description="For example, Children's Specialist Services", widget=GovTextInput(),
                       validators=[DataRequired(message="Enter the service's name"), Length(max=200)])
    directorate_id = ChoiceField("Directorate", widget=GovSelect(),
                                 validators=[DataRequired(message="Choose the service's directorate")])
    assistant_director_id = ChoiceField("Assistant Director", widget=GovSelect(), validators=[Optional()],
                                        description="Holds the service's plan and approves its reports")
    heads = SelectMultipleField("Heads of Service", widget=GovCheckboxesInput(), choices=[], validate_choice=True,
                                description="Untick anyone who is no longer a Head of Service here")
    add_head_id = ChoiceField("Add a Head of Service", widget=GovSelect(), validators=[Optional()],
                              description="Signs off the service's progress updates")
    # committee papers (issue 14): who approves the service's papers besides its Assistant Director
    chief_officer_id = ChoiceField("Chief officer for committee papers", widget=GovSelect(), validators=[Optional()],
                                   description="Approves the service's committee papers, as well as its Assistant "
                                               "Director. Leave as nobody if the Assistant Director does.")
    submit = SubmitField("Save service", widget=GovSubmitInput())


class NewCommitteeForm(CommitteeForm):
    clerk_id = ChoiceField("Clerk", widget=GovSelect(), validators=[Optional()],
                           description="The person in Docket who builds the committee's agendas. They are given the "
                                       "Committee clerk role for it.")
    directorate_id = ChoiceField("Directorate", widget=GovSelect(), validators=[Optional()],
                                 description="Whose reports usually go to this committee")
    submit = SubmitField("Create committee", widget=GovSubmitInput())


class RetireForm(FlaskForm):
    version = VersionField()
    submit = SubmitField("Retire", widget=GovSubmitInput())


def _settings_form_class(settings):
    """A form with one field a setting (app/settings.py SETTINGS)."""

    class SettingsForm(FlaskForm):
        submit = SubmitField("Save settings", widget=GovSubmitInput())

    for item in settings:
        if item.choices:
            field = ChoiceField(item.label, description=item.hint, choices=list(item.choices),
                                widget=GovSelect(), validators=[Optional()])
        elif item.multiline:
            field = TextAreaField(item.label, description=item.hint, widget=GovTextArea(),
                                  validators=[Optional(), Length(max=item.max_length)])
        else:
            field = StringField(item.label, description=item.hint, widget=GovTextInput(),
                                validators=[DataRequired(message="Enter the council's name"),
                                            Length(max=item.max_length)])
        setattr(SettingsForm, item.key, field)
    return SettingsForm


def _make_settings_form():
    from app.settings import SETTINGS

    return _settings_form_class(SETTINGS)


SettingsForm = _make_settings_form()
