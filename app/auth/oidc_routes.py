"""The pages of signing in with the council's directory: the start (a link from the sign-in
page, which sends the person to the provider) and the callback the provider sends them back
to. The redirect URI to register with the provider is Docket's address + /sign-in/oidc/callback."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from app.auth import oidc
from app.auth.oidc_client import DirectoryError, Pending, TokenRefused
from app.auth.routes import safe_next
from app.models import utcnow
from app.permissions import public

bp = Blueprint("oidc", __name__)

PENDING = "oidc_pending"


@bp.app_context_processor
def directory_sign_in():
    """For the sign-in page: whether the button is shown, its words, and the password mode."""
    return {"directory_sign_in": {"enabled": oidc.enabled(), "button_text": oidc.button_text() if oidc.enabled()
                                  else "", "password_mode": oidc.password_mode()},
            "sign_in_method": oidc.sign_in_method}


def _not_set_up():
    return render_template("auth/oidc_unavailable.html"), 200


def _refused(message: str, status: int):
    return render_template("auth/oidc_refused.html", message=message), status


@bp.route("/sign-in/oidc")
@public
def start():
    """Send the person to the directory, with a fresh state, nonce and PKCE verifier."""
    if not oidc.enabled():
        return _not_set_up()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    pending = Pending.new()
    try:
        url = oidc.provider().authorization_url(oidc.external_url("oidc.callback"), pending)
    except DirectoryError as exc:
        return _refused(str(exc), 502)
    session[PENDING] = dict(pending.as_dict(), next=next_url)
    return redirect(url)


@bp.route("/sign-in/oidc/callback")
@public
def callback():
    """The directory sends the person back here with a code: every check, then sign-in."""
    if not oidc.enabled():
        return _not_set_up()
    saved = session.pop(PENDING, None)  # used once, whatever happens next
    pending = None
    if isinstance(saved, dict) and {"state", "nonce", "code_verifier"} <= saved.keys():
        pending = Pending(saved["state"], saved["nonce"], saved["code_verifier"])
    provider = oidc.provider()
    try:
        claims = provider.finish(request.args, pending, oidc.external_url("oidc.callback"))
        person = oidc.sign_in(claims, provider.issuer, request.remote_addr)
    except TokenRefused as exc:
        return _refused(str(exc), 400)
    except oidc.PersonRefused as exc:
        return _refused(str(exc), 403)
    except DirectoryError as exc:
        return _refused(str(exc), 502)
    session.clear()  # a fresh session: nothing carried over from before sign-in
    session.permanent = True
    login_user(person)
    session["last_seen"] = utcnow().timestamp()
    session[oidc.SESSION_FLAG] = True
    return redirect(saved.get("next") or url_for("main.home"))
