"""Signing in and out, and changing a password: checking credentials, throttling guesses
(app/auth/throttle.py), ending sessions, and recording each on the trail."""
import secrets

import sqlalchemy as sa
from flask import current_app

from app.auth import throttle
from app.auth.passwords import check_password, hash_password, needs_rehash, password_problem
from app.extensions import db
from app.models import User, utcnow
from app.trail import record


class SignInRefused(Exception):
    """Sign-in failed. The message never says whether the address or the password was wrong."""


class TooManyAttempts(SignInRefused):
    pass


class PasswordRejected(ValueError):
    """A new password that will not do; the message says why."""


GENERIC = "Enter a correct email address and password"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _throttled(email: str, source: str | None) -> TooManyAttempts | None:
    """The refusal for this source and email address, if either has failed too often."""
    counts = throttle.counts(email, source)
    if throttle.refused_for_source(counts):
        minutes = throttle.minutes_left(counts.oldest_from_source)
        return TooManyAttempts(
            f"There have been too many attempts to sign in from your network address. "
            f"Wait {minutes} {'minute' if minutes == 1 else 'minutes'} and try again."
        )
    if throttle.refused_for_account(counts):
        minutes = throttle.minutes_left(counts.oldest_for_account)
        return TooManyAttempts(
            f"There have been too many attempts to sign in with this email address from your "
            f"network address. Wait {minutes} {'minute' if minutes == 1 else 'minutes'} and try again."
        )
    return None


def _record_failure(email: str, source: str | None, user: User | None) -> None:
    """Count a failure; put it on the trail only when it is the first for this source and
    address in the window, or the one that reaches a limit (see app/auth/throttle.py)."""
    before = throttle.counts(email, source)
    throttle.add_failure(email, source)
    for_account, from_source = before.for_account + 1, before.from_source + 1
    minutes = current_app.config["SIGN_IN_WINDOW_MINUTES"]
    if for_account == 1:
        record("sign_in_failed", user, actor=None, object_type="user_account",
               data={"email": email, "ip_address": source, "failures": 1})
    if for_account == throttle.account_limit():
        record("sign_in_throttled", user, actor=None, object_type="user_account",
               data={"email": email, "ip_address": source, "failures": for_account, "minutes": minutes})
    if from_source == throttle.source_limit():
        record("sign_in_source_throttled", actor=None, object_type="sign_in_source",
               data={"ip_address": source, "failures": from_source, "minutes": minutes})


def authenticate(email: str, password: str, ip_address: str | None = None) -> User:
    """Return the user for these credentials, or raise SignInRefused. Commits either way.

    `ip_address` is the source the attempt came from (request.remote_addr: behind a proxy,
    the forwarded address when PROXY_FIX is set)."""
    email = normalise_email(email)
    refusal = _throttled(email, ip_address)
    if refusal is not None:
        db.session.rollback()
        raise refusal
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        _record_failure(email, ip_address, user)
        db.session.commit()
        raise SignInRefused(GENERIC)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    throttle.forget(email, ip_address)
    record("signed_in", user, actor=user, data={"ip_address": ip_address})
    db.session.commit()
    return user


def new_session_token(user: User) -> None:
    """Sign the person out everywhere: every session cookie names the old token, which no
    longer matches (see load_user in app/__init__.py). The caller commits."""
    user.session_token = secrets.token_hex(16)


def change_password(user: User, new_password: str, actor: User | None = None) -> None:
    """Set a new password and end every session the person had. The caller commits."""
    problem = password_problem(new_password)
    if problem:
        raise PasswordRejected(problem)
    user.password_hash = hash_password(new_password)
    new_session_token(user)
    record("password_changed", user, actor=actor)


def record_sign_out(user: User) -> None:
    """Sign-out ends the session on the server too: a copy of the cookie no longer works."""
    new_session_token(user)
    record("signed_out", user, actor=user)
    db.session.commit()
