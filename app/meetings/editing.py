"""The clerk's editing tools: a meeting's date, time and venue (rescheduling), cancelling it, an
agenda item's title and purpose, and replacing or removing a paper or annex.

Plain functions that the pages and scripts both call. Like every agenda change
(app/meetings/service.py), each carries the meeting's version from the page it was made on,
is refused if the meeting changed since, bumps the meeting's version and is committed with
its trail event (edits as old -> new under "changes"), or nothing at all.
"""
from __future__ import annotations

import hashlib
from datetime import date, time

import sqlalchemy as sa

from app.extensions import db
from app.meetings import dates
from app.meetings.pack import format_time
from app.meetings.service import CURRENT, AgendaError, changing, check_agenda, problem
from app.models import AgendaItem, Meeting, MeetingDocument, utcnow
from app.trail import record

MEETING = "this meeting"


def _date_text(value: date | None) -> str | None:
    return dates.format_long_date(value) if value else None


def edit_meeting(meeting: Meeting, meets_on: date, starts_at: time | None, venue: str | None, actor,
                 version=CURRENT) -> dict:
    """Change a meeting's date, time or venue. A new date is a reschedule ("meeting_rescheduled",
    old -> new date on the trail); otherwise "meeting_edited". Returns the changes by label."""
    check_agenda(meeting, version)
    if meeting.cancelled_at is not None:
        raise AgendaError("This meeting was cancelled, so it cannot be changed.")
    if meets_on is None:
        raise AgendaError("Enter the date of the meeting", "meets_on")
    if not 1979 <= meets_on.year <= 2100:
        raise AgendaError("Date must be between 1979 and 2100", "meets_on")
    venue = (venue or "").strip() or None
    if meets_on != meeting.meets_on and db.session.scalar(sa.select(Meeting.id).where(
            Meeting.committee_id == meeting.committee_id, Meeting.meets_on == meets_on, Meeting.id != meeting.id)):
        raise AgendaError(f"The committee already meets on {meets_on:%d/%m/%Y}", "meets_on")
    changes = {}
    if meets_on != meeting.meets_on:
        changes["Date"] = [_date_text(meeting.meets_on), _date_text(meets_on)]
    if starts_at != meeting.starts_at:
        changes["Time"] = [format_time(meeting.starts_at), format_time(starts_at)]
    if venue != meeting.venue:
        changes["Venue"] = [meeting.venue, venue]
    if not changes:
        return {}
    with changing(meeting, version, "This change was already saved."):
        meeting.meets_on, meeting.starts_at, meeting.venue = meets_on, starts_at, venue
        meeting.municipal_year = dates.municipal_year(meets_on)
        record("meeting_rescheduled" if "Date" in changes else "meeting_edited", meeting, actor=actor,
               data={"changes": changes})
    return changes


def cancel_meeting(meeting: Meeting, reason: str | None, actor, version=CURRENT) -> None:
    """Cancel a meeting: it stays, with a notice on its page; its agenda cannot be published."""
    check_agenda(meeting, version)
    if meeting.cancelled_at is not None:
        from app.concurrency import Refused, who_acted

        problem(meeting, version, Refused(f"{who_acted(meeting, MEETING)} It was already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise AgendaError("Give the reason the meeting is cancelled: it is shown on the meeting's page", "reason")
    if len(reason) > 2000:
        raise AgendaError("The reason must be 2000 characters or fewer", "reason")
    with changing(meeting, version, "The meeting was already cancelled."):
        meeting.cancelled_at = utcnow()
        meeting.cancel_reason = reason
        record("meeting_cancelled", meeting, actor=actor, data={"reason": reason, "date": str(meeting.meets_on)})


def edit_item(item: AgendaItem, title: str | None, purpose: str | None, actor, version=CURRENT) -> dict:
    """Change an agenda item's title and purpose (standing items too)."""
    meeting = item.meeting
    check_agenda(meeting, version)
    title = " ".join((title or "").split())
    purpose = (purpose or "").replace("\r\n", "\n").strip() or None
    if not title:
        raise AgendaError("Enter the item's title", "title")
    if len(title) > 300:
        raise AgendaError("The title must be 300 characters or fewer", "title")
    if purpose and len(purpose) > 5000:
        raise AgendaError("The purpose must be 5000 characters or fewer", "purpose")
    changes = {}
    if title != item.title:
        changes["Title"] = [item.title, title]
    if purpose != item.purpose:
        changes["Purpose"] = [item.purpose, purpose]
    if not changes:
        return {}
    with changing(meeting, version, "This change was already saved."):
        item.title, item.purpose = title, purpose
        record("agenda_item_edited", meeting, actor=actor, data={"item_id": item.id, "changes": changes})
    return changes


def documents_of(item: AgendaItem) -> list[MeetingDocument]:
    return db.session.scalars(sa.select(MeetingDocument).where(MeetingDocument.agenda_item_id == item.id)
                              .order_by(MeetingDocument.position, MeetingDocument.id)).all()


def document_label(doc: MeetingDocument) -> str:
    return doc.title or doc.filename


def what_goes_with(item: AgendaItem) -> list[str]:
    """What removing the item takes with it, in plain English, for the confirmation page."""
    going = []
    for doc in documents_of(item):
        going.append(f"The annex “{document_label(doc)}” ({doc.filename}) is removed with it.")
    if item.report_id:
        going.append(f"The report “{item.report.title}” comes off this agenda. The report itself is kept, "
                     "and it can be added again.")
    if item.standing == "minutes":
        going.append("The previous meeting's minutes stay with the meeting.")
    return going


def remove_item(item: AgendaItem, actor, version=CURRENT) -> None:
    """Remove an item with its annexes (the trail names them); its report is only unlinked."""
    from app.meetings.service import _renumber, items_of

    meeting = item.meeting
    check_agenda(meeting, version)
    if item.standing:
        raise AgendaError(f"“{item.title}” is a standing item: every agenda has it. You can change its wording.")
    title, report_id, item_id = item.title, item.report_id, item.id
    annexes = [doc.title or doc.filename for doc in documents_of(item)]
    with changing(meeting, version, "The agenda was changed at the same moment."):
        for doc in documents_of(item):
            db.session.delete(doc)
        db.session.delete(item)
        db.session.flush()
        _renumber(items_of(meeting))
        record("agenda_item_removed", meeting, actor=actor,
               data={"title": title, "item_id": item_id, "annexes": annexes, "report_id": report_id})


def document_on(meeting: Meeting, doc_id: int | None) -> MeetingDocument | None:
    doc = db.session.get(MeetingDocument, doc_id) if doc_id and 0 < doc_id < 2**31 else None
    return doc if doc is not None and doc.meeting_id == meeting.id else None


def replace_document(doc: MeetingDocument, filename: str, data: bytes, actor, title: str | None = None,
                     version=CURRENT) -> None:
    """A new PDF in place of a paper or annex (the minutes, an annex): same place on the agenda."""
    meeting = db.session.get(Meeting, doc.meeting_id)
    check_agenda(meeting, version)
    sha = hashlib.sha256(data).hexdigest()
    changes = {"File": [doc.filename, filename[:255]]}
    title = (title or "").strip() or None
    if title and title != doc.title:
        changes["Title"] = [doc.title, title[:300]]
    with changing(meeting, version, "This PDF was already put in its place."):
        doc.filename, doc.data, doc.sha256 = filename[:255], data, sha
        if title:
            doc.title = title[:300]
        record("meeting_document_replaced", meeting, actor=actor,
               data={"kind": doc.kind, "document_id": doc.id, "sha256": sha, "changes": changes})


def remove_document(doc: MeetingDocument, actor, version=CURRENT) -> None:
    meeting = db.session.get(Meeting, doc.meeting_id)
    check_agenda(meeting, version)
    label = doc.title or doc.filename
    with changing(meeting, version, "This PDF was already removed."):
        db.session.delete(doc)
        record("meeting_document_removed", meeting, actor=actor,
               data={"kind": doc.kind, "title": label, "filename": doc.filename, "sha256": doc.sha256})


def minutes_missing(meeting: Meeting) -> str | None:
    """The warning to give before publishing an agenda with a Minutes item but no minutes of the
    previous meeting to go with it (a confirmation, not a refusal); None when all is well."""
    from app.meetings.service import items_of, previous_meeting

    if not any(i.standing == "minutes" for i in items_of(meeting)):
        return None
    if db.session.scalar(sa.select(MeetingDocument.id).where(MeetingDocument.meeting_id == meeting.id,
                                                             MeetingDocument.kind == "minutes").limit(1)):
        return None
    before = previous_meeting(meeting)
    held = f" of the meeting held on {dates.format_long_date(before.meets_on)}" if before else ""
    return (f"The minutes{held} have not been added, so the Minutes item will have no papers in the pack. "
            "You can publish without them and add them in a later version.")
