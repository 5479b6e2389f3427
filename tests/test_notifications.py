"""The notification outbox: written with the change, e-mailed after commit, exactly once.

Mail goes to a real SMTP server (aiosmtpd) listening on 127.0.0.1; nothing is mocked.
"""
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.extensions import db as _db
from app.models import Notification, utcnow
from app.notifications import service
from app.notifications.cli import notifications_cli
from app.notifications.service import dispatch_pending, notify
from tests.conftest import Client


# --- a real SMTP server ------------------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    message: object

    @property
    def subject(self):
        return self.message["Subject"]

    @property
    def message_id(self):
        return self.message["Message-ID"]

    @property
    def text(self):
        return self.message.get_content()


class Sink:
    """An SMTP handler that keeps what it receives, and can refuse recipients."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, email):
        return [m for m in self.messages if email in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_mail(monkeypatch, app, port, **extra):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", extra.get("username", ""))
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", extra.get("password", ""))
    monkeypatch.setitem(app.config, "MAIL_FROM", "Docket <docket@york.example>")


@pytest.fixture()
def smtp(app, monkeypatch):
    """A real SMTP server on 127.0.0.1, and the app configured to use it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    use_mail(monkeypatch, app, port)
    yield sink
    controller.stop()


@pytest.fixture()
def smtp_down(app, monkeypatch):
    """MAIL_SERVER set, but nothing listening on its port."""
    use_mail(monkeypatch, app, free_port())


def fresh(notification_id):
    """The row as it is in the database now (dispatch writes on its own connection)."""
    _db.session.rollback()
    return _db.session.get(Notification, notification_id)


def unsent_count():
    _db.session.rollback()
    return _db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.sent_at.is_(None)))


# --- writing ---------------------------------------------------------------------------

def test_notify_commit_dispatch_sends_once(db, people, smtp):
    owner = people["owner"]
    n = notify(owner, "update_returned", "Your update was returned", "Please add the RAG status.",
               link="/actions/7")
    db.session.commit()
    assert dispatch_pending() == 1
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail.rcpt_tos == ["owner@example.org"]
    assert mail.subject == "Your update was returned"
    assert mail.message["From"] == "Docket <docket@york.example>"
    assert "owner@example.org" in mail.message["To"]
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert "Please add the RAG status." in mail.text
    assert "/actions/7" in mail.text  # no base URL configured: the path as is
    row = fresh(n.id)
    assert mail.message_id == service.message_id(row.id, row.created_at)
    assert mail.message_id.startswith(f"<docket.notification.{row.id}.") and mail.message_id.endswith("@york.example>")
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None

    assert dispatch_pending() == 0
    assert len(smtp.messages) == 1


def test_link_is_a_full_url_when_the_base_url_is_known(db, people, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://docket.york.example/")
    notify(people["owner"], "test", "Hello", "Body", link="/actions/7")
    db.session.commit()
    dispatch_pending()
    assert "Open in Docket: https://docket.york.example/actions/7" in smtp.messages[0].text


def test_rollback_leaves_no_notification(db, people, smtp):
    notify(people["owner"], "test", "Never", "Rolled back")
    # The first write of the transaction, with a dedupe key: still undone by the rollback.
    notify(people["hos"], "test", "Never either", "Rolled back", dedupe_key="rollback-test")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    assert dispatch_pending() == 0
    assert smtp.messages == []
    # and the dedupe key is free again
    assert notify(people["hos"], "test", "Now", "Kept", dedupe_key="rollback-test") is not None
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_crash_between_commit_and_send_is_sent_later_exactly_once(app, db, people, smtp):
    """The process commits and dies before sending: the row waits in the outbox, and the
    cron command sends it once."""
    n = notify(people["owner"], "test", "Waiting in the outbox", "Body")
    db.session.commit()
    assert fresh(n.id).sent_at is None  # nothing sent: the "crash"

    runner = app.test_cli_runner()
    result = runner.invoke(notifications_cli, ["send"])
    assert result.exit_code == 0, result.output
    assert "E-mailed 1 notification." in result.output
    result = runner.invoke(notifications_cli, ["send"])
    assert "E-mailed 0 notifications." in result.output
    assert [m.subject for m in smtp.messages] == ["Waiting in the outbox"]


def test_a_sender_that_died_mid_send_is_retried_after_the_lease_with_the_same_message_id(db, people, smtp):
    n = notify(people["owner"], "test", "Claimed then lost", "Body")
    db.session.commit()
    # Another app server claimed it (attempts 0 -> 1) and has not reported back.
    db.session.execute(sa.update(Notification).where(Notification.id == n.id).values(attempts=1, updated_at=utcnow()))
    db.session.commit()
    assert dispatch_pending() == 0  # in flight elsewhere: not sent twice
    assert smtp.messages == []
    # Long after the lease, it is taken to have died: sent again, same Message-ID.
    db.session.execute(sa.update(Notification).where(Notification.id == n.id)
                       .values(updated_at=utcnow() - service.CLAIM_LEASE - timedelta(minutes=1)))
    db.session.commit()
    assert dispatch_pending() == 1
    row = fresh(n.id)
    assert smtp.messages[0].message_id == service.message_id(row.id, row.created_at)
    assert row.attempts == 2


def test_two_senders_at_once_send_each_message_once(app, db, people, smtp):
    for i in range(12):
        notify(people["owner"] if i % 2 else people["hos"], "test", f"Message {i}", "Body")
    db.session.commit()

    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                results.append(dispatch_pending())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sum(results) == 12
    subjects = sorted(m.subject for m in smtp.messages)
    assert subjects == sorted(f"Message {i}" for i in range(12))
    assert unsent_count() == 0


def test_smtp_down_keeps_the_row_with_the_error(app, db, people, smtp_down, monkeypatch):
    n = notify(people["owner"], "test", "Will wait", "Body")
    db.session.commit()
    assert dispatch_pending() == 0  # does not raise
    row = fresh(n.id)
    assert row.sent_at is None
    assert row.last_error and ("Refused" in row.last_error or "Errno" in row.last_error)
    assert row.attempts == 0  # an unreachable server costs no attempt

    result = app.test_cli_runner().invoke(notifications_cli, ["send"])
    assert result.exit_code == 0, result.output
    assert "E-mailed 0 notifications." in result.output

    # The server comes back: the next run sends it, once.
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        result = app.test_cli_runner().invoke(notifications_cli, ["send"])
        assert "E-mailed 1 notification." in result.output
        assert [m.subject for m in sink.messages] == ["Will wait"]
        assert fresh(n.id).last_error is None
    finally:
        controller.stop()


def test_a_refused_recipient_is_tried_five_times_then_given_up(db, people, smtp, make_user):
    smtp.refuse.add("owner@example.org")
    bad = notify(people["owner"], "test", "Refused", "Body")
    good = notify(people["hos"], "test", "Accepted", "Body")
    db.session.commit()
    assert dispatch_pending() == 1  # the refusal does not stop the others
    assert [m.subject for m in smtp.messages] == ["Accepted"]
    row = fresh(bad.id)
    assert row.attempts == 1 and "550" in row.last_error
    assert fresh(good.id).sent_at is not None
    for _ in range(6):
        dispatch_pending()
    row = fresh(bad.id)
    assert row.attempts == service.MAX_ATTEMPTS and row.sent_at is None


def test_without_mail_server_nothing_is_sent(app, db, people, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    n = notify(people["owner"], "test", "In Docket only", "Body")
    db.session.commit()
    assert dispatch_pending() == 0
    row = fresh(n.id)
    assert row.sent_at is None and row.attempts == 0 and row.last_error is None
    result = app.test_cli_runner().invoke(notifications_cli, ["send"])
    assert "MAIL_SERVER is not set" in result.output


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_when_a_username_is_set(app, db, people, monkeypatch):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login in (b"docket", "docket") and auth_data.password in (b"s3cret", "s3cret"))
        seen.append(ok)
        return AuthResult(success=ok, handled=False)

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        use_mail(monkeypatch, app, port, username="docket", password="wrong")
        n = notify(people["owner"], "test", "Authenticated", "Body")
        db.session.commit()
        assert dispatch_pending() == 0
        assert "Authentication" in fresh(n.id).last_error
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret")
        assert dispatch_pending() == 1
        assert seen[-1] is True
        assert [m.subject for m in sink.messages] == ["Authenticated"]
    finally:
        controller.stop()


# --- dedupe ------------------------------------------------------------------------------

def test_dedupe_key_writes_once(db, people, smtp):
    first = notify(people["owner"], "reminder_digest", "One", "Body", dedupe_key="k1")
    assert first is not None
    assert notify(people["owner"], "reminder_digest", "Two", "Body", dedupe_key="k1") is None  # same transaction
    db.session.commit()
    assert notify(people["owner"], "reminder_digest", "Three", "Body", dedupe_key="k1") is None  # later
    db.session.commit()
    rows = db.session.scalars(sa.select(Notification)).all()
    assert [r.subject for r in rows] == ["One"]
    dispatch_pending()
    assert [m.subject for m in smtp.messages] == ["One"]


def test_dedupe_key_race_between_two_writers(app, db, people):
    """Two transactions write the same key at once: exactly one row, and one writer told None."""
    owner_id = people["owner"].id
    barrier = threading.Barrier(2, timeout=10)
    outcomes, errors = [], []

    def writer(name):
        try:
            with app.app_context():
                barrier.wait()
                made = notify(owner_id, "test", name, "Body", dedupe_key="race")
                barrier_ok = made is not None
                _db.session.commit()
                outcomes.append(barrier_ok)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"writer {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(outcomes) == [False, True]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.dedupe_key == "race")) == 1


# --- in a request ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def web_app(app):
    """An app as create_app will build it once notifications are registered, plus test-only
    routes that write a notification the way a transition will."""
    from app import create_app
    from app.notifications import register
    from app.notifications.routes import bp

    web = create_app({
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SERVER_NAME": None,
        "STORAGE_DIR": app.config.get("STORAGE_DIR"),
    })
    if "notifications" not in web.blueprints:
        web.register_blueprint(bp)
    register(web)

    from flask import abort, request

    from app.extensions import csrf
    from app.permissions import public

    @web.post("/_test/notify")
    @csrf.exempt
    @public
    def _test_notify():
        from app.models import User

        user = _db.session.scalar(sa.select(User).where(User.email == request.form["to"]))
        notify(user, "test", request.form["subject"], "Body")
        if request.form.get("fail"):
            abort(500)  # nothing committed
        _db.session.commit()
        return "ok"

    return web


def test_a_request_that_notifies_sends_after_the_response(web_app, db, people, smtp, monkeypatch):
    use_mail(monkeypatch, web_app, smtp.port)
    client = web_app.test_client()
    # buffered: the response is read and closed, as a WSGI server does
    resp = client.post("/_test/notify", data={"to": "owner@example.org", "subject": "From a request"},
                       buffered=True)
    assert resp.status_code == 200
    assert [m.subject for m in smtp.messages] == ["From a request"]
    assert unsent_count() == 0

    resp = client.post("/_test/notify", data={"to": "owner@example.org", "subject": "Failed request",
                                              "fail": "1"}, buffered=True)
    assert resp.status_code == 500
    assert [m.subject for m in smtp.messages] == ["From a request"]
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_a_request_whose_mail_fails_still_succeeds_and_keeps_the_row(web_app, db, people, monkeypatch):
    use_mail(monkeypatch, web_app, free_port())  # nothing listening
    resp = web_app.test_client().post(
        "/_test/notify", data={"to": "owner@example.org", "subject": "Mail is down"}, buffered=True)
    assert resp.status_code == 200
    db.session.rollback()
    row = db.session.scalar(sa.select(Notification))
    assert row.subject == "Mail is down" and row.sent_at is None and row.last_error


# --- pages -------------------------------------------------------------------------------

def signed_in(web_app, people, who) -> Client:
    c = Client(web_app)
    page = c.sign_in(people[who].email)
    assert page.status == 302
    return c


def test_people_see_only_their_own_notifications(web_app, db, people):
    notify(people["owner"], "test", "For Olu", "Line one\nLine two", link="/plans/")
    notify(people["hos"], "test", "For Hari", "Secret to Hari")
    db.session.commit()

    page = signed_in(web_app, people, "owner").get("/notifications/")
    assert page.status == 200
    assert page.h1 == "Your notifications"
    text = page.text()
    assert "For Olu" in text and "Line one" in text
    assert "For Hari" not in text and "Secret to Hari" not in text
    assert "1 notification, 1 unread" in text
    assert page.soup.select_one(".govuk-tag").get_text(strip=True) == "Unread"
    assert "outbox" not in text.lower()  # not an administrator


def test_newest_first_and_paginated(web_app, db, people):
    from app.notifications.routes import PAGE_SIZE

    base = utcnow()
    for i in range(PAGE_SIZE + 3):
        n = notify(people["owner"], "test", f"Number {i:02d}", "Body")
        n.created_at = base + timedelta(seconds=i)
    db.session.commit()
    client = signed_in(web_app, people, "owner")
    page = client.get("/notifications/")
    subjects = [p.get_text(strip=True) for p in page.soup.select("tbody td:first-child > p:first-child")]
    assert subjects[0] == f"Number {PAGE_SIZE + 2:02d}" and len(subjects) == PAGE_SIZE
    page2 = client.get("/notifications/?page=2")
    subjects2 = [p.get_text(strip=True) for p in page2.soup.select("tbody td:first-child > p:first-child")]
    assert subjects2 == ["Number 02", "Number 01", "Number 00"]
    assert "Page 2 of 2" in page2.text()


def test_mark_read_and_mark_all_read(web_app, db, people):
    a = notify(people["owner"], "test", "First", "Body")
    notify(people["owner"], "test", "Second", "Body")
    notify(people["owner"], "test", "Third", "Body")
    other = notify(people["hos"], "test", "Hari's", "Body")
    db.session.commit()
    client = signed_in(web_app, people, "owner")

    resp = client.post(f"/notifications/{a.id}/read", token_from="/notifications/")
    assert resp.status == 302 and resp.response.location.endswith("/notifications/")
    page = client.get("/notifications/")
    assert "Marked as read: First" in page.text()
    assert "3 notifications, 2 unread" in page.text()
    assert fresh(a.id).read_at is not None

    resp = client.post("/notifications/read-all", token_from="/notifications/", follow=True)
    assert resp.status == 200
    assert "2 notifications marked as read." in resp.text()
    assert "3 notifications, 0 unread" in resp.text()
    assert fresh(other.id).read_at is None  # not someone else's


def test_marking_someone_elses_notification_is_not_found(web_app, db, people):
    theirs = notify(people["hos"], "test", "Hari's", "Body")
    db.session.commit()
    client = signed_in(web_app, people, "owner")
    resp = client.post(f"/notifications/{theirs.id}/read", token_from="/notifications/")
    assert resp.status == 404
    assert client.post("/notifications/999999/read", token_from="/notifications/").status == 404
    assert fresh(theirs.id).read_at is None


def test_mark_read_needs_a_csrf_token_and_post(web_app, db, people):
    mine = notify(people["owner"], "test", "Mine", "Body")
    db.session.commit()
    client = signed_in(web_app, people, "owner")
    assert client.c.post(f"/notifications/{mine.id}/read", data={}).status_code == 400
    assert client.c.get(f"/notifications/{mine.id}/read").status_code == 405
    assert client.c.get("/notifications/read-all").status_code == 405
    assert fresh(mine.id).read_at is None


def test_outbox_is_for_administrators_only(web_app, db, people):
    for who in ("owner", "hos", "ad", "clerk", "nobody"):
        assert signed_in(web_app, people, who).get("/notifications/outbox").status == 403, who
    assert Client(web_app).get("/notifications/outbox").status == 302  # signed out: sign in first


def test_outbox_shows_every_notification_and_its_state(web_app, db, people):
    sent = notify(people["owner"], "test", "Sent one", "Body")
    failing = notify(people["hos"], "test", "Failing one", "Body")
    gave_up = notify(people["hos"], "test", "Given up", "Body")
    notify(people["clerk"], "test", "Waiting one", "Body")
    db.session.flush()
    sent.sent_at = utcnow()
    sent.attempts = 1
    failing.attempts, failing.last_error = 2, "SMTPRecipientsRefused: 550"
    gave_up.attempts, gave_up.last_error = service.MAX_ATTEMPTS, "ConnectionRefusedError: refused"
    db.session.commit()

    client = signed_in(web_app, people, "admin")
    page = client.get("/notifications/outbox")
    assert page.status == 200 and page.h1 == "Outbox"
    text = page.text()
    assert "4 notifications" in text
    assert "E-mail is off" in text
    rows = {r.select("td")[1].get_text(" ", strip=True).split(" Test")[0]: r.select("td")[3].get_text(" ", strip=True)
            for r in page.soup.select("tbody tr")}
    assert rows["Sent one"].startswith("Sent")
    assert rows["Failing one"].startswith("Failed") and "will try again" in rows["Failing one"]
    assert rows["Given up"].startswith("Failed") and "Gave up after 5 attempts" in rows["Given up"]
    assert rows["Waiting one"] == "Not sent"
    assert "olu owner" in text.lower() and "hos@example.org" in text

    failed = client.get("/notifications/outbox?show=failed")
    assert "2 notifications" in failed.text() and "Sent one" not in failed.text()
    # administrators also see the outbox link from their own notifications page
    assert "outbox" in client.get("/notifications/").text().lower()


def test_an_address_that_cannot_be_mailed_fails_alone(db, people, smtp, make_user):
    from app.models import User

    broken = make_user("broken@example.org", "Broken Address")
    db.session.execute(sa.update(User).where(User.id == broken.id).values(email="broken@@example.org"))
    bad = notify(broken, "test", "Cannot be addressed", "Body")
    notify(people["owner"], "test", "Fine", "Body")
    db.session.commit()
    assert dispatch_pending() == 1
    assert [m.subject for m in smtp.messages] == ["Fine"]
    row = fresh(bad.id)
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_post_only_routes_refuse_get_even_signed_out(web_app, db):
    client = web_app.test_client()
    assert client.get("/notifications/1/read").status_code == 405
    assert client.get("/notifications/read-all").status_code == 405
