from flask import render_template
from flask_login import current_user

from app.main import bp
from app.main.home import home_for
from app.permissions import permission_required, public


@bp.route("/")
@permission_required("use_docket")
def home():
    return render_template("main/home.html", home=home_for(current_user._get_current_object()))


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")
