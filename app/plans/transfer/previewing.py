"""What an import would store, row by row, with every problem on its row and column."""
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from app.demo.loader import DIRECTIONS, POLARITIES, infer_unit
from app.demo.text import key, squash
from app.models import ActionStatus, Frequency, Plan, Polarity
from app.forms import text_problem
from app.plans.transfer.columns import ATTR_LABELS, DATE_FORMAT, KIND_TITLES, NOUNS, ReadResult, SourceTable, result_heading
from app.plans.transfer.state import People, PlanState, snapshot
from app.plans.transfer.cells import _rag_after, CellProblem, _FREQUENCIES, _INCLUDE, _UNITS, _choice, _limit, _lines, _one_line, format_due, format_milestones, format_number, format_type, parse_due, parse_milestones, parse_number, parse_rag_cell, parse_type


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
    prefix: str = ""  # a council's own table: its key ("t2"), as a file may hold several of a kind
    baseline: dict | None = None  # the progress cell's parts, for the plan's current position
    generated_reference: str | None = None  # the reference Docket made up for the row
    extra_partners: str | None = None  # the other people an owner cell names

    def anchor(self, column: str | None = None) -> str:
        base = f"{self.prefix or self.kind}-row-{self.number}"
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
    key: str = ""
    lenient: bool = False
    proposal: list = field(default_factory=list)  # mapping.Proposal per source column
    row_kinds: dict = field(default_factory=dict)
    title_row: str | None = None

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def anchor(self) -> str:
        return f"{self.key}-table" if self.lenient else f"{self.kind}-table"

    @property
    def generated(self) -> list:
        return [r for r in self.rows if r.generated_reference]

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.rows)


@dataclass
class Preview:
    plan_id: int
    tables: list[TablePreview]
    fingerprint: str
    ignored_sheets: list[str] = field(default_factory=list)
    not_imported: list = field(default_factory=list)  # columns.NotImported, cell by cell
    unknown: list = field(default_factory=list)  # people.Unknown: people the file names who are not in Docket
    extra_problems: list = field(default_factory=list)  # Problems not on a row (a person, the period)
    period: object = None  # the reporting period the plan's current position is for
    options: object = None  # options.ImportOptions the preview was made with
    updates: int = 0  # current-position updates the import would store

    @property
    def problems(self) -> list[Problem]:
        return [p for t in self.tables for r in t.rows for p in r.problems] + list(self.extra_problems)

    @property
    def lenient(self) -> bool:
        return any(t.lenient for t in self.tables)

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
        if isinstance(value, str) and value.startswith("new:"):
            found = people.pending.get(value[4:])
            return f"{found.name if found else value[4:]} (to be added to Docket)"
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
        reader.read("group_title", lambda t: _limit(_one_line(t), 300, "The group"), "group_title")
        reader.read("partners", _lines, "partners")
        reader.read("timing", lambda t: _limit(_lines(t), 300, "The timing"), "timing")
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
        reader.read("target_text", lambda t: _limit(_one_line(t), 200, "The target as written"), "target_text")
        for column, attr in (("comparator", "benchmark_comparator"), ("national", "benchmark_national"),
                             ("regional", "benchmark_regional")):
            reader.read(column, lambda t: _limit(_one_line(t), 100, "The benchmark"), attr)
        reader.read("target_rationale", _lines, "target_rationale")
        reader.read("comments", _lines, "comments")
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


def _display_row(kind: str, row: RowPreview, table: SourceTable, people: People, existing,
                 columns: list | None = None) -> None:
    """The row as it will be stored, for the preview table (by column). `columns`: the table's
    `_columns_shown`, worked out once for all its rows."""
    v = row.values
    shown = {}
    for column, _ in (columns if columns is not None else _columns_shown(table)):
        if column == "type":
            shown[column] = format_type(v.get("action_type"), v.get("statutory", False), v.get("type_note"))
        elif column == "due" and not table.lenient:
            shown[column] = format_due(v.get("due_on"), v.get("status"))
        elif column == "milestones":
            shown[column] = format_milestones(v.get("milestones", ()))
        elif column.startswith("result:"):
            shown[column] = (v.get("results") or {}).get(column.split(":", 1)[1]) or ""
        elif column in row.display:
            shown[column] = row.display[column]  # a progress cell, shown in its parts
        elif table.lenient and column == "due":
            shown[column] = "\n".join(x for x in (
                v.get("timing") or format_due(v.get("due_on"), v.get("status")),
                ("Due " + _display("due_on", v["due_on"], people)) if v.get("timing") and v.get("due_on") else "",
                "Complete" if v.get("timing") and v.get("status") == ActionStatus.COMPLETE else "",
                ("Milestones: " + "; ".join(f"{t} by {_display('due_on', d, people)}" for t, d, _ in v["milestones"]))
                if v.get("milestones") and "milestones" not in table.columns.values() else "") if x)
        elif table.lenient and column == "target":
            shown[column] = v.get("target_text") or _display("target", v.get("target"), people)
        elif table.lenient and column in ("previous", "actual"):
            shown[column] = "; ".join(f"{label}: {text}" for label, text in (v.get("results") or {}).items()
                                      if (column == "actual") == label.startswith("Actual"))
        elif column == "partners":
            shown[column] = v.get("partners") or ""
        else:
            attr = {"group": "group_title" if kind == "actions" else "group_name", "comparator": "benchmark_comparator",
                    "national": "benchmark_national", "regional": "benchmark_regional"}.get(column, column)
            shown[column] = _display(attr, v.get(attr), people)
    if table.lenient and row.generated_reference:
        shown["reference"] = v.get("reference") or ""
    row.display = shown


def _columns_shown(table: SourceTable) -> list[tuple[str, str]]:
    """(column name, heading) as the preview shows them: the file's own columns, then what a
    council's own table says beyond them (the theme and sub-heading rows, made-up references)."""
    columns = [(name, squash(table.headings[index])) for index, name in sorted(table.columns.items())]
    if table.lenient:
        names = set(table.columns.values())
        ctx = table.context.values()
        if table.kind == "actions" and "reference" not in names and any(c.get("generated") for c in ctx):
            columns.insert(0, ("reference", "Reference (made up by Docket)"))
        elif "reference" in names and any(c.get("generated") for c in ctx):
            columns = [(n, h + " (Docket adds the theme's letter)" if n == "reference" else h) for n, h in columns]
        if table.kind == "actions" and "theme" not in names and any(c.get("theme") for c in ctx):
            columns.append(("theme", "Priority theme (from the document)"))
        if table.kind != "risks" and "group" not in names and any(c.get("group") for c in ctx):
            columns.append(("group", "Sub-heading (from the rows above)"))
    return columns


def preview(plan: Plan, tables, *, state: PlanState | None = None, options=None) -> Preview:
    """What importing these tables would do to the plan. Stores nothing. `options`
    (options.ImportOptions) carries the officer's choices: people, references, the period."""
    from app.plans.transfer.options import ImportOptions
    from app.plans.transfer.people import Owners

    not_imported = []
    if isinstance(tables, ReadResult):
        ignored_sheets, not_imported, tables = tables.ignored_sheets, list(tables.not_imported), tables.tables
    else:
        ignored_sheets = []
    options = options or ImportOptions(people_default="add")
    state = state or PlanState.load(plan)
    owners = Owners(state.people, options.people, options.people_default)
    state.people.pending = owners.unknown
    qualify = len(tables) > 1
    out = []
    seen_by_kind: dict[str, dict[str, str]] = {}
    for table in tables:
        kind = table.kind
        title = (f"{KIND_TITLES[kind]} ({table.source})" if table.lenient else KIND_TITLES[kind]) if qualify else ""
        match = _matcher(kind, state)
        seen = seen_by_kind.setdefault(kind, {})
        group, group_row = None, None
        rows = []
        shown_columns = _columns_shown(table)
        for number, cells in table.rows:
            heading = None if table.lenient else _is_group_heading(table, cells)
            if heading:
                group, group_row = heading, number
                continue
            reader = _RowReader(table, number, cells, state.people, title)
            if table.lenient:
                from app.plans.transfer.ownshape import read_own_row

                reader.row.prefix = table.key
                read_own_row(reader, kind, owners, f"{table.source}, row {number}")
            else:
                _read_row(reader, kind, group)
            row = reader.row
            identity = row.values.get("reference") or (
                "description:" + key(row.values.get("description")) if kind == "indicators"
                and row.values.get("description") else None)
            if identity:
                where = f"row {number}" if not qualify else f"row {number} of {table.source}"
                first = seen.setdefault(key(identity), where)
                if first != where:
                    if row.values.get("reference"):
                        reader.problem("reference" if reader.has("reference") else None,
                                       f"Reference ID {row.values['reference']} is also used in {first}: each "
                                       f"{NOUNS[kind][0]} needs its own reference")
                    else:
                        reader.problem("description", f"this indicator has no Reference ID and the same description "
                                                      f"as {first}: give one of them a reference")
            existing = match(row.values) if identity else None
            _compare(kind, row, existing, state, table)
            if group and kind == "indicators":
                row.notes.append(f"Group “{group}”, from the heading in row {group_row}")
            if row.generated_reference:
                row.notes.append(f"Reference {row.values.get('reference')} made up by Docket: change it below the "
                                 "table if you like")
            if row.problems:
                row.status = "problem"
            _display_row(kind, row, table, state.people, existing, shown_columns)
            rows.append(row)
        out.append(TablePreview(kind=kind, source=table.source, columns=shown_columns, rows=rows,
                                ignored_columns=table.ignored_columns, result_labels=table.result_labels,
                                key=table.key, lenient=table.lenient, proposal=table.proposal,
                                row_kinds=table.row_kinds, title_row=table.title))
        not_imported.extend(table.not_imported)
    pv = Preview(plan_id=plan.id, tables=out, fingerprint=state.fingerprint(), ignored_sheets=ignored_sheets,
                 not_imported=not_imported, unknown=list(owners.unknown.values()), options=options)
    from app.plans.transfer.current import check_current_position, check_people

    check_people(pv, owners, options)
    check_current_position(plan, pv, state, options)
    return pv


# --- applying -------------------------------------------------------------------------------
