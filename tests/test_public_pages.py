"""Public agendas (issue 14): committee pages, the calendar and each published meeting's agenda,
pack, papers and minutes, read without signing in; drafts and exempt papers never."""
from datetime import date, time

import pytest

from app.models import AgendaItem, CommitteeMember, MemberRole
from tests import pdf_samples
from tests.public_helpers import approved_paper, minutes_url, pdf_text, published_meeting

NEXT_YEAR = date.today().year + 1


@pytest.fixture()
def council(db, org, people):
    committee = org["committee"]
    committee.clerk_name, committee.clerk_email = "Cleo Clerk", "democracy@example.org"
    committee.members = [CommitteeMember(name="Councillor D Taylor", role=MemberRole.CHAIR, position=1),
                         CommitteeMember(name="Councillor Webb", position=2)]
    db.session.commit()
    paper = approved_paper(committee, "Local Area Teams - Update", "The teams are working well")
    secret = approved_paper(committee, "Children's home contract", "The tender from Acme Care was 412,000 pounds")
    future = published_meeting(committee, date(NEXT_YEAR, 3, 10), [
        {"title": "Declarations of Interest", "standing": "declarations",
         "purpose": "At this point, Members are asked to declare any interests"},
        {"title": "Local Area Teams - Update", "report": paper, "purpose": "This report updates Members.",
         "pages": (3, 8)},
        {"title": "Children's home contract", "report": secret, "exempt_paragraph": 3,
         "purpose": "To agree the Acme Care tender"},
    ], starts_at=time(17, 30))
    past = published_meeting(committee, date(2019, 7, 23), [{"title": "Minutes", "standing": "minutes"}])
    from app.models import Meeting

    draft = Meeting(committee_id=committee.id, meets_on=date(NEXT_YEAR, 4, 14), municipal_year="2099-00")
    db.session.add(draft)
    db.session.commit()
    return dict(committee=committee, future=future, past=past, draft=draft, paper=paper, secret=secret)


def test_committee_list_and_page_need_no_sign_in(client, council):
    page = client.get("/public/")
    assert page.status == 200 and page.h1 == "Committees and meetings"
    assert council["committee"].name in page.text()
    assert "Sign in" not in page.title
    page = client.get(f"/public/committees/{council['committee'].id}")
    text = page.text()
    assert "Councillor D Taylor (Chair)" in text and "Councillor Webb" in text
    upcoming = page.soup.find("table", class_="govuk-table")
    assert f"10 March {NEXT_YEAR}" in upcoming.get_text() and "5.30 pm" in upcoming.get_text()
    assert "23 July 2019" in text  # past meetings
    assert "14 April" not in text  # a meeting without a published agenda is not listed


def test_calendar_by_month_with_a_way_back_and_forward(client, council):
    page = client.get(f"/public/calendar?month={NEXT_YEAR}-03")
    assert page.h1 == f"Meetings in March {NEXT_YEAR}"
    assert council["committee"].name in page.text()
    links = {a.get_text(" ", strip=True): a["href"] for a in page.soup.select(".govuk-pagination a")}
    assert any(f"February {NEXT_YEAR}" in k for k in links) and any(f"April {NEXT_YEAR}" in k for k in links)
    page = client.get("/public/calendar?month=2019-07")
    assert "23 July 2019" in page.text() and "Past" in page.text()
    # A meeting whose agenda is not published is in the calendar by its date only, with no link.
    page = client.get(f"/public/calendar?month={NEXT_YEAR}-04")
    row = next(r for r in page.soup.select("tbody tr") if f"14 April {NEXT_YEAR}" in r.get_text())
    assert "Agenda not yet published" in row.get_text() and not row.select("a")
    assert client.get("/public/calendar?month=2019-13").status == 404
    assert client.get("/public/calendar?month=nonsense").status == 404


def test_the_agenda_lists_items_pages_and_papers_and_exempt_items_by_title_and_paragraph_only(client, council):
    page = client.get(f"/public/meetings/{council['future'].id}")
    assert page.status == 200
    text = page.text()
    assert "1. Declarations of Interest" in text
    assert "2. Local Area Teams - Update (Pages 3 - 8)" in text and "This report updates Members." in text
    assert "3. Children's home contract" in text
    assert "paragraph 3 of Schedule 12A" in text
    assert ("To consider excluding the press and public from the meeting during consideration of the following "
            "item because of the likely disclosure of exempt information as defined in paragraph 3 of Schedule 12A "
            "to Section 100A of the Local Government Act 1972") in text
    assert "Acme" not in text  # not even the purpose line of an exempt item
    files = [a["href"] for a in page.soup.select(".docket-agenda__files a")]
    assert files == [f"/public/meetings/{council['future'].id}/files/paper-{council['paper'].id}"]


def test_each_paper_and_the_pack_download_on_their_own(client, council):
    meeting = council["future"]
    paper = client.c.get(f"/public/meetings/{meeting.id}/files/paper-{council['paper'].id}")
    assert paper.status_code == 200 and paper.mimetype == "application/pdf"
    assert "The teams are working well" in pdf_text(paper.data)
    pack = client.c.get(f"/public/meetings/{meeting.id}/agenda-pack.pdf")
    assert pack.status_code == 200 and pack.data.startswith(b"%PDF")
    assert client.c.get(f"/public/meetings/{meeting.id}/agenda-pack-1.pdf").data == pack.data
    assert client.c.get(f"/public/meetings/{meeting.id}/agenda-pack-2.pdf").status_code == 404


def test_an_exempt_paper_is_not_served_to_the_public(client, council):
    meeting = council["future"]
    assert client.c.get(f"/public/meetings/{meeting.id}/files/paper-{council['secret'].id}").status_code == 404
    # nor another meeting's paper through this meeting's address
    assert client.c.get(f"/public/meetings/{council['past'].id}/files/paper-{council['paper'].id}").status_code == 404


def test_an_item_made_exempt_after_publishing_keeps_its_papers_private(client, council, db):
    item = next(i for i in council["future"].agenda_items if i.report_id == council["paper"].id)
    item.exempt_paragraph = 1
    db.session.commit()
    meeting = council["future"]
    assert client.c.get(f"/public/meetings/{meeting.id}/files/paper-{council['paper'].id}").status_code == 404
    assert "paper-" not in client.get(f"/public/meetings/{meeting.id}").soup.decode()


def test_minutes_download_and_drafts_are_not_found(client, council):
    url = minutes_url(council["past"])
    response = client.c.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/public/meetings/{council['past'].id}").soup.select_one(f'a[href="{url}"]')
    assert client.c.get(f"/public/meetings/{council['draft'].id}").status_code == 404
    assert client.c.get(f"/public/meetings/{council['draft'].id}/agenda-pack.pdf").status_code == 404
    assert client.c.get("/public/meetings/999999/files/paper-1").status_code == 404
    assert client.c.get(f"/public/meetings/{council['future'].id}/files/nonsense").status_code == 404


def test_a_confidential_pack_is_never_the_public_pack(client, council):
    from tests.public_helpers import add_pack

    meeting = council["future"]
    public = client.c.get(f"/public/meetings/{meeting.id}/agenda-pack.pdf").data
    add_pack(meeting, [], number=2, confidential=True, pdf=pdf_samples.a_pdf("CONFIDENTIAL Acme"))
    assert client.c.get(f"/public/meetings/{meeting.id}/agenda-pack.pdf").data == public
    assert client.c.get(f"/public/meetings/{meeting.id}/agenda-pack-2.pdf").status_code == 404


def test_a_cancelled_meeting_says_so(client, council, db):
    from app.models import Meeting

    if not hasattr(Meeting, "cancelled_at"):
        pytest.fail("Meeting.cancelled_at (the clerk's editing tools, issue 14) is expected")
    meeting = council["future"]
    from app.models import utcnow

    meeting.cancelled_at = utcnow()
    if hasattr(Meeting, "cancel_reason"):
        meeting.cancel_reason = "The Chair is unwell."
    db.session.commit()
    page = client.get(f"/public/meetings/{meeting.id}")
    assert "This meeting has been cancelled." in page.text()
    assert "Cancelled" in client.get(f"/public/committees/{meeting.committee_id}").text()


def test_past_meetings_and_next_meetings_on_the_front_page(client, council):
    page = client.get("/public/")
    assert f"10 March {NEXT_YEAR}" in page.text()
    recent = client.get(f"/public/calendar?month={date.today():%Y-%m}")
    assert "23 July 2019" in recent.text()  # the recent past meetings, a way back


def test_a_signed_in_officer_reads_the_same_public_pages(sign_in_as, council):
    page = sign_in_as("owner").get(f"/public/meetings/{council['future'].id}")
    assert page.status == 200 and "Acme" not in page.text()


def test_agenda_item_relationship_is_not_needed_for_a_standing_item(db, client, council):
    """A published entry whose item was removed since is still listed, without papers."""
    meeting = council["future"]
    item = db.session.get(AgendaItem, meeting.agenda_items[0].id)
    db.session.delete(item)
    db.session.commit()
    assert "1. Declarations of Interest" in client.get(f"/public/meetings/{meeting.id}").text()
