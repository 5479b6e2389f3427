"""One-time set-password links: made by an administrator (or the command line) for a new person
or one who has forgotten their password; used once, within 24 hours, to choose a password.

Only the SHA-256 of the link's secret is stored. Making a new link for a person ends their
older ones. Using a link is a conditional UPDATE (`used_at IS NULL`), so a double-click or two
tabs set the password once. Every step is on the trail, in the transaction of the change.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from app.auth.passwords import password_problem
from app.auth.service import PasswordRejected, change_password
from app.extensions import db
from app.models import SetPasswordLink, User, utcnow
from app.trail import record

LIFETIME = timedelta(hours=24)
ASK_FOR_ANOTHER = "Ask your Docket administrator for a new link."


class LinkProblem(Exception):
    """A link that cannot be used; the message says why, in plain English."""

    def __init__(self, message: str, title: str):
        super().__init__(message)
        self.title = title


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8", "surrogatepass")).hexdigest()


def make_link(user: User, actor: User | None = None) -> str:
    """A new link's secret for `user` (shown or e-mailed once, never stored). The caller commits."""
    if not user.active:
        raise LinkProblem(f"{user.name} is deactivated: reactivate them before sending a set-password link",
                          "Deactivated")
    now = utcnow()
    ended = db.session.execute(
        sa.update(SetPasswordLink)
        .where(SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None))
        .values(used_at=now, updated_at=now).execution_options(synchronize_session=False)).rowcount
    token = secrets.token_urlsafe(32)
    link = SetPasswordLink(user_id=user.id, token_hash=token_hash(token), expires_at=now + LIFETIME,
                           created_by_id=actor.id if actor else None)
    db.session.add(link)
    db.session.flush()
    record("set_password_link_created", user, actor=actor,
           data={"name": user.name, "email": user.email, "expires_at": link.expires_at.isoformat(timespec="minutes"),
                 "older_links_ended": ended})
    return token


def link_path(token: str) -> str:
    root = (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    return f"{root}/set-password/{token}"


def link_url(token: str) -> str:
    """The link's full address: BASE_URL when set, else this request's host; from the command
    line without BASE_URL, only the path (the README says to set BASE_URL)."""
    from app.notifications.service import base_url

    base = (current_app.config.get("BASE_URL") or "").strip().rstrip("/") or None
    if base:
        return f"{base}/set-password/{token}"
    if has_request_context():
        return f"{request.host_url.rstrip('/')}{request.script_root}/set-password/{token}"
    base = base_url()
    return f"{base}/set-password/{token}" if base else link_path(token)


def latest_link(user: User) -> SetPasswordLink | None:
    return db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.user_id == user.id)
                             .order_by(SetPasswordLink.id.desc()).limit(1))


def link_status(user: User) -> str:
    """What the person's newest link is doing, for their page."""
    link = latest_link(user)
    if link is None:
        return "No set-password link has been sent."
    from app.filters import uk_datetime

    sent = f"sent {uk_datetime(link.created_at)}" + (f" by {link.created_by.name}" if link.created_by else "")
    if link.used_at is not None:
        return f"The newest link ({sent}) was used {uk_datetime(link.used_at)}."
    if link.expires_at <= utcnow():
        return f"The newest link ({sent}) expired {uk_datetime(link.expires_at)} without being used."
    return f"A link is waiting to be used ({sent}); it expires {uk_datetime(link.expires_at)}."


def find_link(token: str) -> SetPasswordLink:
    """The usable link for this secret, or LinkProblem saying why not."""
    link = db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.token_hash == token_hash(token)))
    if link is None:
        raise LinkProblem("This link is not a Docket set-password link: it may have been copied incompletely. "
                          + ASK_FOR_ANOTHER, "This link does not work")
    if link.used_at is not None:
        raise LinkProblem("This link has already been used, or a newer link was sent after it. Each link works "
                          "once. If you have set your password, sign in with it; if not, " + ASK_FOR_ANOTHER[0].lower()
                          + ASK_FOR_ANOTHER[1:], "This link has already been used")
    if link.expires_at <= utcnow():
        raise LinkProblem("This link has expired: links work for 24 hours. " + ASK_FOR_ANOTHER,
                          "This link has expired")
    if not link.user.active:
        raise LinkProblem("This account has been deactivated. " + ASK_FOR_ANOTHER, "This link does not work")
    return link


def use_link(token: str, password: str) -> User:
    """Set the password from a link, once; the person's other sessions end. The caller commits."""
    link = find_link(token)
    problem = password_problem(password)
    if problem:
        raise PasswordRejected(problem)
    now = utcnow()
    used = db.session.execute(
        sa.update(SetPasswordLink).where(SetPasswordLink.id == link.id, SetPasswordLink.used_at.is_(None))
        .values(used_at=now, updated_at=now).execution_options(synchronize_session=False)).rowcount
    if used != 1:
        db.session.rollback()
        raise LinkProblem("This link has just been used (perhaps in another tab). If you have set your password, "
                          "sign in with it.", "This link has already been used")
    user = link.user
    change_password(user, password, actor=user)
    record("set_password_link_used", user, actor=user, data={"name": user.name})
    return user


@dataclass
class Sent:
    url: str
    emailed: bool


def send_link(user: User, actor: User | None = None) -> Sent:
    """Make a link and e-mail it when mail is set up (MAIL_SERVER), else hand it back to be
    shown to the administrator. The caller commits (the e-mail goes after the commit)."""
    from app.notifications.service import mail_enabled, notify

    token = make_link(user, actor)
    url = link_url(token)
    emailed = mail_enabled()
    if emailed:
        council = current_app.config.get("COUNCIL_NAME") or "your council"
        notify(user, "set_password_link", "Set your Docket password",
               f"Hello {user.name},\n\n{actor.name + ' has' if actor else 'Your Docket administrator has'} "
               f"asked Docket to let you choose a password for Docket at {council}.\n\n"
               f"Choose it here (the link works once, for 24 hours):\n{url}\n\n"
               f"Your email address for signing in is {user.email}.\n\n"
               f"If you did not expect this, tell your Docket administrator.")
    return Sent(url, emailed)
