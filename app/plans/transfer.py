"""Moving a plan's actions, risks and indicators in and out of spreadsheets.

Reading (`read_upload`, `read_paste`) turns an Excel workbook (.xlsx), a CSV file or a table
pasted from Excel or Word into `SourceTable`s: one per kind of row (actions, risks,
indicators), recognised by its headings, which are the council's own ("Reference ID",
"Accountable officer", "Rating (RAG)"…) compared loosely. `preview(plan, tables)` works out
what each row would store and whether it is new, changed (old → new) or unchanged, with
every problem on its row and column in plain English. `apply(plan, preview, actor)` stores
all the rows or none, with a trail event for each created or changed row and one for the
import, and refuses a preview that the plan has moved on from. `export_xlsx` and
`export_csv` write the plan in the same shape, so that an export imports back unchanged.

Nothing is ever deleted by an import: rows of the plan that are not in the file stay as
they are, and a column that is not in the file leaves that field alone.
"""
import csv
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.demo.loader import DIRECTIONS, POLARITIES, infer_unit, parse_action_type, parse_rag
from app.demo.text import MONTHS, key, leading_number, parse_uk_date, squash
from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Frequency,
    Indicator,
    IndicatorResult,
    Milestone,
    Plan,
    Polarity,
    PriorityTheme,
    Rag,
    Risk,
    Unit,
    User,
)
from app.concurrency import touch, who_acted
from app.forms import text_problem
from app.plans.transfer_limits import MAX_CELLS, MAX_COLUMNS, TooBig, check_table_text, check_workbook, trim_row
from app.trail import record

KINDS = ("actions", "risks", "indicators")
NOUNS = {"actions": ("action", "actions"), "risks": ("risk", "risks"),
         "indicators": ("indicator", "indicators")}
KIND_TITLES = {"actions": "Actions", "risks": "Risks", "indicators": "Performance indicators"}
SHEET_NAMES = {"actions": "Actions", "risks": "Risks", "indicators": "Indicators"}
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

    def heading(self, name: str) -> str:
        for index, column in self.columns.items():
            if column == name:
                return squash(self.headings[index])
        return name

    @property
    def result_labels(self) -> list[str]:
        return [c.split(":", 1)[1] for c in self.columns.values() if c.startswith("result:")]


@dataclass
class ReadResult:
    tables: list[SourceTable]
    ignored_sheets: list[str] = field(default_factory=list)


def _blank(cells) -> bool:
    return not any(squash(c) for c in cells)


def _kind_word(kind: str) -> str:
    return {"indicators": "performance indicators"}.get(kind, kind)


def _find_table(rows: list[tuple[int, list[str]]], source: str, kind: str | None) -> SourceTable | None:
    """The table in these rows: its header row (one of the first few), kind and data rows.

    None when no row looks like a header for any kind (or for `kind`, when given).
    """
    candidates = [kind] if kind else list(KINDS)
    seen = 0
    for position, (number, cells) in enumerate(rows):
        if _blank(cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        scored = []
        for candidate in candidates:
            columns, ignored = map_headings(candidate, cells)
            names = set(columns.values())
            if all(r in names for r in REQUIRED_COLUMNS[candidate]) and len(columns) >= 2:
                scored.append((len(columns), candidate, columns, ignored))
        if not scored:
            continue
        scored.sort(key=lambda s: -s[0])
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            raise TransferError(
                f"The headings of {source} could be for {_kind_word(scored[0][1])} or for "
                f"{_kind_word(scored[1][1])}. Choose what the table holds, or use the headings in the template."
            )
        _, found_kind, columns, ignored = scored[0]
        header = [squash(c) for c in cells]
        data = []
        for row_number, row_cells in rows[position + 1:]:
            if _blank(row_cells) or [squash(c) for c in row_cells[: len(header)]] == header:
                continue  # a blank row, or the header again (Word repeats it on every page)
            data.append((row_number, row_cells))
        return SourceTable(kind=found_kind, source=source, headings=list(cells), columns=columns, rows=data,
                           ignored_columns=ignored)
    return None


def _table_or_error(rows, source: str, kind: str | None) -> SourceTable:
    if not rows or all(_blank(cells) for _, cells in rows):
        raise TransferError(f"{source[0].upper()}{source[1:]} is empty.")
    table = _find_table(rows, source, kind)
    if table is None and kind:
        other = _find_table(rows, source, None)
        if other is not None:
            raise TransferError(
                f"The headings of {source} are for {_kind_word(other.kind)}, not {_kind_word(kind)}. "
                f"Choose {KIND_TITLES[other.kind].lower()}, or check you copied the right table."
            )
    if table is None:
        wanted = kind or "actions"
        example = ", ".join(f"“{c.heading}”" for c in COLUMNS[wanted][:4])
        raise TransferError(
            f"Docket could not find a row of column headings in {source}. The first row should be the "
            f"headings, such as {example}: download the template to see them all."
        )
    if not table.rows:
        raise TransferError(f"{source[0].upper()}{source[1:]} has headings but no rows under them.")
    return table


def _count_rows(tables: list[SourceTable]) -> None:
    total = sum(len(t.rows) for t in tables)
    if total > MAX_ROWS:
        raise TransferError(
            f"There are {total:,} rows: Docket imports up to {MAX_ROWS:,} at a time. Split the file and import it "
            "in parts."
        )


def _cell_text(value, number_format: str | None = None) -> str:
    """An Excel cell's value as the text an officer would read in it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, (int, float, Decimal)):
        if number_format and "%" in number_format:
            places = len(number_format.split(".", 1)[1].split("%")[0]) if "." in number_format else 0
            return f"{Decimal(repr(value)) * 100:.{places}f}%"
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value))
            return format(Decimal(repr(value)), "f")
        return str(value)
    return unescape_cell(str(value))


def _sheet_kind(name: str) -> str | None:
    wanted = _norm(name)
    return next((kind for kind, names in SHEET_KINDS.items() if wanted in names), None)


def read_xlsx(data: bytes, kind: str | None = None) -> ReadResult:
    """Every sheet of the workbook that holds actions, risks or indicators: chosen by its
    name ("Actions", "Risk Management"…) or, failing that, by its headings."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TransferError("Docket could not open this file as an Excel workbook. Save it from Excel as an "
                            "Excel Workbook (.xlsx) or as CSV, and try again.") from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        if "word/document.xml" in names:
            raise TransferError("This is a Word document, not a spreadsheet. Copy the table from Word and paste it "
                                "into the box instead.")
        raise TransferError("This is a zip file but not an Excel workbook (.xlsx). Choose an .xlsx or .csv file.")
    try:
        check_workbook(archive)  # before openpyxl builds anything: app/plans/transfer_limits.py
    except TooBig as exc:
        raise TransferError(str(exc)) from None
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any reader failure means an unreadable workbook
        raise TransferError("Docket could not read this workbook. Open it in Excel, save it again as an Excel "
                            "Workbook (.xlsx), and try again.") from None
    tables: list[SourceTable] = []
    ignored: list[str] = []
    headed_but_empty: list[str] = []
    budget = MAX_ROWS + HEADER_SEARCH_ROWS * 3 + 1
    cells_left = MAX_CELLS
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # trust the rows, not a dimension some tools write wrongly
            rows = []
            for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1):
                texts = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
                if _blank(texts):
                    continue
                texts = trim_row(texts, number, f"sheet “{sheet.title}”")
                rows.append((number, texts))
                budget -= 1
                cells_left -= len(texts)
                if cells_left < 0:
                    raise TransferError(f"The workbook has more than {MAX_CELLS:,} cells, which is more than a plan "
                                        "has. Copy just the plan's rows and columns to a new workbook, or import it "
                                        "in parts.")
                if budget < 0:
                    raise TransferError(f"There are more than {MAX_ROWS:,} rows: Docket imports up to "
                                        f"{MAX_ROWS:,} at a time. Split the file and import it in parts.")
            source = f"sheet “{sheet.title}”"
            named = _sheet_kind(sheet.title)
            if kind and named and named != kind:
                ignored.append(sheet.title)
                continue
            table = _find_table(rows, source, kind or named) if rows else None
            if table is None and named and rows:
                _table_or_error(rows, source, kind or named)  # a sheet called "Actions" must have their headings
            if table is None:
                if _norm(sheet.title) != "guidance":
                    ignored.append(sheet.title)
            elif table.rows:
                tables.append(table)
            else:
                headed_but_empty.append(sheet.title)
    finally:
        workbook.close()
    if not tables and headed_but_empty:
        raise TransferError("The workbook has headings but no rows under them: fill in at least one row.")
    if not tables:
        what = _kind_word(kind) if kind else "actions, risks or performance indicators"
        raise TransferError(f"Docket could not find {what} in this workbook: no sheet has a row of headings it "
                            "recognises. Download the template to see the headings to use.")
    by_kind = Counter(t.kind for t in tables)
    for table_kind, count in by_kind.items():
        if count > 1:
            sheets = " and ".join(t.source for t in tables if t.kind == table_kind)
            raise TransferError(f"Both {sheets} hold {_kind_word(table_kind)}. Put them on one sheet, or import "
                                "them one at a time.")
    _count_rows(tables)
    return ReadResult(tables=sorted(tables, key=lambda t: KINDS.index(t.kind)), ignored_sheets=ignored)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Unicode Text"
    if b"\x00" in data[:8192]:
        raise TransferError("This file is not a spreadsheet Docket can read. Choose an Excel workbook (.xlsx) "
                            "or a CSV file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows saves CSV this way


def _delimited_rows(text: str, delimiter: str | None = None,
                    source: str = "the table") -> list[tuple[int, list[str]]]:
    if delimiter is None:
        first = next((line for line in text[:1_000_000].splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in (",", "\t", ";")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        check_table_text(text, delimiter, source)  # before a row is built: app/plans/transfer_limits.py
    except TooBig as exc:
        raise TransferError(str(exc)) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + HEADER_SEARCH_ROWS * 3 + 1:
                raise TransferError(f"There are more than {MAX_ROWS:,} rows: Docket imports up to {MAX_ROWS:,} "
                                    "at a time. Split the table and import it in parts.")
            rows.append((number, [unescape_cell(c) for c in trim_row(cells, number, source)]))
    except TooBig as exc:
        raise TransferError(str(exc)) from None
    except csv.Error as exc:
        raise TransferError(f"Docket could not read the table: {exc}.") from None
    return rows


def read_csv(data: bytes, kind: str | None = None) -> ReadResult:
    text = _decode(data)
    table = _table_or_error(_delimited_rows(text, source="the file"), "the file", kind)
    _count_rows([table])
    return ReadResult(tables=[table])


def read_paste(text: str, kind: str | None = None) -> ReadResult:
    """A table pasted from Excel or Word: tab-separated, the heading row first; a cell with
    line breaks arrives in double quotes (Excel's clipboard format)."""
    if not (text or "").strip():
        raise TransferError("Paste a table, with its heading row first.")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TransferError("The pasted table is larger than 10 MB. Import it in parts, or upload it as a file.")
    first = next((line for line in text[:1_000_000].splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first or "," not in first else ","
    table = _table_or_error(_delimited_rows(text, delimiter, "the pasted table"), "the pasted table", kind)
    _count_rows([table])
    return ReadResult(tables=[table])


def read_upload(filename: str, data: bytes, kind: str | None = None) -> ReadResult:
    """An uploaded file, read by what it holds (not just its name): .xlsx or CSV."""
    name = (filename or "").lower()
    if not data or not data.strip():
        raise TransferError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise TransferError("The file is larger than 10 MB. Split it, or save just the sheets to import.")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, kind)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError("This is an old-style Excel (.xls) or Word file. Open it in Excel and save it as an "
                            "Excel Workbook (.xlsx), then try again.")
    if data.startswith(b"%PDF"):
        raise TransferError("This is a PDF, which Docket cannot read. Choose an Excel workbook (.xlsx) or a CSV "
                            "file, or copy the table and paste it in.")
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise TransferError(f"{filename} is not an Excel workbook, whatever its name says. Open it in Excel and "
                            "save it as an Excel Workbook (.xlsx), then try again.")
    return read_csv(data, kind)


# --- the plan as it stands -----------------------------------------------------------------

class People:
    """Docket's people, found by exact name, job title or e-mail address (case does not matter)."""

    def __init__(self, users: list[User]):
        self.by_id = {u.id: u for u in users}
        self._email: dict[str, User] = {}
        self._named: dict[str, list[User]] = {}
        for user in users:
            self._email[key(user.email)] = user
            for text in {key(user.name), key(user.job_title)} - {""}:
                self._named.setdefault(text, []).append(user)

    @classmethod
    def load(cls) -> "People":
        return cls(db.session.scalars(sa.select(User).order_by(User.name, User.email)).all())

    def find(self, text: str) -> User:
        """The one person the text names. Raises ValueError with a message for anyone else."""
        wanted = key(text)
        if wanted in self._email:
            return self._email[wanted]
        found = self._named.get(wanted, [])
        if len(found) == 1:
            return found[0]
        if found:
            names = " or ".join(f"{u.name} ({u.email})" for u in found)
            raise ValueError(f"“{squash(text)}” could be {names}: write the person’s e-mail address instead")
        raise ValueError(f"No one in Docket is called “{squash(text)}” or has that job title or e-mail address: "
                         "check the spelling, or ask an administrator to add them under People")

    def label(self, user: User | None) -> str:
        """How the export names a person: job title if it is theirs alone, else name, else e-mail."""
        if user is None:
            return ""
        for text in (user.job_title, user.name):
            if text and self._named.get(key(text)) == [user] and key(text) not in self._email:
                return text
        return user.email

    @staticmethod
    def display(user: User | None) -> str:
        if user is None:
            return ""
        return f"{user.name} ({user.job_title})" if user.job_title else user.name


@dataclass
class PlanState:
    """Everything the import compares against, loaded once."""

    plan: Plan
    actions: list[Action]
    risks: list[Risk]
    indicators: list[Indicator]
    themes: list[PriorityTheme]
    people: People

    @classmethod
    def load(cls, plan: Plan, fresh: bool = False) -> "PlanState":
        """The plan's rows; `fresh` re-reads rows the session already holds from the database."""
        opts = {"populate_existing": True} if fresh else {}

        def rows(stmt):
            return db.session.scalars(stmt.execution_options(**opts)).all()

        actions = rows(sa.select(Action).where(Action.plan_id == plan.id).order_by(Action.reference)
                       .options(selectinload(Action.milestones), selectinload(Action.theme)))
        risks = rows(sa.select(Risk).where(Risk.plan_id == plan.id).order_by(Risk.reference))
        indicators = rows(sa.select(Indicator).where(Indicator.plan_id == plan.id)
                          .order_by(Indicator.position, Indicator.id).options(selectinload(Indicator.results)))
        themes = rows(sa.select(PriorityTheme).where(PriorityTheme.plan_id == plan.id)
                      .order_by(PriorityTheme.position, PriorityTheme.id))
        return cls(plan, actions, risks, indicators, themes, People.load())

    def objects(self, kind: str) -> list:
        return {"actions": self.actions, "risks": self.risks, "indicators": self.indicators}[kind]

    def theme_titled(self, title: str) -> PriorityTheme | None:
        wanted = key(title)
        return next((t for t in self.themes if key(t.title) == wanted), None)

    def fingerprint(self) -> str:
        """A hash of everything an import reads: any change to the plan's rows changes it."""
        state = {
            kind: [[obj.id, obj.version, snapshot(kind, obj)] for obj in sorted(self.objects(kind), key=lambda o: o.id)]
            for kind in KINDS
        }
        state["themes"] = sorted([t.id, t.title] for t in self.themes)
        text = json.dumps(state, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _milestones_of(action: Action) -> tuple:
    return tuple((m.text, m.due_on, bool(m.done)) for m in sorted(action.milestones, key=lambda m: m.position))


def snapshot(kind: str, obj) -> dict:
    """An object's importable fields, in the form `preview` parses cells into."""
    if kind == "actions":
        return {
            "reference": obj.reference, "theme": obj.theme.title if obj.theme else None, "title": obj.title,
            "action_type": obj.action_type, "statutory": bool(obj.statutory), "type_note": obj.type_note,
            "owner": obj.owner_id, "due_on": obj.due_on, "status": obj.status, "milestones": _milestones_of(obj),
        }
    if kind == "risks":
        return {"reference": obj.reference, "description": obj.description, "rag": obj.rag,
                "mitigations": obj.mitigations, "owner": obj.owner_id}
    return {
        "reference": obj.reference, "description": obj.description, "polarity": obj.polarity,
        "direction": obj.direction, "owner": obj.owner_id, "include": bool(obj.include),
        "group_name": obj.group_name, "unit": obj.unit, "target": obj.target, "frequency": obj.frequency,
        "results": {r.label: r.value_text for r in obj.results},
    }


NEW_DEFAULTS = {
    "actions": {"theme": None, "action_type": None, "statutory": False, "type_note": None, "owner": None,
                "due_on": None, "status": ActionStatus.LIVE, "milestones": ()},
    "risks": {"rag": None, "mitigations": None, "owner": None},
    "indicators": {"polarity": Polarity.NEUTRAL, "direction": None, "owner": None, "include": True,
                   "group_name": None, "unit": None, "target": None, "frequency": Frequency.QUARTERLY,
                   "results": {}},
}


# --- reading one cell -----------------------------------------------------------------------

class CellProblem(ValueError):
    pass


def _one_line(text: str) -> str | None:
    return squash(text) or None


def _lines(text: str) -> str | None:
    """Text that may run over several lines: each line trimmed, the whole trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text.split("\n")).strip() or None


_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE_SHAPES = re.compile(
    rf"(?:\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})"
    rf"|(?:{_WEEKDAYS},?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_WORDS})\.?,?\s+\d{{4}})",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_STATUS_WORDS = re.compile(r"[\s,;(-]*\b(complete|completed|withdrawn)\b[\s.)]*$", re.IGNORECASE)
_DATE_HELP = "Write dates like 31/03/2019"


def parse_date(text: str) -> date | None:
    """A date written in a cell: 31/03/2019, 31/3/19, 2019-03-31 or 31 March 2019 (the
    whole cell). None for a blank cell; CellProblem for anything else."""
    written = squash(text)
    if not written:
        return None
    iso = _ISO_DATE.fullmatch(written)
    try:
        if iso:
            return date(*(int(g) for g in iso.groups()))
        if _DATE_SHAPES.fullmatch(written):
            found = parse_uk_date(written)
            if found:
                return found
    except ValueError:
        raise CellProblem(f"“{written}” is not a date: there is no such day. "
                          f"{_DATE_HELP} (day/month/year)") from None
    raise CellProblem(f"“{written}” is not a date. {_DATE_HELP}, 2019-03-31 or 31 March 2019")


def parse_due(text: str) -> tuple[date | None, ActionStatus]:
    """"31/03/2018 Complete" → (date, Complete): the plan writes a finished action this way."""
    written = squash(text)
    status = ActionStatus.LIVE
    word = _STATUS_WORDS.search(written)
    if word:
        status = ActionStatus.WITHDRAWN if word.group(1).lower() == "withdrawn" else ActionStatus.COMPLETE
        written = written[: word.start()]
    return parse_date(written), status


def format_due(due_on: date | None, status: ActionStatus | None) -> str:
    parts = [due_on.strftime(DATE_FORMAT)] if due_on else []
    if status in (ActionStatus.COMPLETE, ActionStatus.WITHDRAWN):
        parts.append(status.label)
    return " ".join(parts)


def _choice(text: str, choices: dict, what: str, allowed: str):
    written = squash(text)
    if not written:
        return None
    found = choices.get(key(written))
    if found is None:
        raise CellProblem(f"“{written}” is not {what}: write {allowed}")
    return found


_RAG_LABELS = {key(r.label): r for r in Rag} | {key(r.value): r for r in Rag}
_UNITS = {key(u.label): u for u in Unit} | {key(u.value): u for u in Unit} | {
    "%": Unit.PERCENTAGE, "percent": Unit.PERCENTAGE, "pounds": Unit.CURRENCY, "currency": Unit.CURRENCY}
_FREQUENCIES = {key(f.label): f for f in Frequency} | {key(f.value): f for f in Frequency} | {
    "six monthly": Frequency.SIX_MONTHLY, "half-yearly": Frequency.SIX_MONTHLY, "annually": Frequency.ANNUAL,
    "yearly": Frequency.ANNUAL, "quarter": Frequency.QUARTERLY}
_INCLUDE = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}


def parse_rag_cell(text: str) -> Rag | None:
    written = squash(text)
    if not written:
        return None
    found = parse_rag(written) or _RAG_LABELS.get(key(written))
    if found is None:
        raise CellProblem(f"“{written}” is not a RAG rating: write Red, Amber, Green, Complete or Not started "
                          "(R, A or G will do)")
    return found


def parse_type(text: str) -> tuple[ActionType | None, bool, str | None]:
    written = squash(text)
    if not written:
        return None, False, None
    action_type, statutory, note = parse_action_type(written)
    if action_type is None and note:
        raise CellProblem(f"“{written}” is not a type of action Docket knows: write Business as usual, Medium "
                          "project or Major project, adding “Statutory service” if it is one")
    if note and len(note) > 300:
        raise CellProblem("The words after the type are too long: use 300 characters or fewer")
    return action_type, statutory, note


def format_type(action_type: ActionType | None, statutory: bool, note: str | None) -> str:
    """The type cell, written so that `parse_type` reads back the same three values."""
    parts = [action_type.label] if action_type else []
    if note:
        parts.append(("/ " if parts else "") + note)
    if statutory:
        parts.append("Statutory service")
    return " ".join(parts)


_DONE = re.compile(r"^\[done\]\s*", re.IGNORECASE)
_BY = re.compile(r"\s*\(by\s+([^()]*)\)\s*$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[a-z]+\.?,?\s+\d{4}",
                        re.IGNORECASE)


def parse_milestones(text: str) -> tuple:
    """One milestone per line: "[done] " at the start marks it done, " (by 31/03/2019)" at
    the end gives its date. Blank lines are skipped."""
    found = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        done = bool(_DONE.match(line))
        line = _DONE.sub("", line)
        due = None
        by = _BY.search(line)
        if by and _DATE_LIKE.search(by.group(1)):  # "(by the end of Q2)" is words, not a date
            try:
                due = parse_date(by.group(1))
            except CellProblem as exc:
                raise CellProblem(f"Milestone “{squash(line[: by.start()])[:60]}”: {exc}") from None
            line = line[: by.start()]
        line = line.strip()
        if line:
            found.append((line, due, done))
    return tuple(found)


def format_milestones(milestones: tuple) -> str:
    lines = []
    for text, due, done in milestones:
        lines.append(("[done] " if done else "") + text + (f" (by {due.strftime(DATE_FORMAT)})" if due else ""))
    return "\n".join(lines)


def parse_number(text: str) -> Decimal | None:
    written = squash(text)
    if not written:
        return None
    value = leading_number(written)
    rest = re.sub(r"^\s*-?\s*£?\s*-?\s*[\d,]*\.?\d*", "", written).strip()
    if value is None or rest not in ("", "%"):
        raise CellProblem(f"“{written}” is not a number")
    if abs(value) >= 10**14:
        raise CellProblem(f"“{written}” is too large a number")
    try:
        return value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        raise CellProblem(f"“{written}” is too large a number") from None


def format_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _limit(value: str | None, length: int, what: str) -> str | None:
    if value and len(value) > length:
        raise CellProblem(f"{what} is too long: use {length} characters or fewer")
    return value


# --- the preview --------------------------------------------------------------------------

@dataclass
class Problem:
    kind: str
    row: int
    column: str | None  # the heading as written in the file
    message: str
    anchor: str  # the id of the cell (or row) in the preview page
    table_title: str = ""

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def qualified(self) -> str:
        return f"{self.table_title} {str(self)[0].lower()}{str(self)[1:]}" if self.table_title else str(self)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowPreview:
    kind: str
    number: int
    values: dict  # attribute -> value to store (only the attributes the file sets)
    display: dict  # column name -> text shown in the preview
    status: str = "new"  # new / changed / unchanged / problem
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    target_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def anchor(self, column: str | None = None) -> str:
        base = f"{self.kind}-row-{self.number}"
        return f"{base}-{re.sub(r'[^a-z0-9]+', '-', column.lower())}" if column else base

    def problems_in(self, column: str | None) -> list[Problem]:
        return [p for p in self.problems if p.anchor == self.anchor(column)]

    @property
    def label(self) -> str:
        return self.values.get("reference") or squash(self.values.get("description") or "")[:60] or f"row {self.number}"


@dataclass
class TablePreview:
    kind: str
    source: str
    columns: list[tuple[str, str]]  # (column name, heading as written), in the file's order
    rows: list[RowPreview]
    ignored_columns: list[str]
    result_labels: list[str]

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.rows)


@dataclass
class Preview:
    plan_id: int
    tables: list[TablePreview]
    fingerprint: str
    ignored_sheets: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [p for t in self.tables for r in t.rows for p in r.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> Counter:
        total = Counter()
        for table in self.tables:
            total.update(table.counts)
        return total

    @property
    def has_changes(self) -> bool:
        counts = self.counts
        return bool(counts["new"] or counts["changed"])

    def summary(self) -> str:
        """"3 new, 1 changed, 30 unchanged, 0 with problems" """
        c = self.counts
        return f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, {c['problem']} with problems"


def _display(attr: str, value, people: People) -> str:
    if value is None or value == "" or value == ():
        return ""
    if attr == "owner":
        return People.display(people.by_id.get(value))
    if attr == "milestones":
        return format_milestones(value)
    if attr == "results":
        return "; ".join(f"{label}: {text}" for label, text in sorted(value.items()) if text)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if hasattr(value, "label"):
        return value.label
    return str(value)


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return (a or "") == (b or "")
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return (a is None) == (b is None) and (a is None or Decimal(a) == Decimal(b))
    return a == b


ONE_LINE_COLUMNS = {"reference"}  # other one-line cells (a theme, a group) have line breaks squashed


class _RowReader:
    """Reads the cells of one row into the values to store, noting each cell's problem."""

    def __init__(self, table: SourceTable, number: int, cells: list[str], people: People, title: str):
        self.table, self.number, self.people, self.title = table, number, people, title
        self.cells = {name: (cells[index] if index < len(cells) else "") for index, name in table.columns.items()}
        self.row = RowPreview(kind=table.kind, number=number, values={}, display={})

    def has(self, column: str) -> bool:
        return column in self.cells

    def problem(self, column: str | None, message: str) -> None:
        heading = self.table.heading(column) if column else None
        self.row.problems.append(Problem(kind=self.table.kind, row=self.number, column=heading, message=message,
                                         anchor=self.row.anchor(column), table_title=self.title))

    def read(self, column: str, parse, *attrs: str) -> bool:
        """Parse a column's cell into attributes; False (and a problem) if it cannot be."""
        if column not in self.cells:
            return False
        text = self.cells[column]
        # the same rule as every text box in Docket (app/forms.py): a one-line cell may not
        # break its line (the ends are trimmed first), no cell may hold other control characters
        one_line = column in ONE_LINE_COLUMNS
        problem = text_problem(text.strip() if one_line else text, self.table.heading(column), one_line)
        if problem:
            self.problem(column, problem)
            return False
        try:
            value = parse(text)
        except CellProblem as exc:
            self.problem(column, str(exc))
            return False
        if len(attrs) == 1:
            self.row.values[attrs[0]] = value
        else:
            self.row.values.update(zip(attrs, value))
        return True


def _read_row(reader: _RowReader, kind: str, group: str | None) -> None:
    """Every cell of the row, by kind."""
    people = reader.people

    def owner(text):
        if not squash(text):
            return None
        try:
            return people.find(text).id
        except ValueError as exc:
            raise CellProblem(str(exc)) from None

    def reference(text):
        return _limit(_one_line(text), 40, "The Reference ID")

    reader.read("reference", reference, "reference")
    reader.read("owner", owner, "owner")
    if kind == "actions":
        reader.read("theme", _one_line, "theme")
        reader.read("title", _lines, "title")
        reader.read("type", parse_type, "action_type", "statutory", "type_note")
        reader.read("due", parse_due, "due_on", "status")
        reader.read("milestones", parse_milestones, "milestones")
        missing = not reader.row.values.get("reference") and not reader.row.problems_in("reference")
        if missing and reader.has("reference"):
            reader.problem("reference", "Reference ID is missing: every action needs one, such as CSS013")
        if not reader.row.values.get("title") and not reader.row.problems_in("title"):
            reader.problem("title", "Action is missing: write what the action is")
    elif kind == "risks":
        reader.read("description", _lines, "description")
        reader.read("rag", parse_rag_cell, "rag")
        reader.read("mitigations", _lines, "mitigations")
        if not reader.row.values.get("description") and not reader.row.problems_in("description"):
            reader.problem("description", "Risk is missing: describe the risk")
        if not reader.row.values.get("reference") and not reader.row.problems_in("reference"):
            reader.problem("reference" if reader.has("reference") else None,
                           "Reference ID is missing: every risk needs one, such as 2224")
    else:
        reader.read("description", _lines, "description")
        reader.read("polarity", lambda t: _choice(t, POLARITIES, "a polarity", "Up is Good, Up is Bad or Neutral")
                    or Polarity.NEUTRAL, "polarity")
        reader.read("direction", lambda t: _choice(t, DIRECTIONS, "a direction of travel", "Good, Bad or Neutral"),
                    "direction")
        reader.read("include", lambda t: True if not squash(t) else _choice(t, _INCLUDE, "Y or N", "Y or N"),
                    "include")
        reader.read("group", lambda t: _limit(_one_line(t), 200, "The group"), "group_name")
        reader.read("unit", lambda t: _choice(t, _UNITS, "a unit", "Number, Percentage, Count or £"), "unit")
        reader.read("target", parse_number, "target")
        reader.read("frequency", lambda t: _choice(t, _FREQUENCIES, "a collection frequency",
                                                   "Monthly, Quarterly, Six-monthly or Annual")
                    or Frequency.QUARTERLY, "frequency")
        results = {}
        for label in reader.table.result_labels:
            text = squash(reader.cells.get("result:" + label, "")) or None
            problem = text_problem(text, reader.table.heading("result:" + label), one_line=True)
            if problem:
                reader.problem("result:" + label, problem)
            elif text and len(text) > 100:
                reader.problem("result:" + label, "The result is too long: use 100 characters or fewer")
            results[label] = text
        if results:
            reader.row.values["results"] = results
        if not reader.has("group") and group:
            reader.row.values["group_name"] = group
        if not reader.row.values.get("description") and not reader.row.problems_in("description"):
            reader.problem("description", "Indicator Description is missing: write what the indicator measures")
        if reader.has("unit") and reader.row.values.get("unit") is None and not reader.row.problems_in("unit"):
            reader.row.values["unit"] = infer_unit(reader.row.values.get("description") or "",
                                                   [t for t in results.values() if t])


def _is_group_heading(table: SourceTable, cells: list[str]) -> str | None:
    """An indicators table may have group headings ("Finance") on a row of their own, as in
    the plan's table 3.3: a row with only its first cell (the Reference ID column) filled,
    in a table without a Group column."""
    if table.kind != "indicators" or table.columns.get(0) != "reference" or "group" in table.columns.values():
        return None
    filled = [i for i, c in enumerate(cells) if squash(c)]
    return squash(cells[0]) if filled == [0] and len(table.columns) > 2 else None


def _matcher(kind: str, state: PlanState):
    by_reference: dict[str, object] = {}
    by_description: dict[str, object] = {}
    for obj in state.objects(kind):
        if obj.reference:
            by_reference.setdefault(key(obj.reference), obj)
        elif kind == "indicators":
            by_description.setdefault(key(obj.description), obj)

    def match(values: dict):
        if values.get("reference"):
            return by_reference.get(key(values["reference"]))
        if kind == "indicators" and values.get("description"):
            return by_description.get(key(values["description"]))
        return None

    return match


def _compare(kind: str, row: RowPreview, existing, state: PlanState, table: SourceTable) -> None:
    people = state.people
    if existing is None:
        row.status = "new"
        if kind == "actions" and row.values.get("theme") and state.theme_titled(row.values["theme"]) is None:
            row.notes.append("New priority theme")
        return
    row.target_id = existing.id
    old = snapshot(kind, existing)
    if kind == "actions" and row.values.get("theme"):
        theme = state.theme_titled(row.values["theme"])
        if theme is not None:
            row.values["theme"] = theme.title  # the same theme, however it was spaced or cased
        else:
            row.notes.append("New priority theme")
    for attr, new in row.values.items():
        if attr == "results":
            for label, text in new.items():
                before = old["results"].get(label)
                if not _same(before, text):
                    row.changes.append(Change(result_heading(label), before or "", text or ""))
            continue
        if not _same(old.get(attr), new):
            row.changes.append(Change(ATTR_LABELS.get(attr, attr), _display(attr, old.get(attr), people),
                                      _display(attr, new, people)))
    if kind == "actions" and "status" in row.values:
        rag = _rag_after(existing.status, row.values["status"], existing.rag)
        if rag != existing.rag:
            row.changes.append(Change("RAG", _display("rag", existing.rag, people), _display("rag", rag, people)))
    row.status = "changed" if row.changes else "unchanged"


def _display_row(kind: str, row: RowPreview, table: SourceTable, people: People, existing) -> None:
    """The row as it will be stored, for the preview table (by column)."""
    v = row.values
    shown = {}
    for column in table.columns.values():
        if column == "type":
            shown[column] = format_type(v.get("action_type"), v.get("statutory", False), v.get("type_note"))
        elif column == "due":
            shown[column] = format_due(v.get("due_on"), v.get("status"))
        elif column == "milestones":
            shown[column] = format_milestones(v.get("milestones", ()))
        elif column.startswith("result:"):
            shown[column] = (v.get("results") or {}).get(column.split(":", 1)[1]) or ""
        else:
            attr = {"group": "group_name"}.get(column, column)
            shown[column] = _display(attr, v.get(attr), people)
    row.display = shown


def preview(plan: Plan, tables, *, state: PlanState | None = None) -> Preview:
    """What importing these tables would do to the plan. Stores nothing."""
    if isinstance(tables, ReadResult):
        ignored_sheets, tables = tables.ignored_sheets, tables.tables
    else:
        ignored_sheets = []
    state = state or PlanState.load(plan)
    qualify = len(tables) > 1
    out = []
    for table in tables:
        kind = table.kind
        title = KIND_TITLES[kind] if qualify else ""
        match = _matcher(kind, state)
        seen: dict[str, int] = {}
        group, group_row = None, None
        rows = []
        for number, cells in table.rows:
            heading = _is_group_heading(table, cells)
            if heading:
                group, group_row = heading, number
                continue
            reader = _RowReader(table, number, cells, state.people, title)
            _read_row(reader, kind, group)
            row = reader.row
            identity = row.values.get("reference") or (
                "description:" + key(row.values.get("description")) if kind == "indicators"
                and row.values.get("description") else None)
            if identity:
                first = seen.setdefault(key(identity), number)
                if first != number:
                    if row.values.get("reference"):
                        reader.problem("reference" if reader.has("reference") else None,
                                       f"Reference ID {row.values['reference']} is also used in row {first}: each "
                                       f"{NOUNS[kind][0]} needs its own reference")
                    else:
                        reader.problem("description", f"this indicator has no Reference ID and the same description "
                                                      f"as row {first}: give one of them a reference")
            existing = match(row.values) if identity else None
            _compare(kind, row, existing, state, table)
            if group and kind == "indicators":
                row.notes.append(f"Group “{group}”, from the heading in row {group_row}")
            if row.problems:
                row.status = "problem"
            _display_row(kind, row, table, state.people, existing)
            rows.append(row)
        columns = [(name, squash(table.headings[index])) for index, name in sorted(table.columns.items())]
        out.append(TablePreview(kind=kind, source=table.source, columns=columns, rows=rows,
                                ignored_columns=table.ignored_columns, result_labels=table.result_labels))
    return Preview(plan_id=plan.id, tables=out, fingerprint=state.fingerprint(), ignored_sheets=ignored_sheets)


# --- applying -------------------------------------------------------------------------------

@dataclass
class ImportResult:
    counts: dict  # kind -> Counter(new=, changed=, unchanged=)
    themes_created: int = 0

    def sentence(self) -> str:
        """"Imported 3 new actions, 1 changed action and 2 new risks." """
        parts = []
        for kind in KINDS:
            counts = self.counts.get(kind, Counter())
            for status in ("new", "changed"):
                n = counts[status]
                if n:
                    parts.append(f"{n} {status} {NOUNS[kind][0] if n == 1 else NOUNS[kind][1]}")
        if not parts:
            return "Nothing was imported: every row already matched the plan."
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        unchanged = sum(c["unchanged"] for c in self.counts.values())
        left = ("1 unchanged row was left as it was" if unchanged == 1
                else f"{unchanged} unchanged rows were left as they were")
        tail = f" {left}." if unchanged else ""
        return f"Imported {listed}.{tail}"


STALE_MESSAGE = ("The plan has changed since this import was checked (someone else edited it, or imported into it). "
          "Nothing has been saved. Check the import again: the preview now shows the plan as it is.")


def apply(plan: Plan, pv: Preview, actor=None, *, source: str | None = None) -> ImportResult:
    """Store every new and changed row of the preview, or nothing: one transaction, with a
    trail event per created or changed row and a "plan_imported" event. `actor` None is
    the system. Raises TransferError for a preview with problems, StalePreview if the plan
    changed after the preview was made."""
    if pv.plan_id != plan.id:
        raise TransferError("This import was checked against a different plan.")
    if not pv.ok:
        raise TransferError(f"The import has {len(pv.problems)} problem(s): fix them and check it again. "
                            "Nothing has been saved.")
    state = PlanState.load(plan, fresh=True)
    if state.fingerprint() != pv.fingerprint:
        raise StalePreview(STALE_MESSAGE)
    counts = {t.kind: t.counts for t in pv.tables}
    result = ImportResult(counts={k: Counter(v) for k, v in counts.items()})
    # The plan is the lock for its rows (app/concurrency.py, rule 3): the plan's row is updated
    # first, conditional on the version read with the plan, so of two confirmations of the same
    # preview (a double-click, two tabs) that both passed the check above, one stores the rows
    # and the other waits for it and is then refused, naming who imported and when.
    try:
        touch(plan)
        db.session.flush()
    except (StaleDataError, OperationalError) as exc:
        db.session.rollback()
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        db.session.expire_all()
        raise StalePreview(f"{who_acted(plan, 'this plan')} {STALE_MESSAGE}") from None
    try:
        themes = {key(t.title): t for t in state.themes}
        next_theme = max([t.position for t in state.themes], default=0) + 1
        next_indicator = max([i.position for i in state.indicators], default=0) + 1
        objects = {kind: {o.id: o for o in state.objects(kind)} for kind in KINDS}
        for table in pv.tables:
            for row in table.rows:
                if row.status not in ("new", "changed"):
                    continue
                values = dict(row.values)
                if table.kind == "actions" and values.get("theme"):
                    theme = themes.get(key(values["theme"]))
                    if theme is None:
                        theme = PriorityTheme(plan_id=plan.id, title=values["theme"], position=next_theme)
                        next_theme += 1
                        db.session.add(theme)
                        db.session.flush()
                        themes[key(theme.title)] = theme
                        result.themes_created += 1
                        record("theme_created", theme, actor=actor, version=None,
                               data={"changes": {"Title": [None, theme.title]}, "source": "import"})
                    values["theme"] = theme
                obj = objects[table.kind].get(row.target_id) if row.target_id else None
                new = obj is None
                if new:
                    obj = _new_object(table.kind, plan, values)
                    if table.kind == "indicators":
                        obj.position = next_indicator
                        next_indicator += 1
                _set_values(table.kind, obj, values, new)
                db.session.flush()
                changes = ({c.label: [c.old or None, c.new or None] for c in row.changes} if not new else
                           {ATTR_LABELS.get(a, a): [None, _display(a, v.title if a == "theme" and v else v,
                                                                   state.people)]
                            for a, v in values.items() if a != "results" and v not in (None, "", (), False)})
                if new and values.get("results"):
                    changes.update({result_heading(lbl): [None, text] for lbl, text in values["results"].items()
                                    if text})
                noun = NOUNS[table.kind][0]
                record(f"{noun}_created" if new else f"{noun}_edited", obj, actor=actor, version=obj.version,
                       data={"changes": changes, "source": "import", "row": row.number})
        record("plan_imported", plan, actor=actor, data={
            "source": source, **{kind: dict(c) for kind, c in result.counts.items()},
            "themes_created": result.themes_created})
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StalePreview(STALE_MESSAGE) from None
    except Exception:
        db.session.rollback()
        raise
    return result


def _new_object(kind: str, plan: Plan, values: dict):
    model = {"actions": Action, "risks": Risk, "indicators": Indicator}[kind]
    obj = model(plan_id=plan.id)
    for attr, default in NEW_DEFAULTS[kind].items():
        if attr not in values and attr not in ("milestones", "results", "owner", "theme"):
            setattr(obj, attr, default)
    if kind == "indicators" and "unit" not in values:
        obj.unit = infer_unit(values.get("description") or "",
                              [t for t in (values.get("results") or {}).values() if t])
    db.session.add(obj)
    return obj


def _set_values(kind: str, obj, values: dict, new: bool) -> None:
    for attr, value in values.items():
        if attr == "owner":
            obj.owner_id = value
        elif attr == "theme":
            obj.theme = value
        elif attr == "milestones":
            _set_milestones(obj, value)
        elif attr == "results":
            _set_results(obj, value)
        elif attr == "status":
            obj.rag = _rag_after(obj.status, value, obj.rag)
            obj.status = value
        elif not _same(getattr(obj, attr), value) or new:
            setattr(obj, attr, value)


def _rag_after(old_status, new_status, rag):
    """A finished action is rated Complete (as the plan writes it); reopened, it is not rated."""
    if new_status == old_status:
        return rag
    if new_status == ActionStatus.COMPLETE:
        return Rag.COMPLETE
    return None if rag == Rag.COMPLETE else rag


def _set_milestones(action: Action, wanted: tuple) -> None:
    existing = sorted(action.milestones, key=lambda m: m.position) if action.id else []
    for position, (text, due, done) in enumerate(wanted, start=1):
        if position <= len(existing):
            milestone = existing[position - 1]
            if (milestone.text, milestone.due_on, bool(milestone.done)) != (text, due, done):
                milestone.text, milestone.due_on, milestone.done = text, due, done
            milestone.position = position
        else:
            action.milestones.append(Milestone(text=text, due_on=due, done=done, position=position))
    for milestone in existing[len(wanted):]:
        action.milestones.remove(milestone)
        db.session.delete(milestone)


def _set_results(indicator: Indicator, wanted: dict) -> None:
    by_label = {r.label: r for r in indicator.results} if indicator.id else {}
    for label, text in wanted.items():
        result = by_label.get(label)
        if text:
            if result is None:
                indicator.results.append(IndicatorResult(label=label, value_text=text, value=leading_number(text)))
            elif result.value_text != text:
                result.value_text, result.value = text, leading_number(text)
        elif result is not None and result.value_text:
            indicator.results.remove(result)
            db.session.delete(result)


# --- template and export -------------------------------------------------------------------

def default_result_labels(today: date | None = None) -> list[str]:
    """The last three financial years, for a template of a plan without results yet."""
    today = today or date.today()
    start = today.year if today.month >= 4 else today.year - 1
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(start - 3, start)]


def headings(kind: str, result_labels: list[str] | None = None) -> list[str]:
    if kind != "indicators":
        return [c.heading for c in COLUMNS[kind]]
    columns = COLUMNS["indicators"]
    return ([columns[0].heading, columns[1].heading] + [result_heading(lbl) for lbl in result_labels or []]
            + [c.heading for c in columns[2:]])


def plan_result_labels(state: PlanState) -> list[str]:
    return sorted({r.label for i in state.indicators for r in i.results})


def export_rows(kind: str, state: PlanState) -> list[list]:
    """The plan's rows of one kind, cell by cell, as the template lays them out."""
    people = state.people
    if kind == "actions":
        return [[a.reference, a.theme.title if a.theme else "", a.title,
                 format_type(a.action_type, a.statutory, a.type_note), people.label(a.owner),
                 format_due(a.due_on, a.status), format_milestones(_milestones_of(a))] for a in state.actions]
    if kind == "risks":
        return [[r.reference, r.description, r.rag.label if r.rag else "", r.mitigations or "",
                 people.label(r.owner)] for r in state.risks]
    labels = plan_result_labels(state)
    rows = []
    for i in state.indicators:
        results = {r.label: r.value_text or "" for r in i.results}
        rows.append([i.reference or "", i.description] + [results.get(lbl, "") for lbl in labels] + [
            i.polarity.label if i.polarity else "", i.direction.label if i.direction else "", people.label(i.owner),
            "Y" if i.include else "N", i.group_name or "", i.unit.label if i.unit else "", i.target,
            i.frequency.label if i.frequency else ""])
    return rows


def _safe(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


_WIDTHS = {"Reference ID": 14, "Priority Theme": 40, "Action": 50, "Risk": 50, "Indicator Description": 50,
           "Milestones / Deliverables": 60, "Actions to Mitigate and Correct": 60}
_LISTS = {
    "Rating (RAG)": "Red,Amber,Green,Complete,Not started",
    "Polarity": "Up is Good,Up is Bad,Neutral",
    "Latest Direction of Travel": "Good,Bad,Neutral",
    "Include": "Y,N",
    "Unit": "Number,Percentage,Count,£",
    "Collection Frequency": "Monthly,Quarterly,Six-monthly,Annual",
    "Business As Usual or Major Project": "Business as usual,Business as usual Statutory service,Medium project,"
                                          "Medium project Statutory service,Major project,"
                                          "Major project Statutory service",
}
GUIDANCE = [
    "How to fill in this workbook",
    "",
    "Each sheet holds one kind of row: Actions, Risks, Indicators. Keep the heading row as it is; "
    "you may leave out a column you do not use, and Docket leaves that field alone.",
    "Docket matches each row to the plan by its Reference ID (an indicator without one, by its description). "
    "A row with a new reference is added; a row with a known one updates it. Nothing is deleted.",
    "Accountable and responsible officers: a person's name, job title or e-mail address as it is in Docket.",
    "Dates: 31/03/2019, 2019-03-31 or 31 March 2019. Write 'Complete' after the date of a finished action.",
    "Milestones / Deliverables: one milestone per line (Alt+Enter starts a new line in a cell). End a line "
    "with (by 31/03/2019) to give it a date; start it with [done] when it is done.",
    "Business As Usual or Major Project: Business as usual, Medium project or Major project; add "
    "'Statutory service' if it is one.",
    "Indicators: add a column headed like '2018/19 Result' for each year's result.",
    "Docket checks everything and shows you what will change before anything is saved.",
]


def _workbook(sheets: list[tuple[str, list[str], list[list]]], guidance: bool):
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append([_safe(h) for h in header])
        for row in rows:
            sheet.append([_safe(v) for v in row])
        for index, heading in enumerate(header, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(heading, 18)
            if heading in _LISTS:
                rule = DataValidation(type="list", formula1=f'"{_LISTS[heading]}"', allow_blank=True,
                                      showErrorMessage=heading != "Business As Usual or Major Project")
                letter = get_column_letter(index)
                rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
                sheet.add_data_validation(rule)
        sheet.freeze_panes = "A2"
    if guidance:
        sheet = workbook.create_sheet("Guidance")
        for line in GUIDANCE:
            sheet.append([line])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.column_dimensions["A"].width = 120
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_xlsx(plan: Plan) -> bytes:
    """A blank workbook with one sheet per kind, headed in the council's words."""
    state = PlanState.load(plan)
    labels = plan_result_labels(state) or default_result_labels()
    return _workbook([(SHEET_NAMES[k], headings(k, labels), []) for k in KINDS], guidance=True)


def export_xlsx(plan: Plan) -> bytes:
    state = PlanState.load(plan)
    labels = plan_result_labels(state)
    return _workbook([(SHEET_NAMES[k], headings(k, labels), export_rows(k, state)) for k in KINDS], guidance=False)


def export_csv(plan: Plan, kind: str) -> bytes:
    state = PlanState.load(plan)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings(kind, plan_result_labels(state)))
    for row in export_rows(kind, state):
        writer.writerow([escape_cell(format_number(v) if isinstance(v, Decimal) else ("" if v is None else str(v)))
                         for v in row])
    return out.getvalue().encode("utf-8-sig")  # the byte order mark tells Excel it is UTF-8


def filename(plan: Plan, suffix: str) -> str:
    """"childrens-specialist-services-plan.xlsx" """
    name = plan.service.name if plan.service else plan.title
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "").replace("\u2019", "")).strip("-") or "plan"
    return f"{slug}-plan{suffix}"
