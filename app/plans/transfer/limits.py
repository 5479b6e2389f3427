"""How big an import may be, checked before the table is built, so that the memory an import
uses is bounded by its size (a 4 MB paste of tab characters once took 870 MB).

- A pasted table or CSV file: at most `MAX_BYTES` (10 MB); its cells are counted from the
  text itself (every delimiter and line break starts a cell) and a table of more than
  `MAX_CELLS` is refused before any row is built; a row of more than `MAX_COLUMNS` cells
  (blank cells at its end aside) is refused on its row.
- An Excel workbook: at most `MAX_UNPACKED` once unzipped; each sheet's XML is read once as
  a stream (no tree kept) and refused if it has more than `MAX_XML_CELLS` cells, a row of
  more than `MAX_ROW_CELLS`, or a value beyond column `MAX_COLUMNS`; the shared strings may
  hold at most `MAX_SHARED_STRINGS`. Only then does openpyxl read it, `MAX_COLUMNS` wide.
- Rows: `transfer.MAX_ROWS` (5,000) a time, counted as they are read.
"""
import re
import zipfile
from xml.parsers import expat

MAX_COLUMNS = 100  # the template has at most 11 columns and one a year of results
MAX_CELLS = 250_000  # 5,000 rows of 50 columns
MAX_UNPACKED = 50 * 1024 * 1024  # an .xlsx is a zip: what it unpacks to
MAX_XML_CELLS = 500_000  # cells written in one sheet, blank but formatted ones included
MAX_ROW_CELLS = 16_384  # as many as Excel has columns
MAX_SHARED_STRINGS = 500_000

_COLUMN = re.compile(r"^([A-Z]{1,3})")


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(reference: str) -> int:
    match = _COLUMN.match(reference or "")
    number = 0
    for letter in match.group(1) if match else "":
        number = number * 26 + ord(letter) - 64
    return number


class TooBig(Exception):
    """The import is too big to read; the message says why and what to do, in plain English."""


def check_table_text(text: str, delimiter: str, source: str) -> None:
    """Refuse text that would make a table of more than MAX_CELLS cells, before building it."""
    cells = text.count(delimiter) + text.count("\n") + text.count("\r") + 1
    if cells > MAX_CELLS:
        raise TooBig(f"{source[0].upper()}{source[1:]} has more than {MAX_CELLS:,} cells, which is more than a "
                     f"plan has: Docket imports up to 5,000 rows of up to {MAX_COLUMNS} columns at a time. Copy "
                     "only the plan's rows and columns, or import it in parts.")


def trim_row(cells: list[str], number: int, source: str) -> list[str]:
    """The row without blank cells at its end; refused if it is still wider than MAX_COLUMNS."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    if end > MAX_COLUMNS:
        raise TooBig(f"Row {number} of {source} has {end:,} columns: Docket reads up to {MAX_COLUMNS}. Copy only "
                     "the plan's columns, or use the template.")
    return cells[:end] if end < len(cells) else cells


def check_workbook(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook too big to read, by streaming through its XML once (nothing kept)."""
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        raise TooBig("This workbook is too large once unpacked. Save just the sheets to import in a new "
                     "workbook and try again.")
    for info in archive.infolist():
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _check_sheet(archive, info)
        elif name == "xl/sharedStrings.xml":
            _check_shared_strings(archive, info)


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, parser) -> None:
    try:
        with archive.open(info) as part:
            parser.ParseFile(part)
    except expat.ExpatError:
        raise TooBig("Docket could not read this workbook. Open it in Excel, save it again as an Excel "
                     "Workbook (.xlsx), and try again.") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _check_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    state = {"cells": 0, "row": 0, "column": 0}

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "row":
            state["row"] = state["column"] = 0
        elif tag == "c":
            state["cells"] += 1
            state["row"] += 1
            reference = attrs.get("r")  # optional: without it, the cell after the one before
            state["column"] = _column_number(reference) if reference else state["column"] + 1
            if state["cells"] > MAX_XML_CELLS:
                raise TooBig(f"A sheet of this workbook has more than {MAX_XML_CELLS:,} cells (formatted blank "
                             "cells count too). Copy just the plan's rows and columns to a new workbook and try "
                             "again.")
            if state["row"] > MAX_ROW_CELLS:
                raise TooBig(f"A row of this workbook has more than {MAX_ROW_CELLS:,} cells. Copy just the plan's "
                             "rows and columns to a new workbook and try again.")
        elif tag in ("v", "is") and state["column"] > MAX_COLUMNS:
            raise TooBig(f"A sheet of this workbook has something in column {column_letters(state['column'])}: "
                         f"Docket reads up to {MAX_COLUMNS} columns ({column_letters(MAX_COLUMNS)}). Move or delete "
                         "what is beyond them, or copy just the plan's columns to a new workbook.")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    _stream(archive, info, parser)


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    count = [0]

    def start(tag, attrs):
        if _local(tag) == "si":
            count[0] += 1
            if count[0] > MAX_SHARED_STRINGS:
                raise TooBig(f"This workbook holds more than {MAX_SHARED_STRINGS:,} different texts. Copy just "
                             "the plan's rows and columns to a new workbook and try again.")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    _stream(archive, info, parser)
