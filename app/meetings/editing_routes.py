"""The clerk's editing tools as pages: edit, reschedule or cancel a meeting; edit an agenda item;
remove an item (asking first, saying what goes with it); replace or remove a paper or annex.

Every page works without JavaScript; every change goes through app/meetings/editing.py with
the meeting's version from the page, so a stale page or a double-click is refused (409) with
who acted, and bad input is shown beside its field (400) with nothing stored.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SubmitField
from wtforms.validators import Length, Optional

from app.concurrency import Refused
from app.extensions import db
from app.forms import StringField, TextAreaField, UKDateField, VersionField
from app.meetings import bp, dates, editing, service
from app.meetings.routes import TimeField, _time_text, uploaded_pdf
from app.models import Meeting
from app.permissions import permission_required

REFUSALS = (service.AgendaError, Refused)


class EditMeetingForm(FlaskForm):
    version = VersionField()
    meets_on = UKDateField("Date", required=True, description="For example, 24 9 2019. A new date reschedules "
                                                              "the meeting: the trail records the old and new date.")
    starts_at = TimeField("Time", description="For example, 5.30pm", widget=GovTextInput())
    venue = StringField("Venue", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class CancelMeetingForm(FlaskForm):
    version = VersionField()
    reason = TextAreaField("Why is the meeting cancelled?", description="Shown on the meeting's page and recorded "
                           "on the trail, for example: Cancelled as there is no business to transact.",
                           widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Cancel the meeting", widget=GovSubmitInput())


class EditItemForm(FlaskForm):
    version = VersionField()
    title = StringField("Title", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    purpose = TextAreaField("Purpose", description='The wording under the title. Start a line with "- " for a '
                            "bullet point.", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


def _me():
    return current_user._get_current_object()


def _refused(form_or_errors, exc, template, status=None, **context):
    db.session.rollback()
    field = getattr(exc, "field", None)
    if hasattr(form_or_errors, "_fields"):
        target = form_or_errors[field] if field in form_or_errors._fields else None
        if target is not None:
            target.errors = list(target.errors) + [str(exc)]
        else:
            context["problem"] = str(exc)
    return render_template(template, **context), status or exc.status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@permission_required("manage_meeting", Meeting)
def edit_meeting(meeting):
    form = EditMeetingForm(obj=meeting if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = meeting.version
    context = dict(form=form, meeting=meeting, dates=dates, problem=None)
    if form.validate_on_submit():
        try:
            changes = editing.edit_meeting(meeting, form.meets_on.data, form.starts_at.data, form.venue.data, _me(),
                                           version=form.version.data)
        except REFUSALS as exc:
            return _refused(form, exc, "meetings/meeting_edit.html", **context)
        if "Date" in changes:
            flash(f"The meeting was moved to {changes['Date'][1]}.", "success")
        else:
            flash("Saved." if changes else "Nothing had changed.", "success" if changes else "info")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id), 303)
    return render_template("meetings/meeting_edit.html", **context), 200 if request.method == "GET" else 400


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@permission_required("manage_meeting", Meeting)
def cancel_meeting(meeting):
    form = CancelMeetingForm()
    if request.method == "GET":
        form.version.data = meeting.version
    context = dict(form=form, meeting=meeting, dates=dates, problem=None)
    if meeting.cancelled_at is not None and request.method == "GET":
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    if form.validate_on_submit():
        try:
            editing.cancel_meeting(meeting, form.reason.data, _me(), version=form.version.data)
        except REFUSALS as exc:
            return _refused(form, exc, "meetings/meeting_cancel.html", **context)
        flash("The meeting was cancelled. Its page says so, with the reason.", "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id), 303)
    return render_template("meetings/meeting_cancel.html", **context), 200 if request.method == "GET" else 400


def _item(meeting, item_id):
    try:
        return service.item_on(meeting, item_id)
    except service.NotOnAgenda:
        abort(404)


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/edit", methods=["GET", "POST"])
@permission_required("manage_meeting", Meeting)
def edit_item(meeting, item_id):
    item = _item(meeting, item_id)
    form = EditItemForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = meeting.version
    context = dict(form=form, meeting=meeting, item=item, dates=dates, problem=None)
    if form.validate_on_submit():
        try:
            changes = editing.edit_item(item, form.title.data, form.purpose.data, _me(), version=form.version.data)
        except REFUSALS as exc:
            return _refused(form, exc, "meetings/item_edit.html", **context)
        flash(f"“{item.title}” was saved." if changes else "Nothing had changed.", "success" if changes else "info")
        return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item.id}", 303)
    return render_template("meetings/item_edit.html", **context), 200 if request.method == "GET" else 400


def confirm_removal(meeting, item, page: str | None = None):
    """The question before an item is removed, saying what goes with it; its button posts to
    the removal itself (from `page`, the address the person is on: the agenda, or this page)."""
    if item.standing:
        raise service.AgendaError(f"“{item.title}” is a standing item: every agenda has it. "
                                  "You can change its wording.")
    return render_template(
        "meetings/confirm.html", meeting=meeting, dates=dates,
        heading=f"Remove “{item.title}” from the agenda?", consequences=editing.what_goes_with(item),
        action=url_for("meetings.remove_item", meeting_id=meeting.id, item_id=item.id),
        page=page if page is not None else url_for("meetings.agenda", meeting_id=meeting.id),
        button="Yes, remove it", back=url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item.id}",
        hidden={"version": meeting.version}, title="Remove an agenda item")


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/remove", methods=["GET"])
@permission_required("manage_meeting", Meeting)
def confirm_remove_item(meeting, item_id):
    """The same question at the removal's own address (a link, or a bookmark)."""
    item = _item(meeting, item_id)
    if item.standing:
        abort(404)
    return confirm_removal(meeting, item, page=request.path)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/replace", methods=["GET", "POST"])
@permission_required("manage_meeting", Meeting)
def replace_document(meeting, document_id):
    doc = editing.document_on(meeting, document_id)
    if doc is None:
        abort(404)
    errors, status = {}, 200
    if request.method == "POST":
        file = request.files.get("document")
        try:
            data = uploaded_pdf(file)
            editing.replace_document(doc, file.filename, data, _me(), title=request.form.get("title"),
                                     version=request.form.get("version", type=int))
        except REFUSALS as exc:
            db.session.rollback()
            errors, status = {exc.field or "page": str(exc)}, exc.status
        else:
            flash(f"{editing.document_label(doc)} was replaced with {file.filename}.", "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id), 303)
    return render_template("meetings/document_replace.html", meeting=meeting, doc=doc, dates=dates, errors=errors,
                           typed=request.form, label=editing.document_label(doc)), status


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/remove", methods=["GET", "POST"])
@permission_required("manage_meeting", Meeting)
def remove_document(meeting, document_id):
    doc = editing.document_on(meeting, document_id)
    if doc is None:
        abort(404)
    label = editing.document_label(doc)
    if request.method == "POST":
        try:
            editing.remove_document(doc, _me(), version=request.form.get("version", type=int))
        except REFUSALS as exc:
            db.session.rollback()
            problem, status = str(exc), exc.status
        else:
            flash(f"{label} was removed.", "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id), 303)
    else:
        problem, status = None, 200
    what = "the minutes of the previous meeting" if doc.kind == "minutes" else "this annex"
    return render_template(
        "meetings/confirm.html", meeting=meeting, dates=dates, heading=f"Remove “{label}”?",
        consequences=[f"It is {what}; it will not be in the next version of the pack. Versions already "
                      "published keep it."],
        action=url_for("meetings.remove_document", meeting_id=meeting.id, document_id=doc.id),
        button="Yes, remove it", back=url_for("meetings.agenda", meeting_id=meeting.id),
        hidden={"version": meeting.version}, title="Remove a PDF", problem=problem), status


__all__ = ["_time_text"]
