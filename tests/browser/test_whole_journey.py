"""The whole quarter, end to end: owner → Head of Service → report → Assistant Director →
clerk → published pack. Once with JavaScript, once without, and once by keyboard alone
(Tab, Shift+Tab, Enter, Space and typing; no mouse)."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Meeting, ReportingPeriod, User

pytestmark = pytest.mark.browser
PASSWORD = "docket-demo-2019"


class Person:
    """One person's tab, driven with the mouse or, in keyboard mode, with the keyboard only."""

    def __init__(self, visit, email, mode):
        self.mode = mode
        self.tab = visit(javascript=mode != "nojs")
        self.page = self.tab.page
        self.go("/sign-in")
        self.fill(self.page.get_by_label("Email address"), email)
        self.fill(self.page.get_by_label("Password", exact=True), PASSWORD)
        self.press(self.page.get_by_role("button", name="Sign in"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Home")
        self.tab.check()

    def go(self, path):
        self.page.goto(path)
        self.tab.check()

    def _focus(self, locator):
        """Tab forwards until the element has the focus (the keyboard user's way of reaching it)."""
        handle = locator.element_handle()
        for _ in range(400):
            if handle.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"could not reach {locator} with the Tab key")

    def press(self, locator, checked=True, navigates=True):
        if self.mode == "keyboard":
            self._focus(locator)
            if navigates:
                with self.page.expect_navigation():
                    self.page.keyboard.press("Enter")
            else:
                self.page.keyboard.press("Enter")
        else:
            locator.click()
        self.page.wait_for_load_state()
        if checked:
            self.tab.check()

    def fill(self, locator, text):
        if self.mode == "keyboard":
            self._focus(locator)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Delete")
            self.page.keyboard.type(text)
        else:
            locator.fill(text)

    def choose(self, locator):
        """A radio button or checkbox. A radio group is one Tab stop: reach it, then use the
        arrow keys, as a keyboard user does."""
        if self.mode != "keyboard":
            locator.check()
            return
        handle = locator.element_handle()
        if handle.get_attribute("type") != "radio":
            self._focus(locator)
            self.page.keyboard.press("Space")
            return
        name = handle.get_attribute("name")
        for _ in range(400):
            if self.page.evaluate("n => document.activeElement && document.activeElement.name === n", name):
                break
            self.page.keyboard.press("Tab")
        for _ in range(20):
            if handle.evaluate("el => el === document.activeElement"):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        assert handle.is_checked()

    def select(self, locator, label):
        if self.mode == "keyboard":
            self._focus(locator)
            options = locator.locator("option").all_inner_texts()
            target = next(i for i, o in enumerate(options) if o.strip().startswith(label))
            current = locator.evaluate("el => el.selectedIndex")
            key = "ArrowDown" if target > current else "ArrowUp"
            for _ in range(abs(target - current)):
                self.page.keyboard.press(key)
        else:
            options = locator.locator("option").all_inner_texts()
            locator.select_option(label=next(o.strip() for o in options if o.strip().startswith(label)))


@pytest.fixture()
def quarter_open(db):
    from app.demo.loader import load_demo
    from app.updates.service import open_period

    load_demo(year=2019, activity=False)
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    open_period(period, db.session.scalar(sa.select(User).where(User.email == "admin@docket.example")))
    return period


@pytest.mark.parametrize("mode", ["js", "nojs", "keyboard"])
def test_the_whole_quarter_from_update_to_published_pack(visit, db, quarter_open, mode):
    from pypdf import PdfReader

    # 1. The owner writes and submits her update.
    owner = Person(visit, "hannah.pryce@docket.example", mode)
    owner.press(owner.page.get_by_role("link", name=re.compile("^CSS005: Continue to support")))
    owner.fill(owner.page.get_by_label("Progress this period"), "The agency is hosted by York and reporting monthly.")
    owner.choose(owner.page.get_by_label("Green"))
    owner.press(owner.page.get_by_role("button", name="Submit for sign-off"))
    expect(owner.page.locator(".govuk-notification-banner")).to_contain_text("Submitted for sign-off")

    # 2. The Head of Service signs it off, then compiles and submits the report.
    head = Person(visit, "marcus.bell@docket.example", mode)
    head.press(head.page.get_by_role("link", name="Go to the sign-off queue"))
    head.press(head.page.get_by_role("link", name=re.compile("^CSS005: Continue to support")),
               checked=False, navigates=mode == "nojs")
    if mode != "nojs":  # with JavaScript the update opens in place in the queue
        expect(head.page.locator(".docket-queue-detail")).to_contain_text("reporting monthly")
        head.tab.check()
    # The decision is beside the update, in the queue or on its own page (issue 16).
    head.press(head.page.get_by_role("button", name=re.compile("^Sign off CSS005")), navigates=mode == "nojs")
    expect(head.page.locator(".govuk-notification-banner")).to_contain_text("Signed off CSS005 Q1 2019/20")
    head.go("/reports/new")
    head.fill(head.page.get_by_label("Title"), "Children's Specialist Services: Q1 2019/20")
    head.select(head.page.get_by_label("Reporting period"), "Q1 2019/20")
    head.press(head.page.get_by_role("button", name="Create and compile the report"))
    expect(head.page.locator("#not-signed-off")).to_be_visible()  # the other eight are listed, not hidden
    head.press(head.page.get_by_role("link", name="Edit sections"))
    head.fill(head.page.get_by_label("Summary"), "Progress in the first quarter of 2019/20.")
    head.fill(head.page.get_by_label("Recommendations"), "Members are asked to note the report.")
    head.press(head.page.get_by_role("button", name="Save", exact=True))
    head.press(head.page.get_by_role("button", name="Submit for approval"))
    expect(head.page.locator(".govuk-notification-banner")).to_contain_text("Submitted for approval")

    # 3. The Assistant Director approves it.
    director = Person(visit, "jo.whitfield@docket.example", mode)
    director.press(director.page.get_by_role("link", name="Children's Specialist Services: Q1 2019/20"))
    director.press(director.page.get_by_role("button", name="Approve version 1"))
    expect(director.page.locator(".docket-approved")).to_contain_text("Report Approved ✓")

    # 4. The clerk puts it on the 24 September 2019 agenda and publishes the pack.
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))
    clerk = Person(visit, "nadia.holt@docket.example", mode)
    expect(clerk.page.locator("main")).to_contain_text("Approved reports not yet on an agenda (1)")
    clerk.go(f"/meetings/{meeting.id}/agenda")
    clerk.press(clerk.page.get_by_role("button", name="Start the agenda"))
    clerk.select(clerk.page.get_by_label("Approved report"), "Children's Specialist Services: Q1 2019/20")
    clerk.fill(clerk.page.get_by_label("Purpose line for the report"), "Progress on the service improvement plan.")
    clerk.press(clerk.page.get_by_role("button", name="Add report"))
    expect(clerk.page.locator("#agenda-items")).to_contain_text("4. Children's Specialist Services: Q1 2019/20")
    clerk.fill(clerk.page.get_by_label("Why it is published late"), "A past meeting, published for the record")
    clerk.press(clerk.page.get_by_role("button", name="Publish the agenda pack"), checked=False,
                navigates=mode == "nojs")
    # No minutes were added: the clerk is asked first, and publishes without them.
    expect(clerk.page.get_by_role("heading", level=1)).to_have_text("Publish without the minutes?")
    clerk.tab.check()
    clerk.press(clerk.page.get_by_role("button", name="Publish without the minutes"), checked=False)
    expect(clerk.page.locator(".govuk-notification-banner")).to_contain_text(
        "Version 1 of the agenda pack was published", timeout=30_000)
    clerk.tab.check()
    link = clerk.page.get_by_role("link", name=re.compile("Download the agenda pack"))
    reader = PdfReader(io.BytesIO(clerk.page.request.get(link.get_attribute("href")).body()))
    front = " ".join(" ".join(p.extract_text().split()) for p in reader.pages[:2])
    found = re.search(r"Children's Specialist Services: Q1 2019/20 \(Pages (\d+) - (\d+)\)", front)
    assert found
    start = int(found.group(1))
    assert "Children's Specialist Services: Q1 2019/20" in reader.pages[start - 1].extract_text()

    # 5. The owner, reading the published agenda, reaches the report from it.
    owner.go(f"/meetings/{meeting.id}")
    owner.press(owner.page.get_by_role("link", name="Children's Specialist Services: Q1 2019/20"))
    expect(owner.page.get_by_role("heading", level=1)).to_have_text("Children's Specialist Services: Q1 2019/20")
