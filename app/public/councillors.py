"""Signed-in pages of issue 14's exempt items: the clerk marks an item exempt and names the
officers who may read the confidential pack; councillors see their committees' agendas and
confidential packs (their home page); the confidential pack itself (403 for anyone else)."""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import SubmitField

from app.concurrency import Refused
from app.extensions import db
from app.meetings import exempt as exempt_rules
from app.meetings import service as meetings_service
from app.models import AgendaPack, Committee, Meeting, User
from app.forms import ChoiceField, RadioChoiceField
from app.permissions import can, permission_required, scope_for
from app.public import councillors_bp as bp
from app.public import service


class ExemptForm(FlaskForm):
    exempt_paragraph = RadioChoiceField(
        "Is this item exempt?", choices=exempt_rules.paragraph_choices(), widget=GovRadioInput(), default="",
        description="Exempt information as described in Schedule 12A to the Local Government Act 1972. An exempt "
                    "item is listed in public by its title and paragraph only, and its papers go in the "
                    "confidential pack.")
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReaderForm(FlaskForm):
    reader = ChoiceField("Officer", widget=GovSelect(), choices=[],
                         description="They can read this meeting's confidential pack after signing in.")
    submit = SubmitField("Add reader", widget=GovSubmitInput())


def _reader_choices(meeting: Meeting) -> list[tuple[str, str]]:
    named = {u.id for u in exempt_rules.readers_of(meeting)}
    people = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)).all()
    return [("", "Choose a person")] + [(str(p.id), f"{p.name} ({p.email})") for p in people if p.id not in named]


def _seen() -> int | None:
    return request.form.get("version", type=int)


# --- marking an item exempt (the clerk) --------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/exempt", methods=["GET", "POST"])
@permission_required("mark_exempt", Meeting)
def exempt_item(meeting, item_id):
    try:
        item = meetings_service.item_on(meeting, item_id)
    except meetings_service.NotOnAgenda:
        abort(404)
    form = ExemptForm()
    if request.method == "GET":
        form.exempt_paragraph.data = str(item.exempt_paragraph or "")
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            value = form.exempt_paragraph.data
            paragraph = int(value) if value else None
            try:
                changed = exempt_rules.set_exempt(item, paragraph, current_user._get_current_object(), _seen())
            except (meetings_service.AgendaError, Refused) as exc:
                db.session.rollback()
                form.exempt_paragraph.errors = [str(exc)]
                status = exc.status
            else:
                if not changed:
                    flash("Nothing had changed.", "info")
                elif paragraph:
                    flash(f"“{item.title}” is exempt under paragraph {paragraph} of Schedule 12A.", "success")
                else:
                    flash(f"“{item.title}” is no longer exempt: it and its papers are public.", "success")
                return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + "#agenda-items", 303)
    return render_template("public/exempt_item.html", meeting=meeting, item=item, form=form,
                           paragraphs=exempt_rules.PARAGRAPHS), status


# --- the confidential pack -------------------------------------------------------------------

def _confidential_packs(meeting: Meeting) -> list[AgendaPack]:
    return db.session.scalars(sa.select(AgendaPack).options(defer(AgendaPack.pdf))
                              .where(AgendaPack.meeting_id == meeting.id, AgendaPack.confidential.is_(True))
                              .order_by(AgendaPack.number)).all()


def _confidential_page(meeting: Meeting, form: ReaderForm, status: int = 200):
    packs = _confidential_packs(meeting)
    public_pack = service.latest_public_pack(meeting)
    items = [i for i in meetings_service.items_of(meeting) if exempt_rules.is_exempt(i)]
    manage = can(current_user, "name_confidential_reader", meeting)
    return render_template(
        "public/confidential.html", meeting=meeting, packs=packs, latest=packs[-1] if packs else None,
        public_pack=public_pack, items=items, label=exempt_rules.exempt_label, manage=manage, form=form,
        readers=exempt_rules.readers_of(meeting), time_text=service.time_text), status


@bp.route("/meetings/<int:meeting_id>/confidential")
@permission_required("read_confidential_pack", Meeting)
def confidential(meeting):
    form = ReaderForm()
    form.reader.choices = _reader_choices(meeting)
    return _confidential_page(meeting, form)


@bp.route("/meetings/<int:meeting_id>/confidential-pack-<int:number>.pdf")
@permission_required("read_confidential_pack", Meeting)
def confidential_pack(meeting, number):
    found = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                          AgendaPack.number == number,
                                                          AgendaPack.confidential.is_(True)))
    if found is None:
        abort(404)
    name = f"confidential-pack-{meeting.meets_on:%Y-%m-%d}-v{number}.pdf"
    return Response(found.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "X-Content-SHA256": found.sha256,
        "Cache-Control": "private, no-store"})


@bp.route("/meetings/<int:meeting_id>/confidential/readers", methods=["POST"])
@permission_required("name_confidential_reader", Meeting)
def add_reader(meeting):
    form = ReaderForm()
    form.reader.choices = _reader_choices(meeting)
    if not form.validate_on_submit() or not form.reader.data:
        if not form.reader.errors:
            form.reader.errors = ["Choose the officer who may read the confidential pack"]
        return _confidential_page(meeting, form, 400)
    person = db.session.get(User, int(form.reader.data))
    try:
        exempt_rules.name_reader(meeting, person, current_user._get_current_object(), _seen())
    except (meetings_service.AgendaError, Refused) as exc:
        db.session.rollback()
        form.reader.errors = [str(exc)]
        return _confidential_page(meeting, form, exc.status)
    flash(f"{person.name} can now read the confidential pack.", "success")
    return redirect(url_for("councillors.confidential", meeting_id=meeting.id), 303)


@bp.route("/meetings/<int:meeting_id>/confidential/readers/<int:user_id>/remove", methods=["POST"])
@permission_required("name_confidential_reader", Meeting)
def remove_reader(meeting, user_id):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    try:
        exempt_rules.remove_reader(meeting, person, current_user._get_current_object(), _seen())
    except (meetings_service.AgendaError, Refused) as exc:
        db.session.rollback()
        form = ReaderForm()
        form.reader.choices = _reader_choices(meeting)
        form.reader.errors = [str(exc)]
        return _confidential_page(meeting, form, exc.status)
    flash(f"{person.name} can no longer read the confidential pack.", "success")
    return redirect(url_for("councillors.confidential", meeting_id=meeting.id), 303)


# --- the councillor's home -----------------------------------------------------------------

@bp.route("/councillor/")
@permission_required("councillor_home")
def home():
    ids = scope_for(current_user).councillor_of()
    committees = db.session.scalars(sa.select(Committee).where(Committee.id.in_(ids)).order_by(Committee.name)).all()
    since = date.today() - timedelta(days=92)
    rows = []
    for committee in committees:
        meetings = service.published_meetings(committee_id=committee.id, start=since)
        rows.append((committee, [(m, bool(_confidential_packs(m))) for m in meetings]))
    return render_template("public/councillor_home.html", rows=rows, time_text=service.time_text,
                           cancelled=service.cancelled, today=date.today())


@bp.before_app_request
def redirect_councillors_home():
    """A councillor with no other role who opens Docket's home page goes to their own."""
    if request.endpoint == "main.home" and getattr(current_user, "is_authenticated", False) and \
            scope_for(current_user).councillor_only:
        return redirect(url_for("councillors.home"))
    return None
