"""What the agenda builder (routes.agenda) shows, read as rows with statements built once (issue 17).

The page reads an item's report only for its state, the documents' names and the public packs'
numbers; building a statement and working out its cache key costs more than running it, so
each is built once and run with the meeting's (and committee's) ids as parameters. The rows
carry the attributes templates/meetings/agenda.html reads of the objects, so that the page
after a refused change (routes._agenda_error, with the objects) reads the same.
"""
from collections import namedtuple
from functools import cache
from types import SimpleNamespace

import sqlalchemy as sa

from app.extensions import db
from app.links import id_url
from app.meetings import bp, service
from app.models import AgendaItem, AgendaPack, MeetingDocument, Report, ReportVersion

AgendaRow = namedtuple("AgendaRow", "id title purpose to_follow to_follow_reason standing exempt_paragraph "
                                    "report_id report")
ReportOnAgenda = namedtuple("ReportOnAgenda", "state")  # as much of an item's report as the page shows
DocumentRow = namedtuple("DocumentRow", "id kind agenda_item_id filename title")


@cache
def _statements() -> tuple:
    meeting_id = sa.bindparam("meeting_id")
    items = (sa.select(AgendaItem.id, AgendaItem.title, AgendaItem.purpose, AgendaItem.to_follow,
                       AgendaItem.to_follow_reason, AgendaItem.standing, AgendaItem.exempt_paragraph,
                       AgendaItem.report_id, Report.state)
             .outerjoin(Report, Report.id == AgendaItem.report_id).where(AgendaItem.meeting_id == meeting_id)
             .order_by(AgendaItem.position, AgendaItem.id))  # as service.items_of
    documents = (sa.select(MeetingDocument.id, MeetingDocument.kind, MeetingDocument.agenda_item_id,
                           MeetingDocument.filename, MeetingDocument.title)
                 .where(MeetingDocument.meeting_id == meeting_id).order_by(MeetingDocument.id))
    packs = (sa.select(AgendaPack.number)  # the public packs, by version (service.packs_of)
             .where(AgendaPack.meeting_id == meeting_id, AgendaPack.confidential.is_(False))
             .order_by(AgendaPack.number))
    return items, documents, packs


def agenda_rows(meeting) -> tuple[list, list, list]:
    """The meeting's items (AgendaRow), documents (DocumentRow) and public packs (number): three
    queries."""
    items, documents, packs = _statements()
    connection, at = db.session.connection(), {"meeting_id": meeting.id}
    return ([AgendaRow(*row[:8], ReportOnAgenda(row[8]) if row[7] is not None else None)
             for row in connection.execute(items, at)],
            list(map(DocumentRow._make, connection.execute(documents, at))),
            connection.execute(packs, at).all())


@cache
def _report_choices_statement(in_directorate: bool) -> sa.Select:
    """service.report_choices's query, with the committee and meeting as parameters."""
    committee = SimpleNamespace(id=sa.bindparam("committee_id"),
                                directorate_id=sa.bindparam("directorate_id") if in_directorate else None)
    approved = (sa.select(sa.func.max(ReportVersion.number))
                .where(ReportVersion.report_id == Report.id, ReportVersion.approved_at.is_not(None))
                .scalar_subquery())
    return (service._approved_in_scope(committee, SimpleNamespace(id=sa.bindparam("meeting_id")))
            .with_only_columns(Report.id, Report.title, approved).order_by(Report.title))


def report_choices(meeting) -> list[tuple[int, str, int | None]]:
    """What service.report_choices(meeting.committee, meeting) says: (id, title, latest approved
    version) of each report the clerk can add."""
    from app.models import Committee
    from app.permissions import load_by_id

    committee = load_by_id(Committee, meeting.committee_id)  # the page names it too: then found, not read again
    return [tuple(row) for row in db.session.connection().execute(
        _report_choices_statement(committee.directorate_id is not None),
        {"committee_id": committee.id, "directorate_id": committee.directorate_id, "meeting_id": meeting.id})]


@bp.app_template_global("agenda_links")
def agenda_links(meeting_id: int) -> SimpleNamespace:
    """For templates/meetings/agenda.html: the links of an item, a document and a report, each
    address worked out once a page rather than once a link (the page has dozens)."""
    return SimpleNamespace(
        edit_item=id_url("meetings.edit_item", "item_id", meeting_id=meeting_id),
        exempt_item=id_url("councillors.exempt_item", "item_id", meeting_id=meeting_id),
        move_item=id_url("meetings.move_item", "item_id", meeting_id=meeting_id),
        remove_item=id_url("meetings.remove_item", "item_id", meeting_id=meeting_id),
        replace_document=id_url("meetings.replace_document", "document_id", meeting_id=meeting_id),
        remove_document=id_url("meetings.remove_document", "document_id", meeting_id=meeting_id),
        report=id_url("reports.show", "report_id"))
