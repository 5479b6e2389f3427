"""Helpers for the tests of public agendas, exempt items and councillors (issue 14): a
published meeting made directly in the database (fast: no pack is built), its files, and a
confidential pack. Used by tests/test_routes.py too, through `url_for_*`."""
import functools
import hashlib
import json

from app.extensions import db
from tests import pdf_samples


def add_pack(meeting, agenda, number=1, confidential=False, pdf=None):
    from app.models import AgendaPack, AgendaState, utcnow

    pdf = pdf or pdf_samples.a_pdf("confidential pack" if confidential else "public pack")
    pack = AgendaPack(meeting_id=meeting.id, number=number, confidential=confidential, pdf=pdf,
                      sha256=hashlib.sha256(pdf).hexdigest(), page_count=1, agenda=json.dumps(agenda),
                      published_at=utcnow())
    db.session.add(pack)
    meeting.agenda_state = AgendaState.PUBLISHED
    db.session.commit()
    return pack


def confidential_pack_url(meeting) -> str:
    """A confidential pack for the meeting (added once), and its address."""
    import sqlalchemy as sa

    from app.models import AgendaPack

    found = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                          AgendaPack.confidential.is_(True)))
    if found is None:
        found = add_pack(meeting, [], number=1, confidential=True)
    return f"/meetings/{meeting.id}/confidential-pack-{found.number}.pdf"


def minutes_url(meeting) -> str:
    """The minutes of the previous meeting on the meeting's published agenda, and their public address."""
    import sqlalchemy as sa

    from app.models import AgendaItem, AgendaPack, MeetingDocument

    doc = db.session.scalar(sa.select(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id,
                                                             MeetingDocument.kind == "minutes"))
    if doc is None:
        data = pdf_samples.a_pdf("minutes of the last meeting")
        doc = MeetingDocument(meeting_id=meeting.id, kind="minutes", filename="minutes.pdf",
                              sha256=hashlib.sha256(data).hexdigest(), data=data)
        db.session.add(doc)
        if db.session.scalar(sa.select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id,
                                                            AgendaItem.standing == "minutes")):
            db.session.commit()  # the published agenda lists the minutes already
            return f"/public/meetings/{meeting.id}/files/minutes-{doc.id}"
        item = AgendaItem(meeting_id=meeting.id, title="Minutes", standing="minutes", position=50)
        db.session.add(item)
        db.session.flush()
        pack = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                             AgendaPack.confidential.is_(False))
                                 .order_by(AgendaPack.number.desc()))
        pack.agenda = json.dumps(json.loads(pack.agenda) + [
            {"number": 1, "title": "Minutes", "purpose": None, "page_start": 3, "page_end": 4, "report_id": None,
             "item_id": item.id, "to_follow": None}])
        db.session.commit()
    return f"/public/meetings/{meeting.id}/files/minutes-{doc.id}"


@functools.lru_cache(maxsize=64)
def text_pdf(text: str) -> bytes:
    """A one-page PDF (WeasyPrint) whose page says `text`."""
    from html import escape

    from weasyprint import HTML

    return HTML(string=f"<p>{escape(text)}</p>").write_pdf()


def approved_paper(committee, title: str, text: str, author=None):
    """An approved committee paper for `committee`, uploaded as a PDF whose text is `text`."""
    from app.models import Report, ReportKind, ReportState, ReportVersion, utcnow

    pdf = text_pdf(text)
    sha = hashlib.sha256(pdf).hexdigest()
    report = Report(title=title, committee_id=committee.id, kind=ReportKind.PAPER, state=ReportState.APPROVED,
                    content="{}", author_id=author.id if author else None, source_filename="paper.pdf",
                    source_content_type="application/pdf", source_sha256=sha, source_data=pdf)
    db.session.add(report)
    db.session.flush()
    db.session.add(ReportVersion(report_id=report.id, number=1, content="{}", content_hash="0" * 64,
                                 approved_at=utcnow(), pdf=pdf, pdf_sha256=sha))
    db.session.commit()
    return report


def published_meeting(committee, meets_on, items, starts_at=None, venue="West Offices", number=1):
    """A meeting whose agenda is published, made directly (no pack is built: the pack is a
    one-page PDF). `items`: dicts with title, and optionally purpose, report, exempt_paragraph,
    standing, pages (start, end)."""
    from app.models import AgendaItem, Meeting
    from app.meetings.dates import municipal_year

    meeting = Meeting(committee_id=committee.id, meets_on=meets_on, starts_at=starts_at, venue=venue,
                      municipal_year=municipal_year(meets_on))
    db.session.add(meeting)
    db.session.flush()
    agenda = []
    for n, spec in enumerate(items, start=1):
        report = spec.get("report")
        item = AgendaItem(meeting_id=meeting.id, position=n, title=spec["title"], purpose=spec.get("purpose"),
                          report_id=report.id if report else None, standing=spec.get("standing"),
                          exempt_paragraph=spec.get("exempt_paragraph"))
        db.session.add(item)
        db.session.flush()
        start, end = spec.get("pages", (None, None))
        agenda.append({"number": n, "title": item.title, "purpose": item.purpose, "page_start": start,
                       "page_end": end, "report_id": item.report_id, "to_follow": None, "item_id": item.id,
                       "exempt_paragraph": item.exempt_paragraph})
    add_pack(meeting, agenda, number=number)
    return meeting


def pdf_text(data: bytes) -> str:
    """Every word of a PDF, as pypdf extracts it, with runs of white space made one space."""
    import io
    import re

    from pypdf import PdfReader

    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))
