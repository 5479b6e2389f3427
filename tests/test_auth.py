"""Signing in and out: generic errors, throttling, safe redirects, idle timeout, trail."""
import sqlalchemy as sa

from app.auth.routes import LAST_SEEN_STEP_SECONDS, safe_next
from app.models import TrailEvent
from tests.conftest import TEST_PASSWORD


def events(db, verb):
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb)).all()


def test_sign_in_page_is_public_and_well_formed(client):
    page = client.get("/sign-in")
    assert page.status == 200
    assert page.h1 == "Sign in"
    assert page.soup.select_one("input#email") is not None
    assert page.soup.select_one("input#password")["type"] == "password"


def test_anonymous_person_is_sent_to_sign_in_with_next(client):
    page = client.get("/people/")
    assert page.status == 302
    assert page.response.location.startswith("/sign-in?next=/people/")


def test_sign_in_then_home_says_who_you_are(client, people, db):
    page = client.sign_in("HOS@example.org ")  # case and spaces forgiven
    assert page.status == 302 and page.response.location == "/"
    home = client.get("/")
    assert home.h1 == "Home"
    assert "Hari Head" in home.text()
    assert "Head of Service" in home.text()
    assert "sign off or return progress updates for Children's Specialist Services" in home.text()
    assert len(events(db, "signed_in")) == 1


def test_wrong_password_and_unknown_email_get_the_same_generic_error(client, people, db):
    wrong = client.sign_in("hos@example.org", "not the password")
    unknown = client.sign_in("nobody-here@example.org", "not the password")
    for page in (wrong, unknown):
        assert page.status == 401
        assert page.error_summary() == ["Enter a correct email address and password"]
        assert page.field_error("email") == "Enter a correct email address and password"
        assert page.title.startswith("Error: Sign in")
    # What the person typed is kept (the address), the password is not echoed back.
    assert wrong.soup.select_one("input#email")["value"] == "hos@example.org"
    assert not wrong.soup.select_one("input#password").get("value")
    assert len(events(db, "sign_in_failed")) == 2


def test_empty_form_errors_beside_each_field(client, db):
    page = client.post("/sign-in", {"email": "", "password": ""})
    assert page.status == 400
    assert page.error_summary() == ["Enter your email address", "Enter your password"]
    assert page.field_error("password") == "Enter your password"


def test_repeated_failures_are_throttled_even_with_the_right_password(client, people, app):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(limit):
        assert client.sign_in("owner@example.org", "wrong password!").status == 401
    page = client.sign_in("owner@example.org", TEST_PASSWORD)
    assert page.status == 401
    assert "too many attempts" in page.error_summary()[0].lower()
    # Another person is not locked out by it.
    assert client.sign_in("hos@example.org").status == 302


def test_success_clears_earlier_failures(client, people):
    for _ in range(3):
        client.sign_in("owner@example.org", "wrong password!")
    assert client.sign_in("owner@example.org").status == 302


def test_next_redirect_only_to_this_site(client, people):
    page = client.post("/sign-in?next=/people/", {"email": "admin@example.org", "password": TEST_PASSWORD})
    assert page.response.location == "/people/"
    client.post("/sign-out", token_from="/")
    page = client.post("/sign-in?next=//evil.example/x", {"email": "admin@example.org", "password": TEST_PASSWORD})
    assert page.response.location == "/"


def test_safe_next_refuses_other_sites():
    assert safe_next("/plans/1?x=2") == "/plans/1?x=2"
    for bad in ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                "evil.example", "", None, "/\x00x", "\\\\evil"]:
        assert safe_next(bad) is None, bad


def test_sign_out_ends_the_session(client, people, db):
    client.sign_in("hos@example.org")
    page = client.post("/sign-out", token_from="/")
    assert page.status == 302
    assert client.get("/").status == 302
    assert len(events(db, "signed_out")) == 1


def test_sign_out_needs_post(client, people):
    client.sign_in("hos@example.org")
    assert client.c.get("/sign-out").status_code == 405


def test_idle_session_is_signed_out(client, people, app):
    client.sign_in("hos@example.org")
    with client.c.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + LAST_SEEN_STEP_SECONDS + 5
    page = client.get("/people/")
    assert page.status == 302 and page.response.location.startswith("/sign-in")
    signin = client.get("/sign-in")
    assert "had not used Docket for 30 minutes" in signin.text()


def test_a_session_is_kept_until_the_idle_limit_has_passed(client, people, app):
    """The "last seen" time moves at most once a minute, so the limit is counted from up to a
    minute before the last request: nobody is signed out before SESSION_IDLE_MINUTES."""
    client.sign_in("hos@example.org")
    with client.c.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + LAST_SEEN_STEP_SECONDS - 5
    page = client.get("/")
    assert page.status == 200  # signed out, it would be a redirect to the sign-in page


def test_the_session_cookie_is_sent_again_only_when_it_changes(client, people):
    """Each page does not re-sign and re-send the session: only a "last seen" time over a
    minute old is written again (and the cookie with it, for another idle limit)."""
    client.sign_in("hos@example.org")
    client.c.get("/")  # the first page after signing in shows (and so removes) its message
    again = client.c.get("/")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with client.c.session_transaction() as session:
        before = session["last_seen"] = session["last_seen"] - LAST_SEEN_STEP_SECONDS - 1
    later = client.c.get("/")
    assert later.status_code == 200 and "docket_session=" in later.headers.get("Set-Cookie", "")
    with client.c.session_transaction() as session:
        assert session["last_seen"] > before + LAST_SEEN_STEP_SECONDS


def test_deactivated_person_cannot_sign_in_or_keep_a_session(client, people, db):
    client.sign_in("hos@example.org")
    people["hos"].active = False
    db.session.commit()
    assert client.get("/").status == 302
    assert client.sign_in("hos@example.org").status == 401


def test_passwords_are_stored_with_argon2id(people):
    assert people["hos"].password_hash.startswith("$argon2id$")


def test_post_without_csrf_token_is_refused_with_a_page(client, people):
    response = client.c.post("/sign-in", data={"email": "hos@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "session had expired" in response.get_data(as_text=True)
