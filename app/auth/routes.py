from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import SignInForm
from app.auth.oidc import SESSION_FLAG, password_sign_in, sign_out_url  # directory sign-in (issue 15)
from app.auth.service import SignInRefused, authenticate, record_sign_out  # noqa: F401
from app.permissions import public
from app.models import utcnow


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    form = SignInForm()
    refusal = None
    if form.validate_on_submit():
        try:
            user = password_sign_in(form.email.data, form.password.data, request.remote_addr)
        except SignInRefused as exc:
            refusal = str(exc)
            form.email.errors = list(form.email.errors) + [refusal]
        else:
            session.clear()  # a fresh session: nothing carried over from before sign-in
            session.permanent = True
            login_user(user)
            session["last_seen"] = utcnow().timestamp()
            return redirect(next_url or url_for("main.home"))
    status = 200 if request.method == "GET" or not form.errors else 400
    if refusal:
        status = 401
    return render_template("auth/sign_in.html", form=form, next_url=next_url), status


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    if current_user.is_authenticated:
        record_sign_out(current_user._get_current_object())
    end_session = sign_out_url(bool(session.get(SESSION_FLAG)))  # directory sign-in (issue 15)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(end_session or url_for("auth.sign_in"))


# How often a person's "last seen" time is written into their session cookie. Writing it on
# every request would re-sign and re-send the cookie with every page (issue 17); a minute's
# step is added to the idle limit, so nobody is signed out before SESSION_IDLE_MINUTES.
LAST_SEEN_STEP_SECONDS = 60


def enforce_idle_timeout():
    """before_request: sign the person out after SESSION_IDLE_MINUTES without a request."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last_seen = session.get("last_seen")
    if last_seen is not None and now - last_seen > limit + LAST_SEEN_STEP_SECONDS:
        logout_user()
        session.clear()
        flash(
            f"You were signed out because you had not used Docket for "
            f"{current_app.config['SESSION_IDLE_MINUTES']} minutes. Sign in again to carry on.",
            "info",
        )
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if last_seen is None or now - last_seen >= LAST_SEEN_STEP_SECONDS:
        session["last_seen"] = now
    return None


from app.auth import account  # noqa: E402,F401  choosing and changing one's password (issue 12)
