"""The agenda pack: one tagged PDF with the front sheet, then each item's papers in agenda order.

A pure function over plain data (no database): `build_pack(meeting, items)`. It must run
inside a Flask app context (the front sheet is a template).

- The front sheet is rendered by WeasyPrint from templates/meetings/pack_front.html with
  static/css/pack.css. It shows the page range of each item's papers: it is rendered, the
  pack is laid out, and it is rendered again until its own length stops changing.
- Each item's papers (its body, then its annexes) start on an odd page of the pack; a page
  saying "This page is intentionally left blank" fills the gap.
- Page numbers that stay put: a later version is given the number of pages the previous
  version's front sheet took (`keep_front`). The front sheet keeps to it (set closer if it
  must), the change note goes on a page of its own at the end, and the front sheet only says
  which items changed. So every item before the first change keeps its pages; new material
  goes where it belongs and only what follows moves.
- "Page N" is stamped at the foot of every page (app/meetings/pack/stamps.py); with the
  council's setting "front sheet not numbered", numbering starts at 1 on the first page after
  the front sheet, as many councils number their packs.
- The pack is tagged (app/meetings/pack/tagged.py): the front sheet's tags and each tagged
  paper's tags in one structure tree, each item's papers a section of it.
- Each agenda item gets a bookmark ("N. Title") at its first page of papers, or at the
  front sheet page that lists it; annexes and the report's own section bookmarks are children.
- Exempt items (Schedule 12A): the public pack lists them by title and paragraph under the
  exclusion wording, without papers; the confidential pack (`PackMeeting.confidential`)
  holds only the exempt items' papers.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time

from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, TextStringObject

from app.meetings import dates
from app.meetings.pack.stamps import STAMP_NAME, _placement, _stamp, _stamp_forms  # noqa: F401
from app.meetings.pack.tagged import StructureTree, copy_bookmarks, mark_artifact
from app.meetings.pack.words import (  # noqa: F401
    DECLARATIONS,
    STANDING_TITLES,
    URGENT,
    councillors_line,
    format_time,
    purpose_blocks,
    standing_of,
)

BLANK_TEXT = "This page is intentionally left blank"

Progress = Callable[[str, int, int], None]


@dataclass
class PackItem:
    number: int                 # agenda item number
    title: str
    purpose: str | None         # the line under the title
    body_pdf: bytes | None      # the item's papers (a report PDF, or the minutes); None = no papers
    annexes: list[tuple[str, bytes]] = field(default_factory=list)   # (annex title, PDF bytes)
    to_follow: str | None = None   # reason, when the papers are "to follow" ("" = no reason given)
    page_start: int | None = None  # filled in by build_pack
    page_end: int | None = None
    # The standing item's key ("declarations", "public_participation", ...). Optional: when
    # missing it is recognised from the usual titles. Only used for the standard wording when
    # there is no purpose, and to show the registration deadline in bold.
    standing: str | None = None
    # Schedule 12A paragraph (1-7) when the item is exempt (app/meetings/exempt.py).
    exempt_paragraph: int | None = None
    changed: bool = False       # new or changed since the previous version (said on the front sheet)


@dataclass
class PackMeeting:
    council_name: str
    committee_name: str
    members: list[tuple[str, str]]  # (name as printed e.g. "Councillor D Taylor", "chair"|"vice_chair"|"member")
    meets_on: date
    starts_at: time | None
    venue: str | None
    clerk_name: str | None
    clerk_telephone: str | None
    clerk_email: str | None
    version: int = 1
    change_note: str | None = None
    # The council's statements for the foot of the front sheet (app/settings.py), by key; a
    # key not given has the standard wording.
    front_sheet: dict[str, str] = field(default_factory=dict)
    confidential: bool = False     # the confidential pack: the exempt items' papers only
    published_on: date | None = None


@dataclass
class PackResult:
    pdf: bytes
    page_count: int
    items: list[PackItem]   # copies of the items given, with page_start/page_end set
    front_pages: int = 1    # the pages before the first paper (front sheet and its blank page)


# --- reading the papers ---------------------------------------------------------------

def _read(data: bytes | None, what: str) -> PdfReader:
    """A PdfReader whose every page can be read, or a ValueError in plain English."""
    problem = "it is not a PDF file that can be read"
    try:
        if not data:
            raise ValueError("empty")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            problem = "it is protected by a password"
            raise ValueError("encrypted")
        if len(reader.pages) == 0:
            problem = "it has no pages"
            raise ValueError("no pages")
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading them is the check
            page.rotation  # noqa: B018
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
    except Exception as exc:  # pypdf raises many kinds of error on a damaged file
        raise ValueError(f"{what} cannot go in the agenda pack: {problem}. "
                         "Check that the file opens, then upload it again.") from exc
    return reader


def _read_item(item: PackItem) -> list[tuple[str | None, PdfReader]]:
    """The item's papers: (None, body) then (annex title, annex), each checked."""
    named = f"Item {item.number}, “{item.title}”"
    parts: list[tuple[str | None, PdfReader]] = []
    if item.body_pdf is not None:
        parts.append((None, _read(item.body_pdf, f"The papers for {named}")))
    for n, (title, data) in enumerate(item.annexes, start=1):
        parts.append((title, _read(data, f"Annex “{title or n}” of {named}")))
    return parts


# --- rendering ------------------------------------------------------------------------

def _render(html: str):
    """A laid-out WeasyPrint document (pages, anchors) for HTML using pack.css."""
    from weasyprint import CSS, HTML

    css = CSS(filename=f"{current_app.static_folder}/css/pack.css")
    return HTML(string=html, base_url=current_app.static_folder).render(stylesheets=[css])


def _as_reader(document, tagged: bool = False) -> PdfReader:
    return PdfReader(io.BytesIO(document.write_pdf(pdf_tags=True) if tagged else document.write_pdf()))


def _page_label(start: int | None, end: int | None) -> str | None:
    if start is None:
        return None
    return f"Page {start}" if start == end else f"Pages {start} - {end}"


def _and_list(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _front_sheet(meeting: PackMeeting, items: list[PackItem], ranges: list[tuple[int | None, int | None]],
                 note_page: int | None = None, closer: int = 0):
    from app.meetings.exempt import HEADING, exclusion_wording, exempt_label
    from app.settings import front_sheet_defaults

    texts = {**front_sheet_defaults(), **meeting.front_sheet}
    deadline = dates.format_deadline(dates.public_participation_deadline(meeting.meets_on))
    has_officer = bool(meeting.clerk_name or meeting.clerk_telephone or meeting.clerk_email)
    officer = texts.get("front_sheet_officer_title") or "Democracy Officer"
    rows = []
    exclusion = None if meeting.confidential else exclusion_wording(items)
    for index, (item, (start, end)) in enumerate(zip(items, ranges)):
        standing = standing_of(item)
        purpose = item.purpose
        extra = []
        exempt = item.exempt_paragraph is not None
        if not (purpose or "").strip():
            purpose = {
                "declarations": DECLARATIONS,
                "public_participation": (
                    "At this point in the meeting members of the public who have registered to speak can do so. "
                    f"The deadline for registering is {deadline}. Members of the public can speak on agenda "
                    "items or matters within the remit of the committee."),
                "urgent_business": URGENT,
            }.get(standing, purpose)
        if standing == "public_participation" and has_officer:
            extra.append(f"To register to speak please contact the {officer} for the meeting, "
                         "on the details at the foot of the agenda.")
        if exempt and not meeting.confidential:
            blocks = [{"kind": "p", "parts": [(exempt_label(item.exempt_paragraph), False)]}]
        else:
            blocks = purpose_blocks(purpose or "", deadline if standing == "public_participation" else None)
            blocks += [{"kind": "p", "parts": [(text, False)]} for text in extra]
            if exempt:
                blocks.append({"kind": "p", "parts": [(exempt_label(item.exempt_paragraph), False)]})
        rows.append({"anchor": f"item-{index}", "number": item.number, "title": item.title,
                     "pages": _page_label(start, end), "to_follow": item.to_follow, "blocks": blocks,
                     "exclusion": exclusion if exempt and exclusion and not any(
                         i.exempt_paragraph is not None for i in items[:index]) else None})
    from app.settings import CONTACT_GENERAL, CONTACT_OFFICER

    contact = (texts.get("front_sheet_contact") or CONTACT_OFFICER if has_officer else
               (texts.get("front_sheet_contact_general") or CONTACT_GENERAL)
               .replace("{council}", meeting.council_name))
    statements = [purpose_blocks(texts[key], None) for key in
                  ("front_sheet_filming", "front_sheet_other_formats", "front_sheet_languages") if texts.get(key)]
    changed = [i.number for i in items if i.changed]
    html = render_template(
        "meetings/pack_front.html", meeting=meeting, items=rows, councillors=councillors_line(meeting.members),
        contact=purpose_blocks(contact, None), statements=statements, officer=officer, closer=closer,
        changed=_and_list(changed) if changed else None, changed_count=len(changed),
        note_page=note_page, exclusion_heading=HEADING,
        long_date=dates.format_long_date(meeting.meets_on), start_time=format_time(meeting.starts_at))
    return _render(html)


def _lay_out(counts: list[list[int]], front_pages: int) -> tuple[list[tuple[int | None, int | None]], int]:
    """Page ranges of each item's papers (1-based, whole pack), and the pack's length."""
    ranges = []
    last = front_pages
    for parts in counts:
        total = sum(parts)
        if not total:
            ranges.append((None, None))
            continue
        if last % 2 == 1:
            last += 1  # a blank page, so the papers start on an odd page
        ranges.append((last + 1, last + total))
        last += total
    return ranges, last


def _labelled(ranges, offset: int):
    return [(None, None) if s is None else (s - offset, e - offset) for s, e in ranges]


# --- the pack ---------------------------------------------------------------------------

def build_pack(meeting: PackMeeting, items: list[PackItem], progress: Progress | None = None,
               keep_front: int | None = None) -> PackResult:
    """The agenda pack as one PDF. Raises ValueError naming the item (and annex) when a PDF
    cannot be read. `progress(stage, done, total)` is called as each stage starts
    ("Front sheet", "Item 5", "Page numbers"), and once more with done == total at the end.
    `keep_front`: the pages the previous version's front sheet took, kept if it fits."""
    report = progress or (lambda stage, done, total: None)
    total = len(items) + 2
    numbered = (meeting.front_sheet.get("front_sheet_numbered") or "yes") != "no"

    papers = [_read_item(item) for item in items]
    counts = [[len(reader.pages) for _, reader in parts] for parts in papers]
    with_note = bool(meeting.version > 1 and meeting.change_note)

    report("Front sheet", 0, total)
    assumed, closer, grew = max(keep_front or 1, 1), 0, False
    for _ in range(12):
        ranges, pack_length = _lay_out(counts, assumed)
        offset = 0 if numbered else assumed
        note_page = (pack_length + 1 - offset) if with_note else None
        front = _front_sheet(meeting, items, _labelled(ranges, offset), note_page, closer)
        if len(front.pages) <= assumed:
            break
        if keep_front and not grew and closer < 2:
            closer += 1  # set the front sheet closer before letting it move the papers
            continue
        assumed, closer, grew = len(front.pages), 0, True  # it must grow: set as usual
    else:  # pragma: no cover - the length only ever grows, so this cannot loop for long
        raise RuntimeError("The front sheet's length would not settle.")
    front_pages = len(front.pages)
    anchor_page = {}
    for number, page in enumerate(front.pages):
        for anchor in page.anchors:
            anchor_page.setdefault(anchor, number)

    writer = PdfWriter()
    tree = StructureTree(writer, f"Agenda: {meeting.committee_name}")
    blank = _as_reader(_render(render_template("meetings/pack_blank.html")))

    def add_blank():
        writer.add_page(blank.pages[0])
        mark_artifact(writer, writer.pages[-1])

    front_reader = _as_reader(front, tagged=True)
    for page in front_reader.pages:
        writer.add_page(page)
    tree.graft(front_reader, 0)
    for _ in range(assumed - front_pages):
        add_blank()

    built = []
    for index, (item, parts, (start, end)) in enumerate(zip(items, papers, ranges)):
        report(f"Item {item.number}", index + 1, total)
        outline_title = f"{item.number}. {item.title}"
        if start is None:
            writer.add_outline_item(title=outline_title, page_number=anchor_page.get(f"item-{index}", 0))
            built.append(replace(item, page_start=None, page_end=None))
            continue
        if len(writer.pages) % 2 == 1:
            add_blank()
        assert len(writer.pages) + 1 == start, "the pack was laid out differently from the front sheet"
        section = tree.section(outline_title)
        firsts = []
        for _, reader in parts:
            firsts.append(len(writer.pages))
            for page in reader.pages:
                writer.add_page(page)
            tree.graft(reader, firsts[-1], section)
        assert len(writer.pages) == end
        # Bookmarks once their pages are in the writer, so they point at the pages themselves.
        parent = writer.add_outline_item(title=outline_title, page_number=start - 1)
        for (annex_title, reader), first in zip(parts, firsts):
            if annex_title is None:
                copy_bookmarks(writer, reader, first, parent)
            else:
                child = writer.add_outline_item(title=annex_title, page_number=first, parent=parent)
                copy_bookmarks(writer, reader, first, child)
        built.append(replace(item, page_start=start - offset, page_end=end - offset))
    assert len(writer.pages) == pack_length

    if with_note:
        note = _as_reader(_render(render_template("meetings/pack_note.html", meeting=meeting,
                                                  changed=[i for i in items if i.changed])), tagged=True)
        first = len(writer.pages)
        for page in note.pages:
            writer.add_page(page)
        tree.graft(note, first)
        writer.add_outline_item(title=f"What changed in version {meeting.version}", page_number=first)

    report("Page numbers", total - 1, total)
    stamped = list(range(offset, len(writer.pages)))
    forms, stamp_width = _stamp_forms(writer, [n + 1 - offset for n in stamped])
    save = DecodedStreamObject()
    save.set_data(b"q\n")
    save_ref = writer._add_object(save)
    for index, form in zip(stamped, forms):
        _stamp(writer, writer.pages[index], form, stamp_width, save_ref)
    tree.finish()

    long_date = dates.format_long_date(meeting.meets_on)
    title = ("Confidential papers" if meeting.confidential else "Agenda") + f": {meeting.committee_name}, {long_date}"
    writer.add_metadata({
        "/Title": title + (f" (version {meeting.version})" if meeting.version > 1 else ""),
        "/Author": meeting.council_name,
        "/Subject": (f"Exempt papers for a meeting of {meeting.committee_name}: not for publication"
                     if meeting.confidential else f"Notice of a public meeting of {meeting.committee_name}"),
        "/Creator": "Docket",
    })
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.create_viewer_preferences().display_doctitle = True
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    report("Page numbers", total, total)
    return PackResult(pdf=out.getvalue(), page_count=len(writer.pages), items=built, front_pages=assumed)
