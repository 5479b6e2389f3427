"""Issue 14, done when: a full meeting rebuilt end to end. The demo council's scrutiny committee
meets with its standing items and three papers from three services: one typed in Docket, one
uploaded as a Word paper, one compiled progress report, each approved by its own chief officer.
The Word paper is exempt (Schedule 12A, paragraph 3); the minutes are added; the clerk marks the
item exempt and publishes in the browser; a signed-out browser reads the public agenda and
downloads the pack and each public paper on its own (no exempt text in any of them); a councillor
on the committee downloads the confidential pack (the exempt text is there); a late paper is
added and the clerk republishes: every earlier item keeps its page range, and `pdfinfo` says the
pack is tagged. JavaScript on; the main pages through `Visit.check()`."""
import io
import json
import re
import subprocess
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.meetings.exempt import PARAGRAPHS
from tests.browser.test_update_journey import sign_in
from tests.conftest import TEST_PASSWORD
from tests.public_helpers import pdf_text
from tests.test_pack import pdf_of

pytestmark = pytest.mark.browser

CLERK = "nadia.holt@docket.example"
SECRET = "Acme Care Limited tendered 412,000 pounds for the Fairfield House residential contract."
TYPED = "Youth Offer Strategy"
WORD = "Fairfield House contract"
LATE = "School Place Planning"


def _word_paper() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(WORD, style="Title")
    doc.add_heading("Summary", level=1)
    doc.add_paragraph(SECRET)
    doc.add_heading("Background", level=1)
    doc.add_paragraph("Three providers were invited to tender in 2026.")
    doc.add_heading("Recommendations", level=1)
    doc.add_paragraph("Award the contract to the preferred bidder.", style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _typed_paper(service, meeting, author, chief, title, summary):
    from app.reports import papers
    from app.reports import service as reports

    report = papers.create_paper(title, service, meeting, author)
    reports.save_sections(report, {"summary": summary, "background": "Agreed by the Executive in 2025.",
                                   "recommendations": "- Note the progress made"}, report.version, author)
    reports.submit(report, report.version, author)
    reports.approve(report, report.version, chief)
    return report


@pytest.fixture()
def council(db, make_user):
    """The demo council, two more services with their own chief officers and authors, a future
    meeting of the demo committee, a compiled progress report approved by its Assistant Director,
    a typed paper and a Word paper approved by theirs."""
    from app.meetings import councillors
    from app.meetings.dates import municipal_year
    from app.models import Committee, Directorate, Meeting, Role, ScopeKind, Service
    from app.reports import papers
    from app.reports import service as reports
    from tests.test_meetings import approved_report
    from tests.test_reports import person

    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    committee = db.session.scalar(sa.select(Committee))
    compiled = approved_report(db)  # Children's Specialist Services, approved by Jo Whitfield (AD)

    education = Service(name="Education and Skills", directorate_id=committee.directorate_id)
    place = Directorate(name="Place")
    housing = Service(name="Housing and Community Safety", directorate=place)
    db.session.add_all([education, place, housing])
    db.session.commit()
    director = make_user("maya.osei@docket.example", "Maya Osei", job_title="Director of Education")
    education.chief_officer_id = director.id
    db.session.commit()
    ed_author = make_user("ed.author@docket.example", "Eddie Marsh", Role.ACTION_OWNER, ScopeKind.SERVICE, education)
    housing_ad = make_user("pat.quinn@docket.example", "Pat Quinn", Role.ASSISTANT_DIRECTOR, ScopeKind.DIRECTORATE,
                           place, job_title="Assistant Director Housing")
    housing_author = make_user("h.author@docket.example", "Hana Price", Role.ACTION_OWNER, ScopeKind.SERVICE, housing)

    when = date.today() + timedelta(days=30)
    meeting = Meeting(committee_id=committee.id, meets_on=when, starts_at=time(17, 30), venue="West Offices",
                      municipal_year=municipal_year(when))
    db.session.add(meeting)
    db.session.commit()

    typed = _typed_paper(education, meeting, ed_author, director, TYPED,
                         "This paper sets out the Youth Offer Strategy for the city.")
    word = papers.create_paper(None, housing, meeting, housing_author,
                               source=("fairfield.docx", papers.DOCX, _word_paper()))
    reports.submit(word, word.version, housing_author)
    reports.approve(word, word.version, housing_ad)
    late = _typed_paper(education, meeting, ed_author, director, LATE,
                        "This paper sets out the places the city's schools need.")
    for report, chief in ((compiled, person(db, "jo.whitfield@docket.example")), (typed, director),
                          (word, housing_ad), (late, director)):
        db.session.refresh(report)
        assert report.state.value == "approved" and report.versions[-1].approved_by_id == chief.id, report.title

    councillor = make_user("cllr.taylor@docket.example", committee.members[0].name)
    councillors.link_councillor(committee, committee.members[0], councillor)
    db.session.commit()
    return dict(committee=committee, meeting=meeting, compiled=compiled, typed=typed, word=word, late=late,
                councillor=councillor)


def _public_packs(db, meeting):
    from app.models import AgendaPack

    db.session.expire_all()
    return db.session.scalars(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                          AgendaPack.confidential.is_(False))
                              .order_by(AgendaPack.number)).all()


def test_a_full_meeting_is_published_read_in_public_and_republished_with_pages_kept(
        visit, db, council, tmp_path):
    from app.meetings import service
    from tests.test_reports import person

    meeting, committee = council["meeting"], council["committee"]
    clerk_user = person(db, CLERK)
    service.start_agenda(meeting, clerk_user)
    for report in (council["typed"], council["word"], council["compiled"]):
        service.add_report_item(meeting, report, clerk_user)
    service.add_document(meeting, "minutes", None, "minutes.pdf", pdf_of("MINUTES", 2), clerk_user)
    word_item = next(i for i in service.items_of(meeting) if i.report_id == council["word"].id)

    # The clerk marks the Word paper's item exempt, then publishes.
    tab, page = sign_in(visit, CLERK, True)
    page.goto(f"/meetings/{meeting.id}/agenda/items/{word_item.id}/exempt")
    tab.check()
    page.get_by_label(f"Paragraph 3: {PARAGRAPHS[3]}").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("is exempt under paragraph 3 of Schedule 12A")
    tab.check()
    page.goto(f"/meetings/{meeting.id}/agenda")
    tab.check()
    page.get_by_role("button", name="Publish the agenda pack").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 of the agenda pack was published",
                                                                       timeout=60_000)
    tab.check()

    # A signed-out reader: the agenda, the pack, each public paper on its own.
    public = visit(javascript=True)
    reader = public.goto(f"/public/meetings/{meeting.id}")
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Agenda: ")
    public.check()
    main = reader.locator("main")
    expect(main).to_contain_text("paragraph 3 of Schedule 12A")
    expect(main).to_contain_text(WORD)  # listed by title and paragraph only
    for title in (TYPED, council["compiled"].title, "Minutes"):
        expect(main).to_contain_text(title)
    assert "Acme" not in reader.content()
    pack = reader.request.get(reader.get_by_role("link", name=re.compile("Download the agenda pack")).get_attribute("href"))
    assert pack.ok and pack.headers["content-type"] == "application/pdf"
    pack_text = pdf_text(pack.body())
    assert "Acme" not in pack_text and "412,000" not in pack_text
    assert "Youth Offer Strategy for the city" in pack_text
    api = reader.request.get(reader.get_by_role("link", name="This meeting as open data (JSON)").get_attribute("href"))
    assert api.ok and WORD in api.text() and "Acme" not in api.text()
    links = reader.locator(".docket-agenda__files a")
    hrefs = [links.nth(n).get_attribute("href") for n in range(links.count())]
    assert len(hrefs) >= 3, hrefs  # the minutes, the typed paper, the compiled report
    downloaded = []
    for href in hrefs:
        file = reader.request.get(href)
        assert file.ok, href
        if file.headers["content-type"] == "application/pdf":
            text = pdf_text(file.body())
            assert "Acme" not in text and "412,000" not in text, href
            downloaded.append(text)
        else:
            assert b"Acme" not in file.body()
    assert any("Youth Offer Strategy for the city" in t for t in downloaded)
    assert any("MINUTES" in t for t in downloaded)
    # nor in the other public pages
    for path in (f"/public/committees/{committee.id}", f"/public/calendar?month={meeting.meets_on:%Y-%m}"):
        reader.goto(path)
        public.check()
        expect(reader.locator("main")).to_contain_text(committee.name)
        assert "Acme" not in reader.content()

    # A councillor on the committee reads the confidential pack.
    cllr = visit(javascript=True)
    cpage = cllr.goto("/sign-in")
    cllr.check()
    cpage.get_by_label("Email address").fill(council["councillor"].email)
    cpage.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    cpage.get_by_role("button", name="Sign in").click()
    expect(cpage.get_by_role("heading", level=1)).to_have_text("Your committees")
    cllr.check()
    cpage.goto(f"/meetings/{meeting.id}/confidential")
    expect(cpage.get_by_role("heading", level=1)).to_contain_text("Confidential papers:")
    cllr.check()
    confidential = cpage.request.get(
        cpage.get_by_role("link", name=re.compile("Download the confidential pack")).get_attribute("href"))
    assert confidential.ok and SECRET.split(" for ")[0] in pdf_text(confidential.body())

    # A late paper; the clerk adds it and republishes.
    page.goto(f"/meetings/{meeting.id}/agenda")
    tab.check()
    page.get_by_label("Approved report").select_option(label=LATE + " (version 1)")
    page.get_by_role("button", name="Add report").click()
    expect(page.locator("main")).to_contain_text(LATE)
    tab.check()
    page.get_by_label("What has changed since version 1").fill("The School Place Planning paper has arrived.")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 2 of the agenda pack was published",
                                                                       timeout=60_000)
    tab.check()

    first, second = _public_packs(db, meeting)
    before, after = json.loads(first.agenda), json.loads(second.agenda)
    late_at = next(n for n, e in enumerate(after) if e["title"] == LATE)
    earlier = {e["item_id"]: (e["page_start"], e["page_end"]) for e in after[:late_at]}
    kept = {e["item_id"]: (e["page_start"], e["page_end"]) for e in before if e["item_id"] in earlier}
    assert kept and kept == earlier, (before, after)
    assert any(start for start, _ in kept.values())
    assert after[late_at]["page_start"], after[late_at]

    # The public agenda now shows version 2, with the earlier items' pages as they were.
    reader.goto(f"/public/meetings/{meeting.id}")
    expect(reader.locator("main")).to_contain_text("(version 2)")
    public.check()
    for entry in before[:late_at]:
        if entry["page_start"] and not entry["exempt_paragraph"]:
            pages = (f"Page {entry['page_start']}" if entry["page_start"] == entry["page_end"]
                     else f"Pages {entry['page_start']} - {entry['page_end']}")
            expect(reader.locator("main")).to_contain_text(f"{entry['number']}. {entry['title']} ({pages})")
    assert "Acme" not in reader.content()

    pdf = tmp_path / "pack-2.pdf"
    pdf.write_bytes(second.pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    text = pdf_text(second.pdf)
    assert "Acme" not in text and "places the city's schools need" in text
