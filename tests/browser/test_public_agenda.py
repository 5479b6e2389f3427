"""A signed-out browser reads the public agenda (issue 14): the committee, the month calendar,
the agenda with an exempt item listed by title and paragraph only, the public pack and a paper;
with JavaScript on and off. A councillor signs in and reads the confidential papers; the clerk
marks an item exempt. Every page through `Visit.check()`."""
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from app.models import CommitteeMember, MemberRole
from tests.conftest import TEST_PASSWORD
from tests.public_helpers import add_pack, approved_paper, pdf_text, published_meeting, text_pdf

pytestmark = pytest.mark.browser


@pytest.fixture()
def published(db, org, people, make_user):
    committee = org["committee"]
    committee.clerk_name, committee.clerk_email = "Cleo Clerk", "democracy@example.org"
    committee.members = [CommitteeMember(name="Councillor D Taylor", role=MemberRole.CHAIR, position=1),
                         CommitteeMember(name="Councillor Webb", position=2)]
    db.session.commit()
    when = date.today() + timedelta(days=14)
    paper = approved_paper(committee, "Local Area Teams - Update", "The teams are working well")
    secret = approved_paper(committee, "Fairfield House contract", "Acme Care tendered 412,000 pounds")
    meeting = published_meeting(committee, when, [
        {"title": "Declarations of Interest", "standing": "declarations", "purpose": "Members declare interests."},
        {"title": "Local Area Teams - Update", "report": paper, "purpose": "This report updates Members.",
         "pages": (3, 4)},
        {"title": "Fairfield House contract", "report": secret, "exempt_paragraph": 3},
    ], starts_at=time(17, 30))
    add_pack(meeting, [], number=1, confidential=True, pdf=text_pdf("Acme Care tendered 412,000 pounds"))
    from app.meetings import councillors

    taylor = make_user("d.taylor@example.org", "Dave Taylor")
    councillors.link_councillor(committee, committee.members[0], taylor)
    db.session.commit()
    return dict(committee=committee, meeting=meeting, paper=paper, when=when)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_signed_out_reader_finds_and_downloads_the_agenda(visit, published, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/public/")
    tab.check()
    page.get_by_role("link", name="Calendar of meetings by month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meetings in {date.today():%B %Y}")
    tab.check()
    when = published["when"]
    if when.month != date.today().month:
        page.get_by_role("link", name="Next month").click()
        tab.check()
    page.get_by_role("link", name=published["committee"].name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agenda: ")
    tab.check()
    main = page.locator("main")
    expect(main).to_contain_text("2. Local Area Teams - Update (Pages 3 - 4)")
    expect(main).to_contain_text("Exclusion of the press and public")
    expect(main).to_contain_text("paragraph 3 of Schedule 12A")
    assert "Acme" not in main.inner_text()
    pack = page.request.get(page.get_by_role("link", name="Download the agenda pack").get_attribute("href"))
    assert pack.ok and pack.headers["content-type"] == "application/pdf"
    paper = page.request.get(page.get_by_role("link", name="Local Area Teams - Update (item 2)").get_attribute("href"))
    assert paper.ok and "The teams are working well" in pdf_text(paper.body())
    page.get_by_role("link", name=published["committee"].name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(published["committee"].name)
    tab.check()
    expect(page.locator("main")).to_contain_text("Councillor D Taylor (Chair)")


def test_a_councillor_reads_the_confidential_papers(visit, published):
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill("d.taylor@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your committees")
    tab.check()
    page.get_by_role("link", name="Confidential papers").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confidential papers:")
    tab.check()
    pack = page.request.get(page.get_by_role("link", name="Download the confidential pack").get_attribute("href"))
    assert pack.ok and "Acme Care tendered" in pdf_text(pack.body())


def test_the_clerk_marks_an_item_exempt(visit, published):
    meeting = published["meeting"]
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill("clerk@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    tab.check()
    item = next(i for i in meeting.agenda_items if i.title == "Local Area Teams - Update")
    page = tab.goto(f"/meetings/{meeting.id}/agenda/items/{item.id}/exempt")
    tab.check()
    page.get_by_label("Paragraph 1: Information relating to any individual.").check()
    page.get_by_role("button", name="Save").click()
    tab.check()
    expect(page.locator("main")).to_contain_text("is exempt under paragraph 1 of Schedule 12A")
    page = tab.goto(f"/meetings/{meeting.id}/confidential")
    tab.check()
