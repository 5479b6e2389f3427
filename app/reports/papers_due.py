"""The clerk's view of a meeting's papers (issue 14): what the work plan expects, what is in
progress, approved or late, and a reminder to the author.

A paper is expected for each item the committee's work plan has for the meeting (items like
"Work Plan" need none). The item's paper is the report linked to it, else a paper written for
that meeting with the same title; papers written for the meeting that the work plan does not
list are shown too. The deadline is the day the agenda must be published (five clear working
days before the meeting: app/meetings/dates.py); a paper not approved by then is late.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.concurrency import Refused
from app.extensions import db
from app.meetings import dates
from app.models import AgendaItem, Meeting, Report, ReportKind, ReportState, User, WorkPlanEntry
from app.trail import record

S = ReportState
READY = (S.APPROVED, S.PUBLISHED)
NO_PAPER = ("work plan", "draft work plan")
STATUS = {None: "Not started", S.DRAFT: "In progress", S.SUBMITTED: "Waiting for approval",
          S.RETURNED: "Returned to the author", S.APPROVED: "Approved", S.PUBLISHED: "Published"}


class ChaseError(Exception):
    def __init__(self, message: str, field: str = "page"):
        super().__init__(message)
        self.field = field


@dataclass
class PaperRow:
    title: str
    entry: WorkPlanEntry | None
    report: Report | None
    late: bool
    on_agenda: bool

    @property
    def status(self) -> str:
        return STATUS[self.report.state if self.report is not None else None]

    @property
    def approved(self) -> bool:
        return self.report is not None and self.report.state in READY

    @property
    def author(self) -> User | None:
        return self.report.author if self.report is not None else None

    @property
    def key(self) -> str:
        return f"report-{self.report.id}" if self.report is not None else f"entry-{self.entry.id}"


def deadline(meeting: Meeting) -> date:
    """The last day to publish the agenda: every paper must be approved by then."""
    return dates.latest_publication_date(meeting.meets_on)


def papers_for(meeting: Meeting, today: date | None = None) -> list[PaperRow]:
    today = today or date.today()
    late = today > deadline(meeting)
    written = list(db.session.scalars(sa.select(Report).where(Report.meeting_id == meeting.id,
                                                              Report.kind == ReportKind.PAPER)
                                      .order_by(Report.created_at, Report.id)))
    on_agenda = set(db.session.scalars(sa.select(AgendaItem.report_id).where(AgendaItem.meeting_id == meeting.id,
                                                                             AgendaItem.report_id.is_not(None))))
    entries = db.session.scalars(sa.select(WorkPlanEntry).where(WorkPlanEntry.meeting_id == meeting.id)
                                 .order_by(WorkPlanEntry.position, WorkPlanEntry.id)).all()
    rows, used = [], set()
    for entry in entries:
        if entry.title.strip().lower() in NO_PAPER:
            continue
        report = entry.report or next((r for r in written if r.id not in used
                                       and r.title.strip().lower() == entry.title.strip().lower()), None)
        if report is not None:
            used.add(report.id)
        ready = report is not None and report.state in READY
        rows.append(PaperRow(entry.title, entry, report, late and not ready, report is not None and report.id in on_agenda))
    for report in written:
        if report.id not in used:
            rows.append(PaperRow(report.title, None, report, late and report.state not in READY, report.id in on_agenda))
    return rows


def people_to_chase() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)))


def chase(meeting: Meeting, actor, *, report: Report | None = None, entry: WorkPlanEntry | None = None,
          person: User | None = None, message: str | None = None) -> User:
    """Remind the author (or the person the clerk chooses) that the meeting needs the paper:
    a message in Docket (and by e-mail where mail is set up), on the trail. Once a day per
    paper and person: a second reminder the same day (a double-click) is refused."""
    from app.notifications.service import notify

    if report is not None and report.meeting_id != meeting.id and not (
            entry is not None and entry.report_id == report.id):
        linked = db.session.scalar(sa.select(WorkPlanEntry.id).where(WorkPlanEntry.meeting_id == meeting.id,
                                                                     WorkPlanEntry.report_id == report.id).limit(1))
        if linked is None:
            raise ChaseError("That paper is not for this meeting.")
    if report is None and (entry is None or entry.meeting_id != meeting.id):
        raise ChaseError("Choose a paper on this page to chase.")
    recipient = person or (report.author if report is not None else None)
    if recipient is None:
        raise ChaseError("Choose who to remind: nobody has started this paper yet", "person_id")
    if not recipient.active:
        raise ChaseError(f"{recipient.name} can no longer sign in to Docket: choose someone else", "person_id")
    note = " ".join((message or "").split())[:1000]
    title = report.title if report is not None else entry.title
    when = dates.format_long_date(meeting.meets_on)
    due = deadline(meeting)
    link = f"/reports/{report.id}" if report is not None else f"/reports/papers/new?entry={entry.id}"
    body = (f"{actor.name} asks for the paper “{title}” for {meeting.committee.name} on {when}. "
            f"It must be approved by {dates.format_long_date(due)}, when the agenda is published."
            + (f"\n\n{note}" if note else ""))
    target = f"report-{report.id}" if report is not None else f"entry-{entry.id}"
    sent = notify(recipient, "paper_chased", f"Paper needed: {title}", body, link=link,
                  dedupe_key=f"paper-chase:{meeting.id}:{target}:{recipient.id}:{date.today().isoformat()}")
    if sent is None:
        raise Refused(f"{recipient.name} was already reminded about “{title}” today, so no second reminder was sent.")
    data = {"title": title, "meeting": f"{meeting.committee.name}, {when}", "person": recipient.name,
            "deadline": due.isoformat()}
    if note:
        data["message"] = note
    record("paper_chased", report if report is not None else entry, actor=actor, data=data)
    db.session.commit()
    return recipient
