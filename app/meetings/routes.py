"""Committees, meetings, the agenda builder, publishing, and the published agenda."""
import json
import re
from datetime import time

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app import cache
from app.concurrency import Refused
from app.extensions import db
from app.forms import StringField, TextAreaField, UKDateField
from app.meetings import agenda_page, bp, dates, service
from app.models import (
    AgendaItem,
    AgendaPack,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingDocument,
    MemberRole,
    Report,
)
from app.permissions import can, permission_required, scope_for
from app.trail import record


def _parse_time(text: str | None) -> time | None:
    """"5.30pm", "17:30", "5:30 pm" -> 17:30."""
    if not text or not text.strip():
        return None
    m = re.fullmatch(r"\s*(\d{1,2})(?:[.:](\d{2}))?\s*([ap]\.?m\.?)?\s*", text.lower())
    if not m:
        raise ValueError("Enter a time like 5.30pm or 17:30")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError("Enter a time like 5.30pm or 17:30")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError("Enter a real time, like 5.30pm or 17:30")
    return time(hour, minute)


def _time_text(t: time | None) -> str:
    if t is None:
        return ""
    return f"{t.hour % 12 or 12}.{t:%M}{'am' if t.hour < 12 else 'pm'}"


class TimeField(StringField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        raw = self.data
        try:
            self.data = _parse_time(raw)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return _time_text(self.data) if isinstance(self.data, time) else (self.data or "")


class CommitteeForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[DataRequired(message="Enter the committee's name"),
                                                                   Length(max=300)])
    members = TextAreaField("Members", description='One a line, as printed. Add "(Chair)" or "(Vice-Chair)" after a name.',
                            widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    clerk_name = StringField("Democracy Officer", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    clerk_telephone = StringField("Telephone", widget=GovTextInput(), validators=[Optional(), Length(max=60)])
    clerk_email = StringField("Email", widget=GovTextInput(), validators=[Optional(), Length(max=254)])
    default_venue = StringField("Usual venue", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    default_time = TimeField("Usual time", description="For example, 5.30pm", widget=GovTextInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    meets_on = UKDateField("Date", required=True, description="For example, 24 9 2019")
    starts_at = TimeField("Time", description="For example, 5.30pm", widget=GovTextInput())
    venue = StringField("Venue", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    submit = SubmitField("Add meeting", widget=GovSubmitInput())


ROLE_SUFFIX = re.compile(r"\s*\((chair|vice[- ]chair)\)\s*$", re.IGNORECASE)


def parse_members(text: str) -> list[tuple[str, MemberRole]]:
    out = []
    for line in (text or "").splitlines():
        line = line.strip().strip(",")
        if not line:
            continue
        role = MemberRole.MEMBER
        m = ROLE_SUFFIX.search(line)
        if m:
            role = MemberRole.CHAIR if m.group(1).lower() == "chair" else MemberRole.VICE_CHAIR
            line = line[: m.start()].strip()
        out.append((line[:200], role))
    return out


def members_text(committee: Committee) -> str:
    suffix = {MemberRole.CHAIR: " (Chair)", MemberRole.VICE_CHAIR: " (Vice-Chair)", MemberRole.MEMBER: ""}
    return "\n".join(m.name + suffix[m.role] for m in committee.members)


# --- committees -------------------------------------------------------------------------

@bp.route("/committees/")
@permission_required("view_committees")
def committees():
    rows = db.session.scalars(sa.select(Committee).order_by(Committee.name)).all()
    return render_template("meetings/committees.html", committees=rows,
                           mine=scope_for(current_user).committees(), can_create=scope_for(current_user).admin)


@bp.route("/committees/<int:committee_id>")
@permission_required("view_committee", Committee)
def committee(committee):
    from datetime import date

    meetings = list(committee.meetings)
    today = date.today()
    return render_template("meetings/committee.html", committee=committee,
                           upcoming=[m for m in meetings if m.meets_on >= today],
                           past=[m for m in meetings if m.meets_on < today][::-1],
                           can_manage=can(current_user, "manage_committee", committee), time_text=_time_text)


def _save_committee(committee: Committee, form: CommitteeForm) -> list[str]:
    changed = []
    for field in ("name", "clerk_name", "clerk_telephone", "clerk_email", "default_venue", "default_time"):
        value = form[field].data
        if isinstance(value, str):
            value = value.strip() or None
        if getattr(committee, field) != value:
            setattr(committee, field, value)
            changed.append(form[field].label.text)
    wanted = parse_members(form.members.data)
    current = [(m.name, m.role) for m in committee.members]
    if wanted != current:
        linked = {m.name: m.user_id for m in committee.members}  # a councillor's sign-in stays with their name
        committee.members.clear()
        db.session.flush()
        for n, (name, role) in enumerate(wanted, start=1):
            committee.members.append(CommitteeMember(name=name, role=role, position=n, user_id=linked.get(name)))
        changed.append("Members")
    return changed


@bp.route("/committees/<int:committee_id>/edit", methods=["GET", "POST"])
@permission_required("manage_committee", Committee)
def edit_committee(committee):
    form = CommitteeForm(obj=committee if request.method == "GET" else None)
    if request.method == "GET":
        form.members.data = members_text(committee)
    if form.validate_on_submit():
        name = form.name.data.strip()
        clash = db.session.scalar(sa.select(Committee.id).where(Committee.name == name, Committee.id != committee.id))
        if clash:
            form.name.errors.append(f"There is already a committee called {name}")
        else:
            changed = _save_committee(committee, form)
            if changed:
                record("committee_edited", committee, data={"changed": changed})
            db.session.commit()
            flash("Saved." if changed else "Nothing had changed.", "success" if changed else "info")
            return redirect(url_for("meetings.committee", committee_id=committee.id))
    return render_template("meetings/committee_form.html", form=form, committee=committee), (
        200 if request.method == "GET" else 400)


@bp.route("/committees/<int:committee_id>/meetings/new", methods=["GET", "POST"])
@permission_required("manage_committee", Committee)
def new_meeting(committee):
    form = MeetingForm()
    if request.method == "GET":
        form.starts_at.data = committee.default_time
        form.venue.data = committee.default_venue
    if form.validate_on_submit() and not 1979 <= form.meets_on.data.year <= 2100:
        form.meets_on.errors = list(form.meets_on.errors) + ["Date must be between 1979 and 2100"]
    elif form.validate_on_submit():
        when = form.meets_on.data
        if db.session.scalar(sa.select(Meeting.id).where(Meeting.committee_id == committee.id, Meeting.meets_on == when)):
            form.meets_on.errors = list(form.meets_on.errors) + [f"The committee already meets on {when:%d/%m/%Y}"]
        else:
            meeting = Meeting(committee_id=committee.id, meets_on=when, starts_at=form.starts_at.data,
                              venue=(form.venue.data or "").strip() or committee.default_venue,
                              municipal_year=dates.municipal_year(when))
            db.session.add(meeting)
            db.session.flush()
            record("meeting_created", meeting, data={"date": str(when)})
            db.session.commit()
            flash(f"Meeting on {dates.format_long_date(when)} added.", "success")
            return redirect(url_for("meetings.committee", committee_id=committee.id))
    return render_template("meetings/meeting_form.html", form=form, committee=committee), (
        200 if request.method == "GET" else 400)


@bp.route("/meetings/")
@permission_required("view_committees")
def meetings():
    """A calendar of meetings: the clerk's committees first, by month."""
    from datetime import date

    scope = scope_for(current_user)
    mine = scope.committees() if not scope.admin else None
    stmt = sa.select(Meeting).join(Committee).where(Meeting.meets_on >= date.today().replace(day=1))
    if mine is not None and mine:
        stmt = stmt.where(Meeting.committee_id.in_(mine))
    rows = db.session.scalars(stmt.order_by(Meeting.meets_on)).all()
    months = {}
    for m in rows:
        months.setdefault(m.meets_on.strftime("%B %Y"), []).append(m)
    return render_template("meetings/meetings.html", months=months, time_text=_time_text,
                           clerk=bool(scope.committees()))


# --- the agenda -------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>")
@permission_required("view_meeting", Meeting)
def meeting(meeting):
    packs = service.packs_of(meeting)
    manage = can(current_user, "manage_meeting", meeting)
    if not packs and not manage:
        abort(404)  # an unpublished agenda is the clerk's draft
    latest = packs[-1] if packs else None
    agenda = json.loads(latest.agenda) if latest else []
    from app.meetings.pack import purpose_blocks

    return render_template("meetings/meeting.html", meeting=meeting, packs=packs, latest=latest, agenda=agenda,
                           manage=manage, time_text=_time_text, dates=dates, purpose_blocks=purpose_blocks)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET"])
@permission_required("manage_meeting", Meeting)
def agenda(meeting):
    items, documents, packs = agenda_page.agenda_rows(meeting)  # rows, not objects (issue 17)
    # The reports that can be added are kept until anything is recorded on the trail (app/cache.py).
    reports = cache.results.get(("agenda report choices", meeting.id), lambda: agenda_page.report_choices(meeting))
    return render_template(
        "meetings/agenda.html", meeting=meeting, items=items, documents=documents,
        reports=reports, packs=packs,
        check=service.publication_check(meeting), dates=dates, time_text=_time_text,
        moved=request.args.get("moved", type=int), moved_dir=request.args.get("dir"), errors={}, typed={})


def _to_agenda(meeting, **args):
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id, **args) + "#agenda-items", 303)


def _seen() -> int | None:
    """The meeting's version on the page the form was on (app/concurrency.py, rule 2)."""
    return request.form.get("version", type=int)


REFUSALS = (service.AgendaError, Refused)


@bp.route("/meetings/<int:meeting_id>/agenda/start", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def start_agenda(meeting):
    try:
        service.start_agenda(meeting, current_user._get_current_object(), version=_seen())
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    flash("The agenda was started with the standing items.", "success")
    return _to_agenda(meeting)


def _agenda_error(meeting, exc):
    """The agenda page again, with the refusal (409) or the problem (400) beside its field, what
    was typed kept, and the agenda as it is now (with its current version)."""
    db.session.rollback()
    items = service.items_of(meeting)
    return render_template(
        "meetings/agenda.html", meeting=meeting, items=items,
        documents=db.session.scalars(sa.select(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id)).all(),
        reports=service.report_choices(meeting.committee, meeting), packs=service.packs_of(meeting),
        check=service.publication_check(meeting), dates=dates, time_text=_time_text, moved=None, moved_dir=None,
        errors={exc.field or "page": str(exc)}, typed=request.form), exc.status


@bp.route("/meetings/<int:meeting_id>/agenda/reports", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def add_report(meeting):
    report_id = request.form.get("report_id", type=int) or 0
    report = db.session.get(Report, report_id) if 0 < report_id < 2**31 else None
    try:
        if report is None:
            raise service.AgendaError("Choose an approved report", "report_id")
        service.add_report_item(meeting, report, current_user._get_current_object(), request.form.get("purpose"),
                                version=_seen())
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    flash(f"“{report.title}” was added to the agenda.", "success")
    return _to_agenda(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/items", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def add_item(meeting):
    try:
        service.add_other_item(meeting, request.form.get("title", ""), request.form.get("item_purpose"),
                               current_user._get_current_object(), request.form.get("to_follow_reason"),
                               version=_seen())
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    flash("The item was added to the agenda.", "success")
    return _to_agenda(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/move", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def move_item(meeting, item_id):
    direction = request.form.get("direction")
    try:
        item = service.item_on(meeting, item_id, _seen())
        if direction not in ("up", "down"):
            abort(400)
        service.move_item(item, direction, current_user._get_current_object(), version=_seen())
    except service.NotOnAgenda:
        abort(404)
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    return _to_agenda(meeting, moved=item.id, dir=direction)


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/remove", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def remove_item(meeting, item_id):
    if request.form.get("ask"):  # the agenda's Remove button: ask first, saying what goes with it
        from app.meetings.editing_routes import confirm_removal

        try:
            return confirm_removal(meeting, service.item_on(meeting, item_id, _seen()))
        except service.NotOnAgenda:
            abort(404)
        except REFUSALS as exc:
            return _agenda_error(meeting, exc)
    try:
        item = service.item_on(meeting, item_id, _seen())
        title = item.title
        service.remove_item(item, current_user._get_current_object(), version=_seen())
    except service.NotOnAgenda:
        abort(404)
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    flash(f"“{title}” was removed from the agenda.", "success")
    return _to_agenda(meeting)


def uploaded_pdf(file) -> bytes:
    """The bytes of the PDF chosen in a form's "document" field, or the refusal beside that field."""
    from app.updates.attachments import AttachmentRefused, sniff

    if file is None or not file.filename:
        raise service.AgendaError("Select a PDF file", "document")
    data = file.read(10 * 1024 * 1024 + 1)
    try:
        if sniff(data, file.filename) != "pdf":
            raise AttachmentRefused("The selected file must be a PDF")
    except AttachmentRefused as exc:
        raise service.AgendaError(str(exc), "document") from None
    return data


@bp.route("/meetings/<int:meeting_id>/documents", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def upload_document(meeting):
    file = request.files.get("document")
    kind = request.form.get("kind")
    item_id = request.form.get("agenda_item_id", type=int)
    if kind not in ("minutes", "annex"):
        abort(400)
    try:
        data = uploaded_pdf(file)
        item = db.session.get(AgendaItem, item_id) if item_id and 0 < item_id < 2**31 else None
        doc = service.add_document(meeting, kind, item, file.filename, data, current_user._get_current_object(),
                                   version=_seen(), title=request.form.get("annex_title") if kind == "annex" else None)
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    flash(f"{doc.filename} was added.", "success")
    return _to_agenda(meeting)


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@permission_required("manage_meeting", Meeting)
def publish(meeting):
    from app.meetings.publishing import MinutesMissing

    try:
        pack = service.publish(meeting, current_user._get_current_object(), request.form.get("change_note"),
                               request.form.get("late_reason"), version=_seen(),
                               without_minutes=bool(request.form.get("without_minutes")))
    except MinutesMissing as exc:
        # A warning, not a refusal: the clerk may publish without the minutes, having been told.
        db.session.rollback()
        return render_template(
            "meetings/confirm.html", meeting=meeting, dates=dates, title="Publish without the minutes?",
            heading="Publish without the minutes?", consequences=[str(exc)],
            action=url_for("meetings.publish", meeting_id=meeting.id), page=url_for("meetings.agenda",
                                                                                    meeting_id=meeting.id),
            button="Publish without the minutes", back=url_for("meetings.agenda", meeting_id=meeting.id) + "#publish",
            hidden={"version": request.form.get("version", ""), "change_note": request.form.get("change_note", ""),
                    "late_reason": request.form.get("late_reason", ""), "without_minutes": "yes"})
    except REFUSALS as exc:
        return _agenda_error(meeting, exc)
    except ValueError as exc:  # an unreadable PDF in the pack
        return _agenda_error(meeting, service.AgendaError(str(exc)))
    flash(f"Version {pack.number} of the agenda pack was published ({pack.page_count} pages).", "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id), 303)


@bp.route("/meetings/<int:meeting_id>/pack-<int:number>.pdf")
@permission_required("view_meeting", Meeting)
def pack(meeting, number):
    found = db.session.scalar(sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                          AgendaPack.number == number,
                                                          AgendaPack.confidential.is_(False)))
    if found is None:
        abort(404)
    name = f"agenda-pack-{meeting.meets_on:%Y-%m-%d}-v{number}.pdf"
    return Response(found.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "X-Content-SHA256": found.sha256})
