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
from functools import cache

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


# The statements every public meeting page runs are built once, with the meeting's (or the
# reports') ids as parameters: building a statement and working out its cache key cost more
# than running it (issue 17).

@cache
def _statements() -> dict:
    from app.models import CommitteeMember, ReportAnnex, ReportVersion

    meeting_id, report_ids = sa.bindparam("meeting_id"), sa.bindparam("report_ids", expanding=True)
    s = {}
    s["latest pack"] = (sa.select(AgendaPack).options(defer(AgendaPack.pdf))
                        .where(AgendaPack.meeting_id == meeting_id, AgendaPack.confidential.is_(False))
                        .order_by(AgendaPack.number.desc()).limit(1))
    s["items"] = sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    s["members"] = (sa.select(CommitteeMember.name, CommitteeMember.role)
                    .where(CommitteeMember.committee_id == sa.bindparam("committee_id"))
                    .order_by(CommitteeMember.position, CommitteeMember.id))
    latest = (sa.select(ReportVersion.report_id, sa.func.max(ReportVersion.number).label("number"))
              .where(ReportVersion.report_id.in_(report_ids), ReportVersion.approved_at.is_not(None))
              .group_by(ReportVersion.report_id).subquery())
    s["papers"] = (
        sa.select(Report.id, Report.title, ReportVersion.id.label("version_id"), ReportAnnex.id.label("annex_id"),
                  ReportAnnex.letter, ReportAnnex.title.label("annex_title"), ReportAnnex.filename,
                  ReportAnnex.content_type, ReportAnnex.sha256)
        .join(latest, latest.c.report_id == Report.id)
        .join(ReportVersion, sa.and_(ReportVersion.report_id == Report.id, ReportVersion.number == latest.c.number))
        .outerjoin(ReportAnnex, ReportAnnex.report_id == Report.id)
        .order_by(Report.id, ReportAnnex.position, ReportAnnex.id))
    s["versions"] = (sa.select(ReportVersion.id, ReportVersion.content)
                     .where(ReportVersion.id.in_(sa.bindparam("version_ids", expanding=True))))
    document = sa.select(MeetingDocument.id, MeetingDocument.meeting_id, MeetingDocument.agenda_item_id,
                         MeetingDocument.kind, MeetingDocument.title, MeetingDocument.filename)
    minutes = sa.and_(MeetingDocument.meeting_id == meeting_id, MeetingDocument.kind == "minutes")
    annexes = sa.and_(MeetingDocument.agenda_item_id.in_(sa.bindparam("item_ids", expanding=True)),
                      MeetingDocument.kind == "annex")
    order = (MeetingDocument.position, MeetingDocument.id)
    s["documents"] = {(True, True): document.where(sa.or_(minutes, annexes)).order_by(*order),
                      (True, False): document.where(minutes).order_by(*order),
                      (False, True): document.where(annexes).order_by(*order)}
    return s


def latest_public_pack(meeting: Meeting) -> AgendaPack | None:
    return db.session.scalar(_statements()["latest pack"], {"meeting_id": meeting.id})


def public_committees() -> list[Committee]:
    """Active committees, and retired ones that have published meetings."""
    has_published = sa.exists().where(Meeting.committee_id == Committee.id, _public_pack_exists())
    return db.session.scalars(sa.select(Committee).where(sa.or_(Committee.retired_at.is_(None), has_published))
                              .order_by(Committee.name)).all()


def members_of(committee_id: int) -> list:
    """(name, role) of a committee's members, in their order (as `Committee.members`)."""
    return db.session.execute(_statements()["members"], {"committee_id": committee_id}).all()


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

def _match(entry: dict, items: list[AgendaItem], by_id: dict, used: set[int]) -> AgendaItem | None:
    """The agenda item a published entry stands for: by id when the pack kept it, else by its
    report, else by its title."""
    def free(found):
        return found if found is not None and found.id not in used else None

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
    items = db.session.scalars(_statements()["items"], {"meeting_id": meeting.id}).all()
    by_id = {i.id: i for i in items}
    used: set[int] = set()
    out, public = [], []
    for n, entry in enumerate(entries, start=1):
        item = _match(entry, items, by_id, used)
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
            public.append((public_item, entry))
        out.append(public_item)
    _add_files(meeting, public)
    return out


def _add_files(meeting: Meeting, public: list[tuple[PublicItem, dict]]) -> None:
    """The files of the public items, in a few queries for the whole agenda (not per item): each
    item's approved paper and its annexes as approved, the minutes if it is the minutes item,
    then its own annexes."""
    if not public:
        return
    papers = _approved_papers({entry["report_id"] for _, entry in public if entry.get("report_id")})
    standing_minutes = any(p.item is not None and p.item.standing == "minutes" for p, _ in public)
    item_ids = [p.item.id for p, _ in public if p.item is not None]
    minutes, annexes = _documents(meeting, standing_minutes, item_ids)
    for public_item, entry in public:
        item = public_item.item
        files = []
        paper = papers.get(entry.get("report_id")) if entry.get("report_id") else None
        if paper is not None:
            files.append(paper[0])
            files.extend(paper[1])
        if item is not None and item.standing == "minutes" and minutes is not None:
            files.append(minutes)
        if item is not None:
            files.extend(annexes.get(item.id, []))
        public_item.files = files


def _approved_papers(report_ids: set[int]) -> dict[int, tuple[PublicFile, list[PublicFile]]]:
    """{report id: (the paper, its annexes as approved)} for the reports that have an approved
    version (the others have no public files). The annexes as approved are those the latest
    approved version lists, as app/reports/papers.py `_frozen_annexes` reads them."""
    if not report_ids:
        return {}
    rows = db.session.execute(_statements()["papers"], {"report_ids": sorted(report_ids)}).all()
    out = {row.id: (PublicFile(f"paper-{row.id}", row.title, f"{_slug(row.title)}.pdf", "application/pdf"), [])
           for row in rows}
    annexes = [row for row in rows if row.annex_id is not None]
    if annexes:
        listed = {}
        for version_id, content in db.session.execute(
                _statements()["versions"], {"version_ids": sorted({a.version_id for a in annexes})}):
            listed[version_id] = {(a["letter"], a["sha256"])
                                  for a in json.loads(content).get("annex_list") or []}
        for annex in annexes:
            if (annex.letter, annex.sha256) in listed.get(annex.version_id, ()):
                out[annex.id][1].append(PublicFile(
                    f"report-annex-{annex.annex_id}", f"Annex {annex.letter}: {annex.annex_title}", annex.filename,
                    annex.content_type))
    return out


def _documents(meeting: Meeting, with_minutes: bool, item_ids: list[int]):
    """(the minutes of the previous meeting or None, {agenda item id: its annexes}) in one query."""
    minutes, minutes_id, annexes = None, 0, {}
    if not (with_minutes or item_ids):
        return minutes, annexes
    rows = db.session.execute(_statements()["documents"][with_minutes, bool(item_ids)],
                              {"meeting_id": meeting.id, "item_ids": item_ids}).all()
    for doc in rows:
        if doc.kind == "minutes":
            if doc.meeting_id == meeting.id and doc.id > minutes_id:  # the latest minutes uploaded
                minutes_id = doc.id
                minutes = PublicFile(f"minutes-{doc.id}", "Minutes of the previous meeting", doc.filename,
                                     "application/pdf")
        elif doc.agenda_item_id in item_ids:
            annexes.setdefault(doc.agenda_item_id, []).append(
                PublicFile(f"annex-{doc.id}", doc.title or doc.filename, doc.filename, "application/pdf"))
    return minutes, annexes


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
