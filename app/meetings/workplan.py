"""The committee's work plan for the municipal year: planned items of each meeting, moved
between meetings, linked to reports once they exist, and flagged when a meeting is near
and no approved report exists.

Changes follow app/concurrency.py: an item is planned for a meeting once (a unique
constraint), and moving, linking and removing an item carry the item's version from the page,
so a double-click or a colleague's change first is refused with who acted and when.

A linked report is shown to readers, and in the export, only once it is approved: a draft's
title is the author's business until then (the clerk's own working view shows it).
"""
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.concurrency import Refused, guarded, touch
from app.extensions import db
from app.models import Committee, Meeting, Report, ReportState, TrailEvent, WorkPlanEntry
from app.trail import record

NEAR_DAYS = 21
READY = (ReportState.APPROVED, ReportState.PUBLISHED)
# `version` for callers without a page (scripts and tests): the item as loaded now.
CURRENT = object()
AGAIN = " Nothing was changed: look at the work plan again, then try once more."
DID = {"work_plan_item_added": "added", "work_plan_item_moved": "moved",
       "work_plan_item_linked": "changed the report linked to", "work_plan_item_removed": "removed"}


class WorkPlanError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotOnWorkPlan(LookupError):
    """No such item on this committee's work plan (and no record of one removed)."""


def shown_report(entry: WorkPlanEntry, working: bool = False) -> Report | None:
    """The report linked to an entry as a reader may see it: approved or published; a draft
    (or one waiting for approval) only in the clerk's working view."""
    report = entry.report
    if report is None or (not working and report.state not in READY):
        return None
    return report


def _last_event(entry_id: int) -> TrailEvent | None:
    return db.session.scalar(sa.select(TrailEvent).where(TrailEvent.object_type == WorkPlanEntry.__tablename__,
                                                         TrailEvent.object_id == entry_id)
                             .order_by(TrailEvent.seq.desc()).limit(1))


def who_acted(entry_id: int, title: str) -> str:
    """"Cleo Clerk moved “Roads update” on 3 December 2026 at 10:04." (a fresh read)."""
    from app.filters import uk_datetime

    event = _last_event(entry_id)
    if event is None:
        return f"Someone else changed “{title}” first."
    did = DID.get(event.verb, "changed")
    return f"{event.actor_name or 'Docket'} {did} “{title}” on {uk_datetime(event.occurred_at)}."


def entry_of(committee: Committee, entry_id: int | None, version=CURRENT) -> WorkPlanEntry:
    """The item the page named, checked against the version the page showed. An item someone
    removed meanwhile is a refusal naming them; an item that never was, `NotOnWorkPlan`."""
    entry = db.session.get(WorkPlanEntry, entry_id) if entry_id and 0 < entry_id < 2**31 else None
    if entry is None:
        event = _last_event(entry_id) if entry_id and 0 < entry_id < 2**31 else None
        data = json.loads(event.data or "{}") if event is not None else {}
        if event is not None and event.verb == "work_plan_item_removed" and data.get("committee_id") == committee.id:
            raise Refused(who_acted(entry_id, data.get("title", "the item")) + AGAIN)
        raise NotOnWorkPlan(entry_id)
    if entry.committee_id != committee.id:
        raise NotOnWorkPlan(entry_id)
    check_entry(entry, version)
    return entry


def check_entry(entry: WorkPlanEntry, version) -> None:
    """Refuse a change made from a page older than the item (rule 2 of app/concurrency.py)."""
    if version is not CURRENT and (version is None or entry.version != version):
        raise Refused(who_acted(entry.id, entry.title) + AGAIN)


@contextmanager
def _saving(already: str, entry_id: int | None = None, title: str = ""):
    """Commit one work-plan change with its trail event, or refuse it (app/concurrency.py)."""
    with guarded(already, stale=lambda: who_acted(entry_id, title) + AGAIN):
        yield
        db.session.commit()


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
    title = title.strip()[:300]
    already = f"“{title}” is already on the work plan for {_meeting_label(meeting)}, so it was not added again."
    same = sa.select(WorkPlanEntry).where(WorkPlanEntry.meeting_id == meeting.id, WorkPlanEntry.title == title)
    existing = db.session.scalar(same)
    if existing is not None:
        raise Refused(f"{already} {who_acted(existing.id, title)}", "title")
    position = 1 + max([e.position for e in meeting.work_plan_entries] or [0])
    entry = WorkPlanEntry(committee_id=committee.id, meeting_id=meeting.id, municipal_year=meeting.municipal_year,
                          title=title, report_owner=(report_owner or "").strip()[:200] or None,
                          expected_report=(expected_report or "").strip()[:300] or None, position=position)
    try:
        with guarded(already):
            db.session.add(entry)
            db.session.flush()
            record("work_plan_item_added", entry, actor=actor,
                   data={"title": entry.title, "meeting": str(meeting.meets_on)})
            db.session.commit()
    except Refused:  # the unique constraint held against a simultaneous add: say whose it is
        existing = db.session.scalar(same)
        raise Refused(f"{already} {who_acted(existing.id, title)}" if existing else already, "title") from None
    return entry


def move_entry(entry: WorkPlanEntry, meeting: Meeting, actor) -> None:
    """Move an item (already checked by `entry_of`) to another of the committee's meetings."""
    if meeting.committee_id != entry.committee_id:
        raise WorkPlanError("Choose one of this committee's meetings", "meeting_id")
    old = entry.meeting
    already = f"“{entry.title}” is already on the work plan for {_meeting_label(meeting)}."
    with _saving(already, entry.id, entry.title):
        touch(entry)
        entry.meeting_id = meeting.id
        entry.municipal_year = meeting.municipal_year
        entry.position = 1 + max([e.position for e in meeting.work_plan_entries if e.id != entry.id] or [0])
        record("work_plan_item_moved", entry, actor=actor,
               data={"changes": {"Meeting": [str(old.meets_on) if old else None, str(meeting.meets_on)]}})


def link_report(entry: WorkPlanEntry, report: Report | None, actor) -> None:
    from app.meetings.service import in_committee_scope

    if report is not None and not in_committee_scope(report, entry.committee):
        raise WorkPlanError(f"“{report.title}” is not a report for this committee.", "report_id")
    with _saving("The report link was already saved.", entry.id, entry.title):
        touch(entry)
        entry.report_id = report.id if report else None
        record("work_plan_item_linked", entry, actor=actor, data={"report": report.title if report else None})


def remove_entry(entry: WorkPlanEntry, actor) -> None:
    entry_id, title = entry.id, entry.title
    with _saving(f"“{title}” was already removed.", entry_id, title):
        db.session.delete(entry)  # DELETE … WHERE version = the version checked: a lost race is refused
        db.session.flush()
        record("work_plan_item_removed", object_type=WorkPlanEntry.__tablename__, object_id=entry_id, actor=actor,
               data={"title": title, "committee_id": entry.committee_id})


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
            report = shown_report(e)
            status = report.state.label if report else ("Not yet approved" if e.report else "")
            ws.append([_neutral(v) for v in (_meeting_label(planned.meeting), e.title, e.report_owner or "",
                                               e.expected_report or "", report.title if report else "", status)])
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
