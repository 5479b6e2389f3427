"""An administrator, with JavaScript off, adds a plan, gives it an action, opens a reporting
period for that plan only on the confirmation page (leaving a plan on another cycle for
later), and looks at the plan's roll-over preview. Every page is checked (axe, the Nu HTML
Checker, target size, reflow at 320 CSS px)."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Action, Plan, ProgressUpdate, ReportingPeriod
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def council(db, org, people):
    """The people, a plan on another cycle with one action, and a planned quarter."""
    other = Plan(service=org["other_service"], title="Highways Annual Business Plan", period_label="2026/27")
    db.session.add_all([other, Action(plan=other, reference="HW1", title="Resurface roads", owner=people["owner"])])
    today = date.today()
    db.session.add(ReportingPeriod(name="Q3 this year", starts_on=today - timedelta(days=60),
                                   ends_on=today + timedelta(days=30), update_deadline=today + timedelta(days=44),
                                   signoff_deadline=today + timedelta(days=58)))
    db.session.commit()
    return other


def test_admin_adds_a_plan_and_opens_a_period_for_it_only(visit, db, org, people, council):
    tab = visit(javascript=False)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")

    page.goto("/plans/")
    tab.check()
    page.get_by_role("link", name="Add a plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a plan")
    tab.check()
    # A mistake first: the period is refused beside the field, and nothing is stored.
    page.get_by_label("Service", exact=True).select_option(label="Children's Specialist Services")
    page.get_by_label("Title").fill("Service Improvement Plan")
    page.get_by_label("Period the plan covers").fill("2027/26")
    page.get_by_role("button", name="Add plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The second year must be after the first")
    expect(page.locator("#period_label-error")).to_contain_text("The second year must be after the first")
    tab.check()
    page.get_by_label("Period the plan covers").fill("2026/27")
    page.get_by_label("Cabinet member").fill("Cllr Keith Orrell")
    page.get_by_role("button", name="Add plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children's Specialist Services: Service Improvement Plan")
    expect(page.locator("main")).to_contain_text("Service Improvement Plan 2026/27 was added")
    tab.check()
    plan_url = page.url

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Reference ID").fill("CSS001")
    page.get_by_label("Action", exact=True).fill("Recruit twenty foster carers")
    page.get_by_label("Accountable officer").select_option(label="Olu Owner")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text("Recruit twenty foster carers")

    page.goto("/periods/")
    tab.check()
    page.get_by_role("link", name="Open Q3 this year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Q3 this year")
    expect(page.locator("#opening-sums")).to_contain_text("This will create 2 draft updates and 0 indicator values "
                                                          "for 1 owner")
    expect(page.get_by_label("Service Improvement Plan 2026/27")).to_be_checked()
    expect(page.get_by_label("Highways Annual Business Plan 2026/27")).to_be_checked()
    tab.check()
    page.get_by_label("Highways Annual Business Plan 2026/27").uncheck()  # on another cycle: later
    page.get_by_role("button", name="Open the period").click()
    expect(page.locator("main")).to_contain_text("Q3 this year is open: 1 draft updates and 0 indicator values")
    tab.check()
    db.session.expire_all()
    plan = db.session.scalar(sa.select(Plan).where(Plan.title == "Service Improvement Plan"))
    drafts = db.session.scalars(sa.select(ProgressUpdate)).all()
    assert [d.action.plan_id for d in drafts] == [plan.id]

    # Opening later for the other plan is offered from the periods page.
    page.get_by_role("link", name=re.compile("Open for more plans")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Q3 this year for more plans")
    expect(page.locator("main")).to_contain_text("Already open for: Service Improvement Plan 2026/27")
    tab.check()

    # The roll-over preview, with the next period filled in.
    page.goto(plan_url)
    page.get_by_role("link", name="Roll over to the next period").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll over Service Improvement Plan 2026/27")
    expect(page.get_by_label("Period the new plan covers")).to_have_value("2027/28")
    expect(page.get_by_label("Carry across CSS001")).to_be_checked()
    tab.check()
    page.goto(plan_url.rsplit("/", 1)[0] + f"/{plan.id}/archive")
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive Service Improvement Plan 2026/27")
    tab.check()
