"""Which column of a council's own table is which field: proposed from the headings and,
where a heading says nothing Docket knows, from what the column holds; changed by the
officer before the preview (`overrides`: {column index: field}).

The fields are one list for every kind of table (the officer's select offers them all);
the table's kind follows from its main field: an Action makes a table of actions, a
Measure one of indicators, a Risk one of risks. A column whose field is not one of its
kind's, or is "Do not import", is listed cell by cell under "Not imported".
"""
import re
from dataclasses import dataclass

from app.demo.text import squash
from app.plans.transfer.columns import result_label
from app.plans.transfer.rowkinds import norm, strip_marks

FIELDS = {
    "skip": "Do not import",
    "reference": "Reference",
    "theme": "Priority theme",
    "group": "Sub-heading (group)",
    "action": "Action",
    "type": "Type of action",
    "owner": "Owner (lead officer)",
    "due": "Due date (by when)",
    "milestones": "Milestones",
    "partners": "Partners (other agency leads)",
    "progress": "Progress",
    "key_actions": "Key actions remaining",
    "next_focus": "Next focus",
    "corrective": "Corrective action",
    "rag": "RAG rating",
    "measure": "Measure (indicator)",
    "target": "Target",
    "comparator": "Comparator (benchmark)",
    "previous": "Previous result (outturn)",
    "actual": "Actual (latest result)",
    "unit": "Unit",
    "polarity": "Polarity",
    "frequency": "Collection frequency",
    "direction": "Direction of travel",
    "include": "Include",
    "comments": "Comments",
    "risk": "Risk",
    "mitigations": "Mitigations",
    "timing": "By when (as written)",
    "target_text": "Target (as written)",
    "national": "National benchmark",
    "regional": "Regional benchmark",
    "target_rationale": "Target rationale",
}
MAIN = {"actions": "action", "indicators": "measure", "risks": "risk"}
KIND_FIELDS = {
    "actions": {"reference", "theme", "group", "action", "type", "owner", "due", "milestones", "partners", "progress",
                "key_actions", "next_focus", "corrective", "rag", "timing"},
    "indicators": {"reference", "group", "measure", "owner", "target", "comparator", "previous", "actual", "unit",
                   "polarity", "frequency", "direction", "include", "comments", "target_text", "national", "regional",
                   "target_rationale"},
    "risks": {"reference", "risk", "rag", "mitigations", "owner"},
}
MULTI_LINE = {"partners", "milestones", "progress", "key_actions", "next_focus", "corrective", "comments", "action",
              "measure", "risk", "mitigations"}

# (field, aliases compared with the whole heading, aliases found inside it), most particular first
_HEADINGS = [
    ("key_actions", (), ("keyactionsremaining", "actionsremaining", "nextsteps")),
    ("next_focus", ("focus",), ("focusfornext", "areasoffocus", "nextfocus", "focusnext")),
    ("corrective", (), ("correctiveaction",)),
    ("partners", ("partners", "partner"), ("otheragency", "partnerlead", "supportedby", "otherlead", "agencies",
                                           "partnerorganisation", "contributors")),
    ("type", ("type",), ("typeofaction", "actiontype", "businessasusual", "majorproject")),
    ("due", ("when", "due", "date", "by", "timing", "timeline"),
     ("bywhen", "deadline", "duedate", "timescale", "targetdate", "completiondate", "completedby", "completeby",
      "dateforcompletion", "enddate")),
    ("target_rationale", ("rationale",), ("targetrationale", "whythistarget")),
    ("target_text", (), ("targetaswritten", "targettext")),
    ("timing", (), ("timingaswritten", "bywhenaswritten")),
    ("national", ("national",), ("nationalbenchmark", "englandaverage", "nationalaverage")),
    ("regional", ("regional",), ("regionalbenchmark", "regionalaverage")),
    ("previous", (), ("outturn", "lastyear", "previousyear", "previousresult", "baseline", "prioryear")),
    ("comparator", (), ("comparator", "similarauthorit", "statisticalneighbour", "benchmark", "comparison",
                        "neighbours")),
    ("actual", ("current",), ("actual", "latest", "asat", "currentperformance", "performancetodate")),
    ("target", (), ("target",)),
    ("progress", ("position", "update", "status update"), ("progress", "currentposition", "commentary", "update")),
    ("comments", (), ("comment", "notes", "remarks")),
    ("rag", ("rag", "rating", "ragstatus", "ragrating", "status"), ("ragrating", "ragstatus")),
    ("mitigations", (), ("mitigat", "controls")),
    ("risk", ("risk", "risks"), ("riskdescription", "descriptionofrisk")),
    ("measure", ("pi", "measure", "measures", "indicator", "indicators"),
     ("measure", "indicator", "kpi")),
    ("milestones", ("milestone", "milestones", "deliverables", "deliverable"), ("milestonesdeliverables",)),
    ("action", ("actions", "action", "task", "tasks", "activity", "activities"),
     ("action", "mustdo", "whatwewilldo", "keytask", "commitment", "howwewill")),
    ("owner", ("who", "lead", "leads", "owner", "officer", "initials", "contact"),
     ("lead", "owner", "responsible", "accountable", "officer", "headofservice")),
    ("reference", ("ref", "reference", "id", "no", "number", "code", "refno", "refid", "referenceid"), ("reference",)),
    ("theme", ("theme", "priority", "objective", "outcome", "aim"),
     ("theme", "servicepriority", "priorityarea", "strategicpriority", "objective", "outcome")),
    ("unit", ("unit", "units"), ()),
    ("polarity", ("polarity",), ()),
    ("frequency", (), ("frequency", "howoften")),
    ("direction", ("dot",), ("direction",)),
    ("include", ("include", "included"), ()),
    ("group", ("group", "section", "category", "subheading"), ()),
]


_NORMED_HEADINGS = [(name, frozenset(norm(e) for e in exact), inside) for name, exact, inside in _HEADINGS]


def heading_field(heading: str) -> str | None:
    """The field a heading names, or None. "2018/19 Result" is a yearly result."""
    written = strip_marks(re.sub(r"\([^)]*\)", " ", heading or "")) or strip_marks(heading)
    if result_label(written):
        return "result:" + result_label(written)
    whole = norm(written)
    if not whole:
        return None
    for name, exact, inside in _NORMED_HEADINGS:
        if whole in exact or any(part in whole for part in inside):
            return name
    return None


_INITIALS = re.compile(r"^[A-Z]{2,4}(?:\s*(?:[/,&+]|and)\s*[A-Z]{2,4})*$")
_NUMBERISH = re.compile(r"^[£$]?\s*-?[\d,]+(?:\.\d+)?\s*(?:%|m|k|bn)?\.?(?:\s*\(.*\))?$", re.IGNORECASE)
_DATEISH = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b(?:ongoing|monthly|termly|quarterly|annually|weekly|"
                      r"completed?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)


def content_field(values: list[str]) -> str | None:
    """What a column holds, judged from its cells, when its heading says nothing Docket knows."""
    values = [strip_marks(v) for v in values if squash(v)][:60]
    if not values:
        return None
    share = lambda test: sum(1 for v in values if test(v)) / len(values)  # noqa: E731
    if share(lambda v: _INITIALS.match(v)) >= 0.6:
        return "owner"
    if share(lambda v: len(v) <= 60 and _DATEISH.search(v)) >= 0.6:
        return "due"
    if share(lambda v: _NUMBERISH.match(v)) >= 0.6:
        return "number"
    if sum(len(v) for v in values) / len(values) >= 40:
        return "text"
    return None


@dataclass
class Proposal:
    index: int
    heading: str
    field: str  # a key of FIELDS, or "result:<label>"
    reason: str  # "from its heading", "from what it holds", "chosen by you"


def propose(headings: list[str], columns: list[list[str]], hint: str | None) -> tuple[str, list[Proposal]]:
    """The kind of table and a field for every column that has a heading or a value."""
    found: dict[int, tuple[str, str]] = {}
    used: set[str] = set()
    for index, heading in enumerate(headings):
        name = heading_field(heading)
        if name and name not in used:
            found[index] = (name, "from its heading")
            used.add(name)
    texty = []
    numbers = []
    for index in range(max(len(headings), len(columns))):
        if index in found:
            continue
        values = columns[index] if index < len(columns) else []
        guess = content_field(values)
        if guess in ("owner", "due") and guess not in used:
            found[index] = (guess, "from what it holds")
            used.add(guess)
        elif guess == "text":
            texty.append((sum(len(v) for v in values), index))
        elif guess == "number":
            numbers.append(index)
    mains = set(MAIN.values())
    if not used & mains:
        milestone = next((i for i, (n, _) in found.items() if n == "milestones"), None)
        if milestone is not None and "measure" not in used:
            found[milestone] = ("action", "from its heading")
            used.add("action")
        elif texty:
            _, index = max(texty)
            texty.remove(max(texty))
            wanted = "measure" if hint == "indicators" or used & {"target", "comparator", "previous", "actual"} \
                else ("risk" if hint == "risks" else "action")
            found[index] = (wanted, "from what it holds")
            used.add(wanted)
    kind = kind_of({n for n, _ in found.values()}, hint)
    for _, index in sorted(texty, reverse=True):
        if kind == "actions" and "progress" not in used:
            found[index] = ("progress", "from what it holds")
            used.add("progress")
    if kind == "indicators":
        for index in numbers:
            for wanted in ("target", "actual"):
                if wanted not in used:
                    found[index] = (wanted, "from what it holds")
                    used.add(wanted)
                    break
    out = []
    for index in range(max(len(headings), len(columns))):
        heading = squash(headings[index]) if index < len(headings) else ""
        has_values = index < len(columns) and any(squash(v) for v in columns[index])
        if not heading and not has_values:
            continue
        name, reason = found.get(index, ("skip", "Docket could not tell what it holds"))
        out.append(Proposal(index, heading or f"Column {index + 1}", name, reason))
    return kind, out


def kind_of(fields: set[str], hint: str | None = None) -> str:
    if "action" in fields:
        return "actions"
    if "measure" in fields:
        return "indicators"
    if "risk" in fields:
        return "risks"
    if fields & {"target", "comparator", "previous", "actual"} or any(f.startswith("result:") for f in fields):
        return "indicators"
    return hint or "actions"


def column_name(kind: str, field: str) -> str | None:
    """The preview's column name for a field in a table of this kind; None if it has no place."""
    if field == "skip":
        return None
    if field.startswith("result:"):
        return field if kind == "indicators" else None
    if field not in KIND_FIELDS[kind]:
        return None
    return {"action": "title", "measure": "description", "risk": "description"}.get(field, field)


def field_of(kind: str, column: str) -> str:
    """The inverse of `column_name`: the select's value for a column of the table."""
    if column == "title":
        return "action"
    if column == "group_title":
        return "group"
    if column == "description":
        return "measure" if kind == "indicators" else "risk"
    return column


def choices(proposal: Proposal, result_labels: list[str] = ()) -> list[tuple[str, str]]:
    """The options of one column's select: every field, its own yearly result where it has one."""
    out = list(FIELDS.items())
    if proposal.field.startswith("result:"):
        out.insert(1, (proposal.field, f"Result for {proposal.field.split(':', 1)[1]}"))
    return out
