"""Work plan pages: per committee and municipal year; printable and exportable."""
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.concurrency import Refused
from app.extensions import db
from app.meetings import bp, workplan
from app.meetings.routes import _time_text
from app.models import Committee, Meeting, Report, WorkPlanEntry
from app.permissions import can, permission_required

REFUSALS = (workplan.WorkPlanError, Refused)


def _year(committee: Committee) -> str:
    years = workplan.years_of(committee)
    wanted = request.args.get("year") or request.form.get("year")
    if wanted in years:
        return wanted
    from app.meetings.dates import municipal_year

    current = municipal_year(date.today())
    return current if current in years else (years[0] if years else current)


def _page(committee, year, errors=None, status=200):
    from app.meetings.service import approved_reports_for

    manage = can(current_user, "manage_committee", committee)
    plan = workplan.work_plan(committee, year)
    entries = [e for planned in plan for e in planned.entries]
    shown = (lambda e: workplan.shown_report(e, working=manage))
    return render_template(
        "meetings/workplan.html", committee=committee, year=year, years=workplan.years_of(committee),
        plan=plan, today=date.today(), label=workplan._meeting_label,
        # a column nobody has filled in this year is left out (a year of items stays readable)
        show_owner=any(e.report_owner or e.expected_report for e in entries),
        show_report=any(e.report_id for e in entries),
        manage=manage, shown_report=shown,
        all_reports=approved_reports_for(committee) if manage else [],
        errors=errors or {}, typed=request.form if errors else {}, time_text=_time_text), status


def _refused(committee, year, exc):
    db.session.rollback()
    entry_id = request.form.get("confirming", type=int)
    if entry_id:  # refused from the page that asks before removing: say so there
        entry = db.session.get(WorkPlanEntry, entry_id) if 0 < entry_id < 2**31 else None
        if entry is not None and entry.committee_id == committee.id:
            return _confirm_page(committee, entry, str(exc), exc.status)
    return _page(committee, year, {exc.field or "page": str(exc)}, exc.status)


def _confirm_page(committee, entry, error=None, status=200):
    return render_template("meetings/work_plan_remove.html", committee=committee, entry=entry,
                           meeting_label=workplan._meeting_label(entry.meeting) if entry.meeting else None,
                           report=workplan.shown_report(entry, working=True), error=error), status


def _seen() -> int | None:
    """The item's version on the page the form was on (app/concurrency.py, rule 2)."""
    return request.form.get("version", type=int)


@bp.route("/committees/<int:committee_id>/work-plan")
@permission_required("view_committee", Committee)
def work_plan(committee):
    return _page(committee, _year(committee))


@bp.route("/committees/<int:committee_id>/work-plan.xlsx")
@permission_required("view_committee", Committee)
def work_plan_xlsx(committee):
    year = _year(committee)
    data = workplan.export_xlsx(committee, year)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="work-plan-{year}.xlsx"'})


@bp.route("/committees/<int:committee_id>/work-plan", methods=["POST"])
@permission_required("manage_committee", Committee)
def add_work_plan_entry(committee):
    meeting_id = request.form.get("meeting_id", type=int) or 0
    meeting = db.session.get(Meeting, meeting_id) if 0 < meeting_id < 2**31 else None
    year = _year(committee)
    try:
        if meeting is None:
            raise workplan.WorkPlanError("Choose the meeting", "meeting_id")
        workplan.add_entry(committee, meeting, request.form.get("title", ""), request.form.get("report_owner"),
                           request.form.get("expected_report"), current_user._get_current_object())
    except REFUSALS as exc:
        return _refused(committee, year, exc)
    flash("The item was added to the work plan.", "success")
    return redirect(url_for("meetings.work_plan", committee_id=committee.id, year=meeting.municipal_year), 303)


@bp.route("/committees/<int:committee_id>/work-plan/<int:entry_id>/move", methods=["POST"])
@permission_required("manage_committee", Committee)
def move_work_plan_entry(committee, entry_id):
    meeting_id = request.form.get("meeting_id", type=int) or 0
    meeting = db.session.get(Meeting, meeting_id) if 0 < meeting_id < 2**31 else None
    year = _year(committee)
    try:
        entry = workplan.entry_of(committee, entry_id)
        year = entry.municipal_year
        if meeting is None:
            raise workplan.WorkPlanError("Choose the meeting to move it to", "meeting_id")
        workplan.check_entry(entry, _seen())
        workplan.move_entry(entry, meeting, current_user._get_current_object())
    except workplan.NotOnWorkPlan:
        abort(404)
    except REFUSALS as exc:
        return _refused(committee, year, exc)
    flash(f"“{entry.title}” moved to {workplan._meeting_label(meeting)}.", "success")
    return redirect(url_for("meetings.work_plan", committee_id=committee.id, year=meeting.municipal_year), 303)


@bp.route("/committees/<int:committee_id>/work-plan/<int:entry_id>/report", methods=["POST"])
@permission_required("manage_committee", Committee)
def link_work_plan_report(committee, entry_id):
    report_id = request.form.get("report_id", type=int)
    if report_id is not None and not 0 < report_id < 2**31:
        abort(404)
    report = db.session.get(Report, report_id) if report_id else None
    if report_id and report is None:
        abort(404)
    year = _year(committee)
    try:
        entry = workplan.entry_of(committee, entry_id, _seen())
        year = entry.municipal_year
        workplan.link_report(entry, report, current_user._get_current_object())
    except workplan.NotOnWorkPlan:
        abort(404)
    except REFUSALS as exc:
        return _refused(committee, year, exc)
    flash("The report link was saved.", "success")
    return redirect(url_for("meetings.work_plan", committee_id=committee.id, year=year), 303)


@bp.route("/committees/<int:committee_id>/work-plan/<int:entry_id>/remove", methods=["POST"])
@permission_required("manage_committee", Committee)
def remove_work_plan_entry(committee, entry_id):
    year = _year(committee)
    try:
        entry = workplan.entry_of(committee, entry_id, _seen())
        year, title = entry.municipal_year, entry.title
        workplan.remove_entry(entry, current_user._get_current_object())
    except workplan.NotOnWorkPlan:
        abort(404)
    except REFUSALS as exc:
        return _refused(committee, year, exc)
    flash(f"“{title}” was removed from the work plan.", "success")
    return redirect(url_for("meetings.work_plan", committee_id=committee.id, year=year), 303)


@bp.route("/committees/<int:committee_id>/work-plan/<int:entry_id>/remove", methods=["GET"])
@permission_required("manage_committee", Committee)
def confirm_remove_work_plan_entry(committee, entry_id):
    """Removing an item asks first, on a page of its own: what goes, and what stays."""
    try:
        entry = workplan.entry_of(committee, entry_id)
    except workplan.NotOnWorkPlan:
        abort(404)
    except Refused as exc:  # removed meanwhile: say who did
        flash(str(exc), "info")
        return redirect(url_for("meetings.work_plan", committee_id=committee.id), 303)
    return _confirm_page(committee, entry)
