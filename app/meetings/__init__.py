from flask import Blueprint

bp = Blueprint("meetings", __name__)

from app.meetings import editing_routes, routes, workplan_routes  # noqa: E402,F401
