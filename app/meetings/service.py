"""Committees, meetings and agendas: the clerk's work, as plain functions.

An agenda starts with the standing items worded as the council words them; report items
can only be approved reports in the committee's scope; numbering follows the order;
publishing builds a pack that is never changed afterwards (re-publishing makes the next
version), records the statutory check, and marks the reports on it published.

Every change to an agenda, and every publish, follows app/concurrency.py: it carries the
meeting's version from the page it was made on (`version`), is refused if anyone changed the
agenda since (a double-click, a second tab, a colleague), and bumps the meeting's version, so
the meeting row decides which of two simultaneous changes wins. The database also refuses a
report twice on one agenda and a second set of standing items.
"""
import hashlib
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from app.concurrency import Refused, check_version, guarded, touch, who_acted
from app.extensions import db
from app.meetings import dates
from app.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaPack,
    AgendaState,
    Committee,
    Meeting,
    MeetingDocument,
    Plan,
    Report,
    ReportState,
    ReportVersion,
    Service,
    report_plan,
)
from app.trail import record


class AgendaError(Exception):
    """A step the clerk cannot take; the message says why in plain English."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotOnAgenda(LookupError):
    """The item named is not on this meeting's agenda (and never was, as far as the page knew)."""


AGENDA = "this agenda"
# `version` for callers without a page (scripts, tests building an agenda): the meeting as
# loaded now. Routes always pass what the form carried, and a missing one is refused.
CURRENT = object()


def check_agenda(meeting: Meeting, version) -> None:
    """Refuse a change made from a page older than the agenda (rule 2 of app/concurrency.py)."""
    if version is not CURRENT:
        check_version(meeting, version, AGENDA)


def problem(meeting: Meeting, version, exc: Exception):
    """Raise `exc`, a problem the agenda as it is now has, unless the agenda changed since the
    page was loaded: then that is the reason to give (a colleague's change, or the person's own
    first click), so the answer to a race does not depend on when the race was lost. (A request
    without a version is told the problem: it has no page to be older than.)"""
    if version is not CURRENT and version is not None:
        db.session.refresh(meeting)
        check_version(meeting, version, AGENDA)
    raise exc


@contextmanager
def changing(meeting: Meeting, version, already: str):
    """One change to a meeting's agenda: checked against the page's version, the meeting's
    version bumped (so of two simultaneous changes one wins, and the other is refused with who
    acted and when), and committed with its trail event; or nothing at all."""
    check_agenda(meeting, version)
    with guarded(already, obj=meeting, noun=AGENDA):
        touch(meeting)
        yield
        db.session.commit()


CLOSING = ("work_plan", "urgent_business")


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(Meeting.committee_id == meeting.committee_id, Meeting.meets_on < meeting.meets_on)
        .order_by(Meeting.meets_on.desc()).limit(1))


def standing_wording(meeting: Meeting, key: str) -> tuple[str, str]:
    """(title, purpose) of a standing item, written for this meeting."""
    from app.settings import setting

    if key == "declarations":
        return "Declarations of Interest", setting("declarations_text")
    if key == "minutes":
        before = previous_meeting(meeting)
        held = f"held on {dates.format_long_date(before.meets_on).split(', ', 1)[1]}" if before else "last held"
        return "Minutes", f"To approve and sign the minutes of the meeting {held}."
    if key == "public_participation":
        deadline = dates.format_deadline(dates.public_participation_deadline(meeting.meets_on))
        return "Public Participation", (
            "At this point in the meeting members of the public who have registered to speak can do so. "
            f"The deadline for registering is {deadline}. Members of the public can speak on agenda items or "
            "matters within the remit of the committee.")
    if key == "work_plan":
        return "Work Plan", f"To consider the committee's draft work plan for the municipal year {meeting.municipal_year}."
    if key == "urgent_business":
        return "Urgent Business", setting("urgent_business_text")
    raise KeyError(key)


def items_of(meeting: Meeting) -> list[AgendaItem]:
    return db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                              .options(selectinload(AgendaItem.report))
                              .order_by(AgendaItem.position, AgendaItem.id)).all()


def _renumber(items: list[AgendaItem]) -> None:
    for n, item in enumerate(items, start=1):
        item.position = n


def start_agenda(meeting: Meeting, actor, version=CURRENT) -> list[AgendaItem]:
    """Give a meeting with no agenda the standing items (once: the database holds one of each)."""
    check_agenda(meeting, version)
    if items_of(meeting):
        problem(meeting, version,
                Refused(f"{who_acted(meeting, AGENDA)} It was already started, so nothing was changed."))
    items = []
    with changing(meeting, version, "This agenda was already started, so nothing was changed."):
        for key in ("declarations", "minutes", "public_participation", "work_plan", "urgent_business"):
            title, purpose = standing_wording(meeting, key)
            items.append(AgendaItem(meeting_id=meeting.id, title=title, purpose=purpose,
                                    kind=AgendaItemKind.PROCEDURAL, standing=key))
        _renumber(items)
        db.session.add_all(items)
        db.session.flush()
        record("agenda_started", meeting, actor=actor, data={"items": [i.title for i in items]})
    return items


def in_committee_scope(report: Report, committee: Committee) -> bool:
    if report.committee_id is not None:
        return report.committee_id == committee.id
    if committee.directorate_id is None:
        return False
    return bool(report.plans) and all(p.service.directorate_id == committee.directorate_id for p in report.plans)


def _approved_in_scope(committee: Committee, meeting: Meeting | None = None):
    """The statement for approved reports in the committee's scope (`in_committee_scope`, asked
    in SQL) that have a version and are not on this meeting's agenda.

    It starts from the committee's own reports and the reports on its directorate's plans, so
    its cost follows the committee's share of the council, not the council's ten years."""
    candidates = sa.select(Report.id.label("report_id")).where(Report.committee_id == committee.id)
    in_scope = Report.committee_id == committee.id
    if committee.directorate_id is not None:
        on_our_plans = (sa.select(report_plan.c.report_id).join(Plan, Plan.id == report_plan.c.plan_id)
                        .join(Service, Service.id == Plan.service_id)
                        .where(Service.directorate_id == committee.directorate_id))
        candidates = sa.union(candidates, on_our_plans)
        elsewhere = (sa.select(report_plan.c.report_id).join(Plan, Plan.id == report_plan.c.plan_id)
                     .join(Service, Service.id == Plan.service_id)
                     .where(report_plan.c.report_id == Report.id, Service.directorate_id != committee.directorate_id))
        in_scope = sa.or_(in_scope, sa.and_(Report.committee_id.is_(None), ~elsewhere.exists()))
    candidates = candidates.subquery()
    stmt = sa.select(Report).join(candidates, candidates.c.report_id == Report.id).where(
        Report.state.in_([ReportState.APPROVED, ReportState.PUBLISHED]), in_scope,
        sa.select(ReportVersion.id).where(ReportVersion.report_id == Report.id).exists())
    if meeting is not None:
        on_agenda = sa.select(AgendaItem.report_id).where(AgendaItem.meeting_id == meeting.id,
                                                          AgendaItem.report_id.is_not(None))
        stmt = stmt.where(Report.id.not_in(on_agenda))
    return stmt


def approved_reports_for(committee: Committee, meeting: Meeting | None = None) -> list[Report]:
    """Approved reports in the committee's scope that are not yet on this meeting's agenda:
    two queries however many reports the council has."""
    return db.session.scalars(
        _approved_in_scope(committee, meeting)
        .options(defer(Report.content), selectinload(Report.versions).defer(ReportVersion.content))
        .order_by(Report.title)).all()


def report_choices(committee: Committee, meeting: Meeting) -> list[tuple[int, str, int | None]]:
    """(id, title, latest approved version) of each report the clerk can add to the agenda: one
    query, and rows rather than reports, as the agenda builder lists only these."""
    approved = (sa.select(sa.func.max(ReportVersion.number))
                .where(ReportVersion.report_id == Report.id, ReportVersion.approved_at.is_not(None))
                .scalar_subquery())
    stmt = _approved_in_scope(committee, meeting).with_only_columns(Report.id, Report.title, approved)
    return [tuple(row) for row in db.session.execute(stmt.order_by(Report.title))]


def _insert_before_closing(meeting: Meeting, item: AgendaItem) -> None:
    items = items_of(meeting)
    at = next((n for n, i in enumerate(items) if i.standing in CLOSING), len(items))
    items.insert(at, item)
    db.session.add(item)
    _renumber(items)


def add_report_item(meeting: Meeting, report: Report, actor, purpose: str | None = None,
                    version=CURRENT) -> AgendaItem:
    check_agenda(meeting, version)
    if report.state not in (ReportState.APPROVED, ReportState.PUBLISHED) or not any(
            v.approved_at for v in report.versions):
        raise AgendaError(f"“{report.title}” is not approved, so it cannot go on an agenda. "
                          "Add it as an item to follow instead.", "report_id")
    if not in_committee_scope(report, meeting.committee):
        raise AgendaError(f"“{report.title}” is not a report for this committee.", "report_id")
    if any(i.report_id == report.id for i in items_of(meeting)):
        problem(meeting, version, Refused(
            f"“{report.title}” is already on this agenda. {who_acted(meeting, AGENDA)} Nothing was changed.",
            "report_id"))
    item = AgendaItem(meeting_id=meeting.id, title=report.title, purpose=(purpose or "").strip() or None,
                      kind=AgendaItemKind.REPORT, report_id=report.id)
    with changing(meeting, version, f"“{report.title}” is already on this agenda."):
        _insert_before_closing(meeting, item)
        db.session.flush()
        record("agenda_item_added", meeting, actor=actor, data={"title": item.title, "report_id": report.id})
    return item


def add_other_item(meeting: Meeting, title: str, purpose: str | None, actor, to_follow_reason: str | None = None,
                   version=CURRENT) -> AgendaItem:
    if not (title or "").strip():
        raise AgendaError("Enter the item's title", "title")
    check_agenda(meeting, version)
    item = AgendaItem(meeting_id=meeting.id, title=title.strip()[:300], purpose=(purpose or "").strip() or None,
                      kind=AgendaItemKind.OTHER, to_follow=bool((to_follow_reason or "").strip()),
                      to_follow_reason=(to_follow_reason or "").strip() or None)
    with changing(meeting, version, "The item is already on this agenda."):
        _insert_before_closing(meeting, item)
        db.session.flush()
        record("agenda_item_added", meeting, actor=actor,
               data={"title": item.title, "to_follow": item.to_follow_reason})
    return item


def item_on(meeting: Meeting, item_id: int | None, version=CURRENT) -> AgendaItem:
    """The agenda item the page named (the change itself then checks the page's version). An
    item that is gone since the page was loaded is a refusal that names who acted; one that is
    not on this agenda (or a page without a version naming one that is gone) is `NotOnAgenda`."""
    item = db.session.get(AgendaItem, item_id) if item_id and 0 < item_id < 2**31 else None
    if item is not None and item.meeting_id != meeting.id:
        raise NotOnAgenda(item_id)
    if item is None:
        if version is CURRENT or version is None:
            raise NotOnAgenda(item_id)
        problem(meeting, version, NotOnAgenda(item_id))
    return item


def move_item(item: AgendaItem, direction: str, actor, version=CURRENT) -> None:
    meeting = item.meeting
    check_agenda(meeting, version)
    items = items_of(meeting)
    at = next(n for n, i in enumerate(items) if i.id == item.id)
    to = at - 1 if direction == "up" else at + 1
    if to < 0 or to >= len(items):
        where = "first" if direction == "up" else "last"
        problem(meeting, version, AgendaError(f"“{item.title}” is already {where}."))
    with changing(meeting, version, "The agenda was changed at the same moment."):
        items[at], items[to] = items[to], items[at]
        _renumber(items)
        record("agenda_item_moved", meeting, actor=actor, data={"title": item.title, "to": to + 1})


def remove_item(item: AgendaItem, actor, version=CURRENT) -> None:
    """Remove an item with its annexes (app/meetings/editing.py)."""
    from app.meetings.editing import remove_item as removing

    removing(item, actor, version)


def add_document(meeting: Meeting, kind: str, item: AgendaItem | None, filename: str, data: bytes, actor,
                 version=CURRENT, title: str | None = None) -> MeetingDocument:
    """The previous meeting's minutes, or an annex to an item, for the pack (a checked PDF)."""
    if kind == "annex" and (item is None or item.meeting_id != meeting.id):
        problem(meeting, version, AgendaError("Choose the agenda item the annex belongs to", "agenda_item_id"))
    doc = MeetingDocument(meeting_id=meeting.id, agenda_item_id=item.id if kind == "annex" else None, kind=kind,
                          filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(), data=data,
                          title=" ".join((title or "").split())[:300] or None)
    with changing(meeting, version, "This PDF was already added."):
        db.session.add(doc)
        db.session.flush()
        record("meeting_document_added", meeting, actor=actor,
               data={"kind": kind, "filename": doc.filename, "title": doc.title, "sha256": doc.sha256})
    return doc


def packs_of(meeting: Meeting, confidential: bool | None = False) -> list[AgendaPack]:
    """The public packs, by version (a confidential pack, if any, shares its public pack's number);
    the confidential ones with `confidential=True`, or both with `None`."""
    stmt = sa.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id)
    if confidential is not None:
        stmt = stmt.where(AgendaPack.confidential.is_(confidential))
    return db.session.scalars(stmt.order_by(AgendaPack.number, AgendaPack.confidential)).all()


def publication_check(meeting: Meeting, on: date | None = None) -> dict:
    on = on or date.today()
    return {"latest": dates.latest_publication_date(meeting.meets_on),
            "clear_days": dates.clear_working_days(on, meeting.meets_on),
            "late": dates.publication_is_late(on, meeting.meets_on)}


def publish(meeting: Meeting, actor, change_note: str | None = None, late_reason: str | None = None,
            today: date | None = None, progress=None, version=CURRENT, without_minutes: bool = True) -> AgendaPack:
    """Build the pack(s) and publish them as the next version (app/meetings/publishing.py)."""
    from app.meetings.publishing import publish as publishing

    return publishing(meeting, actor, change_note, late_reason, today, progress, version, without_minutes)


def meetings_needing_agenda(committee_ids: set[int], today: date | None = None, within_days: int = 21) -> list[Meeting]:
    """Meetings soon whose agenda is not published yet, for the clerk's My tasks."""
    today = today or date.today()
    if not committee_ids:
        return []
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.committee_id.in_(committee_ids), Meeting.meets_on >= today,
        Meeting.agenda_state == AgendaState.DRAFT).order_by(Meeting.meets_on)).all()
    return [m for m in meetings if (m.meets_on - today).days <= within_days]
