"""Acceptance of "Import into a plan": an administrator pastes three new actions from Excel,
one with a date that is not a date, sees the problem beside the row and in the summary,
fixes it in the pasted text Docket kept, checks again, confirms, and finds the actions on
the plan. With JavaScript on (htmx swaps the preview in) and off (plain form posts)."""
import csv
import io
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

import app.plans.transfer_routes  # noqa: F401 - registers the routes (until app/plans/__init__.py imports it)
from app.models import Action, Plan
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

HEADINGS = ["Reference ID", "Priority Theme", "Action", "Business As Usual or Major Project",
            "Accountable officer", "Completed by date", "Milestones / Deliverables"]
THEME = ("Make sure all children feel included by developing the Youth Offending services")
NEW_ACTIONS = [
    ["CSS020", THEME, "Pilot restorative justice panels in two wards", "Medium project",
     "Youth Justice Practice Manager", "31/03/2020", "Panels set up (by 30/09/2019)\nFirst review"],
    ["CSS021", THEME, "Publish a youth justice plan for 2019/20", "Business as usual Statutory service",
     "Youth Justice Practice Manager", "31/02/2020", ""],
    ["CSS022", THEME, "Train all case workers in trauma-informed practice", "Business as usual",
     "tom.ridley@docket.example", "2020-01-31", "[done] Trainer commissioned"],
]


def clipboard(rows) -> str:
    """The rows as Excel copies them: tab-separated, a cell with line breaks in quotes."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture()
def demo_plan(people, db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    return db.session.scalar(sa.select(Plan))


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_admin_pastes_fixes_and_imports_three_actions(visit, demo_plan, db, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()

    page = tab.goto(f"/plans/{demo_plan.id}/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import actions, risks and indicators")
    expect(page.get_by_role("link", name="Download the template")).to_have_attribute(
        "href", f"/plans/{demo_plan.id}/import/template.xlsx")
    tab.check()

    pasted = clipboard([HEADINGS] + NEW_ACTIONS)
    page.get_by_label("Actions", exact=True).check()
    page.get_by_label("Paste the table, with its heading row first").fill(pasted)
    page.get_by_role("button", name="Check the table").click()

    # The problem is in the summary, beside its row and column, and nothing is lost.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    expect(page).to_have_title(f"Error: Check your import – {demo_plan.title} – Docket – Example Council")
    summary = page.locator(".govuk-error-summary")
    message = ("Row 3, Completed by date: “31/02/2020” is not a date: there is no such day. "
               "Write dates like 31/03/2019 (day/month/year)")
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(page.locator("#actions-row-3-due .govuk-error-message")).to_contain_text("“31/02/2020” is not a date")
    expect(page.locator("#actions-row-3")).to_contain_text("Problem")
    expect(page.locator("#actions-row-2")).to_contain_text("New")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    box = page.get_by_label("Paste the table, with its heading row first")
    expect(box).to_have_value(pasted)
    expect(page.get_by_label("Actions", exact=True)).to_be_checked()
    if javascript:  # htmx swapped the preview into the page, and GOV.UK Frontend focused the summary
        expect(page).to_have_url(f"{tab.base_url}/plans/{demo_plan.id}/import")
        expect(summary).to_be_focused()
    tab.check()

    # The summary's link leads to the cell.
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/import(/preview)?#actions-row-3-due$"))
    tab.check()

    box.fill(box.input_value().replace("31/02/2020", "28/02/2020"))
    page.get_by_role("button", name="Check the table").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page).to_have_title(f"Check your import – {demo_plan.title} – Docket – Example Council")
    expect(page.locator("main")).to_contain_text("3 new, 0 changed, 0 unchanged, 0 with problems")
    expect(page.locator("#actions-row-4")).to_contain_text("Tom Ridley (Youth Justice Practice Manager)")
    tab.check()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action).where(
        Action.reference.in_(["CSS020", "CSS021", "CSS022"]))) == 0

    page.get_by_role("button", name="Confirm import").click()
    expect(page).to_have_url(f"{tab.base_url}/plans/{demo_plan.id}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Imported 3 new actions.")
    for _, _, title, *_ in NEW_ACTIONS:
        expect(page.locator("main")).to_contain_text(title)
    tab.check()

    db.session.expire_all()
    stored = db.session.scalars(sa.select(Action).where(Action.reference.in_(["CSS020", "CSS021", "CSS022"]))
                                .order_by(Action.reference)).all()
    assert [(a.reference, a.due_on.isoformat(), a.owner.name, a.theme.title == THEME) for a in stored] == [
        ("CSS020", "2020-03-31", "Tom Ridley", True), ("CSS021", "2020-02-28", "Tom Ridley", True),
        ("CSS022", "2020-01-31", "Tom Ridley", True)]
    assert [(m.text, m.done) for m in stored[0].milestones] == [("Panels set up", False), ("First review", False)]
    assert stored[1].statutory and [m.done for m in stored[2].milestones] == [True]
