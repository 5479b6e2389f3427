"""Committee papers (issue 14): reports not compiled from a plan.

An officer of any service writes a paper for a meeting in the council's report format (the
same sections, numbered paragraphs and PDF as compiled reports), or uploads it (a Word paper
is read into those sections by app/reports/word.py; a PDF paper is kept as it is, with its
cover details typed in). Either way it is a `Report` of kind "paper" with the author's service
and the meeting it is for, and it goes through the same route as every report
(app/reports/service.py): submitted, approved or returned by the service's Assistant Director
(or the chief officer the council names for the service), frozen in a numbered, hashed version.

Annexes (PDF, Word, Excel) have titles: "Annex A: Improvement Board Dashboard" is what the
paper, the agenda and the pack show, never the file name. The list of annexes (letters,
titles, SHA-256) is part of the paper's content, so an approved version's hash covers them,
and adding or removing an annex after approval starts a new version, as any edit does.

For the pack: `paper_pdf`, `annexes_for_pack`; for tests that nothing leaks: `paper_text`.
"""
import hashlib
import io
import json
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Meeting, Report, ReportAnnex, ReportKind, ReportState, Service, User, WorkPlanEntry
from app.permissions import scope_for
from app.reports import content as C
from app.reports import service as R
from app.trail import record

S = ReportState
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANNEX_KINDS = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX}
ANNEX_TITLE_LIMIT = 200
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- who writes papers, for which service and meeting ------------------------------------

def writable_services(user) -> list[Service]:
    """The services a person may write papers for: any service they hold a role in (action
    owner, Head of Service, Assistant Director); every live service for an administrator."""
    scope = scope_for(user)
    stmt = sa.select(Service).where(Service.retired_at.is_(None)).order_by(Service.name)
    if not scope.admin:
        stmt = stmt.where(Service.id.in_(scope.services() or {0}))
    return list(db.session.scalars(stmt))


def may_write_for(user, service: Service | None) -> bool:
    if service is None:
        return False
    scope = scope_for(user)
    return scope.admin or service.id in scope.services()


def meetings_ahead(today: date | None = None) -> list[Meeting]:
    """Meetings a paper can be written for: every committee's meetings from today on."""
    from app.models import Committee

    today = today or date.today()
    return list(db.session.scalars(
        sa.select(Meeting).join(Committee, Committee.id == Meeting.committee_id)
        .where(Meeting.meets_on >= today, Committee.retired_at.is_(None))
        .order_by(Meeting.meets_on, Committee.name)))


def meeting_label(meeting: Meeting) -> str:
    from app.meetings.dates import format_long_date

    return f"{meeting.committee.name}, {format_long_date(meeting.meets_on)}"


def chief_officer_for(service: Service) -> User | None:
    """Who approves the service's papers: the chief officer the council named for it, else its
    Assistant Director (the plan holder)."""
    return service.chief_officer or service.plan_holder


def names_chief_officer(user, report: Report) -> bool:
    """Is `user` the chief officer the council named for the paper's service?"""
    service = report.service if report.kind == ReportKind.PAPER else None
    return bool(service is not None and service.chief_officer_id and service.chief_officer_id == getattr(user, "id", None))


# --- creating a paper -------------------------------------------------------------------

def new_paper_problems(title: str | None, service: Service | None, meeting: Meeting | None, actor,
                       title_optional: bool = False) -> dict[str, str]:
    problems = {}
    if not (title or "").strip() and not title_optional:
        problems["title"] = "Enter the paper's title"
    elif len((title or "").strip()) > 300:
        problems["title"] = "The title must be 300 characters or fewer"
    if service is None:
        problems["service_id"] = "Choose the service the paper is from"
    elif not may_write_for(actor, service):
        problems["service_id"] = f"You do not hold a role in {service.name}, so you cannot write its papers"
    if meeting is None:
        problems["meeting_id"] = "Choose the meeting the paper is for"
    return problems


def _plan_entry(meeting: Meeting, title: str, entry: WorkPlanEntry | None) -> WorkPlanEntry | None:
    """The work plan item the paper answers: the one named, or one of that meeting's with the
    same title, if it has no report linked yet."""
    if entry is None:
        entry = db.session.scalar(sa.select(WorkPlanEntry).where(
            WorkPlanEntry.meeting_id == meeting.id, sa.func.lower(WorkPlanEntry.title) == title.strip().lower()))
    if entry is None or entry.meeting_id != meeting.id or entry.report_id is not None:
        return None
    return entry


def create_paper(title: str | None, service: Service | None, meeting: Meeting | None, actor, *,
                 summary: str | None = None, recommendations: str | None = None, form_token: str | None = None,
                 source: tuple[str, str, bytes] | None = None, entry: WorkPlanEntry | None = None) -> Report:
    """Create a paper: typed (no `source`), or uploaded (`source` = (file name, content type,
    bytes) of a Word or PDF paper). A Word paper's sections are read from it; a PDF paper keeps
    its file and is described by `summary` and `recommendations`. One paper per form
    (`form_token`, as for reports). Links the meeting's work plan item of the same title."""
    if form_token and R.created_from(form_token) is not None:
        raise R._already_created(form_token)
    data = C.blank_content()
    word_title = None
    if source is not None and source[1] == DOCX:
        from app.reports.word import WordUnreadable, as_content, read_docx

        try:
            paper = read_docx(source[2])
        except WordUnreadable as exc:
            raise R.Invalid({"file": str(exc)}) from None
        data = as_content(paper)
        word_title = paper.title
    problems = new_paper_problems(title or word_title, service, meeting, actor)
    for key, text in (("summary", summary), ("recommendations", recommendations)):
        if (text or "").strip():
            data[key] = text.strip()[:C.limit(key)]
        elif source is not None and not C.blocks(data.get(key)):
            where = "" if source[1] == PDF else " (the Word paper has no section with this heading)"
            problems[key] = f"Enter the paper's {'summary' if key == 'summary' else 'recommendations'}{where}"
    if problems:
        raise R.Invalid(problems)
    title = (title or word_title or "").strip()[:300]
    report = Report(title=title, kind=ReportKind.PAPER, service_id=service.id, meeting_id=meeting.id,
                    committee_id=meeting.committee_id, author_id=actor.id, state=S.DRAFT, version_number=1,
                    form_token=form_token or None)
    chief = chief_officer_for(service)
    report.chief_officer_id = chief.id if chief else None
    trail = {"title": title, "service": service.name, "meeting": meeting_label(meeting), "author": actor.name}
    if source is not None:
        filename, content_type, raw = source
        report.source_filename = filename[:255]
        report.source_content_type = content_type
        report.source_data = raw
        report.source_sha256 = hashlib.sha256(raw).hexdigest()
        data["source"] = {"filename": report.source_filename, "sha256": report.source_sha256,
                          "content_type": content_type}
        trail["file"] = report.source_filename
    report.content = C.canonical(data)
    db.session.add(report)
    try:
        from app.concurrency import Refused, guarded

        with guarded(already="", stale=""):
            pass
    except Refused:
        raise R._already_created(form_token) from None
    record("paper_uploaded" if source is not None else "paper_created", report, actor=actor, to_state=S.DRAFT,
           version=1, data=trail)
    planned = _plan_entry(meeting, title, entry)
    if planned is not None:
        planned.report_id = report.id
        record("work_plan_item_linked", planned, actor=actor, data={"report": title})
    db.session.commit()
    return report


# --- the paper's sections, as the committee reads them -----------------------------------

def sections_for(report: Report, data: dict) -> list[tuple[str, str, list[C.Block]]]:
    """(key, heading, blocks) of each section with paragraph numbers running through. A
    progress report's are `content.numbered_sections`; a paper has no compiled Progress
    section: its own sections (from Word) and its Analysis (typed) stand there instead."""
    if report.kind != ReportKind.PAPER:
        return C.numbered_sections(data)
    n = 0
    result = []

    def numbered(blocks, on=True):
        nonlocal n
        for block in blocks:
            if on and block.kind == "para":
                n += 1
                block.number = n
        return blocks

    for key, heading, on in C.SECTIONS:
        if key == "progress":
            for i, own in enumerate(data.get("paper_sections") or [], start=1):
                blocks = [C.Block(b.get("kind", "para"), list(b.get("items") or [])) for b in own.get("blocks") or []]
                result.append((f"paper-{i}", own.get("heading") or "", numbered(blocks)))
            result.append(("analysis", "Analysis", numbered(C.blocks(data.get("progress")))))
            continue
        result.append((key, heading, numbered(C.blocks(data.get(key)), on)))
    return result


def _sync_annexes(report: Report, data: dict) -> None:
    data["annex_list"] = [{"letter": a.letter, "title": a.title, "sha256": a.sha256, "content_type": a.content_type}
                          for a in sorted(report.annexes, key=lambda a: a.position)]


def _start_new_version_if_approved(report: Report, actor, doing: str) -> None:
    if report.state == S.APPROVED:
        report.version_number += 1
        report.state = S.DRAFT
        R._flush(report, doing)
        record("report_new_version", report, actor=actor, from_state=S.APPROVED, to_state=S.DRAFT,
               version=report.version_number, comment=f"Version {report.version_number} started by {doing}")


def add_annex(report: Report, title: str | None, filename: str, content_type: str, raw: bytes, expected_version,
              actor) -> ReportAnnex:
    """Add an annex, lettered after the last one. Only while the paper can be edited; after
    approval, this starts a new version."""
    if not R.may_edit(actor, report):
        raise R.NotAllowed("Only the author or a Head of Service can add annexes to this report.")
    problems = {}
    title = " ".join((title or "").split())
    if not title:
        problems["annex_title"] = "Enter the annex's title, for example Improvement Board Dashboard"
    elif len(title) > ANNEX_TITLE_LIMIT:
        problems["annex_title"] = f"The annex's title must be {ANNEX_TITLE_LIMIT} characters or fewer"
    if content_type not in ANNEX_KINDS.values():
        problems["annex_file"] = "The annex must be a PDF, Word (.docx) or Excel (.xlsx) file"
    if problems:
        raise R.Invalid(problems)
    R._check(report, expected_version, {S.DRAFT, S.RETURNED, S.APPROVED}, "changed")
    used = {a.letter for a in report.annexes}
    after = max((LETTERS.index(a.letter) for a in report.annexes if a.letter in LETTERS), default=-1) + 1
    letter = next((L for L in LETTERS[after:] if L not in used), None)
    if letter is None:
        raise R.Invalid({"annex_file": "A report can have at most 26 annexes"})
    _start_new_version_if_approved(report, actor, "adding an annex")
    annex = ReportAnnex(report=report, letter=letter, position=after, title=title, filename=filename[:255],
                        content_type=content_type, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), data=raw)
    db.session.add(annex)
    data = R.get_content(report)
    _sync_annexes(report, data)
    report.content = C.canonical(data)
    R._flush(report, "changed")
    record("report_annex_added", report, actor=actor, version=report.version_number,
           data={"annex": annex.heading, "file": annex.filename, "sha256": annex.sha256})
    R._commit(report, "changed")
    return annex


def remove_annex(annex: ReportAnnex, expected_version, actor) -> None:
    report = annex.report
    if not R.may_edit(actor, report):
        raise R.NotAllowed("Only the author or a Head of Service can remove this report's annexes.")
    R._check(report, expected_version, {S.DRAFT, S.RETURNED, S.APPROVED}, "changed")
    heading = annex.heading
    _start_new_version_if_approved(report, actor, "removing an annex")
    report.annexes.remove(annex)
    data = R.get_content(report)
    _sync_annexes(report, data)
    report.content = C.canonical(data)
    R._flush(report, "changed")
    record("report_annex_removed", report, actor=actor, version=report.version_number, data={"annex": heading})
    R._commit(report, "changed")


# --- for the pack, and for tests -------------------------------------------------------

def _approved(report: Report):
    approved = [v for v in report.versions if v.approved_at is not None]
    return approved[-1] if approved else None


def paper_pdf(report: Report, running_numbers: bool = True) -> bytes:
    """The paper as a PDF: an uploaded PDF paper as it was uploaded; otherwise the latest
    approved version's PDF (built at approval), or the draft's, built now. With
    `running_numbers=False` (for the pack, which numbers its own pages) a typed paper's
    footer is left empty."""
    from app.reports.pdf import approved_pdf, render_pdf

    if report.source_content_type == PDF and report.source_data:
        return report.source_data
    frozen = _approved(report)
    if frozen is not None:
        if running_numbers:
            return approved_pdf(report, frozen)
        return render_pdf(report, json.loads(frozen.content), frozen, running_numbers=False)
    return render_pdf(report, R.get_content(report), None, running_numbers=running_numbers)


def _frozen_annexes(report: Report) -> list[ReportAnnex]:
    """The annexes as approved: those the latest approved version lists (all of them while
    nothing is approved)."""
    frozen = _approved(report)
    annexes = sorted(report.annexes, key=lambda a: a.position)
    if frozen is None:
        return annexes
    listed = {(a["letter"], a["sha256"]) for a in json.loads(frozen.content).get("annex_list") or []}
    return [a for a in annexes if (a.letter, a.sha256) in listed]


def annexes_for_pack(report: Report) -> list[tuple[str, bytes]]:
    """(title, PDF bytes) of the paper's PDF annexes, in order: "Annex A: Improvement Board
    Dashboard". Word and Excel annexes are not in the pack: they are listed by title and
    downloaded on their own."""
    return [(a.heading, a.data) for a in _frozen_annexes(report) if a.content_type == PDF]


def other_annexes(report: Report) -> list[ReportAnnex]:
    """The Word and Excel annexes, to list by title beside the pack."""
    return [a for a in _frozen_annexes(report) if a.content_type != PDF]


def _pdf_text(raw: bytes) -> str:
    from pypdf import PdfReader

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    except Exception:  # a PDF pypdf cannot read has no text to give
        return ""


def paper_text(report: Report) -> str:
    """Every word of the paper (its latest approved version, else the draft): title,
    sections, implications, annex titles, and the text of an uploaded PDF paper and of its
    PDF annexes. For tests that no word of an exempt paper reaches a public page or pack."""
    frozen = _approved(report)
    data = json.loads(frozen.content) if frozen is not None else R.get_content(report)
    lines = [report.title]
    for _key, heading, blocks in sections_for(report, data):
        if blocks:
            lines.append(heading)
        for block in blocks:
            if block.kind == "table":
                lines.extend(" ".join(cell for cell in row) for row in block.items)
            else:
                lines.extend(block.items)
    lines.extend(data.get(f"implications_{key}") or "" for key, _ in C.IMPLICATIONS)
    lines.extend(data.get(key) or "" for key, _ in C.EXTRA)
    annexes = _frozen_annexes(report)
    lines.extend(a.heading for a in annexes)
    if report.source_content_type == PDF and report.source_data:
        lines.append(_pdf_text(report.source_data))
    lines.extend(_pdf_text(a.data) for a in annexes if a.content_type == PDF)
    return "\n".join(line for line in lines if line)
