"""Realistic council plans, built in the shapes councils really write them, for import tests.

Each builder returns a `Built`: the file's bytes (or the pasted text), a file name, and the facts a
test checks against (what every action, indicator or narrative row should become, and every
non-empty source cell, so that a test can prove nothing was lost). The content is invented: the
fictional Westbridge Borough Council and its people.

Shapes (issue 13):
- `actions_docx()` — a Word plan: themes as headings between tables ("B. Improve the stability of
  placements…"), a title row merged across each table ("Actions to deliver"), a heading row
  (No., Action, Lead², Other agency lead, By when), a sub-heading row merged across ("Deliver the
  Youth Offer Strategy"), numbering that restarts per theme (7 in B and in D), tables without a
  No. column where the number is inside the text ("7. Care leavers offered…"), owners as initials
  explained by a footnote legend, "By when" in every form, partners one a line.
- `targets_docx()` — a targets table: measure, actual (as at), similar authorities, last year's
  outturn, this year's target, comments, with values such as "61.2%", "NA", "TBD ⁴", "£2.150m.",
  "Gross £51.300m. Net £27.940m.", "64% (Aug 21)", and cells over several lines.
- `narrative_docx()` — a business plan: rows grouped by "Head of Service - Name" rows, each with a
  service priority, a must-do action and a progress cell holding the progress, "Key actions
  remaining:" bullets (•, -, <ul><li>) and "Areas of focus for next year:".
- `*_xlsx()` and `*_paste()` — the same content as a spreadsheet (merged cells, line breaks in
  cells) and as text pasted from Word (tabs between cells, line breaks inside cells unquoted).

Facts are plain dicts and lists; dates are `datetime.date`.
"""
import io
from dataclasses import dataclass, field
from datetime import date

# --- the documents' content -------------------------------------------------------------------


@dataclass
class Merged:
    """A row that is one cell merged across the whole table: a title or a sub-heading."""

    text: str
    kind: str = "subheading"  # "title" or "subheading"


@dataclass
class Table:
    headings: list[str]
    rows: list  # list[str] cells, or Merged
    title: str | None = None  # the title row merged across the top ("Actions to deliver")


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str


@dataclass
class Built:
    content: bytes
    filename: str
    facts: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The content as text (for pasted shapes)."""
        return self.content.decode("utf-8")


LEGEND = ("² AM Asha Mensah, Assistant Director Learning; LW Lena Wójcik, Head of Children’s Social Care; "
          "TG Tom Griffiths, Head of Youth Services")
LEGEND_PEOPLE = {
    "AM": ("Asha Mensah", "Assistant Director Learning"),
    "LW": ("Lena Wójcik", "Head of Children’s Social Care"),
    "TG": ("Tom Griffiths", "Head of Youth Services"),
}

THEMES = {
    "A": "A. Keep children safe in their families",
    "B": "B. Improve the stability of placements for children in care",
    "C": "C. Raise the attainment of children in care",
    "D": "D. Prepare young people for adulthood",
}
YOUTH_OFFER = "Deliver the Youth Offer Strategy"

# (theme letter, number, title, owner initials, partners (one a line), by when, group title,
#  expected: due date, milestone dates, timing text kept, complete)
_ACTIONS = [
    ("A", "1", "Launch the early help hub with a single front door for families", "LW", "Health\nPolice",
     "31/03/22", None, date(2022, 3, 31), [], None, False),
    ("A", "2", "Train every social worker in the strengthening families approach", "LW", "",
     "31/05/21 31/08/21 30/11/21", None, None, [date(2021, 5, 31), date(2021, 8, 31), date(2021, 11, 30)],
     "31/05/21 31/08/21 30/11/21", False),
    ("A", "3", "Review the threshold document with partners and publish it", "AM", "Schools\nHealth\nPolice",
     "30/09/21 (draft) 31/03/22", None, None, [date(2021, 9, 30), date(2022, 3, 31)],
     "30/09/21 (draft) 31/03/22", False),
    ("A", "4", "Report caseload levels to the improvement board", "LW", "", "Monthly", None, None, [],
     "Monthly", False),
    ("B", "5", "Recruit 20 more foster carers through the regional campaign", "LW", "Fostering Network",
     "31.03.22", None, date(2022, 3, 31), [], None, False),
    ("B", "6", "Hold a placement stability meeting for every child with two moves in a year", "LW", "",
     "Ongoing", None, None, [], "Ongoing", False),
    ("B", "7", "Youth offer published and shared with young people in care", "TG", "Youth Council",
     "Completed 31.05.21", YOUTH_OFFER, date(2021, 5, 31), [], "Completed 31.05.21", True),
    ("B", "8", "Open two youth hubs, in Eastfield and Northgate", "TG", "Police\nHousing", "31/12/21",
     YOUTH_OFFER, date(2021, 12, 31), [], None, False),
    ("B", "9", "Count attendance at the youth hubs each term and report it", "TG", "Schools", "Termly",
     YOUTH_OFFER, None, [], "Termly", False),
    ("C", "1", "Every child in care has a personal education plan reviewed each term", "AM", "Schools",
     "Termly", None, None, [], "Termly", False),
    ("C", "2", "Extend the virtual school’s tuition offer to young people over 16", "AM",
     "Colleges\nTraining providers", "Completed & ongoing", None, None, [], "Completed & ongoing", False),
    ("D", "7", "Care leavers offered a personal adviser up to the age of 25", "TG", "Housing\nJobcentre Plus",
     "", None, None, [], None, False),
    ("D", "8", "Agree a joint housing protocol for care leavers", "TG", "Housing", "31/10/21", None,
     date(2021, 10, 31), [], None, False),
]
_NUMBERED_HEADINGS = ["No.", "Action", "Lead²", "Other agency lead", "By when"]
_TEXT_HEADINGS = ["Action", "Lead²", "Other agency lead", "By when"]


def _action_row(a, numbered: bool) -> list[str]:
    letter, number, title, owner, partners, when = a[:6]
    if numbered:
        return [number + ".", title, owner, partners, when]
    return [f"{number}. {title}", owner, partners, when]


def _actions_blocks() -> list:
    by_theme = {letter: [a for a in _ACTIONS if a[0] == letter] for letter in THEMES}
    blocks = [Heading("Westbridge Borough Council: Children’s Services Improvement Plan 2021/22", 1),
              Paragraph("This plan sets out what we will do this year, who leads it and when it will be done.")]
    # Themes A and B: a No. column; theme B's second table has a sub-heading row.
    blocks += [Heading(THEMES["A"]),
               Table(_NUMBERED_HEADINGS, [_action_row(a, True) for a in by_theme["A"]], title="Actions to deliver")]
    b_plain = [a for a in by_theme["B"] if a[6] is None]
    b_group = [a for a in by_theme["B"] if a[6] == YOUTH_OFFER]
    blocks += [Heading(THEMES["B"]),
               Table(_NUMBERED_HEADINGS, [_action_row(a, True) for a in b_plain], title="Actions to deliver"),
               Table(_NUMBERED_HEADINGS, [Merged(YOUTH_OFFER)] + [_action_row(a, True) for a in b_group],
                     title="Actions to deliver")]
    # Themes C and D: no reference column; the number is inside the action's text.
    for letter in ("C", "D"):
        blocks += [Heading(THEMES[letter]),
                   Table(_TEXT_HEADINGS, [_action_row(a, False) for a in by_theme[letter]],
                         title="Actions to deliver")]
    blocks.append(Paragraph(LEGEND))
    return blocks


def _actions_facts() -> dict:
    actions = []
    for (letter, number, title, owner, partners, when, group, due, milestones, timing, complete) in _ACTIONS:
        actions.append({
            "reference": f"{letter}{number}", "theme": THEMES[letter], "number": number, "title": title,
            "owner_initials": owner, "owner_name": LEGEND_PEOPLE[owner][0], "owner_job_title": LEGEND_PEOPLE[owner][1],
            "partners": partners.split("\n") if partners else [], "by_when": when, "group_title": group,
            "due_on": due, "milestone_dates": milestones, "timing": timing, "complete": complete,
        })
    return {
        "actions": actions, "themes": list(THEMES.values()), "group_titles": [YOUTH_OFFER],
        "legend": LEGEND, "people": LEGEND_PEOPLE, "tables": 5, "title_rows": 5, "heading_rows": 5,
        "subheading_rows": 1, "data_rows": len(_ACTIONS),
        # numbering restarts: 7 and 8 are in theme B and in theme D
        "repeated_numbers": ["7", "8"],
    }


TARGETS_FOOTNOTE = "⁴ The target will be set when the new assessment framework’s baseline is agreed in December 2021."
_TARGET_HEADINGS = ["Measure", "Actual (as at 31/08/21)", "Similar authorities", "2020/21 outturn",
                    "2021/22 target", "Comments"]
# measure, actual, comparator, outturn, target, comments; expected: target number, unit, target text
_TARGETS = [
    ("Percentage of children in care with three or more placements in the year", "9.8%", "10.4%", "11.2%", "9%",
     "Lower is better", "9", "percentage", None),
    ("Percentage of care leavers in education, employment or training", "61.2%", "53%", "58.0%", "64%", "",
     "64", "percentage", None),
    ("Number of approved foster carer households", "37", "NA", "33", "45",
     "Includes 4 connected carers\nRegional campaign from October", "45", "count", None),
    ("Children in care attending a good or outstanding school", "64% (Aug 21)", "71%", "66%", "TBC", "",
     None, "percentage", "TBC"),
    ("Re-referrals to children’s social care within 12 months", "22.4%", "21.9%", "24.1%", "TBD ⁴",
     "See footnote 4", None, "percentage", "TBD"),
    ("Placement budget overspend", "£2.150m.", "NA", "£3.020m.", "£1.500m.", "", "1.5", "currency", None),
    ("Children’s services budget", "£49.870m.", "", "Gross £50.110m.\nNet £27.120m.",
     "Gross £51.300m. Net £27.940m.", "Net figure after grants\nand recharges", None, "currency",
     "Gross £51.300m. Net £27.940m."),
]


def _targets_blocks() -> list:
    return [Heading("Westbridge Borough Council: Children’s Services Improvement Plan 2021/22", 1),
            Heading("How we will know we are making a difference"),
            Table(_TARGET_HEADINGS, [list(t[:6]) for t in _TARGETS], title="Targets"),
            Paragraph(TARGETS_FOOTNOTE)]


def _targets_facts() -> dict:
    from decimal import Decimal

    indicators = []
    for (measure, actual, comparator, outturn, target, comments, number, unit, text) in _TARGETS:
        indicators.append({
            "description": measure, "actual": actual, "comparator": comparator, "outturn": outturn,
            "outturn_label": "2020/21", "target_cell": target, "target": Decimal(number) if number else None,
            "unit": unit, "target_text": text, "comments": comments,
        })
    return {"indicators": indicators, "footnote": TARGETS_FOOTNOTE, "tables": 1, "title_rows": 1,
            "heading_rows": 1, "data_rows": len(_TARGETS), "as_at": date(2021, 8, 31)}


_NARRATIVE_HEADINGS = ["Service priority", "Must do actions", "Progress update (Q4 2020/21)"]
# head of service, service priority, action, progress, key actions remaining, next focus, raw progress cell
_NARRATIVE = [
    ("Nadia Hussain", "Increase recycling rates", "Roll out food waste collections to every household",
     "Food waste collections now reach 62,000 of 88,000 households.",
     ["Complete the last two rounds in Northgate", "Replace 1,200 kitchen caddies"],
     ["Communal food waste bins at flats"], "•"),
    ("Nadia Hussain", "Keep streets clean", "Meet the litter picking standard in every ward",
     "The standard was met in 18 of 21 wards; three wards are behind because of vacancies.",
     ["Recruit two street cleansing operatives", "Publish ward cleanliness scores"],
     ["Chewing gum removal in the town centre"], "-"),
    ("Owen Price", "Safer roads", "Resurface 40 km of carriageway",
     "32 km were resurfaced by the end of March.",
     ["Finish the A419 scheme", "Survey the minor roads"], ["Repair potholes within 48 hours"], "ul"),
    ("Owen Price", "Safer roads", "Replace 2,000 street lights with LED lanterns",
     "Complete: all 2,000 lanterns were replaced in February.", [], [], None),
]


def _bullets(lines: list[str], style: str) -> str:
    if style == "ul":
        return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    return "\n".join(f"{style} {line}" for line in lines)


def progress_cell(progress: str, remaining: list[str], focus: list[str], style: str | None) -> str:
    parts = [progress]
    if remaining:
        parts += ["Key actions remaining:", _bullets(remaining, style)]
    if focus:
        parts += ["Areas of focus for next year:", _bullets(focus, style)]
    return "\n".join(parts)


def _narrative_blocks() -> list:
    rows, head = [], None
    for (name, priority, action, progress, remaining, focus, style) in _NARRATIVE:
        if name != head:
            rows.append(Merged(f"Head of Service - {name}"))
            head = name
        rows.append([priority, action, progress_cell(progress, remaining, focus, style)])
    return [Heading("Westbridge Borough Council: Place Directorate Business Plan 2021/22", 1),
            Heading("Service priorities and progress"),
            Table(_NARRATIVE_HEADINGS, rows)]


def _narrative_facts() -> dict:
    rows = [{"head_of_service": name, "priority": priority, "title": action, "narrative": progress,
             "key_actions_remaining": remaining, "next_focus": focus,
             "progress_cell": progress_cell(progress, remaining, focus, style)}
            for (name, priority, action, progress, remaining, focus, style) in _NARRATIVE]
    return {"rows": rows, "heads_of_service": ["Nadia Hussain", "Owen Price"], "period_heading": "Q4 2020/21",
            "tables": 1, "title_rows": 0, "heading_rows": 1, "group_rows": 2, "data_rows": len(_NARRATIVE)}


# --- the cells of a document (for "nothing lost") ----------------------------------------------

def source_cells(blocks: list) -> list[tuple[int, int, int, str]]:
    """Every non-empty cell: (table number from 1, row number from 1, column number from 1, text). A
    merged row counts once, in column 1; the title row is row 1 when a table has one."""
    out, number = [], 0
    for block in blocks:
        if not isinstance(block, Table):
            continue
        number += 1
        rows = ([Merged(block.title, "title")] if block.title else []) + [block.headings] + list(block.rows)
        for r, row in enumerate(rows, start=1):
            if isinstance(row, Merged):
                out.append((number, r, 1, row.text))
                continue
            for c, text in enumerate(row, start=1):
                if text.strip():
                    out.append((number, r, c, text))
    return out


def data_cells(blocks: list) -> list[str]:
    """The texts of the non-empty cells below the heading rows (the ones an import must place)."""
    out = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                out += [row.text] if isinstance(row, Merged) else [t for t in row if t.strip()]
    return out


# --- writing Word --------------------------------------------------------------------------------

def _set_cell(cell, text: str) -> None:
    """Each line of the text is a paragraph of the cell, as Word writes it."""
    lines = text.split("\n") if text else [""]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def to_docx(blocks: list) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph(block.text)
            paragraph.runs[0].font.size = Pt(8)
        else:
            width = len(block.headings)
            rows = ([Merged(block.title, "title")] if block.title else []) + [block.headings] + list(block.rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                if isinstance(row, Merged):
                    merged = table.cell(r, 0).merge(table.cell(r, width - 1))
                    _set_cell(merged, row.text)
                    if row.kind == "title":
                        merged.paragraphs[0].runs[0].bold = True
                    continue
                for c, text in enumerate(row):
                    _set_cell(table.cell(r, c), text)
            for cell in table.rows[1 if block.title else 0].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- writing a spreadsheet -----------------------------------------------------------------------

def to_xlsx(blocks: list, sheet_title: str = "Plan") -> bytes:
    """One sheet, laid out as the document: headings on a row of their own, tables one after
    another with a blank row between, merged rows merged across, line breaks inside cells."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    r = 1
    for block in blocks:
        if isinstance(block, (Heading, Paragraph)):
            sheet.cell(row=r, column=1, value=block.text).font = Font(bold=isinstance(block, Heading))
            r += 1
            continue
        width = len(block.headings)
        rows = ([Merged(block.title, "title")] if block.title else []) + [block.headings] + list(block.rows)
        for row in rows:
            if isinstance(row, Merged):
                sheet.cell(row=r, column=1, value=row.text).font = Font(bold=True)
                sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            else:
                for c, text in enumerate(row, start=1):
                    cell = sheet.cell(row=r, column=c, value=text or None)
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
        r += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- pasting from Word ---------------------------------------------------------------------------

def to_paste(blocks: list) -> str:
    """What copying the document out of Word gives: cells separated by tabs, a line break inside a
    cell written as it is (not quoted), a merged row as its one text, headings on their own line."""
    lines = []
    for block in blocks:
        if isinstance(block, (Heading, Paragraph)):
            lines.append(block.text)
            continue
        rows = ([Merged(block.title, "title")] if block.title else []) + [block.headings] + list(block.rows)
        for row in rows:
            lines.append(row.text if isinstance(row, Merged) else "\t".join(row))
        lines.append("")
    return "\n".join(lines)


# --- the builders --------------------------------------------------------------------------------

_SHAPES = {
    "actions": (_actions_blocks, _actions_facts, "childrens-improvement-plan"),
    "targets": (_targets_blocks, _targets_facts, "childrens-targets"),
    "narrative": (_narrative_blocks, _narrative_facts, "place-business-plan"),
}


def _build(shape: str, form: str) -> Built:
    blocks_of, facts_of, name = _SHAPES[shape]
    blocks = blocks_of()
    facts = facts_of()
    facts["cells"] = source_cells(blocks)
    facts["data_cells"] = data_cells(blocks)
    facts["blocks"] = blocks
    if form == "docx":
        return Built(to_docx(blocks), f"{name}.docx", facts)
    if form == "xlsx":
        return Built(to_xlsx(blocks), f"{name}.xlsx", facts)
    return Built(to_paste(blocks).encode("utf-8"), f"{name}.txt", facts)


def actions_docx() -> Built:
    return _build("actions", "docx")


def actions_xlsx() -> Built:
    return _build("actions", "xlsx")


def actions_paste() -> Built:
    return _build("actions", "paste")


def targets_docx() -> Built:
    return _build("targets", "docx")


def targets_xlsx() -> Built:
    return _build("targets", "xlsx")


def targets_paste() -> Built:
    return _build("targets", "paste")


def narrative_docx() -> Built:
    return _build("narrative", "docx")


def narrative_xlsx() -> Built:
    return _build("narrative", "xlsx")


def narrative_paste() -> Built:
    return _build("narrative", "paste")


def whole_plan_docx() -> Built:
    """One Word document holding the actions, the targets and their legends, as many plans do."""
    blocks = _actions_blocks() + _targets_blocks()[1:]
    facts = {"actions": _actions_facts(), "targets": _targets_facts(), "cells": source_cells(blocks),
             "data_cells": data_cells(blocks), "blocks": blocks}
    return Built(to_docx(blocks), "childrens-whole-plan.docx", facts)


BUILDERS = {
    ("actions", "docx"): actions_docx, ("actions", "xlsx"): actions_xlsx, ("actions", "paste"): actions_paste,
    ("targets", "docx"): targets_docx, ("targets", "xlsx"): targets_xlsx, ("targets", "paste"): targets_paste,
    ("narrative", "docx"): narrative_docx, ("narrative", "xlsx"): narrative_xlsx,
    ("narrative", "paste"): narrative_paste,
}
