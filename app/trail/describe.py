"""Trail events as sentences a person reads: "Marcus Bell signed off CSS005 Q1 2019/20".

`describe(events)` turns a list of TrailEvent rows into `Described` items: who acted, the
sentence (as pieces, the object's name linked to its page), and the event's details as
readable "label: value" lines — never the raw JSON. Every verb Docket records has its own
sentence in PHRASES; a verb added later without one is described from its ending
("service_retired" → "retired the service Highways"), and anything else as
"Sam Ellery: service retired — Highways". Object names are loaded for all the events at once
(app/trail/labels.py: one query).
"""
import json
import string
from dataclasses import dataclass, field
from datetime import date

from app.models import AgendaState, PeriodState, ReportState, Role, ScopeKind, TrailEvent, UpdateState
from app.trail.labels import ObjectLabel, load_labels, noun

SYSTEM = "Docket (system)"

# verb -> the sentence after the person's name. {obj} is the object (linked to its page);
# other {names} are keys of the event's data. A callable gets (event, data) and returns one.
PHRASES = {
    # progress updates and indicator values (app/updates/service.py)
    "update_drafted": "started writing {obj}",
    "update_submitted": "submitted {obj} for sign-off",
    "update_resubmitted": "resubmitted {obj} for sign-off",
    "update_withdrawn": "withdrew {obj} from sign-off",
    "update_returned": "returned {obj} to its owner",
    "update_signed_off": "signed off {obj}",
    "update_reopened": "reopened {obj}",
    "value_drafted": "started writing {obj}",
    "value_submitted": "submitted {obj} for sign-off",
    "value_resubmitted": "resubmitted {obj} for sign-off",
    "value_withdrawn": "withdrew {obj} from sign-off",
    "value_returned": "returned {obj} to its owner",
    "value_signed_off": "signed off {obj}",
    "value_reopened": "reopened {obj}",
    "attachment_added": "attached {filename} to {obj}",
    "attachment_removed": "removed the attachment {filename} from {obj}",
    # reporting periods and delegation
    "period_created": "added the reporting period {obj}",
    "period_opened": lambda e, d: "opened {obj}" + _for_plans(d),
    "period_opened_for_more_plans": lambda e, d: "opened {obj}" + _for_plans(d, "more "),
    "period_closed": "closed {obj}",
    "delegation_created": "delegated their sign-off to {deputy}",
    "delegation_ended": "ended the delegation of sign-off to {deputy}",
    # plans (app/plans/editing.py, transfer.py)
    "plan_created": "created the plan {obj}",
    "plan_edited": "changed the details of the plan {obj}",
    "plan_imported": "imported a spreadsheet into the plan {obj}",
    "plan_archived": "archived the plan {obj}",
    "plan_rolled_over": lambda e, d: ("rolled the plan {from} over into {obj}" if e.object_id == d.get("to_plan_id")
                                      else "rolled the plan {obj} over into {to}"),
    "theme_created": "added the priority theme {obj}",
    "theme_edited": "changed the priority theme {obj}",
    "action_created": "added the action {obj}",
    "action_edited": "changed the action {obj}",
    "milestone_created": "added the milestone {obj}",
    "milestone_edited": "changed the milestone {obj}",
    "risk_created": "added the risk {obj}",
    "risk_edited": "changed the risk {obj}",
    "indicator_created": "added the {obj}",
    "indicator_edited": "changed the {obj}",
    # people and signing in (app/users, app/auth)
    "user_created": "added {obj} to Docket",
    "user_edited": "changed the details of {obj}",
    "person_deactivated": "deactivated {obj}: they can no longer sign in",
    "person_reactivated": "reactivated {obj}",
    "person_work_reassigned": "reassigned the work of {obj}",
    "action_reassigned": "gave the action {obj} a new owner",
    "indicator_reassigned": "gave the {obj} a new owner",
    "risk_reassigned": "gave the risk {obj} a new owner",
    "committee_clerk_reassigned": "gave the committee {obj} a new clerk",
    "people_imported": "added people from a spreadsheet",
    "set_password_link_created": "made a one-time set-password link for {obj}",
    "set_password_link_used": lambda e, d: ("set their password with a one-time link" if e.actor_id == e.object_id
                                            else "set the password of {obj} with a one-time link"),
    "directory_account_linked": "linked {obj} to their account in the council's directory",
    "directory_sign_in_refused": "refused a sign-in through the council's directory for {obj}",
    "settings_edited": "changed the council's settings",
    "role_granted": "gave {obj} the {role} role for {scope_name}",
    "role_revoked": "took the {role} role for {scope_name} away from {obj}",
    "signed_in": lambda e, d: "signed in" if e.actor_id == e.object_id else "signed in as {obj}",
    "signed_out": "signed out",
    "sign_in_failed": "recorded a failed sign-in for {obj}",
    "sign_in_throttled": "paused sign-ins for {obj} after too many failed attempts",
    "sign_in_source_throttled": "paused sign-ins from a network address after too many failed attempts",
    "password_changed": lambda e, d: ("changed their password" if e.actor_id == e.object_id
                                      else "changed the password of {obj}"),
    # committees, meetings, agendas, the work plan (app/meetings)
    "committee_edited": "changed the details of the committee {obj}",
    "meeting_created": "arranged the meeting {obj}",
    "agenda_started": "started the agenda for {obj}",
    "agenda_item_added": "added {title} to the agenda for {obj}",
    "agenda_item_moved": "moved {title} to number {to} on the agenda for {obj}",
    "agenda_item_removed": "removed {title} from the agenda for {obj}",
    "agenda_published": "published the agenda for {obj}",
    "meeting_document_added": "added a document to {obj}",
    "work_plan_item_added": "added {obj} to the committee's work plan",
    "work_plan_item_moved": "moved {obj} to another meeting in the work plan",
    "work_plan_item_linked": "linked {obj} in the work plan to a report",
    "work_plan_item_removed": "removed {title} from the committee's work plan",
    # reports (app/reports)
    "report_created": "started the report {obj}",
    "report_compiled": "compiled the figures in {obj} again",
    "report_new_version": "started a new version of {obj}",
    "report_edited": "edited {obj}",
    "report_submitted": "submitted {obj} for approval",
    "report_resubmitted": "resubmitted {obj} for approval",
    "report_approved": "approved {obj}",
    "report_returned": "returned {obj} to its author",
    "report_published": "published {obj}",
    # Docket itself
    "demo_loaded": "loaded the demonstration council",
    "trail_rekeyed": "keyed the trail again with the trail key",
}

# Verbs another part of Docket may add without a phrase here: described from their ending.
_ENDINGS = {
    "created": "created {noun}{obj}",
    "added": "added {noun}{obj}",
    "edited": "changed {noun}{obj}",
    "updated": "changed {noun}{obj}",
    "changed": "changed {noun}{obj}",
    "moved": "moved {noun}{obj}",
    "retired": "retired {noun}{obj}",
    "archived": "archived {noun}{obj}",
    "restored": "restored {noun}{obj}",
    "deactivated": "deactivated {noun}{obj}",
    "reactivated": "reactivated {noun}{obj}",
    "deleted": "deleted {noun}{obj}",
    "removed": "removed {noun}{obj}",
    "opened": "opened {noun}{obj}",
    "closed": "closed {noun}{obj}",
    "reassigned": "reassigned {noun}{obj}",
    "imported": "imported {noun}{obj}",
    "rolled_over": "rolled over {noun}{obj}",
    "sent": "sent {noun}{obj}",
}

# Readable names for the keys events keep in their data.
KEY_LABELS = {
    "updates": "Draft updates created",
    "values": "Draft indicator values created",
    "plans": "Plans",
    "ip_address": "Network address",
    "filename": "File",
    "sha256": "SHA-256 of the file",
    "email": "Email",
    "job_title": "Job title",
    "name": "Name",
    "role": "Role",
    "scope": "Scope",
    "scope_name": "For",
    "deputy": "Deputy",
    "from": "From",
    "until": "Until",
    "items": "Agenda items",
    "title": "Title",
    "to": "Position on the agenda",
    "sections": "Sections changed",
    "changed": "Changed",
    "report": "Report",
    "meeting": "Meeting",
    "source": "Source",
    "row": "Spreadsheet row",
    "themes_created": "Priority themes created",
    "content_hash": "Content hash",
    "period": "Period",
    "author": "Author",
    "events": "Events",
    "unkeyed_events": "Events without the key",
    "old_head_seq": "Last event before",
    "old_head_hash": "Its hash",
    "date": "Date",
    "created": "Created",
    "updated": "Changed",
    "reason": "Reason",
    "count": "Count",
    "owners": "People with drafts to write",
    "not submitted": "Not submitted",
    "clerk": "Clerk",
    "chair": "Chair",
    "vice_chair": "Vice-chair",
    "members": "Members",
    "director": "Corporate Director",
    "director_title": "Director's job title",
    "directorate": "Directorate",
    "service": "Service",
    "provider": "Directory",
    "method": "Signed in with",
    "expires_at": "Link valid until",
    "older_links_ended": "Older links ended",
    "head": "Head of Service",
    "to_email": "Given to",
    "moved": "Moved",
    "reference": "Reference",
    "unchanged": "Unchanged",
    "actions": "Actions",
    "milestones": "Milestones",
    "risks": "Risks",
    "indicators": "Indicators",
    "themes": "Priority themes",
}
# Keys that only say which row an event was about: not shown.
_HIDDEN_KEYS = {"report_id", "item_id", "committee_id", "user_id", "plan_id", "action_id", "from_plan_id",
                "to_plan_id"}


def _for_plans(data: dict, more: str = "") -> str:
    plans = data.get("plans")
    if isinstance(plans, list) and plans:
        return f" for {len(plans)} {more}plan{'' if len(plans) == 1 else 's'}"
    return ""

_STATES = {m.value: m.label for enum in (UpdateState, ReportState, PeriodState, AgendaState) for m in enum}
_ROLES = {m.value: m.label for m in Role}
_SCOPES = {m.value: m.label for m in ScopeKind}


def kind_label(verb: str) -> str:
    """What the trail's "kind" filter calls a verb: "update_signed_off" -> "Progress update signed off"."""
    for prefix, word in (("update_", "Progress update "), ("value_", "Indicator value ")):
        if verb.startswith(prefix):
            return word + verb[len(prefix):].replace("_", " ")
    return verb.replace("_", " ").capitalize()


def state_label(value: str | None) -> str:
    if not value:
        return ""
    return _STATES.get(value, value.replace("_", " ").capitalize())


def text_of(value, key: str | None = None) -> str:
    """Any value kept in an event's data, as text: lists and mappings flattened."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(text_of(v) for v in value) if value else "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{_plain_key(k)}: {text_of(v, k)}" for k, v in value.items()) if value else "(none)"
    if key == "role" and value in _ROLES:
        return _ROLES[value]
    if key == "scope" and value in _SCOPES:
        return _SCOPES[value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            from app.filters import uk_date

            return uk_date(date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _plain_key(key) -> str:
    key = str(key)
    return key.replace("_", " ").capitalize() if key.islower() or "_" in key else key


def _key_label(key) -> str:
    key = str(key)
    return KEY_LABELS.get(key, key.replace("_", " ").capitalize() if key.islower() or "_" in key else key)


@dataclass
class Described:
    event: TrailEvent
    who: str
    on_behalf_of: str | None
    parts: list = field(default_factory=list)  # [(text, url or None)] after the name
    details: list = field(default_factory=list)  # [(label, text)]
    object_label: str = ""
    object_url: str | None = None

    @property
    def sentence(self) -> str:
        """The whole sentence as plain text (for the CSV export and for tests)."""
        lead = self.who + (f" on behalf of {self.on_behalf_of}" if self.on_behalf_of else "")
        return lead + "".join(text for text, _ in self.parts)

    @property
    def details_text(self) -> str:
        return "\n".join(f"{label}: {text}" for label, text in self.details)


def parse_data(raw) -> dict:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {"details": str(raw)}
    return parsed if isinstance(parsed, dict) else {"details": parsed}


def _changes(data: dict) -> list[tuple[str, object, object]]:
    found = data.get("changes")
    if not isinstance(found, dict):
        return []
    return [(str(k), pair[0], pair[1]) for k, pair in found.items() if isinstance(pair, (list, tuple)) and len(pair) == 2]


def _fallback_label(event: TrailEvent, data: dict) -> str:
    """Names an object Docket no longer has (or never could load) from the event's own data."""
    for key in ("name", "title", "filename"):
        if isinstance(data.get(key), str) and data[key]:
            return data[key]
    for label, old, new in _changes(data):
        if label.lower() in ("name", "title", "reference") and (new or old):
            return str(new or old)
    if event.object_type:
        return f"{noun(event.object_type)} {event.object_id}" if event.object_id is not None else noun(event.object_type)
    return ""


def _phrase_for(event: TrailEvent, data: dict) -> str:
    """The sentence's template: the verb's own, or one from its ending; "" when there is neither."""
    phrase = PHRASES.get(event.verb)
    if callable(phrase):
        phrase = phrase(event, data)
    if phrase:
        return phrase
    verb = event.verb
    for ending, template in sorted(_ENDINGS.items(), key=lambda kv: -len(kv[0])):
        if verb.endswith("_" + ending) or verb == ending:
            prefix = verb[: -len(ending)].rstrip("_").replace("_", " ")
            if event.object_type == "user_account" or not (prefix or event.object_type):
                word = ""
            else:
                word = "the " + (prefix or noun(event.object_type)) + " "
            if event.object_id is None:  # about no one row: "changed the council setting"
                return template.replace("{noun}{obj}", word.strip() or "something")
            return template.replace("{noun}", word)
    return ""


def _renamed(event: TrailEvent, data: dict) -> str | None:
    if not event.verb.endswith("_renamed"):
        return None
    prefix = event.verb[: -len("_renamed")].replace("_", " ")
    word = "" if event.object_type == "user_account" else "the " + (prefix or noun(event.object_type)) + " "
    pairs = _changes(data)
    named = [p for p in pairs if p[0].lower() in ("name", "title")] or pairs
    if named and named[0][1]:
        return f"renamed {word}{{old_name}} to {{obj}}"
    return f"renamed {word}{{obj}}"


def _pieces(template: str, obj: ObjectLabel, values: dict) -> tuple[list, set] | None:
    """The template's pieces [(text, url)], and the data keys it used; None when a key is missing."""
    out, used = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            out.append((literal, None))
        if name is None:
            continue
        if name == "obj":
            out.append((obj.label, obj.url))
        elif name in values and values[name] not in (None, ""):
            out.append((text_of(values[name], name), None))
            used.add(name)
        else:
            return None
    return out, used


def _details(event: TrailEvent, data: dict, used: set, creation: bool) -> list[tuple[str, str]]:
    details = []
    for key, value in data.items():
        if key in used or key in _HIDDEN_KEYS:
            continue
        if key == "changes" and isinstance(value, dict):
            pairs = _changes(data)
            only_new = creation or all(old in (None, "") for _, old, _new in pairs)
            for label, old, new in pairs:
                label = label.replace("_", " ")
                label = label[:1].upper() + label[1:]
                details.append((label, text_of(new) if only_new else f"{text_of(old)} → {text_of(new)}"))
            continue
        if creation and value in (None, ""):  # a new thing's empty fields are not worth a line
            continue
        details.append((_key_label(key), text_of(value, key)))
    if event.from_state or event.to_state:
        if event.from_state and event.to_state:
            details.append(("State", f"{state_label(event.from_state)} → {state_label(event.to_state)}"))
        else:
            details.append(("State", state_label(event.to_state or event.from_state)))
    if event.comment:
        details.append(("Comment", event.comment))
    return details


def describe_one(event: TrailEvent, labels: dict) -> Described:
    data = parse_data(event.data)
    found = labels.get((event.object_type, event.object_id))
    obj = found or ObjectLabel(_fallback_label(event, data), None)
    who = event.actor_name or SYSTEM
    behalf = None
    if event.on_behalf_of_id:
        person = labels.get(("user_account", event.on_behalf_of_id))
        behalf = person.label if person else "someone no longer in Docket"
    values = dict(data)
    pairs = _changes(data)
    named = [p for p in pairs if p[0].lower() in ("name", "title")] or pairs
    if named:
        values["old_name"] = named[0][1]
    template = _renamed(event, data)
    if template is None:
        template = _phrase_for(event, data)
    result = _pieces(" " + template, obj, values) if template else None
    if result is None:  # no phrase, or the data it names is missing: the last resort
        readable = event.verb.replace("_", " ")
        parts = [(f": {readable}", None)]
        if obj.label:
            parts += [(" — ", None), (obj.label, obj.url)]
        result = (parts, set())
    parts, used = result
    used.discard("old_name")
    details = _details(event, data, used, creation=event.verb.endswith("_created"))
    return Described(event=event, who=who, on_behalf_of=behalf, parts=parts, details=details,
                     object_label=obj.label, object_url=obj.url)


def describe(events) -> list[Described]:
    """Each event described, object names loaded for them all in one query."""
    events = list(events)
    keys = {(e.object_type, e.object_id) for e in events}
    keys |= {("user_account", e.on_behalf_of_id) for e in events if e.on_behalf_of_id}
    labels = load_labels(keys)
    return [describe_one(e, labels) for e in events]
