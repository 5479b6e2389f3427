"""Acceptance of issue 13: an officer brings the council's own Word plan in as it is.

They upload the .docx (themes between tables, a title row, a sub-heading row, numbers inside
the text, owners as initials with a footnote legend, "By when" in every form, partners one a
line), change one column of the mapping Docket proposed, add the people Docket does not know
yet, preview, confirm; the plan page shows the plan with its sub-headings, partners and timing,
and the export holds it all. And the plan's pages with the new fields pass every check."""
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Action, Indicator, IndicatorResult, Plan, PriorityTheme, User
from tests.conftest import TEST_PASSWORD
from tests.plan_documents import LEGEND_PEOPLE, THEMES, YOUTH_OFFER, actions_docx

pytestmark = pytest.mark.browser


def _sign_in(tab, email):
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    return page


@pytest.fixture()
def plan(db, org, people):
    plan = Plan(service=org["service"], title="Children’s Services Improvement Plan 2021/22", period_label="2021/22")
    db.session.add(plan)
    db.session.commit()
    return plan


def test_the_plan_pages_show_groups_partners_timing_and_text_targets(visit, plan, db, people):
    theme = PriorityTheme(plan=plan, title=THEMES["B"], position=1)
    db.session.add_all([
        theme,
        Action(plan=plan, theme=theme, reference="B6", title="Hold a placement stability meeting",
               timing="Ongoing", owner=people["owner"]),
        Action(plan=plan, theme=theme, reference="B7", title="Youth offer published", group_title=YOUTH_OFFER,
               partners="Youth Council\nSchools", timing="Completed 31.05.21", due_on=date(2021, 5, 31)),
    ])
    indicator = Indicator(plan=plan, reference="T6", description="Children’s services budget", position=1,
                          target_text="Gross £51.300m. Net £27.940m.", benchmark_comparator="NA",
                          comments="Net figure after grants\nand recharges")
    indicator.results.append(IndicatorResult(label="2020/21", value_text="Gross £50.110m. Net £27.120m."))
    db.session.add(indicator)
    db.session.commit()
    b7 = db.session.scalar(sa.select(Action).where(Action.reference == "B7"))

    tab = visit(javascript=False)
    _sign_in(tab, "hos@example.org")
    page = tab.goto(f"/plans/{plan.id}")
    results = page.locator("#action-results")
    expect(results.get_by_role("columnheader", name=YOUTH_OFFER)).to_be_visible()
    expect(results).to_contain_text("Partners: Youth Council, Schools")
    expect(results).to_contain_text("Completed 31.05.21")
    expect(page.locator("#indicators ~ div")).to_contain_text("Gross £51.300m. Net £27.940m.")
    tab.check()

    page = tab.goto(f"/actions/{b7.id}")
    expect(page.locator("main")).to_contain_text("Timing: Completed 31.05.21")
    tab.check()
    page = tab.goto(f"/actions/{b7.id}/edit")
    expect(page.get_by_label("Group")).to_have_value(YOUTH_OFFER)
    page.get_by_label("Timing").fill("Completed 31.05.21, reviewed termly")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Timing")
    tab.check()
    page = tab.goto(f"/indicators/{indicator.id}/edit")
    expect(page.get_by_label("Target as written")).to_have_value("Gross £51.300m. Net £27.940m.")
    tab.check()


def _export_rows(workbook, sheet) -> list[dict]:
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_an_officer_imports_the_councils_word_plan(visit, plan, db, javascript):
    from tests.plan_documents import whole_plan_docx

    built = whole_plan_docx()
    facts = {a["reference"]: a for a in built.facts["actions"]["actions"]}
    tab = visit(javascript=javascript)
    _sign_in(tab, "hos@example.org")

    page = tab.goto(f"/plans/{plan.id}/import")
    tab.check()
    page.get_by_label("Excel workbook (.xlsx), Word document (.docx) or CSV file").set_input_files(
        {"name": built.filename, "buffer": built.content,
         "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    main = page.locator("main")
    expect(main).to_contain_text("3 people named in the file are not in Docket")
    # Docket read the tables as the plan lays them out: the references it made up, per theme.
    expect(page.get_by_label("Row 4 of table 3 of the document: Youth offer published", exact=False)).to_have_value("B7")
    expect(page.locator("#ref-t5-3")).to_have_value("D7")
    tab.check()

    # The officer changes one column: theme D's "By when" is kept as written, not read as a date.
    page.locator("#map-t5-3").select_option(label="By when (as written)")
    # and adds the three people the legend names, who are not in Docket yet.
    for name in ("Asha Mensah", "Lena Wójcik", "Tom Griffiths"):
        page.get_by_label(f"Add {name} to Docket").check()
    page.get_by_role("button", name="Check again with these choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    expect(page.locator("#map-t5-3")).to_have_value("timing")
    expect(page.get_by_label("Add Tom Griffiths to Docket")).to_be_checked()
    tab.check()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0  # nothing stored yet

    page.get_by_role("button", name="Confirm import").click()
    expect(page).to_have_url(f"{tab.base_url}/plans/{plan.id}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Imported")
    results = page.locator("#action-results")
    expect(results.get_by_role("columnheader", name=YOUTH_OFFER)).to_be_visible()
    expect(results).to_contain_text("Partners: Schools, Health, Police")
    expect(results).to_contain_text("Monthly")
    expect(results).to_contain_text("Completed & ongoing")
    expect(page.locator("#indicators ~ div")).to_contain_text("Gross £51.300m. Net £27.940m.")
    tab.check()

    # What was stored: every action, its group, partners, owner from the legend, and the changed column.
    db.session.expire_all()
    stored = {a.reference: a for a in db.session.scalars(sa.select(Action).where(Action.plan_id == plan.id))}
    assert set(stored) == set(facts)
    for reference, fact in facts.items():
        action = stored[reference]
        assert action.title == fact["title"], reference
        assert action.theme.title == fact["theme"] and action.group_title == fact["group_title"], reference
        assert (action.partners or "").split("\n") == (fact["partners"] or [""]), reference
        assert action.owner.name == fact["owner_name"], reference
    assert stored["D8"].timing == "31/10/21" and stored["D8"].due_on is None  # the officer's choice
    assert stored["A4"].timing == "Monthly" and stored["B5"].due_on == date(2022, 3, 31)
    assert db.session.scalar(sa.select(User).where(User.name == "Tom Griffiths")).job_title == \
        LEGEND_PEOPLE["TG"][1]

    # The export holds all of it.
    response = page.request.get(f"/plans/{plan.id}/export.xlsx")
    assert response.ok
    workbook = openpyxl.load_workbook(io.BytesIO(response.body()))
    exported = {r["Reference ID"]: r for r in _export_rows(workbook, "Actions")}
    assert set(exported) == set(stored)
    for reference, action in stored.items():
        row = exported[reference]
        assert (row["Action"], row["Priority Theme"], row["Group"] or None, row["Partners"] or None,
                row["Timing"] or None) == (action.title, action.theme.title, action.group_title, action.partners,
                                           action.timing), reference
        assert row["Accountable officer"] in (action.owner.name, action.owner.job_title, action.owner.email)
    indicators = {r["Indicator Description"]: r for r in _export_rows(workbook, "Indicators")}
    targets = {t["description"]: t for t in built.facts["targets"]["indicators"]}
    assert set(indicators) == set(targets)
    budget = indicators["Children’s services budget"]
    assert budget["Target as written"] == "Gross £51.300m. Net £27.940m."
    assert budget["Comments"] == "Net figure after grants\nand recharges"
    assert indicators["Percentage of care leavers in education, employment or training"]["Comparator"] == "53%"
    assert indicators["Percentage of care leavers in education, employment or training"]["2020/21 Result"] == "58.0%"
    assert workbook.sheetnames[-1] == "Updates"
