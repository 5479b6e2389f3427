"""Notifications: an outbox written with the change that causes it, e-mailed after commit,
readable in Docket; and the daily reminder digests."""
from app.notifications.service import dispatch_pending, notify, register  # noqa: F401
