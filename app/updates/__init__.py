from flask import Blueprint

bp = Blueprint("updates", __name__)

from app.updates import attachments, period_routes, periods, routes, signoff  # noqa: E402,F401
from app.updates import values_page  # noqa: E402,F401  the owner's quarter (issue 16): all values on one page
