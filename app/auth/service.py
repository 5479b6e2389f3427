"""Signing in: checking credentials, throttling guesses, recording both on the trail."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.passwords import check_password, hash_password, needs_rehash
from app.extensions import db
from app.models import SignInFailure, User, utcnow
from app.trail import record


class SignInRefused(Exception):
    """Sign-in failed. The message never says whether the address or the password was wrong."""


class TooManyAttempts(SignInRefused):
    pass


GENERIC = "Enter a correct email address and password"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _recent_failures(email: str) -> int:
    window = timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    return db.session.scalar(
        sa.select(sa.func.count(SignInFailure.id)).where(
            SignInFailure.email == email, SignInFailure.occurred_at >= utcnow() - window
        )
    )


def authenticate(email: str, password: str, ip_address: str | None = None) -> User:
    """Return the user for these credentials, or raise SignInRefused. Commits either way."""
    email = normalise_email(email)
    limit = current_app.config["SIGN_IN_MAX_FAILURES"]
    if _recent_failures(email) >= limit:
        minutes = current_app.config["SIGN_IN_WINDOW_MINUTES"]
        raise TooManyAttempts(
            f"There have been too many attempts to sign in with this email address. "
            f"Wait {minutes} minutes and try again."
        )
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        db.session.add(SignInFailure(email=email, ip_address=ip_address))
        record(
            "sign_in_failed",
            user,
            actor=None,
            object_type="user_account",
            data={"email": email, "ip_address": ip_address},
        )
        db.session.commit()
        raise SignInRefused(GENERIC)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))
    record("signed_in", user, actor=user, data={"ip_address": ip_address})
    db.session.commit()
    return user


def record_sign_out(user: User) -> None:
    record("signed_out", user, actor=user)
    db.session.commit()
