"""Administration (administrators only): the home page, directorates and services, setting up
committees, and the council's settings. Each page saves through app/organisation/service.py or
app/settings.py (change + trail event in one transaction) and refuses bad input beside the field."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.concurrency import Refused, guarded
from app.extensions import db
from app.meetings.routes import parse_members
from app.models import Committee, Directorate, Meeting, Service, User
from app.organisation import service as org
from app.organisation.forms import (
    DirectorateForm,
    NewCommitteeForm,
    RetireForm,
    ServiceForm,
    SettingsForm,
    directorate_choices,
    people_choices,
)
from app.permissions import permission_required
from app.settings import SETTINGS, SettingsError, all_settings, save_settings

bp = Blueprint("organisation", __name__, url_prefix="/admin")


def _me():
    return current_user._get_current_object()


def _person(value) -> User | None:
    if value in (None, "") or not str(value).isdigit():
        return None
    return db.session.get(User, int(value))


def _refusal(form, exc) -> str | None:
    """Put a refusal beside its field, or return it for the top of the page."""
    field = getattr(exc, "field", None)
    if field and field in form:
        form[field].errors = list(form[field].errors) + [str(exc)]
        return None
    return str(exc)


def _status(page_error, conflict=False):
    if request.method == "GET":
        return 200
    return 409 if conflict else 400


# --- the administration home ----------------------------------------------------------------

@bp.route("/")
@permission_required("administer")
def home():
    return render_template("organisation/home.html")


# --- directorates and services ----------------------------------------------------------------

@bp.route("/organisation")
@permission_required("manage_organisation")
def organisation():
    directorates = db.session.scalars(sa.select(Directorate).options(
        selectinload(Directorate.services), selectinload(Directorate.director))
        .order_by(Directorate.retired_at.is_not(None), Directorate.name)).all()
    return render_template("organisation/index.html", directorates=directorates,
                           heads={s.id: org.heads_of(s) for d in directorates for s in d.services},
                           ads={s.id: org.assistant_director_of(s) for d in directorates for s in d.services})


def _directorate_page(form, directorate=None, page_error=None, status=200, retire_form=None):
    form.director_id.choices = people_choices()
    return render_template("organisation/directorate_form.html", form=form, directorate=directorate,
                           page_error=page_error, retire_form=retire_form), status


@bp.route("/directorates/new", methods=["GET", "POST"])
@permission_required("manage_organisation")
def new_directorate():
    form = DirectorateForm()
    form.director_id.choices = people_choices()
    page_error = None
    if form.validate_on_submit():
        try:
            with guarded("That directorate was already created."):
                directorate = org.create_directorate(form.name.data, _person(form.director_id.data),
                                                         form.director_title.data, actor=_me())
            db.session.commit()
        except (org.OrgError, Refused) as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        else:
            flash(f"{directorate.name} was added. Now add its services.", "success")
            return redirect(url_for("organisation.organisation"))
    return _directorate_page(form, page_error=page_error, status=_status(page_error))


@bp.route("/directorates/<int:directorate_id>/edit", methods=["GET", "POST"])
@permission_required("manage_organisation", Directorate)
def edit_directorate(directorate):
    form = DirectorateForm(obj=directorate if request.method == "GET" else None)
    form.director_id.choices = people_choices()
    if request.method == "GET":
        form.version.data = directorate.version
        form.director_id.data = str(directorate.director_id or "")
    page_error, conflict = None, False
    if form.validate_on_submit():
        try:
            with guarded("That name was taken a moment ago.", obj=directorate, noun="this directorate"):
                changes = org.edit_directorate(directorate, form.version.data, form.name.data,
                                                   _person(form.director_id.data), form.director_title.data,
                                                   actor=_me())
            db.session.commit()
        except org.OrgError as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        except Refused as exc:
            db.session.rollback()
            page_error, conflict = str(exc), True
            form.version.data = db.session.get(Directorate, directorate.id).version
        else:
            flash(f"Your changes were saved: {', '.join(changes)}." if changes else
                  "Nothing had changed, so nothing was saved.", "success" if changes else "info")
            return redirect(url_for("organisation.organisation"))
    retire = RetireForm(formdata=None, version=directorate.version)
    return _directorate_page(form, directorate, page_error, _status(page_error, conflict), retire)


@bp.route("/directorates/<int:directorate_id>/retire", methods=["POST"])
@permission_required("manage_organisation", Directorate)
def retire_directorate(directorate):
    retire = RetireForm()
    try:
        org.retire_directorate(directorate, retire.version.data, actor=_me())
        db.session.commit()
    except (org.OrgError, Refused) as exc:
        db.session.rollback()
        directorate = db.session.get(Directorate, directorate.id)
        form = DirectorateForm(formdata=None, obj=directorate)
        form.version.data = directorate.version
        form.director_id.choices = people_choices()
        form.director_id.data = str(directorate.director_id or "")
        return _directorate_page(form, directorate, str(exc), 409 if isinstance(exc, Refused) else 400,
                                 RetireForm(formdata=None, version=directorate.version))
    flash(f"{directorate.name} was retired. It is kept, with its history, but nothing new can be added to it.",
          "success")
    return redirect(url_for("organisation.organisation"))


def _service_choices(form, svc=None):
    form.directorate_id.choices = directorate_choices(svc.directorate if svc else None)
    form.assistant_director_id.choices = people_choices()
    form.add_head_id.choices = people_choices(("", "Nobody"))
    form.chief_officer_id.choices = people_choices(("", "Nobody"))  # committee papers (issue 14)
    heads = org.heads_of(svc) if svc else []
    form.heads.choices = [(str(u.id), org.person_label(u)) for u in heads]
    return heads


def _chosen_heads(form) -> list[User]:
    ids = [v for v in (form.heads.data or []) if str(v).isdigit()]
    people = [db.session.get(User, int(v)) for v in ids]
    extra = _person(form.add_head_id.data)
    if extra is not None and extra.id not in {p.id for p in people if p}:
        people.append(extra)
    return [p for p in people if p is not None]


def _service_page(form, svc=None, page_error=None, status=200, retire_form=None):
    return render_template("organisation/service_form.html", form=form, service=svc, page_error=page_error,
                           retire_form=retire_form), status


@bp.route("/services/new", methods=["GET", "POST"])
@permission_required("manage_organisation")
def new_service():
    form = ServiceForm()
    _service_choices(form)
    if request.method == "GET" and str(request.args.get("directorate", "")).isdigit():
        form.directorate_id.data = request.args["directorate"]
    page_error = None
    if form.validate_on_submit():
        try:
            with guarded("That service was already created."):
                svc = org.create_service(
                    form.name.data, db.session.get(Directorate, int(form.directorate_id.data)),
                    _person(form.assistant_director_id.data), _chosen_heads(form), actor=_me())
            db.session.commit()
        except (org.OrgError, Refused) as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        else:
            flash(f"{svc.name} was added to {svc.directorate.name}.", "success")
            return redirect(url_for("organisation.organisation"))
    return _service_page(form, page_error=page_error, status=_status(page_error))


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@permission_required("manage_organisation", Service)
def edit_service(service):
    svc = service
    form = ServiceForm(obj=svc if request.method == "GET" else None)
    heads = _service_choices(form, svc)
    if request.method == "GET":
        form.version.data = svc.version
        form.directorate_id.data = str(svc.directorate_id)
        ad = org.assistant_director_of(svc)
        form.assistant_director_id.data = str(ad.id) if ad else ""
        form.heads.data = [str(u.id) for u in heads]
        form.chief_officer_id.data = str(svc.chief_officer_id) if svc.chief_officer_id else ""
    page_error, conflict = None, False
    if form.validate_on_submit():
        try:
            with guarded("That name was taken a moment ago.", obj=svc, noun="this service"):
                changes = org.edit_service(
                    svc, form.version.data, form.name.data, db.session.get(Directorate, int(form.directorate_id.data)),
                    _person(form.assistant_director_id.data), _chosen_heads(form), actor=_me(),
                    chief_officer=_person(form.chief_officer_id.data))
            db.session.commit()
        except org.OrgError as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        except Refused as exc:
            db.session.rollback()
            page_error, conflict = str(exc), True
            form.version.data = db.session.get(Service, svc.id).version
        else:
            flash(f"Your changes were saved: {', '.join(changes)}." if changes else
                  "Nothing had changed, so nothing was saved.", "success" if changes else "info")
            return redirect(url_for("organisation.organisation"))
    svc = db.session.get(Service, svc.id)
    return _service_page(form, svc, page_error, _status(page_error, conflict),
                         RetireForm(formdata=None, version=svc.version))


@bp.route("/services/<int:service_id>/retire", methods=["POST"])
@permission_required("manage_organisation", Service)
def retire_service(service):
    svc = service
    retire = RetireForm()
    try:
        org.retire_service(svc, retire.version.data, actor=_me())
        db.session.commit()
    except (org.OrgError, Refused) as exc:
        db.session.rollback()
        svc = db.session.get(Service, svc.id)
        form = ServiceForm(formdata=None, obj=svc)
        heads = _service_choices(form, svc)
        form.version.data = svc.version
        form.directorate_id.data = str(svc.directorate_id)
        ad = org.assistant_director_of(svc)
        form.assistant_director_id.data = str(ad.id) if ad else ""
        form.heads.data = [str(u.id) for u in heads]
        return _service_page(form, svc, str(exc), 409 if isinstance(exc, Refused) else 400,
                             RetireForm(formdata=None, version=svc.version))
    flash(f"{svc.name} was retired. Its plans and history can still be read.", "success")
    return redirect(url_for("organisation.organisation"))


# --- committees ----------------------------------------------------------------------------

@bp.route("/committees")
@permission_required("manage_organisation")
def committees():
    rows = db.session.scalars(sa.select(Committee).options(selectinload(Committee.clerk))
                              .order_by(Committee.retired_at.is_not(None), Committee.name)).all()
    counts = dict(db.session.execute(sa.select(Meeting.committee_id, sa.func.count(Meeting.id))
                                     .group_by(Meeting.committee_id)).all())
    return render_template("organisation/committees.html", committees=rows, counts=counts,
                           retire_form=RetireForm(formdata=None))


@bp.route("/committees/new", methods=["GET", "POST"])
@permission_required("manage_organisation")
def new_committee():
    form = NewCommitteeForm()
    form.clerk_id.choices = people_choices()
    form.directorate_id.choices = directorate_choices(placeholder=("", "None"))
    page_error = None
    if form.validate_on_submit():
        directorate = (db.session.get(Directorate, int(form.directorate_id.data))
                       if str(form.directorate_id.data or "").isdigit() else None)
        try:
            with guarded("That committee was already created."):
                committee = org.create_committee(
                    form.name.data, members=parse_members(form.members.data), clerk=_person(form.clerk_id.data),
                    clerk_name=form.clerk_name.data, clerk_telephone=form.clerk_telephone.data,
                    clerk_email=form.clerk_email.data, default_venue=form.default_venue.data,
                    default_time=form.default_time.data, directorate=directorate, actor=_me())
            db.session.commit()
        except (org.OrgError, Refused) as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        else:
            flash(f"{committee.name} was created. Add its meetings from its page.", "success")
            return redirect(url_for("meetings.committee", committee_id=committee.id))
    return render_template("organisation/committee_form.html", form=form, page_error=page_error), _status(page_error)


@bp.route("/committees/<int:committee_id>/retire", methods=["POST"])
@permission_required("manage_organisation", Committee)
def retire_committee(committee):
    try:
        org.retire_committee(committee, actor=_me())
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("organisation.committees"))
    flash(f"{committee.name} was retired. Its meetings and agendas can still be read.", "success")
    return redirect(url_for("organisation.committees"))


# --- settings ------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@permission_required("manage_settings")
def settings():
    form = SettingsForm(data=all_settings() if request.method == "GET" else None)
    page_error, conflict = None, False
    if form.validate_on_submit():
        try:
            with guarded("Someone saved the settings at the same moment. Look at them again, then try once more."):
                changes = save_settings({s.key: form[s.key].data for s in SETTINGS}, actor=_me())
            db.session.commit()
        except SettingsError as exc:
            db.session.rollback()
            page_error = _refusal(form, exc)
        except Refused as exc:
            db.session.rollback()
            page_error, conflict = str(exc), True
        else:
            flash(f"Your changes were saved: {', '.join(changes)}." if changes else
                  "Nothing had changed, so nothing was saved.", "success" if changes else "info")
            return redirect(url_for("organisation.settings"))
    return render_template("organisation/settings.html", form=form, settings=SETTINGS,
                           page_error=page_error), _status(page_error, conflict)
