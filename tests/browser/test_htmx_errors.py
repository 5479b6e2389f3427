"""Errors are seen, with JavaScript on and off, on every htmx form that can be refused; and the
address bar shows the page shown, never the address a form was sent to (app/htmx.py,
static/js/docket.js).

The htmx forms in Docket, and where each is tested:
- the agenda's Publish form: here (a refusal for a late reason, a stale page, then publishing);
- the agenda's Move up / Move down buttons: here (a move made stale by a colleague's);
- the import page's Check the file / Check the table forms: here (an empty paste);
- the update page's autosave: here (a stale autosave says so in its status line; the save
  button's refusal, without JavaScript);
- the report editor's autosave: here (the same, on the report editor);
- the plan page's filter (a GET) and the sign-off queue's "show the update" (a GET): nothing
  to refuse, so no error test.
"""
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Action, Meeting, Plan, ProgressUpdate, ReportingPeriod, User
from tests.browser.test_update_journey import sign_in

pytestmark = pytest.mark.browser

CLERK = "nadia.holt@docket.example"
OWNER = "hannah.pryce@docket.example"
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])


@pytest.fixture()
def demo(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)


def colleague(app, email):
    """Someone else (the same person in another tab) acting through Docket itself."""
    from tests.test_reports import demo_client

    return demo_client(app, email)


def address(page) -> str:
    return urlsplit(page.url).path


def expect_focused_error(page, text):
    """The GOV.UK error summary is on the page, says `text`, and has the focus."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(text)
    expect(summary).to_be_focused()


def _meeting(db) -> Meeting:
    return db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))


def _start_agenda(tab, page, meeting):
    page.goto(f"/meetings/{meeting.id}/agenda")
    tab.check()
    page.get_by_role("button", name="Start the agenda").click()
    expect(page.locator("#agenda-items")).to_contain_text("5. Urgent Business")
    tab.check()


def _version_on(client, url, field="version") -> str:
    return client.get(url).soup.select_one(f'input[name="{field}"]')["value"]


@JS
def test_a_refused_publish_is_seen_and_focused_at_the_agenda_address(app, visit, db, demo, javascript):
    meeting = _meeting(db)
    agenda = f"/meetings/{meeting.id}/agenda"
    tab, page = sign_in(visit, CLERK, javascript)
    _start_agenda(tab, page, meeting)

    # A colleague adds an item after this page was loaded: publishing from it is refused (409).
    other = colleague(app, CLERK)
    added = other.post(f"{agenda}/items", {"title": "Ofsted letter", "version": _version_on(other, agenda)})
    assert added.status in (302, 303)
    page.get_by_label("Why it is published late").fill("Reports were approved late")
    page.get_by_role("button", name="Publish the agenda pack").click()
    expect_focused_error(page, "Nothing was changed")
    assert address(page) == agenda
    expect(page.locator("#agenda-items")).to_contain_text("Ofsted letter")  # the agenda as it is now
    expect(page.get_by_label("Why it is published late")).to_have_value("Reports were approved late")
    tab.check()

    # Late, with no reason given (400): the message is in the summary and beside the field.
    page.get_by_label("Why it is published late").fill("")
    page.get_by_role("button", name="Publish the agenda pack").click()
    expect_focused_error(page, "Give the reason it is late")
    expect(page.locator("#late_reason-error")).to_contain_text("Give the reason it is late")
    assert address(page) == agenda
    tab.check()

    # Published: the address is the meeting's page, which is the page shown.
    page.get_by_label("Why it is published late").fill("Reports were approved late")
    page.get_by_role("button", name="Publish the agenda pack").click()
    # No minutes were added: the clerk is asked first (only once every other check has passed).
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish without the minutes?")
    tab.check()
    page.get_by_role("button", name="Publish without the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 of the agenda pack was published",
                                                                       timeout=30_000)
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Build the agenda")
    assert address(page) == f"/meetings/{meeting.id}"
    tab.check()


@JS
def test_a_stale_move_is_seen_and_focused(app, visit, db, demo, javascript):
    meeting = _meeting(db)
    agenda = f"/meetings/{meeting.id}/agenda"
    tab, page = sign_in(visit, CLERK, javascript)
    _start_agenda(tab, page, meeting)

    # In another tab, Minutes was moved up first; this page still shows it second.
    other = colleague(app, CLERK)
    up = other.get(agenda).soup.select('#agenda-items form:has(input[name="direction"][value="up"])')
    minutes = up[0]  # the first Move up button is the second item's: Minutes
    assert "Minutes" in minutes.get_text()
    moved = other.post(agenda, {i["name"]: i.get("value", "") for i in minutes.select("input[name]")
                                if i["name"] != "csrf_token"})
    assert moved.status in (302, 303)

    page.get_by_role("button", name="Move up Minutes").click()
    expect_focused_error(page, "Nothing was changed")
    assert address(page) == agenda
    expect(page.locator("#agenda-items tbody tr").first).to_contain_text("1. Minutes")  # the order as it is now
    tab.check()


@JS
def test_an_import_refused_is_seen_and_focused_at_the_import_address(visit, db, demo, javascript):
    plan = db.session.scalar(sa.select(Plan))
    tab, page = sign_in(visit, "admin@docket.example", javascript)
    page.goto(f"/plans/{plan.id}/import")
    tab.check()
    page.get_by_label("Paste the table, with its heading row first").fill("   ")
    page.get_by_role("button", name="Check the table").click()
    expect_focused_error(page, "Paste a table, with its heading row first.")
    expect(page.locator("#paste-error")).to_contain_text("Paste a table, with its heading row first.")
    assert address(page) == f"/plans/{plan.id}/import"
    tab.check()


@pytest.fixture()
def open_update(db, demo):
    from app.updates.service import open_period

    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    open_period(period, db.session.scalar(sa.select(User).where(User.email == "admin@docket.example")))
    return db.session.scalar(sa.select(ProgressUpdate).join(Action, ProgressUpdate.action_id == Action.id)
                             .where(ProgressUpdate.period_id == period.id, Action.reference == "CSS005"))


@JS
def test_a_stale_save_of_an_update_is_seen(app, visit, db, open_update, javascript):
    url = f"/updates/{open_update.id}"
    tab, page = sign_in(visit, OWNER, javascript)
    page.goto(url)
    tab.check()

    # The same owner saved the draft in another tab after this page was loaded.
    other = colleague(app, OWNER)
    saved = other.post(url, {"narrative": "Saved in the other tab.", "version": _version_on(other, url)})
    assert saved.status in (302, 303)

    field = page.get_by_label("Progress this period")
    field.fill("Typed in this tab.")
    if javascript:
        # The autosave is refused and says so in its status line; the focus stays where the
        # person is typing (an autosave never takes it away).
        expect(page.locator("#autosave-status")).to_contain_text("Not saved", timeout=15_000)
        expect(field).to_be_focused()
        tab.check()
    page.get_by_role("button", name="Save draft").click()
    expect_focused_error(page, "This could not be done")
    expect(page.get_by_label("Progress this period")).to_have_value("Typed in this tab.")
    assert address(page) == url
    tab.check()


@pytest.fixture()
def draft_report(db, demo):
    from app.updates.service import open_period
    from tests.test_reports import create, person, sign_off_everything

    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    open_period(period, person(db, "admin@docket.example"))
    sign_off_everything(db, period)
    return create(db, period)


@JS
def test_a_stale_save_of_a_report_is_seen(visit, db, draft_report, javascript):
    from app.reports import service
    from tests.test_reports import HOS, person

    url = f"/reports/{draft_report.id}/edit"
    tab, page = sign_in(visit, HOS, javascript)
    page.goto(url)
    tab.check()

    # The author saved the summary in another tab after this page was loaded.
    service.save_sections(draft_report, {"summary": "Saved in the other tab."}, draft_report.version,
                          person(db, HOS))

    field = page.get_by_label("Summary")
    field.fill("Typed in this tab.")
    if javascript:
        expect(page.locator("#autosave-status")).to_contain_text("The report changed after you opened it",
                                                                 timeout=15_000)
        expect(field).to_be_focused()
        tab.check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_focused_error(page, "Your changes have not been saved")
    expect(page.get_by_label("Summary")).to_have_value("Typed in this tab.")
    assert address(page) == url
    tab.check()
