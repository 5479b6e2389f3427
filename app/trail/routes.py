import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import TrailEvent
from app.permissions import permission_required

bp = Blueprint("trail", __name__, url_prefix="/trail")

PAGE_SIZE = 50


@bp.route("/")
@permission_required("view_trail")
def index():
    page = request.args.get("page", 1, type=int)
    page = max(page, 1)
    total = db.session.scalar(sa.select(sa.func.count(TrailEvent.id)))
    events = db.session.scalars(
        sa.select(TrailEvent)
        .options(selectinload(TrailEvent.on_behalf_of))
        .order_by(TrailEvent.seq.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("trail/index.html", events=events, page=page, pages=pages, total=total)
