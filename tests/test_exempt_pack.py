"""Issue 14: publishing an agenda with an exempt item builds two packs. The public pack lists
the exempt item by title and Schedule 12A paragraph under the exclusion wording, and holds no
word of its papers; the confidential pack holds them."""
import io
import json

import sqlalchemy as sa
from pypdf import PdfReader

from app.meetings import service
from app.models import AgendaPack, TrailEvent
from tests import racing
from tests.test_pack import flat, pdf_of

SECRET = "SECRET-TENDER-SCORES"


def text_of(pdf: bytes) -> str:
    return flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_public_pack_has_no_exempt_text_and_the_confidential_pack_has_it(app, db, org, people):
    clerk = people["clerk"]
    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, clerk)
    public_item = service.add_other_item(meeting, "Library Services Review", "To note the review.", clerk)
    exempt = service.add_other_item(meeting, "Leisure Contract Award", "To award the contract.", clerk)
    exempt.exempt_paragraph = 3
    db.session.commit()
    service.add_document(meeting, "annex", public_item, "review.pdf", pdf_of("PUBLIC-REVIEW", 2), clerk,
                         title="Annex A: The review")
    service.add_document(meeting, "annex", exempt, "scores.pdf", pdf_of(SECRET, 3), clerk,
                         title="Annex A: Tender scores")
    service.add_document(meeting, "minutes", None, "minutes.pdf", pdf_of("MINUTES", 1), clerk)

    with app.test_request_context():
        public = service.publish(meeting, clerk)
    packs = db.session.scalars(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id)
                               .order_by(AgendaPack.confidential)).all()
    assert [(p.number, p.confidential) for p in packs] == [(1, False), (1, True)]
    secret_pack = packs[1]
    assert public.id == packs[0].id

    words = text_of(public.pdf)
    assert SECRET not in words and "Tender scores" not in words and "To award the contract." not in words
    assert "PUBLIC-REVIEW PAGE 1" in words
    assert "Exclusion of the press and public" in words
    assert "paragraph 3 of Schedule 12A" in words
    assert "Leisure Contract Award" in words          # listed by title
    entry = next(e for e in json.loads(public.agenda) if e["title"] == "Leisure Contract Award")
    assert entry["page_start"] is None and entry["purpose"] is None and entry["exempt_paragraph"] == 3

    hidden = text_of(secret_pack.pdf)
    assert f"{SECRET} PAGE 1" in hidden and f"{SECRET} PAGE 3" in hidden
    assert "Not for publication" in hidden and "PUBLIC-REVIEW" not in hidden
    secret_entry = json.loads(secret_pack.agenda)
    assert [e["title"] for e in secret_entry] == ["Leisure Contract Award"]
    assert secret_entry[0]["page_start"] is not None

    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "agenda_published"))
    data = event.data if isinstance(event.data, dict) else json.loads(event.data)
    assert data["confidential_pack"]["sha256"] == secret_pack.sha256


def test_no_exempt_item_means_one_pack(app, db, org, people):
    clerk = people["clerk"]
    meeting = racing.new_meeting(org["committee"], 60)
    service.add_other_item(meeting, "Library Services Review", None, clerk)
    with app.test_request_context():
        service.publish(meeting, clerk)
    assert [p.confidential for p in db.session.scalars(sa.select(AgendaPack))] == [False]
