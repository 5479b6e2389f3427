"""The clerk builds the 24 September 2019 agenda, reorders it and publishes the pack."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Meeting
from tests.browser.test_update_journey import sign_in
from tests.test_meetings import SEED_ITEMS, approved_report

pytestmark = pytest.mark.browser


@pytest.fixture()
def two_approved_reports(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    return [approved_report(db, title=title) for title, purpose in SEED_ITEMS if purpose is None]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_clerk_builds_reorders_and_publishes_the_agenda(visit, db, two_approved_reports, javascript):
    from pypdf import PdfReader

    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))
    tab, page = sign_in(visit, "nadia.holt@docket.example", javascript)
    page.goto(f"/meetings/{meeting.id}/agenda")
    tab.check()
    page.get_by_role("button", name="Start the agenda").click()
    expect(page.locator("#agenda-items")).to_contain_text("5. Urgent Business")
    tab.check()

    for title, purpose in SEED_ITEMS:
        if purpose is None:
            options = page.locator("#report_id option").all_inner_texts()
            page.get_by_label("Approved report").select_option(label=next(o for o in options if o.startswith(title)))
            page.get_by_label("Purpose line for the report").fill("This paper provides an update.")
            page.get_by_role("button", name="Add report").click()
        else:
            page.get_by_label("Title", exact=True).fill(title)
            page.get_by_label("Purpose line for the item").fill(purpose)
            page.get_by_role("button", name="Add item").click()
        expect(page.locator("#agenda-items")).to_contain_text(title)
        tab.check()
    expect(page.locator("#agenda-items caption")).to_have_text("Agenda (10 items)")

    # Cultural Entitlement was planned before the Overview: swap them back as in the seed.
    page.get_by_role("button", name="Move up Cultural Entitlement for Young People").click()
    expect(page.locator("#agenda-items tbody tr").nth(6)).to_contain_text("7. Cultural Entitlement for Young People")
    tab.check()
    page.get_by_role("button", name="Move down Cultural Entitlement for Young People").click()
    expect(page.locator("#agenda-items tbody tr").nth(7)).to_contain_text("8. Cultural Entitlement for Young People")
    expect(page.locator("#agenda-items tbody tr").nth(6)).to_contain_text("7. Overview of Children's Services")
    tab.check()

    page.get_by_label("Why it is published late").fill("Demonstration of a past meeting")
    page.get_by_role("button", name="Publish the agenda pack").click()
    # No minutes were added: the clerk is asked first, and publishes without them.
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish without the minutes?")
    tab.check()
    page.get_by_role("button", name="Publish without the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 of the agenda pack was published",
                                                                       timeout=30_000)
    tab.check()
    agenda_items = page.locator(".docket-agenda__item h3").all_inner_texts()
    assert len(agenda_items) == 10 and agenda_items[6].startswith("7. Overview of Children's Services")

    response = page.request.get(page.get_by_role("link", name=re.compile("Download the agenda pack")).get_attribute("href"))
    reader = PdfReader(io.BytesIO(response.body()))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    front = " ".join(texts[:2])
    assert "Notice of a public meeting of Children, Education & Communities Policy & Scrutiny Committee" in front
    for title, purpose in SEED_ITEMS:
        if purpose is None:
            found = re.search(rf"{re.escape(title)} \(Pages (\d+) - (\d+)\)", front)
            assert found, title
            start, end = int(found.group(1)), int(found.group(2))
            assert title in texts[start - 1] and f"Page {start}" in texts[start - 1]
            assert f"Page {end}" in texts[end - 1]
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(outline) == 10 and outline[6] == "7. Overview of Children's Services"
    assert all(f"Page {n}" in t for n, t in enumerate(texts, start=1))
