"""Committee paper pages (issue 14): write a paper, upload a Word or PDF paper, its annexes,
and the clerk's view of each meeting's papers (expected, in progress, approved, late) with a
way to chase the author.

A paper is a report: once created, it is read, edited, submitted, approved and returned on the
report pages (app/reports/routes.py), through the same functions.
"""
import re
import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import FileField, HiddenField, SubmitField
from wtforms.validators import Length, Optional

from app.concurrency import Refused
from app.extensions import db
from app.forms import ChoiceField, StringField, TextAreaField
from app.models import Meeting, Report, ReportAnnex, Service, User, WorkPlanEntry
from app.permissions import can, permission_required
from app.reports import bp, papers, papers_due
from app.reports import service as R

UPLOAD_LIMIT = 10 * 1024 * 1024


class PaperForm(FlaskForm):
    title = StringField("Title", description="For example, Children's Social Care Improvement Plan: progress",
                        widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    service_id = ChoiceField("Service", description="The service the paper comes from", widget=GovSelect(),
                             validators=[Optional()])
    meeting_id = ChoiceField("Meeting", description="The committee meeting the paper is for", widget=GovSelect(),
                             validators=[Optional()])
    form_token = HiddenField()
    entry_id = HiddenField()
    submit = SubmitField("Create the paper", widget=GovSubmitInput())


class UploadPaperForm(PaperForm):
    title = StringField("Title", description="Leave blank to take the title from the Word paper",
                        widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    file = FileField("The paper", description="A Word (.docx) or PDF file, up to 10 MB", widget=GovFileInput())
    summary = TextAreaField("Summary", description="What the paper is about and what it asks the committee to do. "
                            "Leave blank to take it from the Word paper's Summary section.",
                            widget=GovTextArea(), validators=[Optional()])
    recommendations = TextAreaField("Recommendations", description="What the committee is asked to do. Leave blank "
                                    "to take them from the Word paper.", widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Upload the paper", widget=GovSubmitInput())


def _me():
    return current_user._get_current_object()


def _choices(form):
    services = papers.writable_services(_me())
    meetings = papers.meetings_ahead()
    form.service_id.choices = [("", "Choose a service")] + [(str(s.id), s.name) for s in services]
    form.meeting_id.choices = [("", "Choose a meeting")] + [(str(m.id), papers.meeting_label(m)) for m in meetings]
    return services, meetings


def _get(model, value):
    value = str(value or "")
    return db.session.get(model, int(value)) if value.isdigit() and 0 < int(value) < 2**31 else None


def _prefill(form, services):
    """From the clerk's papers page: ?entry=<work plan item> names the meeting and the title."""
    form.form_token.data = secrets.token_urlsafe(32)
    entry = _get(WorkPlanEntry, request.args.get("entry"))
    if entry is not None and entry.meeting is not None:
        form.title.data = entry.title
        form.meeting_id.data = str(entry.meeting_id)
        form.entry_id.data = str(entry.id)
    if len(services) == 1:
        form.service_id.data = str(services[0].id)


def _create(form, template, source=None, **extra):
    """Create the paper from the form; the page again, with what was wrong beside each field."""
    refused = existing = None
    token_ok = bool(re.fullmatch(r"[A-Za-z0-9_-]{20,64}", form.form_token.data or ""))
    if not token_ok:
        form.form_token.data = secrets.token_urlsafe(32)
        refused = "This form was out of date, so nothing was created. Check the details, then send it again."
    else:
        entry = _get(WorkPlanEntry, form.entry_id.data)
        try:
            report = papers.create_paper(
                form.title.data, _get(Service, form.service_id.data), _get(Meeting, form.meeting_id.data), _me(),
                form_token=form.form_token.data, source=source, entry=entry, **extra)
        except R.AlreadyCreated as exc:
            db.session.rollback()
            refused, existing = str(exc), exc.report
        except R.Invalid as exc:
            db.session.rollback()
            for field, message in exc.problems.items():
                form[field].errors = list(form[field].errors) + [message]
        else:
            if source is None:
                flash("The paper was created. Write its sections, then submit it for approval.", "success")
                return redirect(url_for("reports.edit", report_id=report.id), 303)
            flash("The paper was uploaded. Check it, add any annexes, then submit it for approval.", "success")
            return redirect(url_for("reports.show", report_id=report.id), 303)
    return render_template(template, form=form, refused=refused, existing=existing), 409 if refused else 400


@bp.route("/reports/papers/new", methods=["GET", "POST"])
@permission_required("write_paper")
def new_paper():
    form = PaperForm()
    services, _ = _choices(form)
    if request.method == "GET":
        _prefill(form, services)
        return render_template("reports/papers/new.html", form=form)
    if not form.validate_on_submit():
        return render_template("reports/papers/new.html", form=form), 400
    return _create(form, "reports/papers/new.html")


@bp.route("/reports/papers/upload", methods=["GET", "POST"])
@permission_required("write_paper")
def upload_paper():
    from app.updates.attachments import AttachmentRefused, _safe_name, sniff

    form = UploadPaperForm()
    services, _ = _choices(form)
    if request.method == "GET":
        _prefill(form, services)
        return render_template("reports/papers/upload.html", form=form)
    if not form.validate_on_submit():
        return render_template("reports/papers/upload.html", form=form), 400
    upload = request.files.get("file")
    source = None
    if upload is None or not upload.filename:
        form.file.errors = ["Select the paper: a Word (.docx) or PDF file"]
    else:
        raw = upload.read(UPLOAD_LIMIT + 1)
        try:
            kind = sniff(raw, upload.filename)
            if kind not in ("docx", "pdf"):
                raise AttachmentRefused("The paper must be a Word (.docx) or PDF file: an Excel file can be an annex")
        except AttachmentRefused as exc:
            form.file.errors = [str(exc)]
        else:
            source = (_safe_name(upload.filename), papers.DOCX if kind == "docx" else papers.PDF, raw)
    if source is None:
        return render_template("reports/papers/upload.html", form=form), 400
    return _create(form, "reports/papers/upload.html", source=source, summary=form.summary.data,
                   recommendations=form.recommendations.data)


# --- the uploaded file and the annexes ---------------------------------------------------

def _download(data: bytes, content_type: str, filename: str) -> Response:
    safe = re.sub(r'[^\w.\- ()]', "_", filename) or "file"
    disposition = "inline" if content_type == papers.PDF else "attachment"
    return Response(data, mimetype=content_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{safe}"',
                             "X-Content-Type-Options": "nosniff"})


@bp.route("/reports/<int:report_id>/paper-file")
@permission_required("view_report", Report)
def paper_file(report):
    """The Word or PDF paper as it was uploaded."""
    if report.source_data is None:
        abort(404)
    return _download(report.source_data, report.source_content_type, report.source_filename or "paper")


def _annex_of(report, annex_id) -> ReportAnnex:
    annex = db.session.get(ReportAnnex, annex_id) if 0 < annex_id < 2**31 else None
    if annex is None or annex.report_id != report.id:
        abort(404)
    return annex


@bp.route("/reports/<int:report_id>/annexes/<int:annex_id>")
@permission_required("view_report", Report)
def annex_file(report, annex_id):
    annex = _annex_of(report, annex_id)
    ext = {papers.PDF: ".pdf", papers.DOCX: ".docx", papers.XLSX: ".xlsx"}.get(annex.content_type, "")
    return _download(annex.data, annex.content_type, f"Annex {annex.letter} - {annex.title}"[:150] + ext)


def _report_page(report, status, page_error=None, annex_errors=None):
    from app.reports.routes import _context

    db.session.rollback()
    report = db.session.get(Report, report.id)
    ctx = _context(report)
    ctx.update(can_edit=can(current_user, "edit_report", report), can_approve=can(current_user, "approve_report", report),
               page_error=page_error, comment_error=None, annex_errors=annex_errors or {},
               annex_title=request.form.get("annex_title", ""))
    return render_template("reports/show.html", **ctx), status


def _version():
    return request.form.get("version", type=int)


@bp.route("/reports/<int:report_id>/annexes", methods=["POST"])
@permission_required("edit_report", Report)
def add_annex(report):
    from app.updates.attachments import AttachmentRefused, _safe_name, sniff

    upload = request.files.get("annex_file")
    errors = {}
    if upload is None or not upload.filename:
        errors["annex_file"] = "Select the annex: a PDF, Word (.docx) or Excel (.xlsx) file"
    else:
        raw = upload.read(UPLOAD_LIMIT + 1)
        try:
            kind = sniff(raw, upload.filename)
            if kind not in papers.ANNEX_KINDS:
                raise AttachmentRefused("The annex must be a PDF, Word (.docx) or Excel (.xlsx) file")
        except AttachmentRefused as exc:
            errors["annex_file"] = str(exc)
    if not " ".join(request.form.get("annex_title", "").split()):
        errors["annex_title"] = "Enter the annex's title, for example Improvement Board Dashboard"
    if errors:
        return _report_page(report, 400, annex_errors=errors)
    try:
        annex = papers.add_annex(report, request.form.get("annex_title"), _safe_name(upload.filename),
                                 papers.ANNEX_KINDS[kind], raw, _version(), _me())
    except R.Invalid as exc:
        return _report_page(report, 400, annex_errors=exc.problems)
    except R.ReportError as exc:
        return _report_page(report, 409, page_error=str(exc))
    flash(f"{annex.heading} was added.", "success")
    return redirect(url_for("reports.show", report_id=report.id), 303)


@bp.route("/reports/<int:report_id>/annexes/<int:annex_id>/remove", methods=["POST"])
@permission_required("edit_report", Report)
def remove_annex(report, annex_id):
    annex = _annex_of(report, annex_id)
    heading = annex.heading
    try:
        papers.remove_annex(annex, _version(), _me())
    except R.ReportError as exc:
        return _report_page(report, 409, page_error=str(exc))
    flash(f"{heading} was removed.", "success")
    return redirect(url_for("reports.show", report_id=report.id), 303)


# --- the clerk's view of a meeting's papers -------------------------------------------------

def _papers_page(meeting, status=200, errors=None):
    return render_template("reports/papers/meeting.html", meeting=meeting, rows=papers_due.papers_for(meeting),
                           deadline=papers_due.deadline(meeting), people=papers_due.people_to_chase(),
                           may_read=lambda report: can(current_user, "view_report", report),
                           errors=errors or {}, typed=request.form if errors else {}), status


@bp.route("/meetings/<int:meeting_id>/papers")
@permission_required("view_meeting_papers", Meeting)
def meeting_papers(meeting):
    return _papers_page(meeting)


@bp.route("/meetings/<int:meeting_id>/papers/chase", methods=["POST"])
@permission_required("chase_paper", Meeting)
def chase_paper(meeting):
    report = _get(Report, request.form.get("report_id"))
    entry = _get(WorkPlanEntry, request.form.get("entry_id"))
    person = _get(User, request.form.get("person_id"))
    try:
        chased = papers_due.chase(meeting, _me(), report=report, entry=entry, person=person,
                                  message=request.form.get("message"))
    except papers_due.ChaseError as exc:
        db.session.rollback()
        return _papers_page(meeting, 400, {exc.field: str(exc)})
    except Refused as exc:
        db.session.rollback()
        return _papers_page(meeting, 409, {"page": str(exc)})
    flash(f"{chased.name} was sent a reminder.", "success")
    return redirect(url_for("reports.meeting_papers", meeting_id=meeting.id), 303)
