"""Readers per format: an Excel workbook, a CSV file, a pasted table."""
import csv
import io
import zipfile
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from app.demo.text import squash
from app.plans.transfer.limits import MAX_CELLS, MAX_COLUMNS, TooBig, check_table_text, check_workbook, trim_row
from app.plans.transfer.columns import EXPORT_ONLY_SHEETS, NotImported
from app.plans.transfer.columns import COLUMNS, HEADER_SEARCH_ROWS, KINDS, KIND_TITLES, MAX_BYTES, MAX_ROWS, REQUIRED_COLUMNS, ReadResult, SHEET_KINDS, SourceTable, TransferError, _norm, map_headings, unescape_cell


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


def _table_or_error(rows, source: str, kind: str | None, options=None, text_source: bool = False) -> list[SourceTable]:
    if not rows or all(_blank(cells) for _, cells in rows):
        raise TransferError(f"{source[0].upper()}{source[1:]} is empty.")
    tables = choose_tables(rows, source, 1, kind, options, text_source=text_source)
    if len(tables) > 1:
        tables = [t for t in tables if t.rows]
        if tables:
            return tables
    table = tables[0] if tables else None
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
    return [table]


def _strict_extras(table: SourceTable, key: str) -> SourceTable:
    """A table in Docket's own template shape: its mapping as the officer's form shows it, and
    the cells of columns that mean nothing to Docket listed as not imported."""
    from app.plans.transfer.mapping import Proposal, field_of

    table.key = key
    table.proposal = []
    for index, heading in enumerate(table.headings):
        if index in table.columns:
            table.proposal.append(Proposal(index, squash(heading), field_of(table.kind, table.columns[index]),
                                           "from its heading"))
        elif squash(heading):
            table.proposal.append(Proposal(index, squash(heading), "skip", "Docket could not tell what it holds"))
            for number, cells in table.rows:
                if index < len(cells) and squash(cells[index]):
                    table.not_imported.append(NotImported(table.source, number, squash(heading), squash(cells[index]),
                                                          "The column is set to “Do not import”"))
    return table


def options_changed(strict: SourceTable, options) -> bool:
    """Whether the officer chose a field other than the template's for a column of the table."""
    wanted = options.overrides(strict.key, [squash(h) for h in strict.headings]) if options else {}
    proposed = {p.index: p.field for p in strict.proposal}
    return any(proposed.get(index, "skip") != value for index, value in wanted.items())


def choose_tables(rows, source: str, first_key: int, kind: str | None, options=None, *,
                  text_source: bool = False) -> list[SourceTable]:
    """The tables in these rows: one in Docket's template shape if it is in it (and the officer
    changed none of its columns), else each in its own shape (app/plans/transfer/shapes.py)."""
    from app.plans.transfer.shapes import build_tables

    strict, problem = None, None
    try:
        strict = _find_table(rows, source, kind)
    except TransferError as exc:
        problem = exc
    key = f"t{first_key}"
    if strict is not None:
        _strict_extras(strict, key)
        if not strict.ignored_columns and not options_changed(strict, options):
            return [strict]
    tables = [t for t in build_tables(rows, source, first_key, kind, options, text_source=text_source)
              if kind is None or t.kind == kind]
    if strict is not None and strict.ignored_columns and not options_changed(strict, options):
        # Docket's template shape with columns it does not know: the table's own shape wins if
        # it places more of them
        if sum(len(t.columns) for t in tables[:1]) <= len(strict.columns) or len(tables) != 1:
            return [strict]
    if not tables and problem is not None:
        raise problem
    return tables


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


def read_xlsx(data: bytes, kind: str | None = None, options=None) -> ReadResult:
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
        check_workbook(archive)  # before openpyxl builds anything: app/plans/transfer/limits.py
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
            if sheet.title in EXPORT_ONLY_SHEETS:  # the export's record of updates: not read back
                ignored.append(sheet.title)
                continue
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
            found = choose_tables(rows, source, len(tables) + 1, kind or named, options) if rows else []
            if len(found) > 1:
                tables.extend(t for t in found if t.rows)
                continue
            table = found[0] if found else None
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
    by_kind = Counter(t.kind for t in tables if not t.lenient)  # a council's own sheets may share a kind
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


def _delimited_rows(text: str, delimiter: str | None = None, source: str = "the table",
                    keep_width: bool = False) -> list[tuple[int, list[str]]]:
    """The rows of a CSV file or pasted table. `keep_width` keeps blank cells at a row's end
    (a table pasted from Word: a row cut short by a line break inside a cell is then told
    from a row whose last cells are blank, by counting its cells)."""
    if delimiter is None:
        first = next((line for line in text[:1_000_000].splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in (",", "\t", ";")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        check_table_text(text, delimiter, source)  # before a row is built: app/plans/transfer/limits.py
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
            trimmed = trim_row(cells, number, source)
            if keep_width and len(trimmed) < len(cells):
                trimmed = trimmed + [""] * (min(len(cells), MAX_COLUMNS) - len(trimmed))
            rows.append((number, [unescape_cell(c) for c in trimmed]))
    except TooBig as exc:
        raise TransferError(str(exc)) from None
    except csv.Error as exc:
        raise TransferError(f"Docket could not read the table: {exc}.") from None
    return rows


def read_csv(data: bytes, kind: str | None = None, options=None) -> ReadResult:
    text = _decode(data)
    rows = _delimited_rows(text, source="the file")
    tables = _table_or_error(rows, "the file", kind, options, text_source=False)  # CSV quotes its line breaks
    _count_rows(tables)
    return ReadResult(tables=tables)


def read_paste(text: str, kind: str | None = None, options=None) -> ReadResult:
    """A table pasted from Excel or Word: tab-separated, the heading row first; a cell with
    line breaks arrives in double quotes (Excel's clipboard format)."""
    if not (text or "").strip():
        raise TransferError("Paste a table, with its heading row first.")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TransferError("The pasted table is larger than 10 MB. Import it in parts, or upload it as a file.")
    first = next((line for line in text[:1_000_000].splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in text[:200_000] or "," not in first else ","
    tables = _table_or_error(_delimited_rows(text, delimiter, "the pasted table", keep_width=True),
                             "the pasted table", kind, options, text_source=True)
    _count_rows(tables)
    return ReadResult(tables=tables)


def read_upload(filename: str, data: bytes, kind: str | None = None, options=None,
                kept: dict | None = None) -> ReadResult:
    """An uploaded file, read by what it holds (not just its name): .xlsx, .docx or CSV.
    `kept` (a dict) receives a Word document as read, under "word"; given one, the document
    is not parsed again (app/plans/transfer/word.py)."""
    name = (filename or "").lower()
    if not data or not data.strip():
        raise TransferError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise TransferError("The file is larger than 10 MB. Split it, or save just the sheets to import.")
    if data.startswith(b"PK\x03\x04"):
        if _is_word(data):
            return read_docx(data, kind, options, kept)
        return read_xlsx(data, kind, options)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError("This is an old-style Excel (.xls) or Word file. Open it in Excel and save it as an "
                            "Excel Workbook (.xlsx), then try again.")
    if data.startswith(b"%PDF"):
        raise TransferError("This is a PDF, which Docket cannot read. Choose an Excel workbook (.xlsx) or a CSV "
                            "file, or copy the table and paste it in.")
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise TransferError(f"{filename} is not an Excel workbook, whatever its name says. Open it in Excel and "
                            "save it as an Excel Workbook (.xlsx), then try again.")
    return read_csv(data, kind, options)


def _is_word(data: bytes) -> bool:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "word/document.xml" in names and "xl/workbook.xml" not in names


def read_docx(data: bytes, kind: str | None = None, options=None, kept: dict | None = None) -> ReadResult:
    """Every table of a Word document, in order, each in its own shape; the headings between
    them are themes, and footnotes that explain initials name the owners."""
    from app.plans.transfer.rowkinds import is_legend, legend_entries
    from app.plans.transfer.shapes import build_table
    from app.plans.transfer.word import read_word

    document = kept.get("word") if kept is not None else None
    if document is None:
        document = read_word(data)
        if kept is not None:
            kept["word"] = document
    legend: dict = {}
    for paragraph in document.paragraphs:
        if is_legend(paragraph):
            legend.update(legend_entries(paragraph))
    tables: list[SourceTable] = []
    lost: list[NotImported] = []
    for number, raw in enumerate(document.tables, start=1):
        table = build_table(raw.rows, raw.source, f"t{number}", theme=raw.theme, legend=legend, options=options,
                            hint=kind)
        if table is None or (kind and table.kind != kind):
            for row_number, cells in raw.rows:
                seen = set()
                for index, cell in enumerate(cells):
                    if squash(cell) and squash(cell) not in seen:
                        seen.add(squash(cell))
                        lost.append(NotImported(raw.source, row_number, f"Column {index + 1}", squash(cell),
                                                "Docket found no headings it knows in this table" if table is None
                                                else f"The table holds {_kind_word(table.kind)}"))
            continue
        if table.rows:
            tables.append(table)
        else:
            lost.extend(table.not_imported)
    for table in tables:
        legend.update(table.legend)
    for table in tables:
        table.legend = legend
    if not tables:
        raise TransferError("Docket could not find actions, risks or performance indicators in this Word document: "
                            "no table has a row of headings it recognises (such as Action, Lead, By when, Measure, "
                            "Target). Check the tables have a heading row.")
    _count_rows(tables)
    return ReadResult(tables=tables, not_imported=lost)
