from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import dashboard, routes  # noqa: E402,F401
