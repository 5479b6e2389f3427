from flask import Blueprint

bp = Blueprint("plans", __name__)

from app.plans import editing, routes, setup_routes, transfer_routes  # noqa: E402,F401
