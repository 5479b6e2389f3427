"""A person's own password: choosing it from a one-time link (public), and changing it when
signed in. Both end the person's other sessions and keep (or start) this one."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth import bp, links
from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, check_password, password_problem
from app.auth.service import PasswordRejected, change_password
from app.extensions import db
from app.models import utcnow
from app.permissions import permission_required, public

HINT = (f"At least {MIN_LENGTH} characters. Three or four random words are easy to remember and hard to guess. "
        "Common passwords are refused.")


def _new_password_fields():
    password = PasswordField("New password", description=HINT, widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your new password"), Length(max=MAX_LENGTH)])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your new password again"),
                                        EqualTo("password", message="The two passwords are not the same")])
    return password, confirm


def _check_new_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField("Set password", widget=GovSubmitInput())
    validate_password = _check_new_password


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Enter your current password"), Length(max=MAX_LENGTH)])
    password, confirm = _new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())
    validate_password = _check_new_password


def _sign_in_fresh(user) -> None:
    """This browser continues, signed in with the person's new session token."""
    session.clear()
    session.permanent = True
    login_user(user)
    session["last_seen"] = utcnow().timestamp()


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token):
    try:
        link = links.find_link(token)
    except links.LinkProblem as exc:
        db.session.rollback()
        return render_template("auth/link_problem.html", problem=exc), 404 if request.method == "GET" else 409
    user = link.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = links.use_link(token, form.password.data)
        except PasswordRejected as exc:
            db.session.rollback()
            form.password.errors = list(form.password.errors) + [str(exc)]
        except links.LinkProblem as exc:
            db.session.rollback()
            return render_template("auth/link_problem.html", problem=exc), 409
        else:
            db.session.commit()
            _sign_in_fresh(user)
            flash("Your password is set, and you are signed in. Sign in with your email address and this "
                  "password from now on.", "success")
            return redirect(url_for("main.home"))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/set_password.html", form=form, person=user, token=token), status


@bp.route("/account/password", methods=["GET", "POST"])
@permission_required("change_own_password")
def change_own_password():
    me = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(me.password_hash, form.current.data):
            form.current.errors = list(form.current.errors) + ["Your current password is not right"]
        else:
            try:
                change_password(me, form.password.data, actor=me)
            except PasswordRejected as exc:
                db.session.rollback()
                form.password.errors = list(form.password.errors) + [str(exc)]
            else:
                db.session.commit()
                _sign_in_fresh(me)
                flash("Your password has been changed. You have been signed out everywhere else.", "success")
                return redirect(url_for("main.home"))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/change_password.html", form=form), status
