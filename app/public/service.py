"""What the public may read: published meetings, their agendas, packs, papers and annexes.

One rule, kept here so the pages, the feeds and the open data all follow it: a meeting is
public once a public pack of its agenda is published; its agenda is the latest public pack's
(never the clerk's draft); an exempt item is listed by title and paragraph only, and none of
its papers or annexes is ever served; a confidential pack is never public.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import defer

from app.extensions import db
from app.meetings.exempt import exempt_label, paragraph_of
from app.models import AgendaItem, AgendaPack, Committee, Meeting, MeetingDocument, Report


@dataclass
class PublicFile:
    """A document anyone may download: a paper, an annex, the minutes or the pack."""

    key: str            # "paper-12", "annex-3", "report-annex-7", "minutes-5", "pack-2"
    name: str           # as shown: "Annex A: Improvement Board Dashboard"
    file_name: str
    mime_type: str
    url: str = ""       # filled in by the route layer (it knows the addresses)


@dataclass
class PublicItem:
    number: int
    title: str
    purpose: str | None
    page_start: int | None
    page_end: int | None
    to_follow: str | None
    exempt_paragraph: int | None
    item: AgendaItem | None          # the agenda item now (for its papers), if it still exists
    files: list[PublicFile] = field(default_factory=list)

    @property
    def public(self) -> bool:
        return self.exempt_paragraph is None

    @property
    def exempt_label(self) -> str | None:
        return exempt_label(self.exempt_paragraph)

    @property
    def pages(self) -> str | None:
        if not self.page_start:
            return None
        if self.page_end and self.page_end != self.page_start:
            return f"Pages {self.page_start} - {self.page_end}"
        return f"Page {self.page_start}"


# --- meetings -----------------------------------------------------------------------------

def _public_pack_exists():
    return sa.exists().where(AgendaPack.meeting_id == Meeting.id, AgendaPack.confidential.is_(False))


def published_meetings(committee_id: int | None = None, start: date | None = None, end: date | None = None,
                       limit: int | None = None, newest_first: bool = False) -> list[Meeting]:
    """Meetings with a published public agenda, by date (between `start` and `end` inclusive)."""
    stmt = sa.select(Meeting).where(_public_pack_exists())
    if committee_id is not None:
        stmt = stmt.where(Meeting.committee_id == committee_id)
    if start is not None:
        stmt = stmt.where(Meeting.meets_on >= start)
    if end is not None:
        stmt = stmt.where(Meeting.meets_on <= end)
    order = (Meeting.meets_on.desc(), Meeting.id.desc()) if newest_first else (Meeting.meets_on, Meeting.id)
    stmt = stmt.order_by(*order)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def scheduled_meetings(start: date, end: date) -> list[Meeting]:
    """Meetings of active committees between `start` and `end` whose agenda is not published yet:
    their date, time and venue are public; their business is not, until the agenda is."""
    return db.session.scalars(
        sa.select(Meeting).join(Committee, Committee.id == Meeting.committee_id)
        .where(~_public_pack_exists(), Committee.retired_at.is_(None), Meeting.meets_on >= start,
               Meeting.meets_on <= end)
        .order_by(Meeting.meets_on, Meeting.id)).all()


def is_published(meeting: Meeting) -> bool:
    return latest_public_pack(meeting) is not None


def latest_public_pack(meeting: Meeting) -> AgendaPack | None:
    return db.session.scalar(sa.select(AgendaPack).options(defer(AgendaPack.pdf))
                             .where(AgendaPack.meeting_id == meeting.id, AgendaPack.confidential.is_(False))
                             .order_by(AgendaPack.number.desc()).limit(1))


def public_committees() -> list[Committee]:
    """Active committees, and retired ones that have published meetings."""
    has_published = sa.exists().where(Meeting.committee_id == Committee.id, _public_pack_exists())
    return db.session.scalars(sa.select(Committee).where(sa.or_(Committee.retired_at.is_(None), has_published))
                              .order_by(Committee.name)).all()


def time_text(t) -> str | None:
    """5.30 pm (as the front sheet prints it)."""
    if t is None:
        return None
    return f"{t.hour % 12 or 12}.{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"


def cancelled(meeting: Meeting) -> bool:
    return getattr(meeting, "cancelled_at", None) is not None


def cancel_reason(meeting: Meeting) -> str | None:
    return getattr(meeting, "cancel_reason", None)


# --- the agenda as published ----------------------------------------------------------------

def _match(entry: dict, items: list[AgendaItem], used: set[int]) -> AgendaItem | None:
    """The agenda item a published entry stands for: by id when the pack kept it, else by its
    report, else by its title."""
    def free(found):
        return found if found is not None and found.id not in used else None

    by_id = {i.id: i for i in items}
    if entry.get("item_id") in by_id:
        return free(by_id[entry["item_id"]])
    if entry.get("report_id"):
        return free(next((i for i in items if i.report_id == entry["report_id"]), None))
    return free(next((i for i in items if i.title == entry.get("title") and i.id not in used), None))


def public_agenda(meeting: Meeting, pack: AgendaPack | None = None) -> list[PublicItem]:
    """The latest public pack's agenda, each item with the files anyone may download. An item is
    exempt if the pack says so or the item is exempt now: either keeps its papers private."""
    pack = pack or latest_public_pack(meeting)
    if pack is None:
        return []
    entries = json.loads(pack.agenda or "[]")
    items = db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                               .order_by(AgendaItem.position)).all()
    used: set[int] = set()
    out = []
    for n, entry in enumerate(entries, start=1):
        item = _match(entry, items, used)
        if item is not None:
            used.add(item.id)
        paragraph = paragraph_of(entry) or paragraph_of(item)
        if entry.get("exempt") and paragraph is None:
            paragraph = 0  # marked exempt without a paragraph we know: still never public
        public_item = PublicItem(
            number=entry.get("number") or n, title=entry.get("title") or "", purpose=entry.get("purpose"),
            page_start=entry.get("page_start"), page_end=entry.get("page_end"), to_follow=entry.get("to_follow"),
            exempt_paragraph=paragraph, item=item)
        if public_item.public:
            public_item.files = _files_of(meeting, entry, item)
        out.append(public_item)
    return out


def _files_of(meeting: Meeting, entry: dict, item: AgendaItem | None) -> list[PublicFile]:
    files = []
    report = db.session.get(Report, entry["report_id"]) if entry.get("report_id") else None
    if report is not None and _approved_version(report) is not None:
        files.append(PublicFile(f"paper-{report.id}", report.title, f"{_slug(report.title)}.pdf", "application/pdf"))
        for annex in _annexes_as_approved(report):
            files.append(PublicFile(f"report-annex-{annex.id}", getattr(annex, "heading", None) or annex.title,
                                    annex.filename, annex.content_type))
    if item is not None and item.standing == "minutes":
        minutes = _minutes(meeting)
        if minutes is not None:
            files.append(PublicFile(f"minutes-{minutes.id}", "Minutes of the previous meeting",
                                    minutes.filename, "application/pdf"))
    if item is not None:
        docs = db.session.scalars(sa.select(MeetingDocument).options(defer(MeetingDocument.data))
                                  .where(MeetingDocument.agenda_item_id == item.id, MeetingDocument.kind == "annex")
                                  .order_by(MeetingDocument.position, MeetingDocument.id)).all()
        for doc in docs:
            files.append(PublicFile(f"annex-{doc.id}", getattr(doc, "title", None) or doc.filename, doc.filename,
                                    "application/pdf"))
    return files


def _annexes_as_approved(report: Report) -> list:
    """A paper's annexes as its approved version lists them (app/reports/papers.py)."""
    try:
        from app.reports.papers import _frozen_annexes
    except ImportError:  # pragma: no cover - before committee papers
        return []
    return _frozen_annexes(report)


def _minutes(meeting: Meeting) -> MeetingDocument | None:
    return db.session.scalar(sa.select(MeetingDocument).options(defer(MeetingDocument.data))
                             .where(MeetingDocument.meeting_id == meeting.id, MeetingDocument.kind == "minutes")
                             .order_by(MeetingDocument.id.desc()).limit(1))


def _approved_version(report: Report):
    approved = [v for v in report.versions if v.approved_at is not None]
    return approved[-1] if approved else None


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")[:80] or "paper"


def find_file(meeting: Meeting, key: str) -> PublicFile | None:
    """The public file of this meeting with this key, or None (an exempt item's, or not on the agenda)."""
    for item in public_agenda(meeting):
        for f in item.files:
            if f.key == key:
                return f
    return None


def file_bytes(key: str) -> bytes:
    """The bytes of a public file found by `find_file` (which is what makes it public)."""
    kind, _, ident = key.rpartition("-")
    ident = int(ident)
    if kind == "paper":
        report = db.session.get(Report, ident)
        return paper_bytes(report)
    if kind == "report-annex":
        from app.models import ReportAnnex

        return db.session.get(ReportAnnex, ident).data
    if kind in ("annex", "minutes"):
        return db.session.get(MeetingDocument, ident).data
    raise LookupError(key)


def paper_bytes(report: Report) -> bytes:
    """A paper as approved: a paper's own PDF (app/reports/papers.py), or a compiled report's
    approved PDF (app/reports/pdf.py)."""
    if getattr(report, "is_paper", False):
        try:
            from app.reports.papers import paper_pdf
        except ImportError:  # pragma: no cover - papers arrive with issue 14's committee papers
            paper_pdf = None
        if paper_pdf is not None:
            return paper_pdf(report)
    from app.reports.pdf import approved_pdf

    return approved_pdf(report, _approved_version(report))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
