from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from app.main import bp
from app.main.home import home_for
from app.permissions import permission_required, public


@bp.route("/")
@permission_required("use_docket")
def home():
    """My tasks, worked out on every view: the person's own work changes with their every save,
    so a kept copy was almost never used again (1 in 600 on the benchmark's deadline day) and
    finding whether it could be cost more than it saved (docs/benchmarks.md)."""
    user = current_user._get_current_object()
    body = Markup(render_template("main/_home.html", home=home_for(user)))
    return render_template("main/home.html", body=body)


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")
