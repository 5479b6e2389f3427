"""The notification outbox: write a message with the change that causes it; send it after commit.

`notify()` only adds a row to the current transaction, so a message exists if and only if the
change that caused it was committed. `dispatch_pending()` sends unsent rows by SMTP when
MAIL_SERVER is set; without it nothing is sent and people read their notifications in Docket.

Delivery is at least once: a row is claimed (compare-and-set on `attempts`) before it is sent
and marked sent afterwards, so two app servers never both send it; if a process dies between
sending and marking, a later run sends it again with the same Message-ID, which lets a mail
system drop the duplicate.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Notification, User, utcnow
from app.settings import council_name

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A row claimed by a sender that has not reported back within this time is taken to have
# died mid-send and may be claimed again (attempts still count towards MAX_ATTEMPTS).
CLAIM_LEASE = timedelta(minutes=15)
SMTP_TIMEOUT = 20  # seconds, per network operation
_PAGE = 100
_G_KEY = "_docket_notifications"


# --- writing -----------------------------------------------------------------------------

def notify(recipient, kind: str, subject: str, body: str, link: str | None = None,
           dedupe_key: str | None = None) -> Notification | None:
    """Add one message for `recipient` (a User or a user id) to the current transaction.

    Never commits: the caller's commit writes the message with the change that caused it,
    and a rollback discards both. With `dedupe_key`, returns None if a message with that key
    already exists (the unique constraint decides, so two racing writers cannot both add it).
    """
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    values = dict(
        recipient_id=recipient_id, kind=kind, subject=subject[:300], body=body, link=link,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        notification = Notification(**values)
        db.session.add(notification)
    else:
        notification = _insert_once(values)
        if notification is None:
            return None
    if has_app_context():
        g.setdefault(_G_KEY, []).append(notification)
    return notification


def _insert_once(values: dict) -> Notification | None:
    session = db.session
    session.flush()  # the recipient, and anything else this transaction added, first
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        # INSERT … ON CONFLICT (dedupe_key) DO NOTHING: the unique constraint is the guard,
        # and a concurrent writer waits for the first to commit, then inserts nothing.
        # (Not a SAVEPOINT: with Python's sqlite3 driver a SAVEPOINT that is the first
        # statement of a transaction starts one of its own, and RELEASE commits it, so the
        # message would survive the caller's rollback.)
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        now = utcnow()
        stmt = (
            insert(Notification.__table__)
            .values(**values, attempts=0, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.__table__.c.id)
        )
        new_id = session.execute(stmt).scalar()
        return session.get(Notification, new_id) if new_id is not None else None
    # Any other database: a SAVEPOINT around the insert, and the unique constraint's error.
    notification = Notification(**values)
    try:
        with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return None
    return notification


# --- sending -----------------------------------------------------------------------------

def mail_enabled(app=None) -> bool:
    return bool((app or current_app).config.get("MAIL_SERVER"))


def base_url() -> str | None:
    """Where Docket is served, for full links in e-mail: BASE_URL, or SERVER_NAME, if set."""
    config = current_app.config
    base = (config.get("BASE_URL") or "").strip()
    if not base and config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'https'}://{config['SERVER_NAME']}{root}"
    return base.rstrip("/") or None


def absolute_url(path: str | None) -> str | None:
    """A link path as a full URL when Docket knows its own address; else the path as is."""
    if not path:
        return None
    if "://" in path:
        return path
    base = base_url()
    return f"{base}{path}" if base else path


def message_id(notification_id: int, created_at: datetime) -> str:
    """The same Message-ID every time this notification is sent."""
    domain = parseaddr(current_app.config.get("MAIL_FROM") or "")[1].rpartition("@")[2] or "docket.localhost"
    stamp = created_at.strftime("%Y%m%d%H%M%S%f") if created_at else "0"
    return f"<docket.notification.{notification_id}.{stamp}@{domain}>"


def build_message(row) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = config.get("MAIL_FROM") or "docket@localhost"
    msg["To"] = Address(display_name=row.name or "", addr_spec=row.email)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(row.id, row.created_at)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    text = row.body.rstrip()
    url = absolute_url(row.link)
    if url:
        text += f"\n\nOpen in Docket: {url}"
    inbox = absolute_url("/notifications/")
    text += (
        "\n\n--\nThis message was sent by Docket"
        + f" for {council_name()}"
        + (f". Your notifications are also in Docket: {inbox}" if inbox and "://" in inbox else ".")
        + "\n"
    )
    msg.set_content(text)
    return msg


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001 - the connection is going anyway
        try:
            smtp.close()
        except Exception:  # noqa: BLE001
            pass


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


_N = Notification.__table__.c


def _candidates(conn, after_id: int, ids, now: datetime, size: int):
    stmt = (
        sa.select(_N.id, _N.attempts, _N.subject, _N.body, _N.link, _N.created_at, User.email, User.name)
        .join(User, User.id == _N.recipient_id)
        .where(
            _N.id > after_id,
            _N.sent_at.is_(None),
            _N.attempts < MAX_ATTEMPTS,
            # never tried; or failed (and so not in flight); or claimed so long ago that
            # the sender must have died
            sa.or_(_N.attempts == 0, _N.last_error.is_not(None), _N.updated_at < now - CLAIM_LEASE),
        )
        .order_by(_N.id)
        .limit(size)
    )
    if ids is not None:
        stmt = stmt.where(_N.id.in_(list(ids)))
    return conn.execute(stmt).all()


def _claim(conn, row) -> bool:
    """Compare-and-set: only one sender can move `attempts` on from the value it read."""
    with conn.begin():
        result = conn.execute(
            sa.update(Notification.__table__)
            .where(_N.id == row.id, _N.sent_at.is_(None), _N.attempts == row.attempts)
            .values(attempts=row.attempts + 1, last_error=None, updated_at=utcnow())
        )
    return result.rowcount == 1


def _mark_sent(conn, row) -> None:
    with conn.begin():
        now = utcnow()
        conn.execute(
            sa.update(Notification.__table__).where(_N.id == row.id)
            .values(sent_at=now, last_error=None, updated_at=now)
        )


def _mark_failed(conn, row, exc: BaseException, claimed: bool = True) -> None:
    """Record why a send failed. Unclaimed rows (the server could not be reached at all)
    are not charged an attempt: a mail server that is down for a day loses no messages."""
    with conn.begin():
        where = [_N.id == row.id, _N.sent_at.is_(None)]
        if claimed:
            where.append(_N.attempts == row.attempts + 1)
        conn.execute(
            sa.update(Notification.__table__).where(*where)
            .values(last_error=_error_text(exc), updated_at=utcnow())
        )


def dispatch_pending(limit: int | None = 200, ids=None) -> int:
    """Send unsent notifications by e-mail, oldest first; return how many were sent.

    Does nothing (returns 0) when MAIL_SERVER is not set. `limit` caps how many messages one
    call tries (None: all); `ids` restricts it to those notifications. Each row is tried at
    most once per call. Never raises for a mail problem: the error is kept on the row.
    Uses its own database connection, so it neither commits nor disturbs the caller's session.
    """
    if not mail_enabled():
        return 0
    if ids is not None:
        ids = [i for i in ids if i is not None]
        if not ids:
            return 0
    sent = tried = 0
    after_id = 0
    smtp = None
    with db.engine.connect() as conn:
        try:
            while limit is None or tried < limit:
                size = _PAGE if limit is None else min(_PAGE, limit - tried)
                with conn.begin():
                    rows = _candidates(conn, after_id, ids, utcnow(), size)
                if not rows:
                    break
                for row in rows:
                    after_id = row.id
                    if smtp is None:
                        try:
                            smtp = _connect()
                        except (OSError, smtplib.SMTPException) as exc:
                            log.warning("Mail server %s unreachable: %s", current_app.config["MAIL_SERVER"], exc)
                            for r in rows[rows.index(row):]:
                                _mark_failed(conn, r, exc, claimed=False)
                            return sent
                    if not _claim(conn, row):
                        continue  # another sender has it
                    tried += 1
                    try:
                        message = build_message(row)
                    except Exception as exc:  # noqa: BLE001 - e.g. an address that cannot be written
                        log.warning("Notification %s could not be written as an e-mail: %s", row.id, exc)
                        _mark_failed(conn, row, exc)
                        continue
                    try:
                        smtp.send_message(message)
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                            smtplib.SMTPDataError, smtplib.SMTPNotSupportedError, ValueError) as exc:
                        # This message was refused; the connection is still good.
                        log.warning("Notification %s not sent: %s", row.id, exc)
                        _mark_failed(conn, row, exc)
                        continue
                    except (OSError, smtplib.SMTPException) as exc:
                        # The connection failed mid-send: stop, and try the rest next time.
                        log.warning("Notification %s not sent, mail connection lost: %s", row.id, exc)
                        _mark_failed(conn, row, exc)
                        return sent
                    _mark_sent(conn, row)
                    sent += 1
                    if limit is not None and tried >= limit:
                        break
        finally:
            _close(smtp)
    return sent


# --- after the request -------------------------------------------------------------------

def _created_ids() -> list[int]:
    """Ids of the notifications this request wrote that are in the database now."""
    ids = []
    for notification in g.pop(_G_KEY, None) or []:
        identity = sa.inspect(notification).identity
        if identity:
            ids.append(identity[0])
    return ids


def _dispatch_in_fresh_context(app, ids: list[int]) -> None:
    try:
        with app.app_context():
            dispatch_pending(limit=None, ids=ids)
    except Exception:  # noqa: BLE001 - a failure to send must never break anything
        log.exception("Sending notifications %s failed; they stay in the outbox", ids)


def register(app) -> None:
    """After a request that wrote notifications, send them once the response has gone.

    The view has committed by then; the send runs when the WSGI server closes the response
    (after the request's database session is closed), in a fresh app context. A send that
    fails leaves the row in the outbox for `flask notifications send`.
    """
    if app.extensions.get("docket_notifications"):
        return
    app.extensions["docket_notifications"] = True

    @app.after_request
    def send_notifications_after_response(response):
        try:
            if not mail_enabled(app):
                g.pop(_G_KEY, None)
                return response
            ids = _created_ids()
        except Exception:  # noqa: BLE001
            log.exception("Could not collect this request's notifications")
            return response
        if ids:
            response.call_on_close(lambda: _dispatch_in_fresh_context(app, ids))
        return response
