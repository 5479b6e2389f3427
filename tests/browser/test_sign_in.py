"""The first journey: signing in, with JavaScript on and off, and by keyboard alone."""
import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_sign_in_journey(visit, people, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/people/")
    expect(page).to_have_url(f"{tab.base_url}/sign-in?next=/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    tab.check()

    # A wrong password: a generic error, in the summary and beside the field, and the
    # address the person typed is still there.
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Sign in – Docket – Example Council")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text("Enter a correct email address and password")
    expect(page.locator("#email-error")).to_contain_text("Enter a correct email address and password")
    expect(page.get_by_label("Email address")).to_have_value("admin@example.org")
    tab.check()

    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")  # back where they were going
    tab.check()

    page.get_by_role("link", name="Home").click()
    expect(page.locator("main")).to_contain_text("You are signed in as Ada Admin")
    tab.check()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    tab.check()


def test_sign_in_by_keyboard_alone(visit, people):
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    tab.check()
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # Tab on to the email field, whatever lies between.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type("hos@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.locator("main")).to_contain_text("Head of Service")
    tab.check()


def test_error_pages_are_accessible(visit, people):
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill("owner@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    tab.check()
    response = page.goto("/people/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
    tab.check()
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    tab.check()
    page.goto("/accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for Docket")
    tab.check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_axe_check_itself_catches_a_violation(visit, javascript):
    """Guard against a check that cannot fail: a page with an unlabelled field and an image
    without alt text must be reported, with scripts on and off."""
    tab = visit(javascript=javascript)
    bad = ('<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main>'
           '<h1>Bad</h1><img src="/static/x.png"><input type="text"></main></body></html>')
    tab.page.route("**/bad-page", lambda route: route.fulfill(status=200, content_type="text/html", body=bad))
    tab.goto("/bad-page")
    with pytest.raises(AssertionError) as caught:
        tab.check()
    assert "image-alt" in str(caught.value) and "label" in str(caught.value)
