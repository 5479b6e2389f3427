"""Public agendas (issue 14): committee pages, the calendar, agendas, packs and papers, the
iCalendar feeds and the open data — readable without signing in; and the councillors' and
named officers' confidential packs, which need a sign-in."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
councillors_bp = Blueprint("councillors", __name__)

from app.public import councillors, feeds, routes  # noqa: E402,F401
