"""The trail for administrators: every event as a sentence, filtered, a page at a time, and as CSV."""
from datetime import date

import sqlalchemy as sa
from flask_login import current_user
from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from markupsafe import Markup, escape

from app.extensions import db
from app.models import TrailEvent
from app.permissions import can, permission_required
from app.trail import browse
from app.trail.describe import describe

bp = Blueprint("trail", __name__, url_prefix="/trail")

PAGE_SIZE = 50


@bp.app_template_filter("described")
def described_filter(events):
    """{% for d in trail|described %}: a page's events as sentences (object names in one query)."""
    return describe(events or [])


@bp.app_template_global("trail_link")
def trail_link(obj, text="See its trail") -> Markup:
    """A link to the trail filtered to one object (and its parts), for those who may read the trail."""
    if not can(current_user, "view_trail"):
        return Markup("")
    href = url_for("trail.index", object_type=obj.__tablename__, object_ref=obj.id)
    return Markup(f'<a class="govuk-link" href="{escape(href)}">{escape(text)}</a>')


def _filtered(args):
    form = browse.filter_form(args)
    valid = form.validate() if any(k in args for k in ("person", "kind", "object_type", "object_ref",
                                                         "date_from", "date_to")) else True
    return form, (browse.conditions(form) if valid else None)


@bp.route("/")
@permission_required("view_trail")
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    form, where = _filtered(request.args)
    keep = browse.filter_args(request.args)
    if where is None:  # a filter could not be read: say so beside it, show nothing yet
        return render_template("trail/index.html", form=form, events=[], page=1, pages=1, total=0,
                               keep=keep, filtered=True), 400
    total = db.session.scalar(sa.select(sa.func.count(TrailEvent.id)).where(*where))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    events = db.session.scalars(
        sa.select(TrailEvent).where(*where).order_by(TrailEvent.seq.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("trail/index.html", form=form, events=describe(events), page=page, pages=pages,
                           total=total, keep=keep, filtered=bool(keep))


@bp.route("/export.csv")
@permission_required("view_trail")
def export():
    form, where = _filtered(request.args)
    if where is None:
        return render_template("trail/index.html", form=form, events=[], page=1, pages=1, total=0,
                               keep=browse.filter_args(request.args), filtered=True), 400
    filename = f"docket-trail-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(browse.csv_rows(where)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )
