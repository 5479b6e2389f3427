"""Your notifications, and (for administrators) the outbox of every notification."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Notification, utcnow
from app.notifications.service import MAX_ATTEMPTS
from app.permissions import can, permission_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 25

# Outbox filters: name -> (label, condition)
OUTBOX_FILTERS = {
    "all": ("All", None),
    "unsent": ("Not sent", Notification.sent_at.is_(None)),
    "failed": ("Failed", sa.and_(Notification.sent_at.is_(None), Notification.last_error.is_not(None))),
    "sent": ("Sent", Notification.sent_at.is_not(None)),
}


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _paginate(stmt, page: int):
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    items = db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return items, total, page, pages


@bp.route("/")
@permission_required("use_docket")
def index():
    mine = Notification.recipient_id == current_user.id
    stmt = sa.select(Notification).where(mine).order_by(Notification.created_at.desc(), Notification.id.desc())
    items, total, page, pages = _paginate(stmt, _page())
    unread = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(mine, Notification.read_at.is_(None)))
    return render_template(
        "notifications/index.html", items=items, total=total, unread=unread, page=page, pages=pages,
        can_see_outbox=can(current_user, "administer"),
    )


def _back_to_index():
    page = request.form.get("page", 1, type=int) or 1
    return redirect(url_for(".index", page=page) if page > 1 else url_for(".index"))


@bp.post("/<int:notification_id>/read")
@permission_required("use_docket")
def mark_read(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    # Someone else's notification does not exist, as far as this person can tell.
    if notification is None or notification.recipient_id != current_user.id:
        abort(404)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    flash(f"Marked as read: {notification.subject}", "success")
    return _back_to_index()


@bp.post("/read-all")
@permission_required("use_docket")
def mark_all_read():
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    count = result.rowcount
    if count:
        flash(f"{count} notification{'' if count == 1 else 's'} marked as read.", "success")
    else:
        flash("You have no unread notifications.", "info")
    return _back_to_index()


@bp.route("/outbox")
@permission_required("administer")
def outbox():
    show = request.args.get("show", "all")
    if show not in OUTBOX_FILTERS:
        show = "all"
    stmt = sa.select(Notification).options(selectinload(Notification.recipient))
    condition = OUTBOX_FILTERS[show][1]
    if condition is not None:
        stmt = stmt.where(condition)
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    items, total, page, pages = _paginate(stmt, _page())
    return render_template(
        "notifications/outbox.html", items=items, total=total, page=page, pages=pages, show=show,
        filters=[(key, label) for key, (label, _) in OUTBOX_FILTERS.items()],
        mail_server=current_app.config.get("MAIL_SERVER"), max_attempts=MAX_ATTEMPTS,
    )
