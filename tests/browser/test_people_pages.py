"""An administrator adds a person, gets their set-password link, and the new person chooses
their password from it (in a second browser) and lands on their home page. On the way: the
People pages, the CSV import preview and the change-password page, each through `check()`."""
import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

CSV = ("\ufeffName,Email,Job title,Service,Role\r\n"
       "Rosa Lind,rosa.lind@example.org,Team Manager,Children's Specialist Services,Action owner\r\n"
       "Sam Ode,not-an-email,Officer,Highways,Head of Service\r\n").encode("utf-8")


def _sign_in(visit, email, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return tab, page


@pytest.mark.parametrize("javascript", [False], ids=["js-off"])
def test_add_a_person_who_sets_their_password_from_the_link(visit, people, org, javascript):
    tab, page = _sign_in(visit, "admin@example.org", javascript)
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    tab.check()
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")
    tab.check()
    page.get_by_role("button", name="Add person").click()  # nothing filled in
    expect(page.locator("#name-error")).to_contain_text("Enter the person's full name")
    tab.check()
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").fill("priya.shah@example.org")
    page.get_by_label("Job title (optional)").fill("Practice Manager")
    page.get_by_label("Role", exact=True).select_option(label="Action owner")
    page.get_by_label("Where the role applies").select_option(label="Service: Children's Specialist Services")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    link = page.get_by_label("Set-password link for Priya Shah").input_value()
    assert "/set-password/" in link
    expect(page.locator("main")).to_contain_text("Action owner")
    tab.check()

    newcomer = visit(javascript=True)
    other = newcomer.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text("Choose your password")
    newcomer.check()
    other.get_by_label("New password", exact=True).fill("password123")
    other.get_by_label("Confirm new password").fill("password123")
    other.get_by_role("button", name="Set password").click()
    expect(other.locator("#password-error")).to_contain_text("most common passwords")
    newcomer.check()
    other.get_by_label("New password", exact=True).fill("lantern otter meadow")
    other.get_by_label("Confirm new password").fill("lantern otter meadow")
    other.get_by_role("button", name="Set password").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Home")
    expect(other.locator("main")).to_contain_text("Priya Shah")
    newcomer.check()
    other.get_by_role("link", name="Change password").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Change your password")
    newcomer.check()

    # Used once: the link now says so.
    again = visit(javascript=javascript)
    page2 = again.goto(link)
    expect(page2.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    again.check()

    # The person's page, then the CSV import preview with its problem row.
    page.reload() if javascript else page.goto(page.url)
    page.goto("/people/")
    page.get_by_role("link", name="Priya Shah").click()
    expect(page.locator("main")).to_contain_text("The newest link")
    tab.check()
    page.goto("/people/import")
    tab.check()
    page.get_by_label("CSV file").set_input_files({"name": "hr.csv", "mimeType": "text/csv", "buffer": CSV})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the people to add")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Row 3: Email address “not-an-email” is not valid")
    expect(page.locator("main")).to_contain_text("New person")
    tab.check()
