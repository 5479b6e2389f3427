"""Form pieces shared by every area: GOV.UK date input, the hidden version for stale edits, and
the two text boxes (one line, several lines) that every form uses, which refuse control characters."""
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, HiddenField
from wtforms.validators import ValidationError


class UKDateField(Field):
    """A GOV.UK date input (day, month, year boxes), with the Design System's error messages.

    Optional unless `required=True`. The error summary links to its first box ("<name>-day"),
    as the Design System asks (see `error_summary`).
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, required=False, **kwargs):
        kwargs.setdefault("id", None)
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.error_anchor = f"{self.name}-day"

    def _value(self):
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None
            return
        if len(valuelist) > 3:  # only a crafted request sends more boxes than day, month and year
            self.raw_data = ["", "", ""]
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date")
        self.raw_data = list(valuelist) + [""] * (3 - len(valuelist))
        day, month, year = [(v or "").strip() for v in self.raw_data[:3]]
        label = self.label.text
        if not (day or month or year):
            self.data = None
            if self.required:
                raise ValueError(f"Enter the {label.lower()}")
            return
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            self.data = None
            raise ValueError(f"{label} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            self.data = None
            raise ValueError(f"{label} must be a real date, in numbers, like 31 3 2019")
        if len(year) != 4:
            self.data = None
            raise ValueError(f"Year must include 4 numbers")
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(f"{label} must be a real date") from None

    def pre_validate(self, form):
        if self.required and self.data is None and not self.errors:
            raise ValidationError(f"Enter the {self.label.text.lower()}")


def error_summary(form) -> dict:
    """The GOV.UK error summary's parameters: the first error of each field, linked to it."""
    items = []
    for field in form:
        if field.errors:
            anchor = getattr(field, "error_anchor", None) or field.id
            items.append({"text": field.errors[0], "href": f"#{anchor}"})
    return {"titleText": "There is a problem", "errorList": items}


class VersionField(HiddenField):
    """The version of the object the person loaded; a save with an old one is refused."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data) if self.data not in (None, "") else None
        except (TypeError, ValueError):
            self.data = None


class NumberField(Field):
    """A number typed as text: commas and a leading £ are forgiven; errors in plain English."""

    from govuk_frontend_wtf.wtforms_widgets import GovTextInput as _widget

    widget = _widget()

    def __init__(self, label=None, validators=None, places=2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:f}".rstrip("0").rstrip(".") if "." in f"{self.data:f}" else f"{self.data:f}"

    def process_formdata(self, valuelist):
        from decimal import Decimal, InvalidOperation

        if not valuelist:
            return
        text = (valuelist[0] or "").strip().replace(",", "").lstrip("£").strip()
        if not text:
            self.data = None
            return
        try:
            value = Decimal(text)
            too_big = not value.is_finite() or value.adjusted() >= 12
        except (InvalidOperation, ArithmeticError):
            self.data = None
            raise ValueError(f"{self.label.text} must be a number, like 12.5") from None
        if too_big:
            self.data = None
            raise ValueError(f"{self.label.text} must be a number smaller than a million million")
        self.data = round(value, self.places)


class _PlainChoice:
    """Choice fields whose refusal of a value not in the list is in plain English."""

    def pre_validate(self, form):
        if self.data is None or str(self.data).strip() == "":
            self.data = "" if self.data is not None else None
            return  # an empty answer is for DataRequired (or allowed)
        values = {str(value) for value, *_ in self.iter_choices()}
        if str(self.data) not in values:
            raise ValidationError(f"Choose {self.label.text.lower()} from the list")


from wtforms import RadioField as _RadioField, SelectField as _SelectField  # noqa: E402


class ChoiceField(_PlainChoice, _SelectField):
    """A select. HTML allows `required` only on a select whose first option is an empty
    placeholder ("Choose a person"); one whose first option is a real answer cannot be left
    unanswered, so it is rendered without `required` (its validators still run on the server)."""

    def __call__(self, **kwargs):
        first = next(iter(self.iter_choices()), None)
        if first is not None and str(first[0]) != "":
            self.flags.required = False
        return super().__call__(**kwargs)


class RadioChoiceField(_PlainChoice, _RadioField):
    pass


# --- text: one line, or several -----------------------------------------------------------------
# Every text box in Docket is one of these two fields (imported from here, not from wtforms), so a
# control character is refused in one place, beside the field, with the same words everywhere:
# a one-line field (a reference, a name, a title) refuses line breaks (CR, LF) and every other
# control character, tab included; a multi-line field (a text area) accepts line breaks and tabs
# and refuses the rest (NUL, backspace, escape…), which no one types and which break exports.

import re as _re  # noqa: E402

from wtforms import StringField as _StringField, TextAreaField as _TextAreaField  # noqa: E402
from wtforms.validators import StopValidation  # noqa: E402

_LINE_BREAKS = _re.compile("[\r\n\v\f\x85\u2028\u2029]")
_CONTROLS = _re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab, LF and CR


def text_problem(text: str | None, label: str, one_line: bool) -> str | None:
    """Why this text cannot be stored in a field named `label`, in plain English; None if it can."""
    if not text:
        return None
    if one_line and _LINE_BREAKS.search(text):
        return f"{label} must be on one line: remove the line break"
    if one_line and "\t" in text:
        return f"{label} must not contain a tab: remove it, or use a space"
    found = _CONTROLS.search(text)
    if found:
        return (f"{label} contains a hidden control character (U+{ord(found.group()):04X}) that cannot be "
                "stored: delete it, or type the text again rather than pasting it")
    return None


def _as_sent(field) -> str | None:
    """The text as it was sent (not as parsed: a time box holds a time), with the NUL the
    request took out of it (app/__init__.py) put back."""
    from flask import has_request_context, request

    text = field.raw_data[0] if field.raw_data and isinstance(field.raw_data[0], str) else None
    if has_request_context() and field.name in getattr(request, "nul_removed", ()):
        return (text or "") + "\x00"
    return text


class StringField(_StringField):
    """A one-line text box: line breaks and control characters are refused beside it."""

    def pre_validate(self, form):
        problem = text_problem(_as_sent(self), self.label.text, one_line=True)
        if problem:
            raise StopValidation(problem)


class TextAreaField(_TextAreaField):
    """A multi-line text box: line breaks and tabs are kept; other control characters refused."""

    def pre_validate(self, form):
        problem = text_problem(_as_sent(self), self.label.text, one_line=False)
        if problem:
            raise StopValidation(problem)
