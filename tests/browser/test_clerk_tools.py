"""Issue 14: the clerk's editing tools in a browser, with and without JavaScript, every page
through `Visit.check()`: reword a standing item, replace an annex, remove an item after being
told what goes with it, publish past the missing-minutes warning, reschedule, then cancel."""
import os
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Meeting
from tests.browser.test_update_journey import sign_in
from tests.test_pack import pdf_of

pytestmark = pytest.mark.browser

CLERK = "nadia.holt@docket.example"


@pytest.fixture()
def meeting(db):
    from app.meetings import service
    from app.models import Committee

    from app.models import Role, ScopeKind
    from app.users.service import create_user, grant_role

    committee = Committee(name="Scrutiny Committee", clerk_name="Nadia Holt", clerk_email="nadia.holt@docket.example")
    db.session.add(committee)
    db.session.flush()
    clerk = create_user(CLERK, "Nadia Holt", "docket-demo-2019", "Democracy Officer")
    grant_role(clerk, Role.CLERK, ScopeKind.COMMITTEE, committee)
    when = date(date.today().year + 1, 3, 17)
    meeting = Meeting(committee_id=committee.id, meets_on=when, municipal_year=f"{when.year - 1}-{when.year % 100:02d}")
    db.session.add(meeting)
    db.session.commit()
    service.start_agenda(meeting, clerk)
    item = service.add_other_item(meeting, "Local Area Teams - Update", "An update on early help.", clerk)
    service.add_document(meeting, "annex", item, "audit.pdf", pdf_of("AUDIT", 1), clerk, title="Annex A: Audit")
    return meeting


def _shot(page, name):
    folder = os.environ.get("DOCKET_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_clerk_corrects_the_agenda_then_reschedules_and_cancels(visit, db, meeting, javascript, tmp_path):
    tab, page = sign_in(visit, CLERK, javascript)
    page.goto(f"/meetings/{meeting.id}/agenda")
    tab.check()
    _shot(page, f"agenda-{javascript}")

    # Reword a standing item.
    page.get_by_role("link", name="Change the title or purpose of Declarations of Interest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an agenda item")
    tab.check()
    page.get_by_label("Purpose").fill("Members are asked to declare:\n- any interests")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was saved")
    tab.check()

    # Replace the annex.
    page.get_by_role("link", name="Replace Annex A: Audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Replace Annex A: Audit")
    tab.check()
    _shot(page, f"replace-{javascript}")
    pdf = tmp_path / "audit-v2.pdf"
    pdf.write_bytes(pdf_of("AUDIT-2", 2))
    page.get_by_label("The new PDF").set_input_files(str(pdf))
    page.get_by_role("button", name="Replace the PDF").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was replaced with audit-v2.pdf")

    # Remove an item: asked first, told what goes with it.
    page.get_by_role("button", name="Remove Local Area Teams - Update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove “Local Area Teams - Update” from the agenda?")
    expect(page.locator("main")).to_contain_text("The annex “Annex A: Audit” (audit-v2.pdf) is removed with it.")
    tab.check()
    _shot(page, f"remove-{javascript}")
    page.get_by_role("button", name="Yes, remove it").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was removed from the agenda")
    tab.check()

    # Publish: warned first that the minutes are missing.
    page.get_by_role("button", name="Publish the agenda pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish without the minutes?")
    tab.check()
    page.get_by_role("button", name="Publish without the minutes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agenda: Scrutiny Committee")
    tab.check()

    # Reschedule, then cancel.
    page.get_by_role("link", name="Change the date, time or venue").click()
    tab.check()
    page.get_by_label("Day").fill("24")
    page.get_by_label("Venue").fill("West Offices")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The meeting was moved to")
    page.get_by_role("link", name="Cancel the meeting").click()
    tab.check()
    page.get_by_label("Why is the meeting cancelled?").fill("There is no business to transact.")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.locator("main")).to_contain_text("This meeting was cancelled on")
    expect(page.locator("main")).to_contain_text("There is no business to transact.")
    tab.check()
    _shot(page, f"cancelled-{javascript}")
    assert db.session.scalar(sa.select(Meeting.cancel_reason)) == "There is no business to transact."
