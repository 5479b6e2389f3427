"""The officer's choices for one import, made on the preview and sent with every later form
of it (checking again, confirming): which column is which field, the references Docket made
up as changed by the officer, what to do about each person not in Docket, and the period
the plan's progress text describes.

In a form they are plain fields, so they work without JavaScript:
`map-<table>-<column>` = field, `ref-<table>-<row>` = reference, `person-<key>` = "add",
"none" or "user:<id>", `email-<key>` = an e-mail address, `period` = a period id.
"""
import re
from dataclasses import dataclass, field

from app.demo.text import squash
from app.plans.transfer.mapping import FIELDS
from app.plans.transfer.rowkinds import norm

_MAP = re.compile(r"^map-(t\d{1,4})-(\d{1,3})$")
_REF = re.compile(r"^ref-(t\d{1,4})-(\d{1,6})$")
_PERSON = re.compile(r"^person-([a-z0-9]{1,60})$")
_EMAIL = re.compile(r"^email-([a-z0-9]{1,60})$")


@dataclass
class ImportOptions:
    mapping: dict = field(default_factory=dict)  # table key -> {column index: field}
    by_heading: dict = field(default_factory=dict)  # normalised heading -> field (the command's --map)
    references: dict = field(default_factory=dict)  # table key -> {row number: reference}
    people: dict = field(default_factory=dict)  # person key -> "add" / "none" / "user:<id>"
    emails: dict = field(default_factory=dict)  # person key -> e-mail address
    period_id: int | None = None
    people_default: str | None = None  # what to do about a person nobody chose for

    def overrides(self, key: str, headings: list[str]) -> dict:
        """{column index: field} for one table: the form's choices, else the command's."""
        chosen = dict(self.mapping.get(key, {}))
        for index, heading in enumerate(headings):
            wanted = self.by_heading.get(norm(heading))
            if wanted and index not in chosen:
                chosen[index] = wanted
        return chosen

    @property
    def empty(self) -> bool:
        return not (self.mapping or self.by_heading or self.references or self.people or self.emails
                    or self.period_id)


def field_named(text: str) -> str | None:
    """A field by its key or its label, loosely: "due", "Due date (by when)", "owner"."""
    wanted = norm(text)
    if not wanted:
        return None
    for name, label in FIELDS.items():
        if wanted in (norm(name), norm(label), norm(label.split("(")[0])):
            return name
    return None


def from_form(form, people_default: str | None = "add") -> ImportOptions:
    """The choices sent with a form; anything that is not one is ignored."""
    options = ImportOptions(people_default=people_default)
    for name in form.keys():
        value = squash(form.get(name, ""))[:254]
        if match := _MAP.match(name):
            if value in FIELDS or re.fullmatch(r"result:\d{4}/\d{2}", value):
                options.mapping.setdefault(match.group(1), {})[int(match.group(2))] = value
        elif match := _REF.match(name):
            if value:
                options.references.setdefault(match.group(1), {})[int(match.group(2))] = value[:40]
        elif match := _PERSON.match(name):
            if value == "match":  # the person chosen in the select beside the radios ("match": not chosen yet)
                value = squash(form.get(f"match-{match.group(1)}", "")) or "match"
            if value in ("add", "none", "match") or re.fullmatch(r"user:\d{1,9}", value):
                options.people[match.group(1)] = value
        elif match := _EMAIL.match(name):
            if value:
                options.emails[match.group(1)] = value
    period = form.get("period", "")
    if str(period).isdigit():
        options.period_id = int(period)
    return options


def hidden_fields(options: ImportOptions) -> list[tuple[str, str]]:
    """The choices as (name, value) pairs, for hidden fields of the next form."""
    out = []
    for key, columns in sorted(options.mapping.items()):
        out += [(f"map-{key}-{index}", value) for index, value in sorted(columns.items())]
    for key, rows in sorted(options.references.items()):
        out += [(f"ref-{key}-{number}", value) for number, value in sorted(rows.items())]
    out += [(f"person-{key}", value) for key, value in sorted(options.people.items())]
    out += [(f"email-{key}", value) for key, value in sorted(options.emails.items())]
    if options.period_id:
        out.append(("period", str(options.period_id)))
    return out
