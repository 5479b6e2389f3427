"""A committee paper in the browser (issue 14): an officer writes it, adds a titled annex and
submits it; the service's Assistant Director approves it; the clerk sees it approved on the
meeting's papers page and puts it on the agenda. Every page is checked (axe, vnu, reflow,
target size), with JavaScript off. And the work plan stays short with a full year."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.meetings.dates import municipal_year
from app.models import Meeting, WorkPlanEntry
from tests.conftest import TEST_PASSWORD
from tests.pdf_samples import a_pdf

pytestmark = pytest.mark.browser
TITLE = "Youth Offer Strategy: progress"


def sign_in(visit, email, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return tab, page


@pytest.fixture()
def meeting(db, org, people):
    when = date.today() + timedelta(days=40)
    m = Meeting(committee=org["committee"], meets_on=when, municipal_year=municipal_year(when))
    db.session.add(m)
    db.session.flush()
    db.session.add(WorkPlanEntry(committee=org["committee"], meeting=m, municipal_year=m.municipal_year, title=TITLE))
    db.session.commit()
    return m


# With JavaScript off: the harder case (every page works without it); the report pages' htmx is
# covered by tests/browser/test_report_journey.py, and each check here keeps the suite's time in bounds.
@pytest.mark.parametrize("javascript", [False], ids=["js-off"])
def test_a_paper_is_written_approved_and_put_on_the_agenda(visit, db, org, people, meeting, tmp_path, javascript):
    owner_tab, owner = sign_in(visit, people["owner"].email, javascript)
    owner_tab.goto("/reports/")
    owner_tab.check()
    owner.get_by_role("link", name="Write a committee paper").click()
    owner_tab.check()
    owner.get_by_label("Title", exact=True).fill(TITLE)
    owner.get_by_label("Service", exact=True).select_option(label=org["service"].name)
    owner.get_by_label("Meeting", exact=True).select_option(index=1)
    owner.get_by_role("button", name="Create the paper").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Edit the report")
    owner_tab.check()
    owner.get_by_label("Summary", exact=True).fill("This paper sets out the Youth Offer Strategy.")
    owner.get_by_label("Analysis", exact=True).fill("Three options were considered.")
    owner.get_by_label("Recommendations", exact=True).fill("Members are asked to note the strategy.")
    owner.get_by_role("button", name="Save", exact=True).click()
    expect(owner.locator(".docket-report")).to_contain_text("2. Three options were considered.")
    owner_tab.check()

    annex = tmp_path / "dashboard-final-v3.pdf"
    annex.write_bytes(a_pdf("dashboard"))
    owner.locator("summary", has_text="Add an annex").click()
    owner.get_by_label("Title", exact=True).fill("Improvement Board Dashboard")
    owner.get_by_label("File").set_input_files(str(annex))
    owner.get_by_role("button", name="Add the annex").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Annex A: Improvement Board Dashboard was added")
    expect(owner.locator(".docket-report")).to_contain_text("Annex A: Improvement Board Dashboard")
    owner_tab.check()
    owner.get_by_role("button", name="Submit for approval").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Submitted for approval")
    owner_tab.check()
    paper_url = owner.url

    ad_tab, ad = sign_in(visit, people["ad"].email, javascript)
    ad.goto(paper_url)
    ad_tab.check()
    ad.get_by_role("button", name="Approve version 1").click()
    expect(ad.locator(".docket-report")).to_contain_text("Report Approved ✓")
    ad_tab.check()

    clerk_tab, clerk = sign_in(visit, people["clerk"].email, javascript)
    clerk.goto(f"/meetings/{meeting.id}/papers")
    expect(clerk.locator("tbody tr", has_text=TITLE)).to_contain_text("Approved")
    clerk_tab.check()
    clerk.get_by_role("link", name="Build or change the agenda").click()
    clerk_tab.check()
    clerk.get_by_role("button", name="Start the agenda").click()
    clerk_tab.check()
    clerk.get_by_label("Approved report").select_option(label=TITLE + " (version 1)")
    clerk.get_by_role("button", name="Add report").click()
    expect(clerk.locator("main")).to_contain_text(TITLE)
    clerk_tab.check()
    clerk.goto(f"/meetings/{meeting.id}/papers")
    expect(clerk.locator("tbody tr", has_text=TITLE)).to_contain_text("On the agenda")
    clerk_tab.check()


def test_a_full_year_work_plan_is_short_and_remove_asks_first(visit, db, org, people):
    start = date(2026, 6, 2)
    meetings = [Meeting(committee=org["committee"], meets_on=start + timedelta(days=28 * n), municipal_year="2026-27")
                for n in range(10)]
    db.session.add_all(meetings)
    db.session.flush()
    for m in meetings:
        for n in range(7):
            db.session.add(WorkPlanEntry(committee=org["committee"], meeting=m, municipal_year="2026-27",
                                         title=f"Item {n + 1} for {m.meets_on:%d %B}", position=n))
    db.session.commit()
    tab, page = sign_in(visit, people["clerk"].email, False)
    page.goto(f"/committees/{org['committee'].id}/work-plan?year=2026-27")
    tab.check()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the work plan of a full year is {height} px tall"
    first = db.session.scalar(sa.select(WorkPlanEntry).order_by(WorkPlanEntry.id).limit(1))
    row = page.locator(f"#entry-{first.id}")
    row.locator("summary").click()
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from the work plan?")
    tab.check()
    page.get_by_role("button", name="Remove the item").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was removed from the work plan")
    tab.check()
