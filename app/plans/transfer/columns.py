"""Kinds of row, the headings Docket recognises for each column, and the table read from a file."""
import re
from dataclasses import dataclass, field
from app.demo.text import key, squash


KINDS = ("actions", "risks", "indicators")
NOUNS = {"actions": ("action", "actions"), "risks": ("risk", "risks"),
         "indicators": ("indicator", "indicators")}
KIND_TITLES = {"actions": "Actions", "risks": "Risks", "indicators": "Performance indicators"}
SHEET_NAMES = {"actions": "Actions", "risks": "Risks", "indicators": "Indicators"}
# plan fields, current position and export (issue 13): sheets the export writes for the record that
# an import does not read (each period's updates and values: app/plans/transfer/export.py)
EXPORT_ONLY_SHEETS = ("Updates",)
MAX_ROWS = 5_000
MAX_BYTES = 10 * 1024 * 1024  # 10 MB, for a file or a paste
HEADER_SEARCH_ROWS = 20  # the header row may have a title or guidance above it
DATE_FORMAT = "%d/%m/%Y"


class TransferError(Exception):
    """A file or paste that cannot be read, or an import that cannot be stored. The message
    says why in plain English."""


class StalePreview(TransferError):
    """The plan changed after the preview was made."""


# --- cells: formula neutralisation ------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unescape_cell(text: str) -> str:
    """Remove the apostrophe the exporter put before a cell that would be a formula."""
    if len(text) > 1 and text[0] == "'" and (text[1] in FORMULA_STARTS or text[1] == "'"):
        return text[1:]
    return text


def escape_cell(text: str) -> str:
    """Put an apostrophe before a cell a spreadsheet would run as a formula. `unescape_cell`
    undoes exactly this, so every text survives an export and an import unchanged."""
    if text and (text[0] in FORMULA_STARTS or unescape_cell(text) != text):
        return "'" + text
    return text


# --- columns ---------------------------------------------------------------------------------

def _norm(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key(heading))


@dataclass(frozen=True)
class Column:
    name: str  # key of the column: "due"
    heading: str  # the council's heading, used in the template and the export
    aliases: tuple = ()
    attrs: tuple = ()  # the model attributes the column sets

    def matches(self, heading: str) -> bool:
        forms = {_norm(heading), _norm(re.sub(r"\([^)]*\)", " ", heading))}
        return bool(forms & {_norm(h) for h in (self.heading, *self.aliases)})


_REFERENCE = ("Reference", "Ref", "Ref ID", "Ref No", "Reference number", "Reference No", "ID")
_OFFICER = ("Accountable officer", "Responsible officer", "Officer", "Owner", "Lead officer", "Lead",
            "Accountable")

COLUMNS = {
    "actions": [
        Column("reference", "Reference ID", _REFERENCE, ("reference",)),
        Column("theme", "Priority Theme", ("Theme", "Priority", "Priority themes"), ("theme",)),
        Column("title", "Action", ("Actions", "Action description", "Action text", "Description"), ("title",)),
        Column("type", "Business As Usual or Major Project",
               ("Business As Usual (state if statutory) or Major Project", "Business As Usual",
                "Type", "Action type", "Type of action"),
               ("action_type", "statutory", "type_note")),
        Column("owner", "Accountable officer", _OFFICER, ("owner",)),
        Column("due", "Completed by date",
               ("Completed by", "Complete by", "Completion date", "Due date", "Due", "Due by", "Deadline",
                "Date", "Target date"),
               ("due_on", "status")),
        Column("milestones", "Milestones / Deliverables",
               ("Milestones", "Deliverables", "Milestones and deliverables", "Milestones & deliverables"),
               ("milestones",)),
        # plan fields, current position and export (issue 13): new columns at the end, so the template's
        # first columns stay where they were
        Column("group_title", "Group", ("Sub-heading", "Subheading", "Grouping", "Workstream"), ("group_title",)),
        Column("partners", "Partners", ("Other agency lead", "Other agency leads", "Partner agencies",
                                        "Other agencies"), ("partners",)),
        Column("timing", "Timing", ("By when as written", "Timing as written"), ("timing",)),
    ],
    "risks": [
        Column("reference", "Reference ID", _REFERENCE, ("reference",)),
        Column("description", "Risk", ("Risks", "Risk description", "Description of risk"), ("description",)),
        Column("rag", "Rating (RAG)", ("RAG", "Rating", "RAG rating", "RAG status", "Risk rating"), ("rag",)),
        Column("mitigations", "Actions to Mitigate and Correct",
               ("Mitigations", "Mitigation", "Actions to mitigate", "Mitigating actions", "Controls"),
               ("mitigations",)),
        Column("owner", "Responsible Officer", _OFFICER, ("owner",)),
    ],
    "indicators": [
        Column("reference", "Reference ID", _REFERENCE, ("reference",)),
        Column("description", "Indicator Description",
               ("Indicator", "Indicators", "Description", "Measure", "Indicator name", "KPI", "Performance indicator"),
               ("description",)),
        Column("polarity", "Polarity", (), ("polarity",)),
        Column("direction", "Latest Direction of Travel",
               ("Direction of Travel", "Direction", "DoT", "Latest direction"), ("direction",)),
        Column("owner", "Responsible Officer", _OFFICER, ("owner",)),
        Column("include", "Include", ("Included", "Include?"), ("include",)),
        Column("group", "Group", ("Indicator group", "Section", "Category"), ("group_name",)),
        Column("unit", "Unit", ("Units",), ("unit",)),
        Column("target", "Target", (), ("target",)),
        Column("frequency", "Collection Frequency", ("Frequency", "How often"), ("frequency",)),
        # plan fields, current position and export (issue 13)
        Column("target_text", "Target as written", ("Target text", "Target (as written)"), ("target_text",)),
        Column("comparator", "Comparator", ("Similar authorities", "Comparator authorities", "Statistical neighbours",
                                            "Comparator benchmark"), ("benchmark_comparator",)),
        Column("national", "National benchmark", ("National", "England average"), ("benchmark_national",)),
        Column("regional", "Regional benchmark", ("Regional", "Regional average"), ("benchmark_regional",)),
        Column("target_rationale", "Target rationale", ("Rationale", "Why this target"), ("target_rationale",)),
        Column("comments", "Comments", ("Comment", "Notes"), ("comments",)),
    ],
}
# Without these columns a row of the kind cannot be stored (or found).
REQUIRED_COLUMNS = {"actions": ("reference", "title"), "risks": ("description",), "indicators": ("description",)}
# "2015/16 Result", "2015-16 Results", "2015/2016"
RESULT_HEADING = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})(?:\s+results?)?\s*$", re.IGNORECASE)
SHEET_KINDS = {
    "actions": {"actions", "action", "table31", "actionplan"},
    "risks": {"risks", "risk", "riskmanagement", "riskregister", "table32"},
    "indicators": {"indicators", "indicator", "performanceindicators", "kpis", "kpi", "pis", "performance",
                   "table33"},
}

ATTR_LABELS = {
    "reference": "Reference ID", "theme": "Priority theme", "title": "Action", "action_type": "Type",
    "statutory": "Statutory", "type_note": "Type wording", "owner": "Officer", "due_on": "Completed by date",
    "status": "Status", "milestones": "Milestones", "description": "Description", "rag": "Rating (RAG)",
    "mitigations": "Actions to mitigate and correct", "polarity": "Polarity",
    "direction": "Latest direction of travel", "include": "Include", "group_name": "Group", "unit": "Unit",
    "target": "Target", "frequency": "Collection frequency", "results": "Results",
    # plan fields, current position and export (issue 13)
    "group_title": "Group", "partners": "Partners", "timing": "Timing", "target_text": "Target as written",
    "benchmark_comparator": "Comparator", "benchmark_national": "National benchmark",
    "benchmark_regional": "Regional benchmark", "target_rationale": "Target rationale", "comments": "Comments",
}


def result_label(heading: str) -> str | None:
    """"2015/16 Result" → "2015/16"; None for any other heading."""
    match = RESULT_HEADING.match(heading or "")
    if not match:
        return None
    first, second = match.groups()
    return f"{first}/{second[-2:]}"


def result_heading(label: str) -> str:
    return f"{label} Result"


def map_headings(kind: str, cells: list[str]) -> tuple[dict[int, str], list[str]]:
    """Which column of the row is which: {index: column name or "result:<label>"}, and the
    headings that mean nothing to Docket (ignored). A repeated heading is ignored."""
    found: dict[int, str] = {}
    ignored = []
    for index, heading in enumerate(cells):
        if not squash(heading):
            continue
        name = None
        if kind == "indicators" and result_label(heading):
            name = "result:" + result_label(heading)
        else:
            name = next((c.name for c in COLUMNS[kind] if c.matches(heading)), None)
        if name is None or name in found.values():
            ignored.append(squash(heading))
        else:
            found[index] = name
    return found, ignored


# --- reading ---------------------------------------------------------------------------------

@dataclass
class SourceTable:
    """One table read from a file or paste: which kind it holds and its rows as text."""

    kind: str
    source: str  # "sheet 'Actions'", "the file", "the pasted table"
    headings: list[str]  # as written
    columns: dict[int, str]  # index -> column name ("due", "result:2015/16")
    rows: list[tuple[int, list[str]]]  # (row number as the person sees it, cells)
    ignored_columns: list[str] = field(default_factory=list)
    # A council's own table (app/plans/transfer/shapes.py) is read leniently: words in a date
    # column are timing text, a target may be text. These say what its rows hold beyond cells.
    key: str = ""  # "t1", "t2"…: the table's place in the file, for the officer's mapping
    lenient: bool = False
    context: dict = field(default_factory=dict)  # row number -> {"theme", "group", "owner_hint", "reference", "title"}
    not_imported: list = field(default_factory=list)  # NotImported, cell by cell
    legend: dict = field(default_factory=dict)  # initials -> (name, job title)
    proposal: list = field(default_factory=list)  # mapping.Proposal for every column
    title: str | None = None  # the table's title row ("Targets")
    row_kinds: dict = field(default_factory=dict)  # kind of row -> how many ("sub-heading": 3)

    def heading(self, name: str) -> str:
        for index, column in self.columns.items():
            if column == name:
                return squash(self.headings[index])
        return name

    @property
    def result_labels(self) -> list[str]:
        return [c.split(":", 1)[1] for c in self.columns.values() if c.startswith("result:")]


@dataclass
class NotImported:
    """A source cell that lands in no field, with where it was and why."""

    source: str  # "table 2 of the document"
    row: int
    column: str  # the heading as written, or "Column 3"
    text: str
    reason: str


@dataclass
class ReadResult:
    tables: list[SourceTable]
    ignored_sheets: list[str] = field(default_factory=list)
    not_imported: list = field(default_factory=list)  # NotImported outside any table that is read
