"""Slowing down guessing, without letting a stranger lock a colleague out.

Failed sign-ins are counted in the database (so every app server shares the count), by the
**source** they came from (the client's address; behind a proxy, the forwarded address when
PROXY_FIX is set) and the email address tried (lower case, trimmed):

- **source and account**: after SIGN_IN_MAX_FAILURES failures for one email address from one
  source within SIGN_IN_WINDOW_MINUTES, that source is refused for that email address (even
  with the right password) until the oldest of them is older than the window. The same person
  signing in from another address is not affected: an account is never locked as a whole.
- **source**: after SIGN_IN_MAX_FAILURES_PER_SOURCE failures from one source for any email
  addresses within the window, that source is refused for every account (someone trying one
  password against many people).

A refused attempt is not counted again (a source that keeps trying does not stay refused for
ever, and does not grow the table), and rows older than the window are deleted as new ones
are written, so the table holds at most one window's failures.

On the trail, each source and email address gets at most two events a window: the first
failure (`sign_in_failed`) and, if it comes to that, the refusal with the count
(`sign_in_throttled`); a source refused for every account gets one `sign_in_source_throttled`.
Anonymous traffic cannot grow the trail faster than that.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import SignInFailure, utcnow


@dataclass
class Counts:
    for_account: int  # failures for this email address from this source, in the window
    from_source: int  # failures from this source for any email address, in the window
    oldest_for_account: datetime | None
    oldest_from_source: datetime | None


def window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])


def _source_clause(source: str | None):
    return SignInFailure.ip_address.is_(None) if source is None else SignInFailure.ip_address == source


def counts(email: str, source: str | None) -> Counts:
    since = utcnow() - window()
    recent = sa.and_(_source_clause(source), SignInFailure.occurred_at >= since)
    account_count, account_oldest = db.session.execute(
        sa.select(sa.func.count(SignInFailure.id), sa.func.min(SignInFailure.occurred_at))
        .where(recent, SignInFailure.email == email)
    ).one()
    source_count, source_oldest = db.session.execute(
        sa.select(sa.func.count(SignInFailure.id), sa.func.min(SignInFailure.occurred_at)).where(recent)
    ).one()
    return Counts(account_count, source_count, account_oldest, source_oldest)


def account_limit() -> int:
    return current_app.config["SIGN_IN_MAX_FAILURES"]


def source_limit() -> int:
    return current_app.config["SIGN_IN_MAX_FAILURES_PER_SOURCE"]


def refused_for_source(c: Counts) -> bool:
    return c.from_source >= source_limit()


def refused_for_account(c: Counts) -> bool:
    return c.for_account >= account_limit()


def minutes_left(oldest: datetime | None) -> int:
    """Whole minutes until the oldest counted failure leaves the window (at least 1)."""
    if oldest is None:
        return 1
    if oldest.tzinfo is None:
        from datetime import timezone

        oldest = oldest.replace(tzinfo=timezone.utc)
    seconds = (oldest + window() - utcnow()).total_seconds()
    return max(1, -int(-seconds // 60))


def add_failure(email: str, source: str | None) -> None:
    """Count one failure, and forget failures older than the window."""
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.occurred_at < utcnow() - window()))
    db.session.add(SignInFailure(email=email, ip_address=source))


def forget(email: str, source: str | None) -> None:
    """After a successful sign-in: this source's failures for this account no longer count.
    Failures from other sources still do (a colleague signing in does not reset a stranger)."""
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email, _source_clause(source)))
