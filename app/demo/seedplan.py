"""Read a service improvement plan from the tab-separated text of its Word document.

The parser knows the shape of such documents, not this council's wording:

- header lines "Key:<tab>Value" before the first numbered section;
- numbered sections ("1.a – Description", "2 – Service Improvement Priorities"), whose text
  runs to the next heading;
- tables, each found by its heading line ("Table 3.1 – Actions"); the first tab-separated
  line after the heading is the header row (usually "Reference ID<tab>…"), and the lines
  after it are rows, until the next section or table heading.

Within a table:

- a line with a non-empty first cell starts a row; that cell is the row's reference;
- a line whose only content is its first cell (or that has no tabs at all) is a group
  heading, such as "Finance": it names the group of the rows that follow;
- a line with an empty first cell is usually the rest of the row above, split by a page
  break: its non-empty cells are appended to the same columns of that row. It is a row
  of its own, with no reference, when it follows the row above directly (no page break
  between) and fills at least half of its cells, or when it comes after a group heading;
- blank lines mark page breaks; lines of dashes ("--<tab>--") are conversion debris;
- a repeat of the header row (Word repeats it on each page) is skipped.

Cells keep their paragraphs (<p>…</p>; a cell without tags is one paragraph). When a
page break splits a paragraph, the pieces are joined back: if the text before the break
does not end a sentence, the first paragraph after it carries on the same paragraph.
"""
import re
from dataclasses import dataclass, field

from app.demo.text import is_junk_line, key, paragraphs, squash, strip_markup

SECTION_HEADING = re.compile(r"^(?:Section\s+)?(\d+(?:\.[a-z0-9]+)?)\s*[–—-]\s+(\S.*)$", re.IGNORECASE)
TABLE_HEADING = re.compile(r"^Table\s+(\d+(?:\.\d+)*)\s*[–—:-]\s*(\S.*)$", re.IGNORECASE)
HEADER_FIELD = re.compile(r"^([^\t:]{1,80}):\s*\t\s*(\S.*)$")
# The template's instructions to the writer, often left in as a section's first paragraph.
GUIDANCE = re.compile(
    r"^(please|provide|describe|outline|summarise|use this section)\b|\bshould (include|describe|set out)\b",
    re.IGNORECASE,
)
# A paragraph that ends like this is complete; one that does not runs on after a page break.
SENTENCE_END = (".", "!", "?", ":", ";", ")", '"', "\u201d")


@dataclass
class Row:
    """One row of a table: its reference (None when blank), group, and cells by column."""

    reference: str | None
    group: str | None
    cells: dict[str, list[str]]  # column heading -> paragraphs

    def paragraphs(self, column: str) -> list[str]:
        return list(self.cells.get(column, []))

    def text(self, column: str) -> str:
        """The cell as one line: its paragraphs joined with spaces ("" when empty)."""
        return squash(" ".join(self.cells.get(column, [])))


@dataclass
class Table:
    number: str  # "3.1"
    title: str  # "Actions"
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def column(self, *hints: str) -> str:
        """The heading of the first column named by a hint: exactly, else containing it."""
        for hint in hints:
            for name in self.columns:
                if key(name) == key(hint):
                    return name
        for hint in hints:
            for name in self.columns:
                if key(hint) in key(name):
                    return name
        raise KeyError(f"Table {self.number} has no column like {hints!r}; it has {self.columns!r}")


@dataclass
class Section:
    number: str  # "1.a"
    title: str  # "Description"
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def content(self) -> str:
        """The section's text without the template's guidance to the writer."""
        kept = list(self.paragraphs)
        while kept and GUIDANCE.search(kept[0]):
            kept.pop(0)
        return "\n\n".join(kept)


@dataclass
class PlanDocument:
    title: str | None
    fields: dict[str, str]
    sections: list[Section]
    tables: list[Table]

    def field(self, name: str) -> str | None:
        """A header field by its label, compared loosely ("date last updated")."""
        for label, value in self.fields.items():
            if key(label) == key(name):
                return value
        return None

    def section(self, number: str) -> Section | None:
        return next((s for s in self.sections if key(s.number) == key(number)), None)

    def table(self, number_or_title: str) -> Table:
        """A table by number ("3.1") or by a word of its title ("risk")."""
        wanted = key(number_or_title)
        for table in self.tables:
            if table.number == number_or_title or wanted in key(table.title):
                return table
        raise KeyError(f"There is no table {number_or_title!r} in the plan")


def _cells(line: str) -> list[list[str]]:
    return [paragraphs(cell) for cell in line.split("\t")]


def _join_continued(before: list[str], after: list[str]) -> list[str]:
    """Append the paragraphs after a page break to those before it, rejoining a split one."""
    if before and after and not before[-1].endswith(SENTENCE_END):
        return before[:-1] + [f"{before[-1]} {after[0]}"] + after[1:]
    return before + after


class _TableReader:
    """Feeds the lines of one table, one at a time, into rows."""

    def __init__(self, table: Table):
        self.table = table
        self.group: str | None = None
        self.open_row: Row | None = None  # the row a line with an empty first cell may continue
        self.broken = False  # a page break (blank or junk line) since the last row

    def feed(self, line: str) -> None:
        table = self.table
        if not line.strip() or is_junk_line(line):
            self.broken = True
            return
        if not table.columns:
            if "\t" in line:  # the header row
                table.columns = [squash(strip_markup(c)) for c in line.split("\t")]
                while table.columns and not table.columns[-1]:
                    table.columns.pop()
            return  # guidance text between the heading and the header row
        cells = _cells(line)
        if [squash(" ".join(c)) for c in cells[: len(table.columns)]] == table.columns:
            return  # the header row again, repeated after a page break
        filled = [i for i, c in enumerate(cells) if c]
        if not filled:
            self.broken = True
            return
        if filled == [0]:
            self.group = " ".join(cells[0])
            self.open_row = None  # a group heading ends the row above it
            return
        if cells[0]:
            self._new_row(" ".join(cells[0]), cells)
        elif self.open_row and (self.broken or len(filled) < (len(table.columns) - 1) / 2):
            self._continue_row(self.open_row, cells)
        else:
            self._new_row(None, cells)
        self.broken = False

    def _aligned(self, cells: list[list[str]]) -> list[list[str]]:
        """The cells fitted to the columns; any surplus text goes into the last column."""
        width = len(self.table.columns)
        fitted = cells[:width] + [[] for _ in range(width - len(cells))]
        for extra in cells[width:]:
            fitted[-1] = fitted[-1] + extra
        return fitted

    def _new_row(self, reference: str | None, cells: list[list[str]]) -> None:
        fitted = self._aligned(cells)
        self.open_row = Row(reference=reference, group=self.group,
                            cells={name: fitted[i] for i, name in enumerate(self.table.columns) if i > 0})
        self.table.rows.append(self.open_row)

    def _continue_row(self, row: Row, cells: list[list[str]]) -> None:
        for i, more in enumerate(self._aligned(cells)):
            if i == 0 or not more:
                continue
            name = self.table.columns[i]
            row.cells[name] = _join_continued(row.cells.get(name, []), more)


def _paragraph_blocks(lines: list[str]) -> list[str]:
    """Blocks of text separated by blank lines, markup removed, line breaks inside kept."""
    blocks, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(strip_markup(line).strip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    return blocks


def parse_plan(text: str) -> PlanDocument:
    """Read a plan document's title, header fields, sections and tables."""
    title = None
    fields: dict[str, str] = {}
    sections: list[Section] = []
    tables: list[Table] = []
    section_lines: list[str] = []
    open_section: Section | None = None  # the section whose text is being read
    reader: _TableReader | None = None
    in_header = True

    def close_section():
        if open_section is not None:
            open_section.paragraphs = _paragraph_blocks(section_lines)
        section_lines.clear()

    for raw in text.splitlines():
        line = raw.rstrip("\r")
        plain = squash(strip_markup(line))
        table_heading = TABLE_HEADING.match(plain) if "\t" not in line else None
        section_heading = SECTION_HEADING.match(plain) if "\t" not in line else None
        if table_heading:
            close_section()
            in_header, open_section = False, None
            table = Table(number=table_heading.group(1), title=table_heading.group(2))
            tables.append(table)
            reader = _TableReader(table)
        elif section_heading:
            close_section()
            in_header, reader = False, None
            open_section = Section(number=section_heading.group(1), title=section_heading.group(2))
            sections.append(open_section)
        elif reader is not None:
            reader.feed(line)
        elif in_header:
            header_field = HEADER_FIELD.match(line)
            if header_field:
                fields[squash(header_field.group(1))] = squash(strip_markup(header_field.group(2)))
            elif plain and title is None:
                title = plain
        else:
            section_lines.append(line)
    close_section()
    return PlanDocument(title=title, fields=fields, sections=sections, tables=tables)


def labelled_value(text: str, label: str) -> str | None:
    """The value written after "Label:" on a line of free text ("Staff FTEs: 203.60")."""
    match = re.search(rf"^\s*{re.escape(label)}\s*:\s*(.+)$", text or "", re.IGNORECASE | re.MULTILINE)
    return squash(match.group(1)) if match else None
