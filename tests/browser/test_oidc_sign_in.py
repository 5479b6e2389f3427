"""Signing in with the council's directory in Chromium (issue 15), JavaScript on and off:
through a real OpenID Connect provider (npm oidc-provider, tests/oidc_provider) and its own
sign-in page, to Docket, as a person with no Docket password. Every Docket page on the way
passes the usual checks (axe, vnu, targets, reflow); the provider's pages are its own."""
import pytest
from playwright.sync_api import expect

from app.models import Role, ScopeKind
from tests.conftest import TEST_PASSWORD
from tests.oidc_provider import CLIENT_SECRET, DirectoryProvider, client

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "rosa.new": {"email": "rosa.new@example.org", "email_verified": True, "name": "Rosa New"},
}


@pytest.fixture(scope="module")
def provider(live_server):
    directory = DirectoryProvider(
        clients=[client("docket", [live_server + "/sign-in/oidc/callback"], [live_server + "/sign-in"])],
        accounts=ACCOUNTS)
    yield directory
    directory.stop()


@pytest.fixture()
def directory(app, provider, monkeypatch):
    for name, value in {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": "docket",
                        "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_ALLOWED_DOMAINS": "example.org",
                        "PASSWORD_SIGN_IN": "admins-only"}.items():
        monkeypatch.setitem(app.config, name, value)
    app.extensions.pop("docket_oidc", None)
    yield provider
    app.extensions.pop("docket_oidc", None)


@pytest.fixture()
def newcomer(db, org):
    """A new member of staff: in Docket with a role, but no Docket password."""
    from app.users.service import create_user, grant_role

    person = create_user("rosa.new@example.org", "Rosa New", job_title="Early Help Officer")
    grant_role(person, Role.ACTION_OWNER, ScopeKind.SERVICE, org["service"])
    db.session.commit()
    assert person.password_hash is None
    return person


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_new_person_signs_in_with_their_council_account(visit, directory, newcomer, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/plans/")
    expect(page).to_have_url(f"{tab.base_url}/sign-in?next=/plans/")
    tab.check()
    page.get_by_role("button", name="Sign in with your council account").click()

    # The directory's own sign-in page (the provider's, not Docket's).
    expect(page.locator("input[name=login]")).to_be_visible()
    assert page.url.startswith(directory.issuer + "/interaction/")
    page.locator("input[name=login]").fill("rosa.new")
    page.locator("input[name=password]").fill("the council's password")
    page.get_by_role("button", name="Sign-in").click()

    expect(page).to_have_url(f"{tab.base_url}/plans/")  # back where they were going
    expect(page.locator(".docket-account__name")).to_have_text("Rosa New")
    tab.check()

    page.get_by_role("button", name="Sign out").click()
    # The provider asks to end its session too, then sends the person back to Docket.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Do you want to sign-out")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{tab.base_url}/sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    tab.check()


def test_admins_only_refuses_a_password_for_anyone_else(visit, directory, people):
    tab = visit(javascript=True)
    page = tab.goto("/sign-in")
    page.get_by_text("Sign in with a Docket password (administrators only)").click()
    tab.check()
    page.get_by_label("Email address").fill("owner@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#email-error")).to_contain_text("Only Docket administrators sign in with a password")
    expect(page.locator(".docket-account__name")).to_have_count(0)
    tab.check()

    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".docket-account__name")).to_have_text("Ada Admin")
    tab.check()
