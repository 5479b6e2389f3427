"""An administrator reads the trail as sentences, filters it, and follows an event to its action."""
import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.test_trail_pages import world  # noqa: F401  (the fixture: an update returned and signed off)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [False], ids=["js-off"])
def test_administrator_filters_the_trail_and_reads_an_actions_events(visit, world, javascript):  # noqa: F811
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")

    page = tab.goto("/trail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trail")
    expect(page.locator("main")).to_contain_text("Hari Head signed off CSS005 Q1 2019/20")
    tab.check()

    page.get_by_label("Kind of event").select_option(label="Progress update returned")
    page.get_by_label("Who acted").select_option(label="Hari Head")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main table caption")).to_contain_text("1 event found")
    expect(page.locator("main tbody")).to_contain_text("Hari Head returned CSS005 Q1 2019/20 to its owner")
    expect(page.locator("main tbody")).to_contain_text("Comment: Say how many carers")
    assert "kind=update_returned" in page.url
    tab.check()

    # A date that is not a date is explained beside the field.
    page.locator("#date_from-day").fill("31")
    page.locator("#date_from-month").fill("2")
    page.locator("#date_from-year").fill("2020")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#date_from-error")).to_contain_text("From must be a real date")
    tab.check()

    page = tab.goto(f"/actions/{world['action'].id}")
    timeline = page.locator(".docket-timeline__title")
    expect(timeline.first).to_have_text("Ada Admin changed the milestone Campaign launched in May")
    expect(page.locator(".docket-timeline")).to_contain_text("Hari Head signed off CSS005 Q1 2019/20")
    tab.check()
    page.get_by_role("link", name="See its trail").click()
    expect(page.locator("main table caption")).to_contain_text("5 events found")
    tab.check()
