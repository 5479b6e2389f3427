from datetime import date

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from app import cache
from app.main import bp
from app.main.home import home_for
from app.permissions import permission_required, public


@bp.route("/")
@permission_required("use_docket")
def home():
    """My tasks. What it shows is kept until anything is recorded on the trail (app/cache.py)."""
    user = current_user._get_current_object()
    body = cache.results.get(("home", user.id, date.today()),
                             lambda: Markup(render_template("main/_home.html", home=home_for(user))))
    return render_template("main/home.html", body=body)


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")
