"""The quarterly update, from the owner's draft to the Head of Service's sign-off."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import ProgressUpdate, ReportingPeriod, User

pytestmark = pytest.mark.browser


@pytest.fixture()
def open_quarter(db):
    from app.demo.loader import load_demo
    from app.updates.service import open_period

    load_demo(year=2019, activity=False)
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@docket.example"))
    open_period(period, admin)
    return period


def sign_in(visit, email, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("docket-demo-2019")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return tab, page


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_owner_submits_head_of_service_returns_then_signs_off(visit, db, open_quarter, javascript):
    owner_tab, owner = sign_in(visit, "hannah.pryce@docket.example", javascript)
    owner.get_by_role("link", name="CSS005: Continue to support as host agency").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("CSS005 update, Q1 2019/20")
    owner_tab.check()

    owner.get_by_label("Progress this period").fill("The agency is hosted by York; data now flows monthly.")
    owner.get_by_label("Red").check()
    if javascript:
        # Autosave: a few seconds after typing stops, the draft is saved and the page says so.
        expect(owner.locator("#autosave-status")).to_contain_text("Saved at", timeout=10_000)
        owner_tab.check()
    else:
        owner.get_by_role("button", name="Save draft").click()
        expect(owner.locator(".govuk-notification-banner")).to_contain_text("Your draft was saved")
        owner_tab.check()

    owner.get_by_role("button", name="Submit for sign-off").click()
    expect(owner.locator(".govuk-error-summary")).to_contain_text(
        "Enter the corrective action: it is needed when the status is red")
    expect(owner.get_by_label("Progress this period")).to_have_value(
        "The agency is hosted by York; data now flows monthly.")
    owner_tab.check()
    owner.get_by_label("Corrective action").fill("Agree a data-sharing protocol with the four authorities.")
    owner.get_by_role("button", name="Submit for sign-off").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Submitted for sign-off")
    owner_tab.check()

    hos_tab, hos = sign_in(visit, "marcus.bell@docket.example", javascript)
    hos.get_by_role("link", name="Sign-off").first.click()
    expect(hos.get_by_role("heading", level=1)).to_have_text("Sign-off")
    hos_tab.check()
    link = hos.get_by_role("link", name="CSS005: Continue to support as host agency")
    link.click()  # with JavaScript, read in place with the decision beside it; without, its own page (issue 16)
    if javascript:
        expect(hos.locator("#detail-update-" + str(_update_id(db)))).to_contain_text("data now flows monthly")
    else:
        expect(hos.get_by_role("heading", level=1)).to_have_text(re.compile("^CSS005: Continue to support as host agency"))
    hos_tab.check()
    hos.get_by_role("button", name=re.compile(r"^Return( CSS005.*)? to owner$")).click()
    expect(hos.locator(".govuk-error-summary")).to_contain_text("Enter a comment saying what the owner needs to change")
    hos_tab.check()
    hos.get_by_label("Comment for the owner").fill("Say when the protocol will be signed.")
    hos.get_by_role("button", name=re.compile(r"^Return( CSS005.*)? to owner$")).click()
    expect(hos.locator(".govuk-notification-banner")).to_contain_text("Returned to the owner")
    hos_tab.check()

    owner.goto("/")
    expect(owner.locator("main")).to_contain_text("Returned to you (1)")
    expect(owner.locator("main")).to_contain_text("Say when the protocol will be signed.")
    owner_tab.check()
    owner.get_by_role("link", name="CSS005: Continue to support as host agency").click()
    owner_tab.check()
    owner.get_by_label("Corrective action").fill("Protocol to be signed by 30 September 2019.")
    owner.get_by_role("button", name="Submit for sign-off").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Submitted for sign-off")
    owner_tab.check()

    hos.goto(owner.url)
    hos_tab.check()
    hos.get_by_role("button", name="Sign off", exact=True).click()
    expect(hos.locator(".govuk-notification-banner")).to_contain_text("Signed off CSS005 Q1 2019/20")
    hos_tab.check()

    owner.reload()
    owner_tab.check()
    expect(owner.get_by_role("button", name="Submit for sign-off")).to_have_count(0)  # read-only now
    expect(owner.locator("main")).to_contain_text("Protocol to be signed by 30 September 2019.")
    titles = owner.locator(".docket-timeline__title").all_inner_texts()
    assert titles == ["Marcus Bell signed off CSS005 Q1 2019/20", "Hannah Pryce resubmitted CSS005 Q1 2019/20 for sign-off",
                      "Marcus Bell returned CSS005 Q1 2019/20 to its owner",
                      "Hannah Pryce submitted CSS005 Q1 2019/20 for sign-off",
                      "Hannah Pryce started writing CSS005 Q1 2019/20"]


def _update_id(db):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ProgressUpdate.id).join(ProgressUpdate.action).where(sa.text("action.reference = 'CSS005'")))
