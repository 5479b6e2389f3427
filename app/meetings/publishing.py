"""Publishing an agenda: the public pack and, when any item is exempt, the confidential pack.

`publish()` builds the packs and stores them as the next version; nothing is stored if any
step fails. The public pack lists exempt items by title and Schedule 12A paragraph only, and
none of their papers; the confidential pack (`AgendaPack.confidential`) holds the exempt items'
papers. A later version keeps each pack's front sheet length (`AgendaPack.front_pages`), so
every item before the first change keeps its page numbers, and says which items changed.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.meetings.service import (
    CURRENT,
    AgendaError,
    changing,
    check_agenda,
    items_of,
    packs_of,
    problem,
    publication_check,
)
from app.models import AgendaPack, AgendaState, Meeting, MeetingDocument, ReportState, utcnow
from app.trail import record


class MinutesMissing(AgendaError):
    """Not a refusal: the clerk is asked to confirm publishing without the previous minutes."""

    status = 200


def _fingerprint(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _report_papers(item) -> tuple[bytes, list[tuple[str, bytes]], list[str]]:
    """(body, annexes, fingerprint parts) of a report item: a compiled report's approved
    version, rendered for the pack; a committee paper from app/reports/papers.py."""
    from app.models import ReportKind

    report = item.report
    approved = [v for v in report.versions if v.approved_at is not None]
    if not approved:
        raise AgendaError(f"“{report.title}” is no longer approved, so the agenda cannot be published.")
    frozen = approved[-1]
    if getattr(report, "kind", None) == ReportKind.PAPER:
        from app.reports.papers import annexes_for_pack, paper_pdf

        annexes = annexes_for_pack(report)
        return (paper_pdf(report, running_numbers=False), annexes,
                [f"paper {report.id} v{frozen.number}"] + [hashlib.sha256(a).hexdigest() for _, a in annexes])
    from app.reports.pdf import render_pdf

    body = render_pdf(report, json.loads(frozen.content), frozen, running_numbers=False)
    return body, [], [f"report {report.id} v{frozen.number}"]


def _pack_items(meeting: Meeting, items) -> list[tuple]:
    """(agenda item, PackItem with every paper, fingerprint of its papers) in agenda order."""
    from app.meetings.pack import PackItem

    docs = db.session.scalars(sa.select(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id)
                              .order_by(MeetingDocument.position, MeetingDocument.id)).all()
    out = []
    for n, item in enumerate(items, start=1):
        body, annexes, parts = None, [], []
        if item.report_id:
            body, annexes, parts = _report_papers(item)
        if item.standing == "minutes":
            minutes = [d for d in docs if d.kind == "minutes"]
            body = minutes[-1].data if minutes else None
            parts = [minutes[-1].sha256] if minutes else []
        if item.standing == "work_plan":
            from app.meetings.workplan import work_plan_pdf

            body = work_plan_pdf(meeting.committee, meeting.municipal_year)
            parts = [f"work plan {len(body)}"]
        mine = [d for d in docs if d.kind == "annex" and d.agenda_item_id == item.id]
        annexes = annexes + [(d.title or d.filename, d.data) for d in mine]
        parts += [d.sha256 for d in mine]
        out.append((item, PackItem(number=n, title=item.title, purpose=item.purpose, body_pdf=body, annexes=annexes,
                                   to_follow=(item.to_follow_reason or "") if item.to_follow else None,
                                   standing=item.standing, exempt_paragraph=item.exempt_paragraph),
                    _fingerprint([item.title, item.purpose or "", str(item.exempt_paragraph)] + parts)))
    return out


def _previous(packs: list[AgendaPack], confidential: bool) -> AgendaPack | None:
    mine = [p for p in packs if bool(getattr(p, "confidential", False)) == confidential]
    return mine[-1] if mine else None


def _changed(entry_of: dict, item, fingerprint: str) -> bool:
    before = entry_of.get(item.id)
    return before is None or before.get("fingerprint") != fingerprint


def publish(meeting: Meeting, actor, change_note: str | None = None, late_reason: str | None = None,
            today: date | None = None, progress=None, version=CURRENT, without_minutes: bool = True) -> AgendaPack:
    """Build the pack(s) and publish them as the next version; returns the public pack.
    `without_minutes=False` (the page) stops with `MinutesMissing`, once every other check has
    passed, when the agenda has a Minutes item and the minutes have not been added.

    The page's version is checked before the (slow) build, so a double-click or a colleague's
    publish is refused at once, and again at the commit, where the meeting row lets only one
    of two simultaneous publishes through (and the pack number is unique for the meeting)."""
    from app.meetings import pack as packing
    from app.settings import council_name, front_sheet_texts

    check_agenda(meeting, version)
    if meeting.cancelled_at is not None:
        problem(meeting, version, AgendaError("This meeting was cancelled, so its agenda cannot be published."))
    today = today or date.today()
    items = items_of(meeting)
    if not items:
        problem(meeting, version, AgendaError("The agenda has no items yet."))
    previous = packs_of(meeting, confidential=None)
    if previous and not (change_note or "").strip():
        problem(meeting, version, AgendaError(
            f"Say what changed since version {previous[-1].number}: it is shown on the agenda page.", "change_note"))
    check = publication_check(meeting, today)
    if check["late"] and not (late_reason or "").strip():
        raise AgendaError(
            f"This is fewer than five clear working days before the meeting (the last day to publish was "
            f"{check['latest']:%d/%m/%Y}). Give the reason it is late: it is recorded.", "late_reason")
    if not without_minutes:
        from app.meetings.editing import minutes_missing

        warning = minutes_missing(meeting)
        if warning:
            raise MinutesMissing(warning)
    built = _pack_items(meeting, items)
    number = max((p.number for p in previous), default=0) + 1
    note = (change_note or "").strip() or None
    committee = meeting.committee
    pack_meeting = packing.PackMeeting(
        council_name=council_name(), front_sheet=front_sheet_texts(), committee_name=committee.name,
        members=[(m.name, m.role.value) for m in committee.members], meets_on=meeting.meets_on,
        starts_at=meeting.starts_at, venue=meeting.venue, clerk_name=committee.clerk_name,
        clerk_telephone=committee.clerk_telephone, clerk_email=committee.clerk_email,
        version=number, change_note=note, published_on=today)

    def one_pack(confidential: bool) -> tuple[AgendaPack, list[dict]]:
        before = _previous(previous, confidential)
        entry_of = {e.get("item_id"): e for e in json.loads(before.agenda)} if before else {}
        chosen = [(item, p, f) for item, p, f in built if not confidential or item.exempt_paragraph is not None]
        pack_items = []
        for item, p, fingerprint in chosen:
            p.changed = bool(before) and _changed(entry_of, item, fingerprint)
            if item.exempt_paragraph is not None and not confidential:
                p = packing.PackItem(number=p.number, title=p.title, purpose=None, body_pdf=None,
                                     exempt_paragraph=p.exempt_paragraph, changed=p.changed)
            pack_items.append(p)
        meeting_for = packing.PackMeeting(**{**pack_meeting.__dict__, "confidential": confidential})
        result = packing.build_pack(meeting_for, pack_items, progress,
                                    keep_front=before.front_pages if before is not None else None)
        agenda = []
        for (item, _p, fingerprint), laid in zip(chosen, result.items):
            if not confidential:
                item.page_start, item.page_end = laid.page_start, laid.page_end
            agenda.append({"number": laid.number, "item_id": item.id, "title": item.title,
                           "purpose": None if item.exempt_paragraph and not confidential else item.purpose,
                           "page_start": laid.page_start, "page_end": laid.page_end, "report_id": item.report_id,
                           "standing": item.standing, "exempt_paragraph": item.exempt_paragraph,
                           "to_follow": item.to_follow_reason if item.to_follow else None,
                           "fingerprint": fingerprint, "changed": laid.changed})
        fields = dict(meeting_id=meeting.id, number=number, pdf=result.pdf,
                      sha256=hashlib.sha256(result.pdf).hexdigest(), page_count=result.page_count,
                      agenda=json.dumps(agenda), change_note=note,
                      late_reason=(late_reason or "").strip() or None if check["late"] else None,
                      published_at=utcnow(), published_by_id=actor.id, front_pages=result.front_pages)
        if confidential:
            fields["confidential"] = True
        return AgendaPack(**fields), agenda

    public, agenda = one_pack(False)
    secret = one_pack(True)[0] if any(item.exempt_paragraph is not None for item, _, _ in built) else None
    with changing(meeting, version, f"Version {number} of the agenda pack was already published."):
        db.session.add(public)
        if secret is not None:
            db.session.add(secret)
        from_state = meeting.agenda_state
        meeting.agenda_state = AgendaState.PUBLISHED
        db.session.flush()
        for item in items:
            if item.report is not None and item.report.state != ReportState.PUBLISHED:
                item.report.state = ReportState.PUBLISHED
                record("report_published", item.report, actor=actor, from_state=ReportState.APPROVED,
                       to_state=ReportState.PUBLISHED, data={"meeting_id": meeting.id, "pack_version": number})
        record("agenda_published", meeting, actor=actor, from_state=from_state, to_state=AgendaState.PUBLISHED,
               version=number, comment=public.change_note,
               data={"sha256": public.sha256, "pages": public.page_count, "late_reason": public.late_reason,
                     "clear_working_days": check["clear_days"],
                     "changed_items": [e["number"] for e in agenda if e["changed"]],
                     "confidential_pack": ({"sha256": secret.sha256, "pages": secret.page_count}
                                           if secret is not None else None)})
    return public
