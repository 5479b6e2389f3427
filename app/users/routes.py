"""The People pages (administrators): the list, adding and editing a person, their roles,
set-password links, deactivating a leaver and reassigning their work. Importing from a CSV
is in app/users/import_routes.py. The rules are in app/users/service.py and friends."""
import hashlib
import json

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth import links
from app.auth.oidc import sign_in_method
from app.concurrency import Refused, guarded
from app.extensions import db
from app.models import Role, RoleAssignment, TrailEvent, User
from app.permissions import permission_required
from app.users import reassign as reassigning
from app.users.forms import GrantForm, NewPersonForm, PersonForm, ReassignForm, people_choices, scope_choices
from app.users.service import (UserError, create_user, deactivate_user, grant_role, people_page, reactivate_user,
                               revoke_role, service_choices, update_user)

bp = Blueprint("users", __name__, url_prefix="/people")


def _me():
    return current_user._get_current_object()


@bp.route("/")
@permission_required("manage_users")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    role = request.args.get("role") or ""
    service_id = request.args.get("service") or ""
    show = request.args.get("show") or "active"
    if role not in {r.value for r in Role}:
        role = ""
    if not service_id.isdigit():
        service_id = ""
    if show not in ("deactivated", "all"):
        show = "active"
    # performance (issue 17): a page of 50 at a time (a council has thousands of people),
    # each person as the columns the list shows, not as a full record with its relationships.
    found = people_page(q, role, service_id, show, request.args.get("page", 1, type=int) or 1)
    for person in found.people:
        person.signs_in_with = sign_in_method(person)
    keep = {k: v for k, v in (("q", q), ("role", role), ("service", service_id), ("show", show)) if v}
    return render_template("users/index.html", users=found.people, q=q, role=role, service_id=service_id, show=show,
                           roles=list(Role), services=service_choices(), total=found.total, page=found.page,
                           pages=found.pages, keep=keep, people_url=url_for("users.index"))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_users")
def new():
    form = NewPersonForm()
    form.scope.choices = scope_choices()
    page_error, status = None, 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        try:
            with guarded(f"There is already a person with the email address {form.email.data.strip().lower()}"):
                person = create_user(form.email.data, form.name.data, None, form.job_title.data, actor=_me())
                if form.chosen:
                    grant_role(person, *form.chosen, actor=_me())
                sent = links.send_link(person, _me())
        except UserError as exc:
            db.session.rollback()
            _field_error(form, exc)
        except Refused as exc:
            page_error, status = str(exc), exc.status
        else:
            db.session.commit()
            return _person_page(person, sent=sent, added=True)
    return render_template("users/new.html", form=form, page_error=page_error), status


def _field_error(form, exc) -> None:
    """Put a refusal from the service beside the field it is about."""
    text = str(exc)
    field = form.job_title if text.startswith("Job title") else form.email if "email" in text.lower() else form.name
    field.errors = list(field.errors) + [text]


def _recent_events(person: User, limit: int = 15):
    return db.session.scalars(
        sa.select(TrailEvent).where(sa.or_(
            sa.and_(TrailEvent.object_type == "user_account", TrailEvent.object_id == person.id),
            TrailEvent.actor_id == person.id))
        .order_by(TrailEvent.seq.desc()).limit(limit)).all()


def _person_page(person: User, status: int = 200, sent=None, added=False, grant_form=None, reassign_form=None,
                 page_error=None):
    if grant_form is None:
        grant_form = GrantForm(formdata=None)
    grant_form.scope.choices = scope_choices()
    work = reassigning.open_work(person)
    if reassign_form is None:
        reassign_form = ReassignForm(formdata=None)
    reassign_form.to.choices = people_choices(person)
    return render_template(
        "users/show.html", person=person, sent=sent, added=added, grant_form=grant_form, work=work,
        reassign_form=reassign_form, trail=_recent_events(person), link_status=links.link_status(person),
        page_error=page_error), status


@bp.route("/<int:user_id>")
@permission_required("manage_users", User, url_arg="user_id")
def show(user_account):
    return _person_page(user_account)


def _details_stamp(person: User) -> str:
    text = json.dumps([person.name, person.email, person.job_title])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("manage_users", User, url_arg="user_id")
def edit(user_account):
    person = user_account
    form = PersonForm(obj=person if request.method == "GET" else None)
    if request.method == "GET":
        form.loaded.data = _details_stamp(person)
    page_error, status = None, 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        if form.loaded.data != _details_stamp(person):
            page_error, status = (f"Someone changed {person.name}'s details after you opened this page. Nothing was "
                                  "changed: look at them again, then try once more."), 409
            form.loaded.data = _details_stamp(person)
        else:
            try:
                with guarded(f"There is already a person with the email address {form.email.data.strip().lower()}"):
                    changes = update_user(person, form.name.data, form.email.data, form.job_title.data, actor=_me())
            except UserError as exc:
                db.session.rollback()
                _field_error(form, exc)
            except Refused as exc:
                page_error, status = str(exc), exc.status
            else:
                db.session.commit()
                flash(f"{person.name}'s details were saved." if changes else "Nothing was changed.", "success")
                return redirect(url_for("users.show", user_id=person.id))
    return render_template("users/edit.html", form=form, person=person, page_error=page_error), status


@bp.route("/<int:user_id>/roles", methods=["POST"])
@permission_required("manage_users", User, url_arg="user_id")
def grant(user_account):
    person = user_account
    form = GrantForm()
    form.scope.choices = scope_choices()
    if not person.active:
        return _person_page(person, 409, page_error=f"{person.name} is deactivated: reactivate them first")
    if form.validate_on_submit():
        role, kind, scope = form.chosen
        try:
            with guarded("That role was given at the same moment by someone else."):
                grant_role(person, role, kind, scope, actor=_me())
        except (UserError, Refused) as exc:
            db.session.rollback()
            return _person_page(person, getattr(exc, "status", 400), page_error=str(exc))
        db.session.commit()
        flash(f"{person.name} is now {role.label} ({scope.name if scope else 'everything'}).", "success")
        return redirect(url_for("users.show", user_id=person.id))
    return _person_page(person, 400, grant_form=form)


@bp.route("/<int:user_id>/roles/<int:assignment_id>/revoke", methods=["POST"])
@permission_required("manage_users", User, url_arg="user_id")
def revoke(user_account, assignment_id):
    person = user_account
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != person.id:
        flash(f"That role had already been taken away from {person.name}.", "info")
        return redirect(url_for("users.show", user_id=person.id))
    if assignment.role == Role.ADMINISTRATOR and person.id == _me().id:
        return _person_page(person, 409, page_error="You cannot take away your own Administrator role: "
                                                    "ask another administrator")
    label = f"{assignment.role.label} ({assignment.scope_label})"
    revoke_role(assignment, actor=_me())
    db.session.commit()
    flash(f"{person.name} is no longer {label}.", "success")
    return redirect(url_for("users.show", user_id=person.id))


@bp.route("/<int:user_id>/set-password-link", methods=["POST"])
@permission_required("manage_users", User, url_arg="user_id")
def send_link(user_account):
    person = user_account
    try:
        sent = links.send_link(person, _me())
    except links.LinkProblem as exc:
        db.session.rollback()
        return _person_page(person, 409, page_error=str(exc))
    db.session.commit()
    return _person_page(person, sent=sent)


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@permission_required("manage_users", User, url_arg="user_id")
def deactivate(user_account):
    person = user_account
    page_error, status = None, 200
    if request.method == "POST":
        try:
            deactivate_user(person, actor=_me())
        except UserError as exc:
            db.session.rollback()
            page_error, status = str(exc), 409
        else:
            db.session.commit()
            work = reassigning.open_work(person)
            flash(f"{person.name} is deactivated: they cannot sign in, and every session they had has ended."
                  + (f" Reassign their open work ({', '.join(work.lines())}) below." if not work.empty else ""),
                  "success")
            return redirect(url_for("users.show", user_id=person.id))
    return render_template("users/deactivate.html", person=person, work=reassigning.open_work(person),
                           page_error=page_error), status


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@permission_required("manage_users", User, url_arg="user_id")
def reactivate(user_account):
    person = user_account
    try:
        reactivate_user(person, actor=_me())
    except UserError as exc:
        db.session.rollback()
        return _person_page(person, 409, page_error=str(exc))
    db.session.commit()
    flash(f"{person.name} is active again. Send them a set-password link if they need to choose a new password.",
          "success")
    return redirect(url_for("users.show", user_id=person.id))


@bp.route("/<int:user_id>/reassign", methods=["POST"])
@permission_required("manage_users", User, url_arg="user_id")
def reassign(user_account):
    person = user_account
    form = ReassignForm()
    form.to.choices = people_choices(person)
    if not form.validate_on_submit():
        return _person_page(person, 400, reassign_form=form)
    to = db.session.get(User, int(form.to.data))
    try:
        with guarded("Someone else reassigned this work at the same moment.", obj=person, noun="this person's work"):
            work = reassigning.reassign(person, to, actor=_me())
    except UserError as exc:
        db.session.rollback()
        return _person_page(person, 409, page_error=str(exc))
    except Refused as exc:
        return _person_page(person, exc.status, page_error=str(exc))
    db.session.commit()
    flash(f"{person.name}'s open work ({', '.join(work.lines())}) now belongs to {to.name}.", "success")
    return redirect(url_for("users.show", user_id=person.id))


from app.users import import_routes  # noqa: E402,F401
