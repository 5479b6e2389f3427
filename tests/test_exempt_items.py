"""Exempt items (Local Government Act 1972, Schedule 12A): the clerk marks an item exempt with
its paragraph; the public agenda lists it by title and paragraph only; no word of its paper
reaches the public pack, the public pages or the open data; the confidential pack has it."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from app.meetings import exempt, service
from app.models import AgendaPack, Meeting, TrailEvent
from tests.public_helpers import approved_paper, pdf_text

SECRET = "Acme Care tendered 412,000 pounds for Fairfield House"


def test_the_standard_wording_names_the_paragraphs():
    assert exempt.exclusion_wording([]) is None
    assert exempt.exclusion_wording([3]) == (
        "To consider excluding the press and public from the meeting during consideration of the following item "
        "because of the likely disclosure of exempt information as defined in paragraph 3 of Schedule 12A to "
        "Section 100A of the Local Government Act 1972.")
    wording = exempt.exclusion_wording([{"exempt_paragraph": 3}, {"exempt_paragraph": 1}, {"exempt_paragraph": None},
                                        {"exempt_paragraph": 3}])
    assert "the following items because" in wording and "paragraphs 1 and 3 of Schedule 12A" in wording
    assert len(exempt.PARAGRAPHS) == 7 and exempt.PARAGRAPHS[1] == "Information relating to any individual."
    assert exempt.exempt_label(5) == "Exempt information: paragraph 5 of Schedule 12A to the Local Government Act 1972"
    assert exempt.paragraph_of(8) is None


@pytest.fixture()
def agenda(db, org, people):
    committee = org["committee"]
    meeting = Meeting(committee_id=committee.id, meets_on=date(2019, 9, 24), municipal_year="2019-20")
    db.session.add(meeting)
    db.session.commit()
    clerk = people["clerk"]
    service.start_agenda(meeting, clerk)
    public_paper = approved_paper(committee, "Local Area Teams - Update", "The teams are working well")
    secret_paper = approved_paper(committee, "Fairfield House contract", SECRET)
    public_item = service.add_report_item(meeting, public_paper, clerk, "This report updates Members.")
    secret_item = service.add_report_item(meeting, secret_paper, clerk, "To award the Fairfield House contract.")
    return dict(meeting=meeting, public_item=public_item, secret_item=secret_item, secret=secret_paper,
                committee=committee)


def _version(page) -> str:
    return page.soup.select_one("input[name=version]")["value"]


def test_the_clerk_marks_an_item_exempt_on_the_agenda_builder(sign_in_as, agenda, db):
    clerk = sign_in_as("clerk")
    meeting, item = agenda["meeting"], agenda["secret_item"]
    builder = clerk.get(f"/meetings/{meeting.id}/agenda")
    link = builder.soup.select_one(f'a[href="/meetings/{meeting.id}/agenda/items/{item.id}/exempt"]')
    assert link is not None and "Mark exempt" in link.get_text()
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}/exempt"
    page = clerk.get(url)
    assert page.h1 == "Exempt or public: Fairfield House contract"
    assert "Paragraph 3: Information relating to the financial or business affairs" in page.text()
    done = clerk.post(url, {"exempt_paragraph": "3", "version": _version(page)}, token_from=url)
    assert done.status == 303
    db.session.refresh(item)
    assert item.exempt_paragraph == 3
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "agenda_item_marked_exempt"))
    data = json.loads(event.data)
    assert data["title"] == "Fairfield House contract"
    assert data["changes"] == {"Exempt (Schedule 12A paragraph)": [None, 3]}
    assert "Exempt: paragraph 3" in clerk.get(f"/meetings/{meeting.id}/agenda").text()
    # and public again
    page = clerk.get(url)
    clerk.post(url, {"exempt_paragraph": "", "version": _version(page)}, token_from=url)
    db.session.refresh(item)
    assert item.exempt_paragraph is None
    assert db.session.scalar(sa.select(TrailEvent.id).where(TrailEvent.verb == "agenda_item_made_public"))


def test_a_stale_page_or_a_bad_paragraph_is_refused_and_nothing_is_stored(sign_in_as, agenda, db):
    clerk = sign_in_as("clerk")
    meeting, item = agenda["meeting"], agenda["secret_item"]
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}/exempt"
    old = _version(clerk.get(url))
    bad = clerk.post(url, {"exempt_paragraph": "9", "version": old}, token_from=url)
    assert bad.status == 400 and "Choose is this item exempt? from the list" in bad.text()
    assert bad.error_summary()
    assert clerk.post(url, {"exempt_paragraph": "2", "version": old}, token_from=url).status == 303
    stale = clerk.post(url, {"exempt_paragraph": "7", "version": old}, token_from=url)
    assert stale.status == 409 and "changed" in stale.text().lower()
    db.session.refresh(item)
    assert item.exempt_paragraph == 2
    standing = meeting.agenda_items[0]
    page = clerk.get(f"/meetings/{meeting.id}/agenda/items/{standing.id}/exempt")
    refused = clerk.post(f"/meetings/{meeting.id}/agenda/items/{standing.id}/exempt",
                         {"exempt_paragraph": "1", "version": _version(page)}, token_from=url)
    assert refused.status == 400 and "is a standing item" in refused.text()


def test_others_cannot_mark_an_item_exempt(sign_in_as, agenda):
    url = f"/meetings/{agenda['meeting'].id}/agenda/items/{agenda['secret_item'].id}/exempt"
    assert sign_in_as("hos").c.get(url).status_code == 403


def test_no_word_of_an_exempt_paper_is_public(client, people, agenda, db):
    meeting, item = agenda["meeting"], agenda["secret_item"]
    exempt.set_exempt(item, 3, people["clerk"], meeting.version)
    service.publish(meeting, people["clerk"], late_reason="Test")
    public = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                           AgendaPack.confidential.is_(False)))
    confidential = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                                 AgendaPack.confidential.is_(True)))
    words = ("Acme", "412,000", "Fairfield House contract.")  # the paper, and the item's purpose line
    public_text = pdf_text(public.pdf)
    assert "The teams are working well" in public_text  # the public paper is in the public pack
    assert "Fairfield House contract" in public_text and "paragraph 3" in public_text  # title and paragraph
    for word in words:
        assert word not in public_text
    assert confidential is not None and "Acme Care tendered" in pdf_text(confidential.pdf)
    pages = [client.get(f"/public/meetings/{meeting.id}").soup.decode(),
             client.c.get(f"/public/api/meetings/{meeting.id}").get_data(as_text=True),
             client.c.get("/public/api/meetings").get_data(as_text=True),
             client.c.get("/public/calendar.ics").get_data(as_text=True),
             client.get(f"/public/committees/{meeting.committee_id}").soup.decode(),
             client.get("/public/calendar?month=2019-09").soup.decode()]
    for text in pages:
        for word in words:
            assert word not in text
    assert client.c.get(f"/public/meetings/{meeting.id}/files/paper-{agenda['secret'].id}").status_code == 404
    pack = client.c.get(f"/public/meetings/{meeting.id}/agenda-pack.pdf")
    assert pack.data == public.pdf
