"""Helpers for the tests of the clerk's editing tools (issue 14), used by tests/test_routes.py too."""
from app.extensions import db
from tests import pdf_samples


def document_url(meeting, action: str) -> str:
    """An annex PDF on the meeting (added once), and the address of its page `action`
    ("replace" or "remove")."""
    import hashlib

    import sqlalchemy as sa

    from app.models import MeetingDocument

    doc = db.session.scalar(sa.select(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id).limit(1))
    if doc is None:
        data = pdf_samples.a_pdf("an annex")
        doc = MeetingDocument(meeting_id=meeting.id, kind="minutes", filename="minutes.pdf",
                              sha256=hashlib.sha256(data).hexdigest(), data=data)
        db.session.add(doc)
        db.session.commit()
    return f"/meetings/{meeting.id}/documents/{doc.id}/{action}"
