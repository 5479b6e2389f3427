from flask import Blueprint

bp = Blueprint("updates", __name__)

from app.updates import attachments, period_routes, periods, routes, signoff  # noqa: E402,F401
