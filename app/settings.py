"""The council's settings: its name and the standard texts that belong to the council, not to code.

Stored in the database (`CouncilSetting`, one row a key that has been set) and edited by
administrators at /admin/settings. A key without a row has its default: the council's name
falls back to the `COUNCIL_NAME` configuration, the texts to the wording below.

All settings are read together, once per request at most (one small query), and kept in `g`
and in app/cache.py's store until the trail moves.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from app.cache import UntilChanged
from app.extensions import db

# The settings' own store (app/cache.py's rule: kept until the trail moves), apart from the
# figures' store so that they do not share its size or its counts.
_kept = UntilChanged()

CONTACT_OFFICER = (
    "For more information about any of the following please contact the Democracy Officer responsible for "
    "servicing this meeting:\n"
    "- Registering to speak\n"
    "- Business of the meeting\n"
    "- Any special arrangements\n"
    "- Copies of reports and\n"
    "- For receiving reports in other formats\n"
    "Contact details are set out above.")
CONTACT_GENERAL = (
    "For more information about registering to speak, the business of the meeting, any special arrangements, "
    "copies of reports or reports in other formats, please contact Democratic Services at {council}.")
DECLARATIONS = ("At this point, Members are asked to declare:\n"
                "- any personal interests not included on the Register of Interests\n"
                "- any prejudicial interests or\n"
                "- any disclosable pecuniary interests\n"
                "which they may have in respect of business on this agenda")
URGENT = "Any other business which the Chair considers urgent under the Local Government Act 1972."
FILMING = ("Filming, recording or webcasting meetings: please note that, subject to available resources, this "
           "meeting will be filmed for live or subsequent broadcast on the council's website. Residents are "
           "welcome to photograph, film or record the meeting, as long as this does not disrupt it.")
OTHER_FORMATS = ("This information can be provided in other formats, such as large print, Braille or audio, "
                 "on request: please contact the officer named above.")
LANGUAGES = "This information can be provided in your own language."
OFFICER_TITLES = ("Democracy Officer", "Democratic Services Officer")


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    hint: str
    default: str | None  # None: the COUNCIL_NAME configuration
    multiline: bool = True
    max_length: int = 2000
    choices: tuple[tuple[str, str], ...] | None = None  # (value, label): one of them, chosen from a list


SETTINGS = [
    Setting("council_name", "Council's name",
            "Shown in the header and title of every page, in e-mails and on agenda packs.", None,
            multiline=False, max_length=200),
    Setting("front_sheet_contact", "Agenda front sheet: contacting the Democracy Officer",
            "Printed at the foot of an agenda's front sheet, under the Democracy Officer's contact details. "
            'Start a line with "- " for a bullet point.', CONTACT_OFFICER),
    Setting("front_sheet_contact_general", "Agenda front sheet: when the committee has no Democracy Officer",
            "Printed instead when the committee has no Democracy Officer's details. {council} is replaced by the "
            "council's name.", CONTACT_GENERAL),
    # --- the clerk's editing tools and the pack (issue 14): the front sheet's conventions
    Setting("front_sheet_numbered", "Agenda front sheet: page numbers",
            "Many councils number their packs from the first paper, leaving the front sheet unnumbered.", "yes",
            multiline=False, max_length=10, choices=(("yes", "Number the front sheet: page 1 is the front sheet"),
                     ("no", "Do not number the front sheet: page 1 is the first paper"))),
    Setting("front_sheet_officer_title", "Agenda front sheet: the officer's title",
            "How the committee's clerk is named on the front sheet.", OFFICER_TITLES[0],
            multiline=False, max_length=60, choices=tuple((t, t) for t in OFFICER_TITLES)),
    Setting("front_sheet_filming", "Agenda front sheet: filming and webcasting",
            "Printed at the foot of the front sheet. Leave empty for the standard wording.", FILMING),
    Setting("front_sheet_other_formats", "Agenda front sheet: information in other formats",
            "Printed at the foot of the front sheet. Leave empty for the standard wording.", OTHER_FORMATS),
    Setting("front_sheet_languages", "Agenda front sheet: the language line",
            "Printed at the foot of the front sheet. Leave empty for the standard wording.", LANGUAGES),
    Setting("declarations_text", "Declarations of Interest: the standard wording",
            "Put under the Declarations of Interest item of every new agenda.", DECLARATIONS),
    Setting("urgent_business_text", "Urgent Business: the standard wording",
            "Put under the Urgent Business item of every new agenda.", URGENT),
]
BY_KEY = {s.key: s for s in SETTINGS}


class SettingsError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def default_of(key: str) -> str:
    setting = BY_KEY[key]
    if setting.default is not None:
        return setting.default
    return (current_app.config.get("COUNCIL_NAME") if has_app_context() else None) or "Example Council"


def _stored() -> dict[str, str]:
    """Every stored value, by key: one query at most, kept for the rest of the request (or app
    context), and between requests until anything is recorded on the trail (app/cache.py: every
    change of a setting is), so a page that already asks where the trail is costs nothing more."""
    from app.models import CouncilSetting

    if has_app_context() and "docket_settings" in g:
        return g.docket_settings

    def read():
        return dict(db.session.execute(sa.select(CouncilSetting.key, CouncilSetting.value)).all())

    rows = _kept.get("council_settings", read) if has_app_context() else read()
    if has_app_context():
        g.docket_settings = rows
    return rows


def setting(key: str) -> str:
    """The value in force: the stored one, or the default."""
    if key not in BY_KEY:
        raise KeyError(key)
    value = _stored().get(key)
    return value if value not in (None, "") else default_of(key)


def council_name() -> str:
    """Every page shows it: signing the person in reads it with them (`council_name_column`),
    so that it costs no query of its own."""
    if has_app_context() and "docket_settings" not in g and "docket_council_name" in g:
        value = g.docket_council_name
        return value if value not in (None, "") else default_of("council_name")
    return setting("council_name")


def council_name_column():
    """The stored council name as a column of another query (None when it is not set)."""
    from app.models import CouncilSetting

    return sa.select(CouncilSetting.value).where(CouncilSetting.key == "council_name").scalar_subquery()


def remember_council_name(value: str | None) -> None:
    if has_app_context():
        g.docket_council_name = value


def all_settings() -> dict[str, str]:
    return {s.key: setting(s.key) for s in SETTINGS}


FRONT_SHEET_KEYS = ("front_sheet_contact", "front_sheet_contact_general", "front_sheet_numbered",
                    "front_sheet_officer_title", "front_sheet_filming", "front_sheet_other_formats",
                    "front_sheet_languages")


def front_sheet_texts() -> dict[str, str]:
    """The statements and conventions an agenda pack's front sheet follows, as set now."""
    return {key: setting(key) for key in FRONT_SHEET_KEYS}


def front_sheet_defaults() -> dict[str, str]:
    """The standard wording of each front-sheet setting (for a pack built without settings)."""
    return {key: BY_KEY[key].default for key in FRONT_SHEET_KEYS}


def save_settings(values: dict[str, str], actor=None) -> dict[str, list]:
    """Store the settings given (key -> text); returns the changes by label, old -> new, recorded
    on the trail in the same transaction. The caller commits. A value equal to its default is
    stored as the default (no row), so that a later change of default reaches it."""
    from app.models import CouncilSetting
    from app.trail import record

    current = all_settings()
    changes: dict[str, list] = {}
    for key, raw in values.items():
        item = BY_KEY[key]
        value = (raw or "").replace("\r\n", "\n").strip()
        if not item.multiline:
            value = " ".join(value.split())
        if not value and key == "council_name":
            raise SettingsError("Enter the council's name", key)
        if item.choices and value and value not in {c for c, _ in item.choices}:
            raise SettingsError(f"Choose one of the answers for {item.label[0].lower()}{item.label[1:]}", key)
        if len(value) > item.max_length:
            raise SettingsError(f"{item.label} must be {item.max_length} characters or fewer", key)
        if not value:
            value = default_of(key)
        if value == current[key]:
            continue
        changes[item.label] = [current[key], value]
        row = db.session.scalar(sa.select(CouncilSetting).where(CouncilSetting.key == key))
        if value == default_of(key):
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(CouncilSetting(key=key, value=value))
        else:
            row.value = value
    if changes:
        db.session.flush()
        record("settings_edited", None, actor=actor, object_type="council_setting", data={"changes": changes})
        if has_app_context():
            g.pop("docket_settings", None)
            g.pop("docket_council_name", None)
    return changes


def register(app) -> None:
    """Templates call `council_name()`: the query runs only on a page that shows it."""

    @app.context_processor
    def inject_council_name():
        return {"council_name": council_name}
