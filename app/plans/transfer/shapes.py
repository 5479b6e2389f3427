"""A council's own table, in any column layout, read into a `SourceTable`.

`build_table` finds the heading row (the first row where at least two headings name fields
Docket knows), proposes a field for every column (`mapping.propose`, or the officer's
choice), then reads the rows under it by kind (`rowkinds`): title rows above the headings,
sub-headings and theme rows among the data, "Head of Service - Name" group rows,
continuation lines (joined to the row above), legends, and data rows. Every non-empty cell
that lands in no field is listed in `table.not_imported` with its row and column.

References missing from an actions table are made up per theme: the theme's letter and the
number written at the start of the action ("7. Youth offer …" in theme B is B7), or the
next number in the theme.
"""
import re
from collections import Counter

from app.demo.text import squash
from app.plans.transfer.columns import HEADER_SEARCH_ROWS, NotImported, SourceTable
from app.plans.transfer.mapping import FIELDS, MAIN, MULTI_LINE, Proposal, column_name, heading_field, kind_of, propose
from app.plans.transfer.rowkinds import (
    FOOTNOTE_MARKS, group_owner, is_legend, is_table_title, is_theme_text, legend_entries, merged_text, norm, numbered, only_cell,
    theme_letter,
)

_BARE_NUMBER = re.compile(r"^(\d{1,3})[.)]?$")
TITLE_KINDS = {"targets": "indicators", "target": "indicators", "indicators": "indicators", "kpis": "indicators",
               "measures": "indicators", "performanceindicators": "indicators", "performancemeasures": "indicators",
               "risks": "risks", "risk": "risks", "riskregister": "risks"}


def is_header_row(cells: list[str]) -> bool:
    """Two or more short cells naming fields Docket knows, and most of the row's cells doing so."""
    if merged_text(cells) is not None:
        return False
    filled = [c for c in cells if squash(c)]
    named = [heading_field(c) for c in filled if len(squash(c)) <= 60]
    fields = set(named) - {None}
    return len(fields) >= 2 and sum(1 for n in named if n) >= 0.6 * len(filled)


def _header_position(rows) -> int | None:
    seen = 0
    for position, (_, cells) in enumerate(rows):
        if not any(squash(c) for c in cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            return None
        if is_header_row(cells):
            return position
    return None


def split_tables(rows) -> list[list]:
    """A sheet or pasted text that holds several tables one after another: split before each
    heading row that follows data, with the theme and title lines just above it."""
    first = _header_position(rows)
    if first is None:
        return [rows]
    header = [squash(c) for c in rows[first][1]]
    cuts = []
    for position in range(first + 1, len(rows)):
        cells = rows[position][1]
        if [squash(c) for c in cells[: len(header)]] == header or not is_header_row(cells):
            continue
        start = position
        while start - 1 > (cuts[-1] if cuts else first) and len({squash(c) for c in rows[start - 1][1]} - {""}) <= 1:
            start -= 1
        cuts.append(start)
        header = [squash(c) for c in cells]
    bounds = [0] + cuts + [len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:]) if a < b]


def build_tables(rows, source: str, first_key: int, kind: str | None, options=None, *,
                 text_source: bool = False) -> list[SourceTable]:
    """Every table in the rows of one sheet or paste, each in its own shape, the theme carried
    from one to the next; the legend found in any of them serves them all."""
    tables: list[SourceTable] = []
    theme = None
    parts = split_tables(rows)
    for number, part in enumerate(parts):
        where = source if len(parts) == 1 else f"{source} (table {number + 1})"
        table = build_table(part, where, f"t{first_key + number}", theme=theme, options=options,
                            text_source=text_source, hint=kind)
        if table is not None:
            theme = getattr(table, "final_theme", theme)
            tables.append(table)
    legend: dict = {}
    for table in tables:
        legend.update(table.legend)
    for table in tables:
        table.legend = legend
    return tables


def _join_broken_lines(rows, width: int, last_multi: bool):
    """Lines of a pasted table that a line break inside a cell cut off (Word does not quote
    them): a row shorter than the headings goes on in the next line."""
    out: list[tuple[int, list[str]]] = []
    short = False
    for number, cells in rows:
        cells = list(cells)
        if out and short and any(squash(c) for c in cells) and len(out[-1][1]) + len(cells) - 1 <= width:
            previous = out[-1][1]
            previous[-1] = (previous[-1] + "\n" + cells[0]).strip("\n")
            previous.extend(cells[1:])
            short = len(previous) < width
            continue
        if out and len(cells) == 1 and squash(cells[0]) and last_multi and len(out[-1][1]) >= width \
                and not (group_owner(cells[0]) or is_theme_text(cells[0]) or is_legend(cells[0])
                         or is_table_title(cells[0])):
            previous = out[-1][1]
            previous[width - 1] = (previous[width - 1] + "\n" + cells[0]).strip("\n")
            continue
        out.append((number, cells))
        short = 1 < len(cells) < width
    return out


def build_table(rows, source: str, key: str, *, theme: str | None = None, legend: dict | None = None,
                options=None, text_source: bool = False, hint: str | None = None) -> SourceTable | None:
    """The table in these rows, read in its own shape; None if no row looks like headings.
    `options` (options.ImportOptions) carries the officer's mapping and references."""
    position = _header_position(rows)
    if position is None:
        return None
    overrides = options.overrides(key, [squash(c) for c in rows[position][1]]) if options else {}
    references = options.references.get(key, {}) if options else {}
    not_imported: list[NotImported] = []
    title = None
    legend = dict(legend or {})
    for number, cells in rows[:position]:
        text = merged_text(cells) or (only_cell(cells) or (None, None))[1]
        if text and is_legend(text):
            legend.update(legend_entries(text))
            not_imported.append(NotImported(source, number, "Legend", squash(text),
                                            "A legend: used to name the people its initials stand for"))
            continue
        if text and is_theme_text(text) and not is_table_title(text):
            theme = squash(text)  # shown on every row below as its priority theme
            continue
        if text and title is None and is_table_title(text):
            title = squash(text)
            hint = hint or TITLE_KINDS.get(norm(title))
            not_imported.append(NotImported(source, number, "Title", title, "The table's title"))
            continue
        for index, cell in enumerate(cells):
            if squash(cell):
                not_imported.append(NotImported(source, number, f"Column {index + 1}", squash(cell),
                                                "Above the table's headings"))
    header_number, header = rows[position]
    header = list(header)
    body = [(n, list(c)) for n, c in rows[position + 1:]]
    width = max([len(header)] + [len(c) for _, c in body[:200]])
    sample = [[c[i] if i < len(c) else "" for _, c in body[:200]] for i in range(width)]
    kind, proposal = propose(header, sample, hint)
    if overrides:
        proposal = [Proposal(p.index, p.heading, overrides.get(p.index, p.field),
                             "chosen by you" if p.index in overrides and overrides[p.index] != p.field else p.reason)
                    for p in proposal]
        kind = kind_of({p.field for p in proposal}, hint)
    columns: dict[int, str] = {}
    for p in proposal:
        name = column_name(kind, p.field)
        if name and name not in columns.values():
            columns[p.index] = name
    main_index = next((i for i, n in columns.items() if n in ("title", "description")), None)
    headings = [squash(header[i]) if i < len(header) and squash(header[i]) else f"Column {i + 1}"
                for i in range(width)]
    field_label = {p.index: p.field for p in proposal}
    if text_source:
        last = field_label.get(len(header) - 1, "skip")
        body = _join_broken_lines(body, len(header), last in MULTI_LINE)
    header_key = [squash(c) for c in header]
    data: list[tuple[int, list[str]]] = []
    context: dict[int, dict] = {}
    kinds = Counter()
    group = None
    group_row = None
    owner_hint = None
    numbered_rows = sum(1 for _, c in body if main_index is not None and main_index < len(c)
                        and numbered(squash(c[main_index]))[0])
    mostly_numbered = numbered_rows >= max(2, len(body) // 3)

    def lost(number, index, text, reason):
        not_imported.append(NotImported(source, number, headings[index] if index < len(headings)
                                        else f"Column {index + 1}", squash(text), reason))

    for number, cells in body:
        if not any(squash(c) for c in cells):
            continue
        if [squash(c) for c in cells[: len(header_key)]] == header_key:
            kinds["repeated headings"] += 1
            continue
        single = merged_text(cells)
        only = only_cell(cells)
        if single is None and only is not None:
            index, text = only
            special = is_legend(text) or group_owner(text) is not None or is_theme_text(text)
            unnumbered = index == main_index and mostly_numbered and not numbered(squash(text))[0]
            if special or len(cells) == 1 or (index == 0 and index != main_index) or unnumbered:
                single = text
        if single is not None:
            text = squash(single)
            if is_legend(single):
                legend.update(legend_entries(single))
                kinds["legend"] += 1
                not_imported.append(NotImported(source, number, "Legend", text,
                                                "A legend: used to name the people its initials stand for"))
            elif group_owner(single):
                owner_hint = group_owner(single)
                kinds["group owner"] += 1
                not_imported.append(NotImported(source, number, "Group row", text,
                                                "Names the owner of the rows under it that name no owner"))
            elif is_theme_text(single):
                theme, group = text, None
                kinds["theme"] += 1
            elif text[0] in FOOTNOTE_MARKS:
                kinds["footnote"] += 1
                not_imported.append(NotImported(source, number, "Footnote", text, "A footnote to the table"))
            elif is_table_title(single):
                kinds["title"] += 1
                not_imported.append(NotImported(source, number, "Title", text, "The table's title"))
            else:
                group = text[:300]
                group_row = number
                kinds["sub-heading"] += 1
            continue
        main = squash(cells[main_index]) if main_index is not None and main_index < len(cells) else ""
        if not main and data:
            previous = data[-1][1]
            for index, cell in enumerate(cells):
                if not squash(cell):
                    continue
                if index in columns:
                    while len(previous) <= index:
                        previous.append("")
                    previous[index] = (previous[index] + "\n" + cell).strip("\n") if squash(previous[index]) else cell
                else:
                    lost(number, index, cell, "Continues the row above, in a column that is not imported")
            kinds["continuation"] += 1
            continue
        if not main:
            for index, cell in enumerate(cells):
                if squash(cell):
                    lost(number, index, cell, f"The row has no {FIELDS[MAIN[kind]].lower()}")
            continue
        kinds["data"] += 1
        group_row = None
        data.append((number, cells))
        context[number] = {"theme": theme, "group": group, "owner_hint": owner_hint}
        for index, cell in enumerate(cells):
            if squash(cell) and index not in columns:
                field = field_label.get(index, "skip")
                reason = ("The column is set to “Do not import”" if field == "skip" else
                          f"A table of {kind} has no place for “{FIELDS.get(field, field)}”: choose another field "
                          "for the column, or leave it out")
                lost(number, index, cell, reason)
    if group_row is not None:  # a sub-heading with no rows under it: a note at the end of the table
        kinds["sub-heading"] -= 1
        not_imported.append(NotImported(source, group_row, "Note", group, "A line under the table, with no rows "
                                                                           "under it"))
    if kind == "actions" and main_index is not None:
        _references(data, context, columns, main_index, references or {})
    table = SourceTable(kind=kind, source=source, headings=headings, columns=columns, rows=data,
                        ignored_columns=[], key=key, lenient=True, context=context, not_imported=not_imported,
                        legend=legend, proposal=proposal, title=title, row_kinds=dict(kinds))
    table.final_theme = theme
    return table


def _references(data, context, columns, main_index: int, chosen: dict) -> None:
    """Each row's title without its number, and a reference for each row without one."""
    reference_index = next((i for i, n in columns.items() if n == "reference"), None)
    letters: dict[str | None, str] = {}
    used: dict[str, set[int]] = {}
    highest: dict[str, int] = {}
    taken: set[str] = set()
    def written_reference(cells):
        return squash(cells[reference_index]) if reference_index is not None and reference_index < len(cells) else ""

    for number, cells in data:
        if written_reference(cells) and not _BARE_NUMBER.match(written_reference(cells)):
            taken.add(written_reference(cells).upper())
    for number, cells in data:
        ctx = context[number]
        written, title = numbered(cells[main_index])
        if written:
            ctx["title"] = title
        reference = written_reference(cells)
        bare = _BARE_NUMBER.match(reference)
        if reference and not bare:
            continue
        if bare:
            written = bare.group(1)
        theme = ctx["theme"]
        letter = letters.get(theme)
        if letter is None:
            letter = theme_letter(theme) or "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[min(len(letters), 25)]
            letters[theme] = letter
        numbers = used.setdefault(letter, set())
        n = int(written) if written else highest.get(letter, 0) + 1
        reference = f"{letter}{n}"
        if reference.upper() in taken:  # a number used twice in a theme: the next free one
            n = max(highest.get(letter, 0), n) + 1
            reference = f"{letter}{n}"
            while reference.upper() in taken:
                n += 1
                reference = f"{letter}{n}"
        numbers.add(n)
        highest[letter] = max(highest.get(letter, 0), n)
        taken.add(reference.upper())
        ctx["generated"] = reference
        ctx["reference"] = (chosen.get(number) or reference)[:40]
