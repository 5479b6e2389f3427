"""The committee's work plan for the municipal year: planned items of each meeting, moved
between meetings, linked to reports once they exist, and flagged when a meeting is near
and no approved report exists."""
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Committee, Meeting, Report, ReportState, WorkPlanEntry
from app.trail import record

NEAR_DAYS = 21


class WorkPlanError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class PlannedMeeting:
    meeting: Meeting
    entries: list

    def flagged(self, entry, today: date) -> bool:
        """Near, and no approved report linked (items like "Work Plan" need no report)."""
        if entry.title.strip().lower() in ("work plan", "draft work plan"):
            return False
        near = 0 <= (self.meeting.meets_on - today).days <= NEAR_DAYS
        approved = entry.report is not None and entry.report.state in (ReportState.APPROVED, ReportState.PUBLISHED)
        return near and not approved


def years_of(committee: Committee) -> list[str]:
    return sorted({m.municipal_year for m in committee.meetings}, reverse=True)


def work_plan(committee: Committee, year: str) -> list[PlannedMeeting]:
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.committee_id == committee.id,
                                                           Meeting.municipal_year == year)
                                  .order_by(Meeting.meets_on)).all()
    entries = db.session.scalars(sa.select(WorkPlanEntry).where(WorkPlanEntry.committee_id == committee.id,
                                                                WorkPlanEntry.municipal_year == year)
                                 .order_by(WorkPlanEntry.position, WorkPlanEntry.id)).all()
    by_meeting = {}
    for e in entries:
        by_meeting.setdefault(e.meeting_id, []).append(e)
    return [PlannedMeeting(m, by_meeting.get(m.id, [])) for m in meetings]


def add_entry(committee: Committee, meeting: Meeting, title: str, report_owner: str | None, expected_report: str | None,
              actor) -> WorkPlanEntry:
    if not (title or "").strip():
        raise WorkPlanError("Enter the item's title", "title")
    if meeting.committee_id != committee.id:
        raise WorkPlanError("Choose one of this committee's meetings", "meeting_id")
    position = 1 + max([e.position for e in meeting.work_plan_entries] or [0])
    entry = WorkPlanEntry(committee_id=committee.id, meeting_id=meeting.id, municipal_year=meeting.municipal_year,
                          title=title.strip()[:300], report_owner=(report_owner or "").strip()[:200] or None,
                          expected_report=(expected_report or "").strip()[:300] or None, position=position)
    db.session.add(entry)
    db.session.flush()
    record("work_plan_item_added", entry, actor=actor, data={"title": entry.title, "meeting": str(meeting.meets_on)})
    db.session.commit()
    return entry


def move_entry(entry: WorkPlanEntry, meeting: Meeting, actor) -> None:
    if meeting.committee_id != entry.committee_id:
        raise WorkPlanError("Choose one of this committee's meetings", "meeting_id")
    old = entry.meeting
    entry.meeting_id = meeting.id
    entry.municipal_year = meeting.municipal_year
    entry.position = 1 + max([e.position for e in meeting.work_plan_entries if e.id != entry.id] or [0])
    record("work_plan_item_moved", entry, actor=actor,
           data={"changes": {"Meeting": [str(old.meets_on) if old else None, str(meeting.meets_on)]}})
    db.session.commit()


def link_report(entry: WorkPlanEntry, report: Report | None, actor) -> None:
    from app.meetings.service import in_committee_scope

    if report is not None and not in_committee_scope(report, entry.committee):
        raise WorkPlanError(f"“{report.title}” is not a report for this committee.", "report_id")
    entry.report_id = report.id if report else None
    record("work_plan_item_linked", entry, actor=actor, data={"report": report.title if report else None})
    db.session.commit()


def remove_entry(entry: WorkPlanEntry, actor) -> None:
    record("work_plan_item_removed", entry, actor=actor, data={"title": entry.title})
    db.session.delete(entry)
    db.session.commit()


def _meeting_label(m: Meeting) -> str:
    from app.meetings.dates import format_long_date

    when = format_long_date(m.meets_on).replace(",", "")
    if m.starts_at:
        hour = m.starts_at.hour % 12 or 12
        when += f" @ {hour}.{m.starts_at:%M}{'am' if m.starts_at.hour < 12 else 'pm'}"
    return when


def export_xlsx(committee: Committee, year: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"Work Plan {year}"[:31]
    ws.append([f"{committee.name} Draft Work Plan {year}"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(["Meeting", "Item", "Report owner", "Expected report", "Linked report", "Report status"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for planned in work_plan(committee, year):
        if not planned.entries:
            ws.append([_meeting_label(planned.meeting), "", "", "", "", ""])
        for e in planned.entries:
            ws.append([_neutral(v) for v in (_meeting_label(planned.meeting), e.title, e.report_owner or "",
                                               e.expected_report or "", e.report.title if e.report else "",
                                               e.report.state.label if e.report else "")])
    for col, width in zip("ABCDEF", (34, 60, 28, 30, 40, 14)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _neutral(value: str) -> str:
    """A cell that would start a formula in a spreadsheet is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def work_plan_pdf(committee: Committee, year: str) -> bytes:
    """The work plan as the pack prints it."""
    from flask import current_app, render_template
    from weasyprint import CSS, HTML

    html = render_template("meetings/workplan_print.html", committee=committee, year=year,
                           plan=work_plan(committee, year), label=_meeting_label)
    return HTML(string=html).write_pdf(stylesheets=[
        CSS(filename=f"{current_app.static_folder}/css/print.css"),
        CSS(string="@page { @bottom-center { content: none; } }")])
