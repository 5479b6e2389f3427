from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import dashboard, routes  # noqa: E402,F401
from app.reports import paper_routes  # noqa: E402,F401  committee papers (issue 14)
