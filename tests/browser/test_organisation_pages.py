"""The administration pages in a browser, as a council's first administrator uses them on a
Docket with nothing in it: every page checked (axe, target size, the Nu HTML Checker, reflow at
320 CSS px), a directorate and a service typed in and sent from the keyboard."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Committee, Directorate, Role, Service
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def first_admin(db, make_user):
    admin = make_user("it.lead@example.gov.uk", "Priya Shah", Role.ADMINISTRATOR, job_title="Docket administrator")
    make_user("director@example.gov.uk", "Dev Patel", job_title="Corporate Director of Place")
    make_user("ad@example.gov.uk", "Ann Dale", job_title="Assistant Director Transport")
    make_user("head@example.gov.uk", "Hal Green", job_title="Head of Highways")
    return admin


def sign_in(tab, email):
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return page


def test_the_first_administrator_sets_up_the_organisation(visit, db, first_admin):
    tab = visit(javascript=True)
    page = sign_in(tab, first_admin.email)
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    tab.check()

    page.get_by_role("link", name="Directorates and services").click()
    expect(page.get_by_text("There are no directorates yet")).to_be_visible()
    tab.check()
    page.get_by_role("link", name="Add a directorate").click()
    tab.check()
    # Typed, chosen and sent by keyboard alone.
    page.get_by_label("Name").focus()
    page.keyboard.type("Economy and Place")
    page.keyboard.press("Tab")
    page.get_by_label("Corporate Director").select_option(label="Dev Patel (Corporate Director of Place)")
    page.get_by_label("Director's job title").focus()
    page.keyboard.type("Corporate Director of Economy and Place")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directorates and services")
    expect(page.get_by_text("Economy and Place was added")).to_be_visible()
    tab.check()

    # The same name again is refused beside the field.
    page.get_by_role("link", name="Add a directorate").click()
    page.get_by_label("Name").fill("economy and place")
    page.get_by_role("button", name="Save directorate").click()
    expect(page.locator("#name-error")).to_contain_text("There is already a directorate called Economy and Place")
    tab.check()

    page.goto("/admin/organisation")
    page.get_by_role("link", name="Add a service to Economy and Place").click()
    tab.check()
    page.get_by_label("Name").focus()
    page.keyboard.type("Highways and Transport")
    page.get_by_label("Assistant Director").select_option(label="Ann Dale (Assistant Director Transport)")
    page.get_by_label("Head of Service").select_option(label="Hal Green (Head of Highways)")
    page.get_by_label("Name").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Highways and Transport was added to Economy and Place")).to_be_visible()
    row = page.get_by_role("row", name="Highways and Transport")
    expect(row).to_contain_text("Ann Dale")
    expect(row).to_contain_text("Hal Green")
    tab.check()
    service = db.session.scalar(sa.select(Service).where(Service.name == "Highways and Transport"))
    assert service.directorate.name == "Economy and Place"
    directorate = db.session.scalar(sa.select(Directorate).where(Directorate.name == "Economy and Place"))
    assert directorate.director.name == "Dev Patel"

    page.get_by_role("link", name="Change Highways and Transport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a service")
    tab.check()
    page.goto(f"/admin/directorates/{directorate.id}/edit")
    tab.check()

    page.goto("/admin/committees")
    tab.check()
    page.get_by_role("link", name="Create a committee").click()
    tab.check()
    page.get_by_label("Name", exact=True).fill("Economy and Place Policy and Scrutiny Committee")
    page.get_by_label("Members").fill("Councillor D Taylor (Chair)\nCouncillor Webb (Vice-Chair)\nCouncillor Fenton")
    page.get_by_label("Clerk").select_option(label="Hal Green (Head of Highways)")
    page.get_by_label("Usual time").fill("5.30pm")
    page.get_by_role("button", name="Create committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Economy and Place Policy and Scrutiny Committee")
    tab.check()
    assert db.session.scalar(sa.select(Committee.clerk_name)) == "Hal Green"

    page.goto("/admin/settings")
    tab.check()
    page.get_by_label("Council's name").fill("Borsetshire County Council")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".docket-header__council")).to_have_text("Borsetshire County Council")
    expect(page).to_have_title("Settings – Docket – Borsetshire County Council")
    tab.check()
