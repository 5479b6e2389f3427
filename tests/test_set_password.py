"""Set-password links, changing one's own password, the common-password rule, and the CLI."""
import hashlib
from datetime import timedelta

import sqlalchemy as sa

from app.auth.passwords import common_passwords, password_problem
from app.models import Notification, SetPasswordLink, TrailEvent, User, utcnow
from tests.conftest import TEST_PASSWORD, Client

NEW = "purple kettle harbour"


def _send_link(admin, person) -> str:
    page = admin.post(f"/people/{person.id}/set-password-link", {}, token_from=f"/people/{person.id}")
    assert page.status == 200, page.text()
    return page.soup.select_one("#set-password-link")["value"]


def _path(url: str) -> str:
    return url[url.index("/set-password/"):]


def _set(client, path, password=NEW, confirm=None):
    return client.post(path, {"password": password, "confirm": confirm or password}, token_from=path)


def test_a_link_sets_the_password_once_and_signs_in(app, sign_in_as, people, db):
    admin = sign_in_as("admin")
    owner_elsewhere = sign_in_as("owner")
    url = _send_link(admin, people["owner"])
    token = url.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.user_id == people["owner"].id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert timedelta(hours=23, minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=24, seconds=1)
    newcomer = Client(app)
    page = newcomer.get(_path(url))
    assert page.status == 200 and page.h1 == "Choose your password" and "owner@example.org" in page.text()
    page = _set(newcomer, _path(url), NEW, "something else entirely")
    assert page.status == 400 and page.field_error("confirm") == "The two passwords are not the same"
    page = _set(newcomer, _path(url), "password123")
    assert page.status == 400 and "most common passwords" in page.field_error("password")
    page = _set(newcomer, _path(url))
    assert page.status == 302 and page.response.location == "/"
    assert newcomer.get("/").status == 200  # signed in
    assert owner_elsewhere.get("/").status == 302  # their other session ended
    assert Client(app).sign_in("owner@example.org", NEW).status == 302
    verbs = db.session.scalars(sa.select(TrailEvent.verb).order_by(TrailEvent.seq)).all()
    assert "set_password_link_used" in verbs and "password_changed" in verbs
    # Used: refused, with what to do.
    page = Client(app).get(_path(url))
    assert page.status == 404 and page.h1 == "This link has already been used"
    assert "Ask your Docket administrator for a new link" in page.text() or "ask your Docket administrator" in page.text()
    assert _set(Client(app), _path(url), "another good passphrase").status in (400, 409)


def test_expired_unknown_and_replaced_links_are_refused(app, sign_in_as, people, db):
    admin = sign_in_as("admin")
    first = _send_link(admin, people["hos"])
    second = _send_link(admin, people["hos"])
    page = Client(app).get(_path(first))
    assert page.status == 404 and page.h1 == "This link has already been used"
    page = Client(app).get("/set-password/not-a-real-token")
    assert page.status == 404 and "Ask your Docket administrator for a new link." in page.text()
    link = db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.used_at.is_(None)))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = Client(app).get(_path(second))
    assert page.status == 404 and page.h1 == "This link has expired"
    assert "Ask your Docket administrator for a new link." in page.text()
    page = admin.get(f"/people/{people['hos'].id}")
    assert "expired" in page.text()


def test_a_link_is_e_mailed_when_mail_is_set_up(app, sign_in_as, people, db, monkeypatch):
    admin = sign_in_as("admin")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.invalid")
    monkeypatch.setitem(app.config, "BASE_URL", "https://docket.example.gov.uk")
    from app.notifications import service as notifications

    monkeypatch.setattr(notifications, "dispatch_pending", lambda *a, **k: 0)
    page = admin.post(f"/people/{people['clerk'].id}/set-password-link", {}, token_from=f"/people/{people['clerk'].id}")
    assert page.status == 200 and "was e-mailed to clerk@example.org" in page.text()
    assert page.soup.select_one("#set-password-link") is None
    message = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == people["clerk"].id))
    assert "https://docket.example.gov.uk/set-password/" in message.body


def test_change_own_password_needs_the_current_one_and_ends_other_sessions(app, sign_in_as, people, db):
    here = sign_in_as("hos")
    there = sign_in_as("hos")
    page = here.get("/account/password")
    assert page.status == 200 and page.h1 == "Change your password"
    assert here.get("/").soup.find("a", string="Change password")["href"] == "/account/password"
    data = {"current": "not my password", "password": NEW, "confirm": NEW}
    page = here.post("/account/password", data, token_from="/account/password")
    assert page.status == 400 and page.field_error("current") == "Your current password is not right"
    page = here.post("/account/password", dict(data, current=TEST_PASSWORD, password="qwertyuiop", confirm="qwertyuiop"),
                     token_from="/account/password")
    assert page.status == 400 and "most common" in page.field_error("password")
    page = here.post("/account/password", dict(data, current=TEST_PASSWORD), token_from="/account/password")
    assert page.status == 302
    assert here.get("/").status == 200  # this session continues
    assert there.get("/").status == 302  # the other one ended
    assert Client(app).sign_in("hos@example.org", NEW).status == 302
    assert Client(app).sign_in("hos@example.org", TEST_PASSWORD).status != 302


def test_common_passwords_list_is_real_and_case_insensitive():
    assert len(common_passwords()) > 19000
    assert password_problem("Password123") and password_problem("QWERTYUIOP")
    assert password_problem("short") == "Password must be at least 10 characters"
    assert password_problem(TEST_PASSWORD) is None


def test_cli_create_reset_deactivate(app, people, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "new.person@example.org", "--name", "New Person"])
    assert result.exit_code == 0, result.output
    assert "Send New Person this link" in result.output and "/set-password/" in result.output
    assert db.session.scalar(sa.select(User.password_hash).where(User.email == "new.person@example.org")) is None
    result = runner.invoke(args=["users", "reset-password", "hos@example.org"])
    assert result.exit_code == 0 and "/set-password/" in result.output
    result = runner.invoke(args=["users", "reset-password", "nobody-at-all@example.org"])
    assert result.exit_code == 1 and "There is no person with the email address" in result.output
    result = runner.invoke(args=["users", "create", "x@example.org", "--name", "X", "--password", "password123"])
    assert result.exit_code == 1 and "most common passwords" in result.output
    result = runner.invoke(args=["users", "deactivate", "owner@example.org"])
    assert result.exit_code == 0 and "Deactivated Olu Owner" in result.output and "no open work" in result.output
    result = runner.invoke(args=["users", "deactivate", "owner@example.org"])
    assert result.exit_code == 1 and "already deactivated" in result.output
    result = runner.invoke(args=["users", "reset-password", "owner@example.org"])
    assert result.exit_code == 1 and "deactivated" in result.output
