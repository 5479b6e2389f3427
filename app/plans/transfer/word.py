"""Reading a Word document (.docx): every table in document order, with the headings and
paragraphs between them.

A council's plan in Word is a run of tables with the priority themes written as headings
between them ("B. Improve the stability of placements …") and footnotes under them that
explain the owners' initials ("² PK Priya Kaur, Assistant Director Learning; RD …"). Each
table comes back as a `RawTable`: its rows as text (a cell merged across several columns
repeats its text in each, as Word shows it), the theme above it and the paragraphs that
follow it. A superscript footnote mark is kept as a superscript character ("TBD⁴"), so that
it is never read as part of a number.

The document's XML is parsed with python-docx's parser and walked directly (one pass per
table): python-docx's `row.cells` rebuilds the whole table's grid for every row, which would
make a 1,000-row table slow.
"""
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field

from app.demo.text import squash
from app.plans.transfer.columns import MAX_ROWS, TransferError
from app.plans.transfer.limits import MAX_COLUMNS, MAX_UNPACKED

SUPERSCRIPTS = str.maketrans("0123456789*", "⁰¹²³⁴⁵⁶⁷⁸⁹*")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# a paragraph that names a theme: "B. Improve …", "Theme 2: …", "Priority 3 – …"
THEME_PARAGRAPH = re.compile(r"^(?:(?:theme|priority|objective|outcome)\s+)?([A-Z]|\d{1,2})[.):–-]\s+\S", re.IGNORECASE)


@dataclass
class RawTable:
    """One table as written: rows of cell texts, with what the document says around it."""

    source: str  # "table 2 of the document"
    rows: list[tuple[int, list[str]]]  # (row number within the table, cells)
    theme: str | None = None  # the heading above the table, if any
    before: list[str] = field(default_factory=list)  # paragraphs between the last table and this one
    after: list[str] = field(default_factory=list)  # paragraphs after it, up to the next table


@dataclass
class WordDocument:
    tables: list[RawTable]
    paragraphs: list[str]  # every paragraph outside the tables, in order


def _run_text(run) -> str:
    text = "".join(
        "\n" if child.tag in (_W + "br", _W + "cr") else "\t" if child.tag == _W + "tab" else (child.text or "")
        for child in run.iterchildren(_W + "t", _W + "br", _W + "cr", _W + "tab", _W + "noBreakHyphen")
    )
    rpr = run.find(_W + "rPr")
    if rpr is not None and text.strip():
        align = rpr.find(_W + "vertAlign")
        if align is not None and align.get(_W + "val") == "superscript":
            return text.translate(SUPERSCRIPTS)
    return text


def _paragraph_text(p) -> str:
    return "".join(_run_text(r) for r in p.iter(_W + "r"))


def _is_heading(p) -> bool:
    ppr = p.find(_W + "pPr")
    if ppr is None:
        return False
    style = ppr.find(_W + "pStyle")
    name = (style.get(_W + "val") or "") if style is not None else ""
    return name.lower().startswith(("heading", "title", "berschrift")) or (ppr.find(_W + "outlineLvl") is not None)


def _cell_text(tc) -> str:
    # a cell's own paragraphs (a table inside a cell is read as its lines too)
    return "\n".join(_paragraph_text(p) for p in tc.iter(_W + "p")).strip()


def _rows(tbl, source: str) -> list[tuple[int, list[str]]]:
    rows = []
    above: dict[int, str] = {}  # grid column -> text of the cell above, for vertically merged cells
    for number, tr in enumerate(tbl.iterchildren(_W + "tr"), start=1):
        cells: list[str] = []
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            span, continued = 1, False
            if tcpr is not None:
                grid = tcpr.find(_W + "gridSpan")
                if grid is not None:
                    try:
                        span = max(1, min(int(grid.get(_W + "val") or 1), MAX_COLUMNS))
                    except ValueError:
                        span = 1
                merge = tcpr.find(_W + "vMerge")
                continued = merge is not None and (merge.get(_W + "val") or "continue") == "continue"
            text = above.get(len(cells), "") if continued else _cell_text(tc)
            for _ in range(span):
                above[len(cells)] = text
                cells.append(text)
            if len(cells) > MAX_COLUMNS:
                raise TransferError(f"Row {number} of {source} has more than {MAX_COLUMNS} columns: Docket reads up "
                                    f"to {MAX_COLUMNS}.")
        rows.append((number, cells))
        if len(rows) > MAX_ROWS + 100:
            raise TransferError(f"There are more than {MAX_ROWS:,} rows: Docket imports up to {MAX_ROWS:,} at a "
                                "time. Split the document and import it in parts.")
    return rows


def read_word(data: bytes) -> WordDocument:
    """Every table of the document, in order, with its theme and the paragraphs around it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
            raise TransferError("This Word document is too large once unpacked. Save just the plan's tables in a "
                                "new document and try again.")
        # python-docx's own parser (entities not resolved, nothing fetched), on the document's
        # body alone: opening the whole package with docx.Document() costs a fifth of a second
        from docx.oxml.parser import parse_xml

        root = parse_xml(archive.read("word/document.xml"))
        body = root.find(_W + "body")
        if body is None:
            raise ValueError("no body")
    except TransferError:
        raise
    except Exception:  # noqa: BLE001 - any reader failure means an unreadable document
        raise TransferError("Docket could not read this Word document. Open it in Word, save it again as a Word "
                            "Document (.docx), and try again.") from None
    tables: list[RawTable] = []
    paragraphs: list[str] = []
    since_table: list[str] = []
    theme: str | None = None
    for child in body.iterchildren():
        if child.tag == _W + "p":
            text = squash(_paragraph_text(child))
            if not text:
                continue
            paragraphs.append(text)
            since_table.append(text)
            if tables:
                tables[-1].after.append(text)
            if (_is_heading(child) or THEME_PARAGRAPH.match(text)) and len(text) <= 300 and not text[0] in "¹²³⁴⁵⁶⁷⁸⁹*":
                theme = text
        elif child.tag == _W + "tbl":
            source = f"table {len(tables) + 1} of the document"
            tables.append(RawTable(source=source, rows=_rows(child, source), theme=theme, before=since_table))
            since_table = []
    if not tables:
        raise TransferError("This Word document has no tables. Docket reads a plan's actions, risks and indicators "
                            "from the tables in a document: put them in tables, or paste them into the box.")
    return WordDocument(tables=tables, paragraphs=paragraphs)


# --- kept with the upload ------------------------------------------------------------------
# The document as read is kept beside the upload (app/plans/transfer_routes.py), so that
# checking it again with the officer's choices, and confirming it, do not parse the XML again.
KEPT_FORMAT = 1


def kept_text(document: WordDocument) -> str:
    return json.dumps({"format": KEPT_FORMAT, "document": asdict(document)}, ensure_ascii=False)


def from_kept(text: str) -> WordDocument | None:
    """The document as kept, or None if it is not one this code wrote (read the file again)."""
    try:
        kept = json.loads(text)
        if kept.get("format") != KEPT_FORMAT:
            return None
        doc = kept["document"]
        tables = [RawTable(source=str(t["source"]),
                           rows=[(int(n), [str(c) for c in cells]) for n, cells in t["rows"]],
                           theme=t["theme"], before=[str(p) for p in t["before"]],
                           after=[str(p) for p in t["after"]])
                  for t in doc["tables"]]
        return WordDocument(tables=tables, paragraphs=[str(p) for p in doc["paragraphs"]])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
