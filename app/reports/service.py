"""Committee reports: create, compile, write, submit, approve or return, and new versions.

draft → submitted → approved, with submitted → returned → submitted. Approval freezes a
numbered version with a content hash (and its PDF, built once and kept); an edit after
approval starts a new draft version, which needs approval again. Each step is one transaction
with its trail event.

Repeated and raced steps follow app/concurrency.py: every step carries the report's version
from the page it was taken on and is refused, saying who acted and when, if the report changed
since (a double-click's second click, a second tab, a colleague); a missing version is refused
too. Of two steps at the same moment the database lets one win (the report's version column)
and the other is refused. A report is created once per "Create a report" form: the form's
one-time token is unique in the database.
"""
import json
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.concurrency import Refused, check_version, guarded, who_acted
from app.extensions import db
from app.models import Plan, Report, ReportState, ReportVersion, ReportingPeriod, Role, User, utcnow
from app.permissions import scope_for
from app.reports import content as C
from app.reports.compile import changes_since, compile_body
from app.trail import record

S = ReportState


class ReportError(Exception):
    """A step that cannot be taken; the message says why in plain English."""


class NotAllowed(ReportError):
    pass


class StaleReport(ReportError, Refused):
    """Someone (perhaps the same person, a click ago) changed the report first."""


class AlreadyCreated(ReportError, Refused):
    """The same "Create a report" form was sent again: the report it made is `report`."""

    def __init__(self, message: str, report):
        super().__init__(message)
        self.report = report


# `expected_version` for callers without a page (scripts, the demo, tests that set a report
# up): the report as loaded now. Routes always pass what the form carried; a missing one is
# refused.
CURRENT = object()


class Invalid(ReportError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("There is a problem with the report")
        self.problems = problems


def services_of(report: Report) -> set[int]:
    if report.service_id is not None and not report.plans:  # a committee paper: its author's service
        return {report.service_id}
    return {p.service_id for p in report.plans}


def is_head_for(user, report) -> bool:
    scope = scope_for(user)
    return scope.admin or bool(services_of(report)) and services_of(report) <= scope.services(Role.HEAD_OF_SERVICE)


def is_approver_for(user, report) -> bool:
    from app.reports.papers import names_chief_officer

    return (bool(services_of(report)) and services_of(report) <= scope_for(user).services(Role.ASSISTANT_DIRECTOR)
            or names_chief_officer(user, report))


def get_content(report: Report) -> dict:
    try:
        data = json.loads(report.content or "{}")
    except ValueError:
        data = {}
    merged = C.blank_content()
    merged.update(data)
    return merged


def _who(report) -> str:
    return who_acted(report, "it")


def _check(report, expected_version, allowed: set, doing: str):
    if expected_version is not CURRENT:
        try:
            check_version(report, expected_version)
        except Refused:
            raise StaleReport(f"The report changed after you opened it: {_who(report)} It was not {doing}; "
                              "anything you typed is kept below. Check the report again first.") from None
    if report.state not in allowed:
        raise ReportError(f"The report is {report.state.label.lower()}, so it cannot be {doing} now.")


def _commit(report, doing):
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleReport(f"Someone else changed the report at the same moment: {_who(report)} "
                          f"It was not {doing}.") from None


def _flush(report, doing):
    """Write the change now, turning a lost race (someone else wrote the same version, or the
    same approved version number, at the same moment) into a refusal rather than an error."""
    def lost() -> str:
        return f"Someone else changed the report at the same moment: {_who(report)} It was not {doing}."

    try:
        with guarded(already=f"The report was {doing} a moment ago, so it was not {doing} again.", stale=lost,
                     obj=report):
            pass
    except Refused as exc:
        raise StaleReport(str(exc)) from None


def previous_approved_content(report: Report) -> dict | None:
    """The last approved version of an earlier report on the same plans."""
    plan_ids = {p.id for p in report.plans}
    candidates = db.session.scalars(
        sa.select(Report).join(ReportingPeriod, Report.period_id == ReportingPeriod.id)
        .where(Report.id != report.id, ReportingPeriod.ends_on < report.period.ends_on)
        .order_by(ReportingPeriod.ends_on.desc())
    ).all()
    for other in candidates:
        if {p.id for p in other.plans} == plan_ids and other.versions:
            approved = [v for v in other.versions if v.approved_at is not None]
            if approved:
                return json.loads(approved[-1].content).get("compiled")
    return None


def _compile_into(report: Report, data: dict) -> None:
    compiled = compile_body(list(report.plans), report.period)
    data["compiled"] = compiled
    data["changes"] = changes_since(previous_approved_content(report), compiled)
    data["compiled_at"] = utcnow().isoformat()


def created_from(form_token: str | None) -> Report | None:
    """The report made from this "Create a report" form, if it was sent before."""
    if not form_token:
        return None
    return db.session.scalar(sa.select(Report).where(Report.form_token == form_token))


def _already_created(form_token: str) -> AlreadyCreated:
    report = created_from(form_token)
    if report is None:  # lost a race to a change that did not make this report: say so plainly
        return AlreadyCreated("Someone else changed reports at the same moment. Nothing was created: "
                              "choose Create again.", None)
    return AlreadyCreated(f"This form was already sent: {who_acted(report, 'the report “' + report.title + '”')} "
                          "No second report was created.", report)


def new_report_problems(title: str, plans: list[Plan], period: ReportingPeriod | None) -> dict[str, str]:
    problems = {}
    if not (title or "").strip():
        problems["title"] = "Enter the report's title"
    if not plans:
        problems["plan_ids"] = "Choose at least one plan"
    if period is None:
        problems["period_id"] = "Choose the reporting period"
    return problems


def create_report(title: str, plans: list[Plan], period: ReportingPeriod, actor, author: User | None = None,
                  chief_officer: User | None = None, committee_id: int | None = None,
                  form_token: str | None = None) -> Report:
    """Create and compile a report. `form_token` is the one-time token of the form it came
    from: a second report from the same form (a double-click, a repeated or raced request) is
    refused by the database (`AlreadyCreated`, naming the report the first request made)."""
    if form_token and created_from(form_token) is not None:
        raise _already_created(form_token)
    problems = new_report_problems(title, plans, period)
    if problems:
        raise Invalid(problems)
    report = Report(title=title.strip()[:300], period=period, author_id=(author or actor).id,
                    chief_officer_id=chief_officer.id if chief_officer else None, committee_id=committee_id,
                    state=S.DRAFT, version_number=1, form_token=form_token or None)
    report.plans = list(plans)
    if not is_head_for(actor, report):
        raise NotAllowed("Only a Head of Service for every plan in the report can create it.")
    if report.chief_officer_id is None:  # named from the start: the Assistant Director who will approve it
        report.chief_officer_id = next((p.id for p in sorted(approvers(report), key=lambda p: (p.name, p.id))
                                        if p.id != report.author_id), None)
    data = C.blank_content()
    data["summary"] = (f"This report sets out progress on the {', '.join(p.service.name for p in plans)} "
                       f"service improvement plan{'s' if len(plans) > 1 else ''} in {period.name}.")
    _compile_into(report, data)
    report.content = C.canonical(data)
    db.session.add(report)
    try:
        with guarded(already="", stale=""):
            pass
    except Refused:
        raise _already_created(form_token) from None
    record("report_created", report, actor=actor, to_state=S.DRAFT, version=report.version_number,
           data={"title": report.title, "period": period.name, "author": (author or actor).name})
    db.session.commit()
    return report


def may_edit(user, report) -> bool:
    return user.id == report.author_id or is_head_for(user, report)


def recompile(report: Report, expected_version, actor) -> None:
    if not may_edit(actor, report):
        raise NotAllowed("Only the author or a Head of Service can compile this report.")
    if not report.plans:
        raise ReportError("This paper is not compiled from a plan, so there is nothing to compile.")
    _check(report, expected_version, {S.DRAFT, S.RETURNED}, "compiled again")
    data = get_content(report)
    _compile_into(report, data)
    report.content = C.canonical(data)
    _flush(report, "compiled again")
    record("report_compiled", report, actor=actor, version=report.version_number)
    _commit(report, "compiled again")


def save_sections(report: Report, values: dict, expected_version, actor) -> list[str]:
    """Save what was typed. Editing an approved report starts a new draft version."""
    if not may_edit(actor, report):
        raise NotAllowed("Only the author or a Head of Service can edit this report.")
    _check(report, expected_version, {S.DRAFT, S.RETURNED, S.APPROVED}, "saved")
    data = get_content(report)
    problems = C.length_problems({k: v for k, v in values.items() if k in C.EDITABLE}, data)
    if problems:
        raise Invalid(problems)
    changed = [k for k in C.EDITABLE if k in values and (values[k] or "") != (data.get(k) or "")]
    if not changed:
        return []
    for key in changed:
        data[key] = values[key] or ""
    if report.state == S.APPROVED:
        report.version_number += 1
        report.state = S.DRAFT
        _flush(report, "saved")
        record("report_new_version", report, actor=actor, from_state=S.APPROVED, to_state=S.DRAFT,
               version=report.version_number, comment=f"Version {report.version_number} started by editing")
    report.content = C.canonical(data)
    _flush(report, "saved")
    record("report_edited", report, actor=actor, version=report.version_number, data={"sections": changed})
    _commit(report, "saved")
    return changed


def approvers(report) -> list[User]:
    from app.models import RoleAssignment

    services = services_of(report)
    people = db.session.scalars(sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.role == Role.ASSISTANT_DIRECTOR, User.active.is_(True))).unique().all()
    found = [p for p in people if services <= scope_for(p).services(Role.ASSISTANT_DIRECTOR)]
    named = report.service.chief_officer if report.service_id and not report.plans and report.service else None
    if named is not None and named.active and named.id not in {p.id for p in found}:
        found.append(named)  # the chief officer the council names for a paper's service
    return found


def submit(report: Report, expected_version, actor) -> None:
    if not may_edit(actor, report):
        raise NotAllowed("Only the author or a Head of Service can submit this report.")
    _check(report, expected_version, {S.DRAFT, S.RETURNED}, "submitted")
    data = get_content(report)
    problems = {}
    if not C.blocks(data.get("summary")):
        problems["summary"] = "Write the summary before submitting"
    if not C.blocks(data.get("recommendations")):
        problems["recommendations"] = "Write the recommendations before submitting"
    if problems:
        raise Invalid(problems)
    from_state = report.state
    report.state = S.SUBMITTED
    _flush(report, "submitted")
    record("report_submitted" if from_state == S.DRAFT else "report_resubmitted", report, actor=actor,
           from_state=from_state, to_state=S.SUBMITTED, version=report.version_number)
    from app.notifications.service import notify

    for person in approvers(report):
        if person.id != actor.id:
            notify(person, "report_submitted", f"For approval: {report.title}",
                   f"{actor.name} submitted the report {report.title} (version {report.version_number}) for approval.",
                   link=f"/reports/{report.id}")
    _commit(report, "submitted")


def approve(report: Report, expected_version, actor) -> ReportVersion:
    if not is_approver_for(actor, report):
        raise NotAllowed("Only an Assistant Director whose area covers every plan in the report can approve it.")
    if actor.id == report.author_id:
        raise NotAllowed("You wrote this report, so another Assistant Director must approve it.")
    _check(report, expected_version, {S.SUBMITTED}, "approved")
    data = C.public_content(get_content(report))
    frozen = ReportVersion(report=report, number=report.version_number, content=C.canonical(data),
                           content_hash=C.content_hash(data), approved_at=utcnow(), approved_by=actor)
    report.state = S.APPROVED
    report.chief_officer = actor
    from app.reports.pdf import keep_pdf

    keep_pdf(report, frozen)  # built once, in this transaction: the approved version never changes
    db.session.add(frozen)
    _flush(report, "approved")
    record("report_approved", report, actor=actor, from_state=S.SUBMITTED, to_state=S.APPROVED,
           version=report.version_number, data={"content_hash": frozen.content_hash})
    from app.notifications.service import notify

    author = db.session.get(User, report.author_id) if report.author_id else None
    if author:
        notify(author, "report_approved", f"Approved: {report.title}",
               f"{actor.name} approved version {report.version_number} of {report.title}.", link=f"/reports/{report.id}")
    _commit(report, "approved")
    return frozen


def return_report(report: Report, comment: str, expected_version, actor) -> None:
    if not is_approver_for(actor, report):
        raise NotAllowed("Only an Assistant Director whose area covers every plan in the report can return it.")
    if not (comment or "").strip():
        raise Invalid({"comment": "Enter a comment saying what needs to change"})
    _check(report, expected_version, {S.SUBMITTED}, "returned")
    report.state = S.RETURNED
    _flush(report, "returned")
    record("report_returned", report, actor=actor, from_state=S.SUBMITTED, to_state=S.RETURNED,
           version=report.version_number, comment=comment.strip())
    from app.notifications.service import notify

    author = db.session.get(User, report.author_id) if report.author_id else None
    if author:
        notify(author, "report_returned", f"Returned: {report.title}",
               f"{actor.name} returned {report.title} with this comment:\n\n{comment.strip()}",
               link=f"/reports/{report.id}")
    _commit(report, "returned")


def committee_name(report: Report) -> str | None:
    """The committee the report goes to: its own, the one whose agenda has it, or the one
    that scrutinises its directorate."""
    if report.committee is not None:
        return report.committee.name
    on_agenda, scrutinising = _committee_statements()
    found = db.session.scalar(on_agenda, {"report_id": report.id})
    if found:
        return found
    directorates = {p.service.directorate_id for p in report.plans}
    if len(directorates) == 1:
        return db.session.scalar(scrutinising, {"directorate_id": directorates.pop()})
    return None


@cache
def _committee_statements() -> tuple:
    """committee_name's two queries, built once (issue 17)."""
    from app.models import AgendaItem, Committee, Meeting

    on_agenda = (sa.select(Committee.name).join(Meeting, Meeting.committee_id == Committee.id)
                 .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
                 .where(AgendaItem.report_id == sa.bindparam("report_id")).limit(1))
    scrutinising = (sa.select(Committee.name).where(Committee.directorate_id == sa.bindparam("directorate_id"))
                    .order_by(Committee.id).limit(1))
    return on_agenda, scrutinising
