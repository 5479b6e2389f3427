"""Tried as a new council would (issue 12, "Done when"): on a database with no demo data and
only the first administrator (made with the README's commands), the administrator, in the
browser only, creates a directorate, a service, a plan and a committee, imports ten people
from an HR system's CSV with their roles, adds an action to the plan owned by one of them,
adds and opens a reporting period for that plan; then the new person sets their password from
the link the administrator was shown and finds their draft update on their home page.

Driven by labels and link texts, as a person would, with the main pages checked (axe, the Nu
HTML Checker, target size, reflow at 320 CSS px); pages passed through on the way (lists seen
again, a redirect's destination checked later) are left to the other tests, to keep it quick."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Plan, ProgressUpdate, Role, RoleAssignment, TrailEvent, User

pytestmark = pytest.mark.browser

ADMIN = "it.lead@example-council.gov.uk"
ADMIN_PASSWORD = "a long first admin passphrase"
NEW_PASSWORD = "kettle orchard lantern 42"
OWNER = "mei.chen@example-council.gov.uk"
PLAN_TITLE = "Service Improvement Plan"
ACTION = "Cut the wait for a care assessment to four weeks"


def this_quarter(today: date) -> tuple[str, date, date]:
    """The municipal quarter today is in (the year starts in April): ("Q3 2026/27", first day, last day)."""
    q = (today.month - 4) % 12 // 3 + 1
    year = today.year if today.month >= 4 else today.year - 1
    first_month = 4 + 3 * (q - 1)
    start = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    after = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return f"Q{q} {year}/{(year + 1) % 100:02d}", start, after - timedelta(days=1)


PERIOD, PERIOD_STARTS, PERIOD_ENDS = this_quarter(date.today())
PLAN_PERIOD = PERIOD.split()[1]  # this municipal year, "2026/27"

COMMITTEE = "Health and Adult Social Care Policy and Scrutiny Committee"
HR_EXPORT = (
    "\ufeffFull name,Work email,Job title,Service,Role,Committee\r\n"
    "Priya Natarajan,priya.natarajan@example-council.gov.uk,Assistant Director Adult Social Care,"
    "Adult Social Care,Assistant Director,\r\n"
    "Gareth Lloyd,gareth.lloyd@example-council.gov.uk,Head of Adult Social Care,Adult Social Care,Head of Service,\r\n"
    "Mei Chen,mei.chen@example-council.gov.uk,\"Service Manager, Reablement\",Adult Social Care,Action owner,\r\n"
    "Tomasz Nowak,tomasz.nowak@example-council.gov.uk,Safeguarding Lead,Adult Social Care,Action owner,\r\n"
    "Aisha Rahman,aisha.rahman@example-council.gov.uk,Commissioning Manager,Adult Social Care,Action owner,\r\n"
    "Owen Hughes,owen.hughes@example-council.gov.uk,\"Team Manager, Hospital Discharge\",Adult Social Care,"
    "Action owner,\r\n"
    "Grace Okafor,grace.okafor@example-council.gov.uk,Principal Social Worker,Adult Social Care,Action owner,\r\n"
    "Liam Byrne,liam.byrne@example-council.gov.uk,Occupational Therapy Lead,Adult Social Care,Action owner,\r\n"
    "Sofia Rossi,sofia.rossi@example-council.gov.uk,Business Support Manager,Adult Social Care,Action owner,\r\n"
    f"Hannah Webb,hannah.webb@example-council.gov.uk,Democracy Officer,,Committee clerk,{COMMITTEE}\r\n"
)


@pytest.fixture()
def first_administrator(app, db):
    """The first administrator, made exactly as the README says: `flask users create` and
    `flask users grant … administrator`. Nothing else is in the database."""
    runner = app.test_cli_runner()
    for args in (["users", "create", ADMIN, "--name", "Rowan Price", "--job-title", "ICT Business Partner",
                  "--password", ADMIN_PASSWORD],
                 ["users", "grant", ADMIN, "administrator"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_new_council_sets_itself_up_in_the_browser(visit, db, first_administrator, tmp_path):
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Home")
    tab.check()

    # Administration → Directorates and services: a directorate, then a service in it.
    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    heading(page, "Administration")
    tab.check()
    page.get_by_role("link", name="Directorates and services").click()
    heading(page, "Directorates and services")
    page.get_by_role("link", name="Add a directorate").click()
    heading(page, "Add a directorate")
    tab.check()
    page.get_by_label("Name", exact=True).fill("Adults and Health")
    page.get_by_label("Director's job title").fill("Corporate Director of Adults and Health")
    page.get_by_role("button", name="Save directorate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Adults and Health was added")
    page.get_by_role("link", name="Add a service", exact=True).click()
    heading(page, "Add a service")
    tab.check()
    page.get_by_label("Name", exact=True).fill("Adult Social Care")
    page.get_by_label("Directorate", exact=True).select_option(label="Adults and Health")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Adult Social Care was added to Adults and Health")
    tab.check()

    # A committee, with its members and the Democracy Officer's details.
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("main").get_by_role("link", name="Committees").click()
    heading(page, "Set up committees")
    tab.check()
    page.get_by_role("link", name="Create a committee").click()
    tab.check()
    page.get_by_label("Name", exact=True).fill(COMMITTEE)
    page.get_by_label("Members").fill("Councillor A Rees (Chair)\nCouncillor B Shah (Vice-Chair)\nCouncillor C Doyle")
    page.get_by_label("Democracy Officer").fill("Hannah Webb")
    page.get_by_label("Telephone").fill("01234 552 030")
    page.get_by_label("Usual venue").fill("The Council Chamber, Civic Centre")
    page.get_by_role("button", name="Create committee").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{COMMITTEE} was created")
    heading(page, COMMITTEE)

    # A plan for the service.
    page.get_by_role("navigation").get_by_role("link", name="Plans").click()
    heading(page, "Plans")
    page.get_by_role("link", name="Add a plan").click()
    heading(page, "Add a plan")
    tab.check()
    page.get_by_label("Service", exact=True).select_option(label="Adult Social Care")
    page.get_by_label("Title", exact=True).fill(PLAN_TITLE)
    page.get_by_label("Period the plan covers").fill(PLAN_PERIOD)
    page.get_by_label("Director", exact=True).fill("Corporate Director of Adults and Health")
    page.get_by_label("Description or vision").fill("People live well and independently at home for longer.")
    page.get_by_role("button", name="Add plan").click()
    heading(page, f"Adult Social Care: {PLAN_TITLE}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was added for Adult Social Care")
    tab.check()

    # Ten people from the HR system's CSV: checked in a preview, then added; no mail is set
    # up, so their set-password links are shown to the administrator.
    export = tmp_path / "staff-export.csv"
    export.write_text(HR_EXPORT, encoding="utf-8", newline="")
    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    page.get_by_role("main").get_by_role("link", name="People").click()
    heading(page, "People")
    tab.check()
    page.get_by_role("button", name="Add people from a CSV file").click()
    heading(page, "Add people from a CSV file")
    tab.check()
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Check the file").click()
    heading(page, "Check the people to add")
    expect(page.locator("main")).to_contain_text("10 rows")
    tab.check()
    page.get_by_role("button", name="Add and update these people").click()
    heading(page, "People added")
    expect(page.locator("main")).to_contain_text("10 new people, 0 updated, 0 unchanged")
    tab.check()
    links = page.get_by_role("region", name="Set-password links").locator("tbody tr")
    expect(links).to_have_count(10)
    mei_link = links.filter(has_text=OWNER).locator("code").inner_text().strip()
    db.session.expire_all()
    held = {(a.user.name, a.role, a.scope_label) for a in db.session.scalars(sa.select(RoleAssignment))}
    for expected in [("Priya Natarajan", Role.ASSISTANT_DIRECTOR, "Adult Social Care"),
                     ("Gareth Lloyd", Role.HEAD_OF_SERVICE, "Adult Social Care"),
                     ("Mei Chen", Role.ACTION_OWNER, "Adult Social Care"),
                     ("Hannah Webb", Role.CLERK, COMMITTEE)]:
        assert expected in held, (expected, held)
    assert "/set-password/" in mei_link

    # An action on the plan, owned by Mei Chen.
    page.get_by_role("navigation").get_by_role("link", name="Plans").click()
    page.get_by_role("link", name=re.compile(PLAN_TITLE)).click()
    heading(page, f"Adult Social Care: {PLAN_TITLE}")
    page.get_by_role("link", name="Add an action").click()
    heading(page, "Add an action")
    tab.check()
    page.get_by_label("Reference ID").fill("ASC001")
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Accountable officer").select_option(label="Mei Chen (Service Manager, Reablement)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text(ACTION)
    tab.check()

    # A reporting period, opened for the plan from its confirmation page.
    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    page.get_by_role("main").get_by_role("link", name="Reporting periods").click()
    heading(page, "Reporting periods")
    page.get_by_role("link", name="Add a period").click()
    heading(page, "Add a reporting period")
    tab.check()
    page.get_by_label("Name").fill(PERIOD)
    fill_date(page, "Start date", PERIOD_STARTS)
    fill_date(page, "End date", PERIOD_ENDS)
    fill_date(page, "Deadline for updates", PERIOD_ENDS + timedelta(days=14))
    fill_date(page, "Deadline for sign-off", PERIOD_ENDS + timedelta(days=28))
    page.get_by_role("button", name="Save period").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{PERIOD} was added")
    page.get_by_role("link", name=f"Open {PERIOD}").click()
    heading(page, f"Open {PERIOD}")
    tab.check()
    expect(page.locator("#opening-sums")).to_contain_text("1 draft update")
    expect(page.get_by_label(f"{PLAN_TITLE} {PLAN_PERIOD}")).to_be_checked()
    page.get_by_role("button", name="Open the period").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(re.compile(f"{PERIOD} is open: 1 draft update"))
    tab.check()
    db.session.expire_all()
    update = db.session.scalar(sa.select(ProgressUpdate))
    assert update.action.reference == "ASC001" and update.action.owner.email == OWNER

    # Mei, in her own browser, sets her password from the link she was sent, and finds her task.
    mei_tab = visit(javascript=True)
    mei = mei_tab.goto(mei_link)
    heading(mei, "Choose your password")
    mei_tab.check()
    mei.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    mei.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    mei.get_by_role("button", name="Set password").click()
    heading(mei, "Home")
    mei_tab.check()
    expect(mei.locator("main")).to_contain_text("Updates due (1)")
    mei.get_by_role("link", name=re.compile("ASC001")).click()
    heading(mei, f"ASC001 update, {PERIOD}")
    mei_tab.check()

    # The trail holds the set-up, in order.
    verbs = db.session.scalars(sa.select(TrailEvent.verb).order_by(TrailEvent.seq)).all()
    wanted = ["directorate_created", "service_created", "committee_created", "plan_created", "people_imported",
              "action_created", "period_created", "period_opened", "set_password_link_used"]
    assert [v for v in verbs if v in wanted] == wanted, verbs
