"""The forms of the People pages (administrators)."""
import sqlalchemy as sa
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db
from app.forms import ChoiceField, StringField
from app.models import ROLE_SCOPES, Committee, Directorate, Role, ScopeKind, Service, User


def scope_choices() -> list[tuple[str, str]]:
    """Every place a role can apply, as "kind:id" (the role decides which kinds fit)."""
    out = [("", "Choose where the role applies"), ("everything", "Everything (Administrator only)")]
    out += [(f"service:{s.id}", f"Service: {s.name}")
            for s in db.session.scalars(sa.select(Service).where(Service.retired_at.is_(None)).order_by(Service.name))]
    out += [(f"directorate:{d.id}", f"Directorate: {d.name} (Assistant Director only)")
            for d in db.session.scalars(sa.select(Directorate).where(Directorate.retired_at.is_(None))
                                         .order_by(Directorate.name))]
    out += [(f"committee:{c.id}", f"Committee: {c.name} (Committee clerk only)")
            for c in db.session.scalars(sa.select(Committee).where(Committee.retired_at.is_(None)).order_by(Committee.name))]
    return out


ROLE_HINT = ("Administrator: everything. Assistant Director: a service or a directorate. Head of Service and "
             "Action owner: a service. Committee clerk: a committee.")


def resolve_scope(role: Role, value: str):
    """(ScopeKind, object or None) for a chosen role and "kind:id", or a plain-English reason it does not fit."""
    if role == Role.ADMINISTRATOR:
        return ScopeKind.EVERYTHING, None
    kind_text, _, ident = (value or "").partition(":")
    try:
        kind = ScopeKind(kind_text)
    except ValueError:
        raise ValueError(f"Choose where the {role.label} role applies") from None
    if kind not in ROLE_SCOPES[role]:
        allowed = " or a ".join(sorted(k.label.lower() for k in ROLE_SCOPES[role]))
        raise ValueError(f"The {role.label} role applies to a {allowed}, not {'' if kind == ScopeKind.EVERYTHING else 'a '}"
                         f"{kind.label.lower()}")
    model = {ScopeKind.SERVICE: Service, ScopeKind.DIRECTORATE: Directorate, ScopeKind.COMMITTEE: Committee}[kind]
    target = db.session.get(model, int(ident)) if ident.isdigit() else None
    if target is not None and target.retired_at is not None:
        raise ValueError(f"{target.name} is retired: choose another {kind.label.lower()}")
    if target is None:
        raise ValueError(f"Choose where the {role.label} role applies from the list")
    return kind, target


class RoleFields:
    """A role and where it applies: checked together in validate_scope."""

    def _check_role_scope(self, required: bool):
        role_value = self.role.data or ""
        if not role_value:
            if required:
                self.role.errors = list(self.role.errors) + ["Choose a role"]
                return False
            if self.scope.data:
                self.role.errors = list(self.role.errors) + ["Choose a role for the place you chose, or leave both blank"]
                return False
            self.chosen = None
            return True
        role = Role(role_value)
        try:
            self.chosen = (role, *resolve_scope(role, self.scope.data))
        except ValueError as exc:
            self.scope.errors = list(self.scope.errors) + [str(exc)]
            return False
        return True


def _role_field(first: str):
    return ChoiceField("Role", widget=GovSelect(), description=ROLE_HINT,
                       choices=[("", first)] + [(r.value, r.label) for r in Role])


def _scope_field():
    return ChoiceField("Where the role applies", widget=GovSelect(), choices=[])


class PersonForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired(message="Enter the person's full name"), Length(max=200)])
    email = StringField("Email address", widget=GovTextInput(), description="Their council email address: they sign in with it",
                        validators=[DataRequired(message="Enter their email address"), Length(max=254)])
    job_title = StringField("Job title (optional)", widget=GovTextInput(), description="As plans name accountable officers",
                            validators=[Optional(), Length(max=200)])
    loaded = HiddenField()  # the details the form was loaded with: an edit from a stale page is refused
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewPersonForm(PersonForm, RoleFields):
    role = _role_field("No role yet")
    scope = _scope_field()
    submit = SubmitField("Add person", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self._check_role_scope(required=False) and ok


class GrantForm(FlaskForm, RoleFields):
    role = _role_field("Choose a role")
    scope = _scope_field()
    submit = SubmitField("Give role", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self._check_role_scope(required=True) and ok


class ReassignForm(FlaskForm):
    to = ChoiceField("Give their work to", widget=GovSelect(),
                     validators=[DataRequired(message="Choose who takes over their work")])
    submit = SubmitField("Reassign all of it", widget=GovSubmitInput())


def people_choices(other_than: User) -> list[tuple[str, str]]:
    rows = db.session.scalars(sa.select(User).where(User.active.is_(True), User.id != other_than.id)
                              .order_by(User.name)).all()
    return [("", "Choose a person")] + [(str(p.id), p.name + (f" ({p.job_title})" if p.job_title else "")) for p in rows]
