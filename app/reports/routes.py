"""Report pages: list, create, read, write, compile, submit, approve or return, compare
versions, and the PDF."""
import difflib
import json
import re
import secrets
from collections import namedtuple
from functools import cache as cache_statement

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from markupsafe import Markup
from sqlalchemy.orm import joinedload, load_only, selectinload
from wtforms import HiddenField, SelectMultipleField, SubmitField
from wtforms.validators import Length, Optional

from app import cache
from app.extensions import db
from app.forms import ChoiceField, StringField, TextAreaField, VersionField
from app.htmx import wants_partial
from app.models import Plan, Report, ReportingPeriod, Role, TrailEvent, User
from app.permissions import can, permission_required, scope_for
from app.reports import bp, service
from app.reports import content as C


class NewReportForm(FlaskForm):
    title = StringField("Title", description="For example, Children's Specialist Services: progress in Q1 2019/20",
                        widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    plan_ids = SelectMultipleField("Plans", widget=GovCheckboxesInput(), choices=[], validate_choice=True)
    period_id = ChoiceField("Reporting period", widget=GovSelect(), validators=[Optional()])
    author_id = ChoiceField("Author", description="The officer who will write the report", widget=GovSelect(),
                            validators=[Optional()])
    # One-time token: the report is created once per form, however often it is sent.
    form_token = HiddenField()
    submit = SubmitField("Create and compile the report", widget=GovSubmitInput())


def _section_form(data: dict | None = None):
    class SectionsForm(FlaskForm):
        version = VersionField()

    for key, heading, _ in C.SECTIONS:
        setattr(SectionsForm, key, TextAreaField(heading, widget=GovTextArea(), validators=[Optional()]))
    for key, label in C.IMPLICATIONS:
        setattr(SectionsForm, f"implications_{key}", TextAreaField(label, widget=GovTextArea(), validators=[Optional()]))
    setattr(SectionsForm, "wards_affected", StringField("Wards affected", widget=GovTextInput(), validators=[Optional()]))
    setattr(SectionsForm, "annexes", TextAreaField("Annexes", description="One annex a line",
                                                   widget=GovTextArea(), validators=[Optional()]))
    setattr(SectionsForm, "abbreviations", TextAreaField(
        "Abbreviations", description="One a line, like: SEND - Special Educational Needs and Disability",
        widget=GovTextArea(), validators=[Optional()]))
    return SectionsForm(data=data) if data is not None else SectionsForm()


SECTION_HINTS = {
    "summary": "What the report is about and what it asks the committee to do.",
    "progress": "Your commentary on progress. The tables of actions and indicators follow it, compiled from what is signed off.",
    "recommendations": "What the committee is asked to do.",
}


PAPER_HINTS = SECTION_HINTS | {  # committee papers (issue 14)
    "summary": "What the paper is about and what it asks the committee to do.",
    "progress": "The body of the paper: the options, the analysis, what the committee needs to know.",
}


@bp.route("/reports/")
@permission_required("list_reports")
def index():
    reports = db.session.scalars(
        sa.select(Report).options(selectinload(Report.plans), selectinload(Report.period))
        .order_by(Report.updated_at.desc())).all()
    visible = [r for r in reports if can(current_user, "view_report", r)]
    from app.models import AgendaItem, Meeting

    agendas = {}  # report id -> the meetings whose agendas have it
    for report_id, meeting in db.session.execute(
            sa.select(AgendaItem.report_id, Meeting).join(Meeting, AgendaItem.meeting_id == Meeting.id)
            .where(AgendaItem.report_id.in_([r.id for r in visible] or [-1])).order_by(Meeting.meets_on)):
        agendas.setdefault(report_id, []).append(meeting)
    clerk = bool(scope_for(current_user).committees())
    return render_template("reports/index.html", reports=visible, agendas=agendas, clerk=clerk,
                           can_create=can(current_user, "create_report"),
                           can_write_paper=can(current_user, "write_paper"))


@bp.route("/reports/new", methods=["GET", "POST"])
@permission_required("create_report")
def new():
    scope = scope_for(current_user)
    plans_q = sa.select(Plan).options(selectinload(Plan.service)).order_by(Plan.title)
    if not scope.admin:
        plans_q = plans_q.where(Plan.service_id.in_(scope.services(Role.HEAD_OF_SERVICE)))
    plans = db.session.scalars(plans_q).all()
    periods = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.ends_on.desc())).all()
    people = officers_of({p.service_id for p in plans}, also=current_user._get_current_object())
    form = NewReportForm()
    form.plan_ids.choices = [(str(p.id), f"{p.service.name}: {p.title}") for p in plans]
    form.period_id.choices = [("", "Choose a period")] + [(str(p.id), p.name) for p in periods]
    form.author_id.choices = [(str(u.id), u.name + (f" ({u.job_title})" if u.job_title else "")) for u in people]
    if request.method == "GET":
        form.author_id.data = str(current_user.id)
        form.form_token.data = secrets.token_urlsafe(32)
        if len(plans) == 1:
            form.plan_ids.data = [str(plans[0].id)]
    refused = existing = None
    token_ok = bool(re.fullmatch(r"[A-Za-z0-9_-]{20,64}", form.form_token.data or ""))
    if request.method == "POST" and not token_ok:
        form.form_token.data = secrets.token_urlsafe(32)  # so that the corrected form can be sent
    if form.validate_on_submit():
        chosen = [p for p in plans if str(p.id) in (form.plan_ids.data or [])]
        period = db.session.get(ReportingPeriod, int(form.period_id.data)) if form.period_id.data else None
        author = db.session.get(User, int(form.author_id.data)) if form.author_id.data else None
        problems = service.new_report_problems(form.title.data, chosen, period)
        for field, message in problems.items():
            form[field].errors = list(form[field].errors) + [message]
        if not problems and not token_ok:
            # A form from before the token, or made by hand: like a missing version, refused.
            refused = ("This form was out of date, so nothing was created. Check the details, "
                       "then create the report again.")
        if not problems and token_ok:
            try:
                report = service.create_report(form.title.data, chosen, period, current_user._get_current_object(),
                                               author=author, form_token=form.form_token.data)
            except service.AlreadyCreated as exc:
                db.session.rollback()
                refused, existing = str(exc), exc.report
            except service.Invalid as exc:
                db.session.rollback()
                for field, message in exc.problems.items():
                    form[field].errors = list(form[field].errors) + [message]
            except service.ReportError as exc:
                db.session.rollback()
                form.plan_ids.errors = list(form.plan_ids.errors) + [str(exc)]
            else:
                flash("The report was created and compiled from what is signed off.", "success")
                return redirect(url_for("reports.show", report_id=report.id))
    status = 200 if request.method == "GET" else (409 if refused else 400)
    return render_template("reports/new.html", form=form, refused=refused, existing=existing), status


def officers_of(service_ids: set[int], also=None) -> list[User]:
    """The people who work in these services, to offer as a report's author: those holding a
    role in one of them (or in its directorate), and the owners of their plans' actions and
    indicators; and `also` (the person creating the report). Not everyone in Docket."""
    from app.models import Action, Indicator, RoleAssignment, Service

    if not service_ids:
        return [also] if also is not None else []
    directorates = sa.select(Service.directorate_id).where(Service.id.in_(service_ids))
    in_plans = sa.select(Plan.id).where(Plan.service_id.in_(service_ids))
    ids = sa.union(
        sa.select(RoleAssignment.user_id).where(sa.or_(RoleAssignment.service_id.in_(service_ids),
                                                       RoleAssignment.directorate_id.in_(directorates))),
        sa.select(Action.owner_id).where(Action.plan_id.in_(in_plans), Action.owner_id.is_not(None)),
        sa.select(Indicator.owner_id).where(Indicator.plan_id.in_(in_plans), Indicator.owner_id.is_not(None)),
    )
    people = db.session.scalars(sa.select(User).where(User.active.is_(True), User.id.in_(ids))
                                .order_by(User.name, User.id)).all()
    if also is not None and all(p.id != also.id for p in people):
        people = sorted([*people, also], key=lambda p: (p.name, p.id))
    return people


@cache_statement
def _page_statements() -> dict:
    """The report page's statements, built once with the report's id as a parameter (issue 17):
    building them cost about as much as running them."""
    from app.models import ReportVersion

    report_id = sa.bindparam("report_id")
    rv, us = ReportVersion.__table__, User.__table__
    return {
        # The people, period and committee the page names, in one query rather than one each.
        "named": sa.select(Report).where(Report.id == report_id).options(
            load_only(Report.id), joinedload(Report.author), joinedload(Report.chief_officer),
            joinedload(Report.period), joinedload(Report.committee)),
        "versions": (sa.select(rv.c.number, rv.c.approved_at, rv.c.content_hash, rv.c.approved_by_id, us.c.name,
                               us.c.job_title)
                     .select_from(rv.outerjoin(us, rv.c.approved_by_id == us.c.id))
                     .where(rv.c.report_id == report_id).order_by(rv.c.number)),
        "trail": (sa.select(TrailEvent).where(TrailEvent.object_type == "report", TrailEvent.object_id == report_id)
                  .order_by(TrailEvent.seq.desc())),
    }


def _trail_of(report) -> list:
    return db.session.scalars(_page_statements()["trail"], {"report_id": report.id}).all()


def _context(report, data=None, version=None, with_trail=True, versions=None):
    data = data if data is not None else service.get_content(report)
    versions = versions if versions is not None else versions_of(report)
    trail = _trail_of(report) if with_trail else []
    from app.reports.papers import sections_for

    return dict(report=report, data=data, sections=sections_for(report, data), implications=C.IMPLICATIONS,
                committee_name=service.committee_name(report),
                abbreviations=C.abbreviations(data), compiled=data.get("compiled") or {},
                changes=data.get("changes") or {}, version=version, trail=trail,
                working_list=(data.get("compiled") or {}).get("not_signed_off") or [],
                approved=[v for v in versions if v.approved_at is not None], has_versions=bool(versions))


VersionRow = namedtuple("VersionRow", "number approved_at content_hash approved_by")
Person = namedtuple("Person", "name job_title")


def versions_of(report) -> list[VersionRow]:
    """The report's versions as its page shows them (number, when and by whom approved, the
    hash), oldest first, in one query: not the versions' frozen content, which it does not show."""
    rows = db.session.execute(_page_statements()["versions"], {"report_id": report.id}).all()
    return [VersionRow(number, at, digest, Person(name, job_title) if by_id is not None else None)
            for number, at, digest, by_id, name, job_title in rows]


@bp.route("/reports/<int:report_id>")
@permission_required("view_report", Report)
def show(report):
    """The report page. The report itself, rendered, is kept until anything is recorded on the
    trail (app/cache.py); the rest of the page (what this person may do, the versions, the
    trail) is read each time."""
    # The people, period and committee the page names, in one query rather than one each (the
    # report itself is loaded already and is not read again).
    db.session.execute(_page_statements()["named"], {"report_id": report.id}).all()
    data = service.get_content(report)  # read once: the working list and the document use it
    versions = versions_of(report)
    approved = [v for v in versions if v.approved_at is not None]

    def document():
        return Markup(render_template("reports/_document.html", title_tag="p",
                                      **_context(report, data=data, with_trail=False, versions=versions)))

    trail = _trail_of(report)
    return render_template(
        "reports/show.html", report=report, trail=trail, comment_error=None, approved=approved,
        has_versions=bool(versions),
        can_edit=can(current_user, "edit_report", report), can_approve=can(current_user, "approve_report", report),
        working_list=(data.get("compiled") or {}).get("not_signed_off") or [],
        document=cache.results.get(("report document", report.id, report.version), document))


def _back(report):
    return redirect(url_for("reports.show", report_id=report.id))


def _refuse(report, exc, status=409, comment_error=None):
    db.session.rollback()
    ctx = _context(db.session.get(Report, report.id))
    ctx.update(can_edit=can(current_user, "edit_report", report), can_approve=can(current_user, "approve_report", report),
               page_error=str(exc) if not comment_error else None, comment_error=comment_error,
               comment=request.form.get("comment", ""))
    return render_template("reports/show.html", **ctx), status


def _version_arg():
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@permission_required("edit_report", Report)
def edit(report):
    data = service.get_content(report)
    form = _section_form() if request.method == "POST" else _section_form({k: data.get(k, "") for k in C.EDITABLE})
    if request.method == "GET":
        form.version.data = report.version
    if report.is_paper:  # a paper has no compiled Progress section: its analysis stands there
        form.progress.label.text = "Analysis"
    page_error = None
    if form.validate_on_submit():
        values = {k: form[k].data for k in C.EDITABLE}
        try:
            changed = service.save_sections(report, values, form.version.data, current_user._get_current_object())
        except service.Invalid as exc:
            db.session.rollback()
            for field, message in exc.problems.items():
                form[field].errors = list(form[field].errors) + [message]
        except service.ReportError as exc:
            db.session.rollback()
            page_error = str(exc)
            form.version.data = db.session.get(Report, report.id).version
        else:
            if wants_partial():
                return render_template("reports/_autosave.html", report=report)
            flash("Your changes were saved." if changed else "Nothing had changed.", "success" if changed else "info")
            return _back(report)
    if wants_partial():
        return render_template("reports/_autosave.html", report=report, message=page_error or "Not saved yet")
    status = 200 if request.method == "GET" else (409 if page_error else 400)
    return render_template("reports/edit.html", report=report, form=form,
                           hints=PAPER_HINTS if report.is_paper else SECTION_HINTS,
                           page_error=page_error, sections=C.SECTIONS, implications=C.IMPLICATIONS, limits=C), status


@bp.route("/reports/<int:report_id>/compile", methods=["POST"])
@permission_required("edit_report", Report)
def recompile(report):
    try:
        service.recompile(report, _version_arg(), current_user._get_current_object())
    except service.ReportError as exc:
        return _refuse(report, exc)
    flash("The report was compiled again from what is signed off now.", "success")
    return _back(report)


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@permission_required("edit_report", Report)
def submit(report):
    try:
        service.submit(report, _version_arg(), current_user._get_current_object())
    except service.Invalid as exc:
        return _refuse(report, " ".join(exc.problems.values()), status=400)
    except service.ReportError as exc:
        return _refuse(report, exc)
    flash("Submitted for approval.", "success")
    return _back(report)


@bp.route("/reports/<int:report_id>/approve", methods=["POST"])
@permission_required("approve_report", Report)
def approve(report):
    try:
        frozen = service.approve(report, _version_arg(), current_user._get_current_object())
    except service.ReportError as exc:
        return _refuse(report, exc)
    flash(f"Version {frozen.number} approved.", "success")
    return _back(report)


@bp.route("/reports/<int:report_id>/return", methods=["POST"])
@permission_required("approve_report", Report)
def return_report(report):
    try:
        service.return_report(report, request.form.get("comment", ""), _version_arg(), current_user._get_current_object())
    except service.Invalid as exc:
        return _refuse(report, exc, status=400, comment_error=exc.problems["comment"])
    except service.ReportError as exc:
        return _refuse(report, exc)
    flash("Returned to the author with your comment.", "success")
    return _back(report)


@bp.route("/reports/<int:report_id>/compare")
@permission_required("view_report", Report)
def compare(report):
    versions = {v.number: v for v in report.versions if v.approved_at is not None}
    numbers = sorted(versions)
    current = service.get_content(report)
    has_draft = report.version_number not in versions  # a version being written, not yet approved
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a not in versions:
        a = None if not numbers else numbers[-1] if has_draft or len(numbers) < 2 else numbers[-2]
    if b not in versions:
        b = None if has_draft else (numbers[-1] if numbers else None)
    left = json.loads(versions[a].content) if a in versions else None
    right = json.loads(versions[b].content) if b in versions else current
    right_label = f"Version {b}" if b in versions else f"Version {report.version_number} (draft)"
    # Nothing to compare: no approved version, or one version and no draft after it, or a
    # version chosen twice.
    nothing = (not numbers or (len(numbers) == 1 and not has_draft) or a == b)
    if nothing:
        left = None
    rows = []
    if left is not None:
        old, new = C.as_lines(left), C.as_lines(right)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if tag == "equal":
                rows.extend(("same", line, line) for line in old[i1:i2])
            else:
                for k in range(max(i2 - i1, j2 - j1)):
                    o = old[i1 + k] if i1 + k < i2 else None
                    n = new[j1 + k] if j1 + k < j2 else None
                    rows.append(("changed", o, n))
    return render_template("reports/compare.html", report=report, rows=rows, numbers=numbers, a=a, b=b,
                           has_draft=has_draft, same_chosen=bool(numbers) and a == b and len(numbers) + has_draft > 1,
                           left_label=f"Version {a}" if left is not None else None, right_label=right_label)


@bp.route("/reports/<int:report_id>/report.pdf")
@permission_required("view_report", Report)
def pdf(report):
    """An approved version's PDF as it was built at approval (the latest approved version when
    the report is approved or published and no version is asked for); a draft's, built now."""
    from app.reports.pdf import approved_pdf, render_pdf

    number = request.args.get("version", type=int)
    approved = [v for v in report.versions if v.approved_at is not None]
    version = next((v for v in approved if v.number == number), None) if number else None
    if number and version is None:
        abort(404)
    if version is None and report.state.value in ("approved", "published") and approved:
        version = approved[-1]
    if version is not None:
        pdf_bytes = approved_pdf(report, version)
    else:
        pdf_bytes = render_pdf(report, service.get_content(report), None)
    name = f"report-{report.id}-v{version.number if version else report.version_number}.pdf"
    return Response(pdf_bytes, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
