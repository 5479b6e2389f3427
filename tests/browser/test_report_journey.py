"""A committee report from compilation to approval, a second version and the comparison."""
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import ReportingPeriod
from tests.browser.test_update_journey import sign_in
from tests.test_reports import person, sign_off_everything

pytestmark = pytest.mark.browser


@pytest.fixture()
def signed_quarter(db):
    from app.demo.loader import load_demo
    from app.updates.service import open_period

    load_demo(year=2019, activity=False)
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    open_period(period, person(db, "admin@docket.example"))
    sign_off_everything(db, period)
    return period


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_report_is_compiled_returned_approved_and_versioned(visit, db, signed_quarter, javascript):
    hos_tab, hos = sign_in(visit, "marcus.bell@docket.example", javascript)
    hos.get_by_role("link", name="Reports").first.click()
    hos_tab.check()
    hos.get_by_role("link", name="Create a report").click()
    hos_tab.check()
    hos.get_by_label("Title").fill("Children's Specialist Services: progress in Q1 2019/20")
    hos.get_by_label("Reporting period").select_option(label="Q1 2019/20")
    hos.get_by_role("button", name="Create and compile the report").click()
    expect(hos.locator(".govuk-notification-banner")).to_contain_text("compiled from what is signed off")
    expect(hos.locator("#exceptions")).to_be_visible()
    hos_tab.check()

    hos.get_by_role("link", name="Edit sections").click()
    hos_tab.check()
    hos.get_by_label("Summary").fill("This report sets out progress in the first quarter.\n\nMembers are asked to note it.")
    hos.get_by_label("Recommendations").fill("Members are asked to note the progress made.")
    hos.get_by_role("button", name="Save", exact=True).click()
    expect(hos.locator(".docket-report")).to_contain_text("1. This report sets out progress in the first quarter.")
    hos_tab.check()
    hos.get_by_role("button", name="Submit for approval").click()
    expect(hos.locator(".govuk-notification-banner")).to_contain_text("Submitted for approval")
    hos_tab.check()
    report_url = hos.url

    ad_tab, ad = sign_in(visit, "jo.whitfield@docket.example", javascript)
    expect(ad.locator("main")).to_contain_text("Reports waiting for your approval (1)")
    ad.get_by_role("link", name="Children's Specialist Services: progress in Q1 2019/20").click()
    ad_tab.check()
    ad.get_by_label("Comment for the author").fill("Say what the committee is asked to decide.")
    ad.get_by_role("button", name="Return to author").click()
    expect(ad.locator(".govuk-notification-banner")).to_contain_text("Returned to the author")
    ad_tab.check()

    hos.goto(report_url)
    hos_tab.check()
    hos.get_by_role("link", name="Edit sections").click()
    hos.get_by_label("Recommendations").fill("Members are asked to note the progress and the recovery plans.")
    hos.get_by_role("button", name="Save", exact=True).click()
    hos_tab.check()
    hos.get_by_role("button", name="Submit for approval").click()
    hos_tab.check()

    ad.goto(report_url)
    ad_tab.check()
    ad.get_by_role("button", name="Approve version 1").click()
    expect(ad.locator(".docket-approved")).to_contain_text("Report Approved ✓")
    expect(ad.locator(".docket-approved")).to_contain_text(date.today().strftime("%-d %B %Y"))
    ad_tab.check()

    hos.goto(report_url)
    hos.get_by_role("link", name="Edit (starts version 2)").click()
    hos_tab.check()
    hos.get_by_label("Summary").fill("This report sets out progress in the first quarter, with two recovery plans.")
    hos.get_by_role("button", name="Save", exact=True).click()
    expect(hos.locator("main")).to_contain_text("Committee report, version 2")
    hos_tab.check()
    hos.get_by_role("link", name="Compare versions").click()
    expect(hos.locator("del").first).to_contain_text("This report sets out progress in the first quarter.")
    expect(hos.locator("ins").first).to_contain_text("with two recovery plans")
    hos_tab.check()
