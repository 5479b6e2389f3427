"""The plan written out in the shape it is imported in: template, workbook and CSV."""
import csv
import io
import re
from datetime import date
from decimal import Decimal
from app.models import Plan
from app.plans.transfer.columns import COLUMNS, KINDS, MAX_ROWS, SHEET_NAMES, escape_cell, result_heading
from app.plans.transfer.state import PlanState, _milestones_of
from app.plans.transfer.cells import format_due, format_milestones, format_number, format_type


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
                 format_due(a.due_on, a.status), format_milestones(_milestones_of(a)),
                 a.group_title or "", a.partners or "", a.timing or ""] for a in state.actions]
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
            i.frequency.label if i.frequency else "", i.target_text or "", i.benchmark_comparator or "",
            i.benchmark_national or "", i.benchmark_regional or "", i.target_rationale or "", i.comments or ""])
    return rows


# --- the Updates sheet: every period's update per action and value per indicator ------------------

UPDATES_SHEET = "Updates"
UPDATES_HEADINGS = ["Period", "Period ends", "Kind", "Reference", "Action or indicator", "State", "RAG",
                    "Percent complete", "Progress", "Key actions remaining", "Corrective action",
                    "Focus for the next period", "Milestones done", "Value", "Commentary", "Submitted by",
                    "Submitted on", "Signed off by", "Signed off on"]


def _when(moment) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else ""


def _person(user) -> str:
    return user.name if user is not None else ""


def updates_rows(plan: Plan) -> list[list]:
    """One row per progress update and per indicator value of the plan's actions and indicators,
    period by period (oldest first), actions before indicators, by reference."""
    import json

    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from app.models import Action, Indicator, IndicatorValue, Milestone, ProgressUpdate, ReportingPeriod

    updates = db.session.scalars(
        sa.select(ProgressUpdate).join(Action, Action.id == ProgressUpdate.action_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressUpdate.period_id).where(Action.plan_id == plan.id)
        .order_by(ReportingPeriod.ends_on, ReportingPeriod.id, Action.reference)
        .options(selectinload(ProgressUpdate.action), selectinload(ProgressUpdate.period),
                 selectinload(ProgressUpdate.submitted_by), selectinload(ProgressUpdate.signed_off_by))).all()
    values = db.session.scalars(
        sa.select(IndicatorValue).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(ReportingPeriod, ReportingPeriod.id == IndicatorValue.period_id).where(Indicator.plan_id == plan.id)
        .order_by(ReportingPeriod.ends_on, ReportingPeriod.id, Indicator.position, Indicator.id)
        .options(selectinload(IndicatorValue.indicator), selectinload(IndicatorValue.period),
                 selectinload(IndicatorValue.submitted_by), selectinload(IndicatorValue.signed_off_by))).all()
    milestone_ids = {mid for u in updates for mid in json.loads(u.milestones_done or "[]")}
    milestones = {m.id: m.text for m in db.session.scalars(
        sa.select(Milestone).where(Milestone.id.in_(milestone_ids or [-1])))}
    rows = []
    for u in updates:
        done = "\n".join(milestones[mid] for mid in json.loads(u.milestones_done or "[]") if mid in milestones)
        rows.append(((u.period.ends_on, u.period.id, 0), [
            u.period.name, u.period.ends_on, "Action", u.action.reference, u.action.title, u.state.label,
            u.rag.label if u.rag else "", u.percent_complete, u.narrative or "", u.key_actions_remaining or "",
            u.corrective_action or "", u.next_focus or "", done, None, "", _person(u.submitted_by),
            _when(u.submitted_at), _person(u.signed_off_by), _when(u.signed_off_at)]))
    for v in values:
        i = v.indicator
        rows.append(((v.period.ends_on, v.period.id, 1), [
            v.period.name, v.period.ends_on, "Indicator", i.reference or "", i.description, v.state.label, "", None,
            "", "", "", "", "", v.value, v.commentary or "", _person(v.submitted_by), _when(v.submitted_at),
            _person(v.signed_off_by), _when(v.signed_off_at)]))
    rows.sort(key=lambda r: r[0])  # stable: within a period, actions by reference, then indicators in order
    return [row for _, row in rows]


def _safe(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


_WIDTHS = {"Reference ID": 14, "Priority Theme": 40, "Action": 50, "Risk": 50, "Indicator Description": 50,
           "Milestones / Deliverables": 60, "Actions to Mitigate and Correct": 60, "Group": 30, "Partners": 30,
           "Timing": 24, "Target as written": 24, "Target rationale": 40, "Comments": 40,
           "Action or indicator": 50, "Progress": 60, "Key actions remaining": 50, "Corrective action": 40,
           "Focus for the next period": 50, "Commentary": 50}
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
    "Group: the sub-heading an action sits under within its theme. Partners: other agencies that lead or help, "
    "one per line. Timing: when the action is due, as written, when it is not one date (Monthly, Ongoing).",
    "Target as written: a target that is not a plain number (TBC, Gross £51.300m. Net £27.940m.). "
    "Comparator, National and Regional benchmark: figures to compare with, as written.",
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
    """Everything the plan holds: its actions, risks and indicators in the template's shape (an
    export imports back unchanged), and an Updates sheet with every period's progress update per
    action and value per indicator (a record to take away: the import does not read it)."""
    state = PlanState.load(plan)
    labels = plan_result_labels(state)
    sheets = [(SHEET_NAMES[k], headings(k, labels), export_rows(k, state)) for k in KINDS]
    sheets.append((UPDATES_SHEET, UPDATES_HEADINGS, updates_rows(plan)))
    return _workbook(sheets, guidance=False)


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
