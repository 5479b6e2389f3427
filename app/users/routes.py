import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import RoleAssignment, User
from app.permissions import permission_required

bp = Blueprint("users", __name__, url_prefix="/people")


@bp.route("/")
@permission_required("manage_users")
def index():
    users = db.session.scalars(
        sa.select(User)
        .options(
            selectinload(User.roles).selectinload(RoleAssignment.service),
            selectinload(User.roles).selectinload(RoleAssignment.directorate),
            selectinload(User.roles).selectinload(RoleAssignment.committee),
        )
        .order_by(User.name)
    ).all()
    return render_template("users/index.html", users=users)
