"""Sessions end when they should, and guessing is slowed without locking a colleague out.

Sessions: a copy of someone's session cookie stops working when they sign out, when their
password is changed and when a role is granted or taken away (their session token changes).

Throttling (app/auth/throttle.py): failures are counted per source address and email address,
and per source address; the account is never locked as a whole; the trail gets at most two
events per source and address per window.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.models import Role, ScopeKind, SignInFailure, TrailEvent, utcnow
from tests.conftest import TEST_PASSWORD, Client

STRANGER = "203.0.113.5"
COLLEAGUE = "198.51.100.7"


def events(db, verb):
    db.session.expire_all()
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()


def cookie(client: Client) -> str:
    return client.c._client.get_cookie("docket_session").value


def replay(app, value: str) -> Client:
    """A second browser holding a copy of a session cookie."""
    thief = Client(app)
    thief.c._client.set_cookie("docket_session", value)
    return thief


def sign_in_from(client: Client, source: str, email: str, password: str = TEST_PASSWORD):
    return client.post("/sign-in", {"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": source})


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# --- sessions end on the server ------------------------------------------------------------

def test_a_copied_cookie_is_signed_out_after_sign_out(app, client, people, db):
    client.sign_in("hos@example.org")
    copied = cookie(client)
    assert replay(app, copied).get("/").status == 200  # the copy works while the session lasts

    assert client.post("/sign-out", token_from="/").status == 302

    page = replay(app, copied).get("/")
    assert page.status == 302 and page.response.location.startswith("/sign-in")
    assert len(events(db, "signed_out")) == 1


def test_a_copied_cookie_is_signed_out_after_a_password_change(app, client, people, db):
    client.sign_in("owner@example.org")
    copied = cookie(client)
    result = run_cli(app, "users", "set-password", "owner@example.org", "--password", "a brand new password")
    assert result.exit_code == 0, result.output
    assert "signed out everywhere" in result.output

    assert replay(app, copied).get("/").status == 302
    assert client.get("/").status == 302  # the person's own session ended too
    assert client.sign_in("owner@example.org").status == 401  # the old password no longer works
    assert client.sign_in("owner@example.org", "a brand new password").status == 302
    assert [e.object_id for e in events(db, "password_changed")] == [people["owner"].id]


def test_a_password_that_is_too_short_is_refused_and_nothing_changes(app, client, people, db):
    client.sign_in("owner@example.org")
    result = run_cli(app, "users", "set-password", "owner@example.org", "--password", "short")
    assert result.exit_code == 1
    assert "Password must be at least 10 characters" in result.output
    assert client.get("/").status == 200  # still signed in: nothing was stored
    assert events(db, "password_changed") == []


@pytest.mark.parametrize("command", [
    ["users", "grant", "owner@example.org", "clerk", "--committee",
     "Children, Education & Communities Policy & Scrutiny Committee"],
    ["users", "revoke", "owner@example.org", "action_owner"],
])
def test_a_copied_cookie_is_signed_out_after_a_role_change(app, client, people, db, command):
    client.sign_in("owner@example.org")
    copied = cookie(client)
    result = run_cli(app, *command)
    assert result.exit_code == 0, result.output

    page = replay(app, copied).get("/")
    assert page.status == 302 and page.response.location.startswith("/sign-in")
    assert client.get("/").status == 302
    # Signing in again gives the new roles.
    assert client.sign_in("owner@example.org").status == 302
    assert client.get("/").status == 200


def test_a_role_grant_in_code_changes_the_session_token(db, people, org):
    from app.users.service import grant_role, revoke_role

    owner = people["owner"]
    before = owner.session_token
    assignment = grant_role(owner, Role.HEAD_OF_SERVICE, ScopeKind.SERVICE, org["other_service"])
    db.session.commit()
    granted = owner.session_token
    assert granted != before
    revoke_role(assignment)
    db.session.commit()
    assert owner.session_token != granted


# --- throttling by source and account -------------------------------------------------------

def test_a_stranger_cannot_lock_a_colleague_out(app, client, people, db):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in_from(client, STRANGER, "HOS@example.org", "guess guess guess").status == 401

    # The stranger's address is refused for that account, even with the right password …
    page = sign_in_from(client, STRANGER, "hos@example.org")
    assert page.status == 401
    assert page.error_summary() == [
        "There have been too many attempts to sign in with this email address from your network "
        "address. Wait 15 minutes and try again."]
    assert page.soup.select_one("input#email")["value"] == "hos@example.org"

    # … but the Head of Service, at their own desk, signs in.
    assert sign_in_from(Client(app), COLLEAGUE, "hos@example.org").status == 302


def test_the_colleague_signing_in_does_not_reset_the_strangers_count(app, client, people, db):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(limit - 1):
        sign_in_from(client, STRANGER, "hos@example.org", "guess guess guess")
    assert sign_in_from(Client(app), COLLEAGUE, "hos@example.org").status == 302
    sign_in_from(client, STRANGER, "hos@example.org", "guess guess guess")
    assert "too many attempts" in sign_in_from(client, STRANGER, "hos@example.org").error_summary()[0]


def test_one_source_trying_many_people_is_refused_for_everyone(app, client, people, db, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_FAILURES_PER_SOURCE", 8)
    for n in range(8):
        assert sign_in_from(client, STRANGER, f"person{n}@example.org", "Password123!").status == 401
    page = sign_in_from(client, STRANGER, "admin@example.org")
    assert page.status == 401
    assert page.error_summary() == [
        "There have been too many attempts to sign in from your network address. Wait 15 minutes and try again."]
    assert sign_in_from(Client(app), COLLEAGUE, "admin@example.org").status == 302


def test_failures_leave_a_bounded_trail(app, client, people, db):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(25):
        sign_in_from(client, STRANGER, "hos@example.org", "guess guess guess")
    failed = events(db, "sign_in_failed")
    throttled = events(db, "sign_in_throttled")
    assert len(failed) == 1 and len(throttled) == 1
    assert '"failures": 5' in throttled[0].data and STRANGER in throttled[0].data
    assert throttled[0].object_id == people["hos"].id
    # Only the failures that counted are kept.
    assert db.session.scalar(sa.select(sa.func.count(SignInFailure.id))) == limit


def test_anonymous_traffic_cannot_grow_the_trail_without_bound(app, client, people, db, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_FAILURES_PER_SOURCE", 10)
    before = db.session.scalar(sa.select(sa.func.count(TrailEvent.id)))
    for n in range(40):
        sign_in_from(client, STRANGER, f"nobody{n}@example.org", "guess guess guess")
    db.session.expire_all()
    after = db.session.scalar(sa.select(sa.func.count(TrailEvent.id)))
    assert len(events(db, "sign_in_failed")) == 10
    assert len(events(db, "sign_in_source_throttled")) == 1
    assert after - before == 11


def test_failures_older_than_the_window_no_longer_count_and_are_removed(app, client, people, db):
    old = utcnow() - timedelta(minutes=app.config["SIGN_IN_WINDOW_MINUTES"] + 1)
    db.session.add_all([SignInFailure(email="hos@example.org", ip_address=STRANGER, occurred_at=old)
                        for _ in range(app.config["SIGN_IN_MAX_FAILURES"])])
    db.session.commit()
    assert sign_in_from(client, STRANGER, "hos@example.org", "guess guess guess").status == 401
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(SignInFailure.id))) == 1  # the old ones went
    assert sign_in_from(client, STRANGER, "hos@example.org").status == 302


def test_the_wait_counts_down_from_the_oldest_failure(app, client, people, db):
    recent = utcnow() - timedelta(minutes=11)
    db.session.add_all([SignInFailure(email="hos@example.org", ip_address=STRANGER, occurred_at=recent)
                        for _ in range(app.config["SIGN_IN_MAX_FAILURES"])])
    db.session.commit()
    page = sign_in_from(client, STRANGER, "hos@example.org")
    assert "Wait 4 minutes and try again." in page.error_summary()[0]


# --- the source behind a proxy ---------------------------------------------------------------

@pytest.fixture()
def proxied_app(app, db):
    web = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SERVER_NAME": None,
                      "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROXY_FIX": 1})
    yield web
    with web.app_context():
        from app.extensions import db as web_db

        web_db.engine.dispose()


def test_proxy_fix_is_applied_only_when_set(app, proxied_app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert isinstance(proxied_app.wsgi_app, ProxyFix) and proxied_app.wsgi_app.x_for == 1
    assert not isinstance(app.wsgi_app, ProxyFix)


def test_behind_a_proxy_the_forwarded_address_is_the_source(proxied_app, people, db):
    stranger, colleague = Client(proxied_app), Client(proxied_app)
    limit = proxied_app.config["SIGN_IN_MAX_FAILURES"]
    for _ in range(limit):
        stranger.post("/sign-in", {"email": "hos@example.org", "password": "guess guess guess"},
                      headers={"X-Forwarded-For": STRANGER})
    refused = stranger.post("/sign-in", {"email": "hos@example.org", "password": TEST_PASSWORD},
                            headers={"X-Forwarded-For": STRANGER})
    assert "too many attempts" in refused.error_summary()[0]
    ok = colleague.post("/sign-in", {"email": "hos@example.org", "password": TEST_PASSWORD},
                        headers={"X-Forwarded-For": COLLEAGUE})
    assert ok.status == 302
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(SignInFailure.ip_address))) == {STRANGER}


def test_without_proxy_fix_a_forwarded_address_is_ignored(app, client, people, db):
    limit = app.config["SIGN_IN_MAX_FAILURES"]
    for n in range(limit):  # a different made-up address each time does not escape the count
        client.post("/sign-in", {"email": "hos@example.org", "password": "guess guess guess"},
                    headers={"X-Forwarded-For": f"192.0.2.{n}"})
    page = client.post("/sign-in", {"email": "hos@example.org", "password": TEST_PASSWORD},
                       headers={"X-Forwarded-For": COLLEAGUE})
    assert "too many attempts" in page.error_summary()[0]
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(SignInFailure.ip_address))) == {"127.0.0.1"}
