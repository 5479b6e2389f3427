"""The agenda pack: one PDF with the front sheet, then each item's papers in agenda order.

A pure function over plain data (no database): `build_pack(meeting, items)`. It must run
inside a Flask app context (the front sheet is a template).

- The front sheet is rendered by WeasyPrint from templates/meetings/pack_front.html with
  static/css/pack.css. It shows the real page range of each item's papers: it is rendered,
  the pack is laid out, and it is rendered again until its own length stops changing.
- Each item's papers (its body, then its annexes) start on an odd page of the pack; a page
  saying "This page is intentionally left blank" fills the gap.
- "Page N" is stamped at the foot of every page, front sheet included. The stamps are one
  WeasyPrint document with a numbered empty page per pack page; each page of it becomes a
  form XObject drawn over the matching pack page, so the pages' own content streams are
  never parsed or rewritten (fast, and pages that share objects stay independent).
- Each agenda item gets a bookmark ("N. Title") at its first page of papers, or at the
  front sheet page that lists it; annexes are child bookmarks.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time

from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from app.meetings import dates

BLANK_TEXT = "This page is intentionally left blank"
STAMP_NAME = "/DocketPageNumber"

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


@dataclass
class PackResult:
    pdf: bytes
    page_count: int
    items: list[PackItem]   # copies of the items given, with page_start/page_end set


# --- words ----------------------------------------------------------------------------

_HONORIFIC = re.compile(r"^\s*(?:councillor|cllr\.?)\s+", re.IGNORECASE)
_INITIAL = re.compile(r"^[A-Z]\.?$")

STANDING_TITLES = {
    "declarations of interest": "declarations",
    "declarations of interests": "declarations",
    "minutes": "minutes",
    "public participation": "public_participation",
    "work plan": "work_plan",
    "urgent business": "urgent_business",
}

DECLARATIONS = ("At this point, Members are asked to declare:\n"
                "- any personal interests not included on the Register of Interests\n"
                "- any prejudicial interests or\n"
                "- any disclosable pecuniary interests\n"
                "which they may have in respect of business on this agenda")
URGENT = "Any other business which the Chair considers urgent under the Local Government Act 1972."


def format_time(t: time | None) -> str | None:
    """5.30 pm"""
    if t is None:
        return None
    return f"{t.hour % 12 or 12}.{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"


def _printed_name(name: str) -> tuple[str, str, str]:
    """("D Taylor" or "Webb", surname, first initial) from "Councillor D Taylor" / "Councillor Jo Webb"."""
    rest = _HONORIFIC.sub("", name).strip()
    tokens = rest.split()
    if len(tokens) <= 1:
        return rest, rest, ""
    forenames, surname = tokens[:-1], tokens[-1]
    initial = forenames[0][0].upper()
    if all(_INITIAL.match(t) for t in forenames):
        return rest, surname, initial       # initials are printed as the council gave them
    return surname, surname, initial


def councillors_line(members: list[tuple[str, str]]) -> str | None:
    """"Councillors D Taylor (Chair), Webb (Vice-Chair), Daubeney, Fenton and Hollyer".

    Chair first, then Vice-Chair, then the others in the order given; surnames only, with
    the initial kept where the name was given with initials, or added where two members
    share a surname."""
    if not members:
        return None
    rank = {"chair": 0, "vice_chair": 1}
    ordered = sorted(members, key=lambda m: rank.get(str(getattr(m[1], "value", m[1])), 2))
    printed = [(_printed_name(name), str(getattr(role, "value", role))) for name, role in ordered]
    surnames = [p[1].lower() for p, _ in printed]
    names = []
    for (short, surname, initial), role in printed:
        if short == surname and initial and surnames.count(surname.lower()) > 1:
            short = f"{initial} {surname}"
        if role == "chair":
            short += " (Chair)"
        elif role == "vice_chair":
            short += " (Vice-Chair)"
        names.append(short)
    if len(names) == 1:
        return f"Councillor {names[0]}"
    return f"Councillors {', '.join(names[:-1])} and {names[-1]}"


def _standing(item: PackItem) -> str | None:
    return item.standing or STANDING_TITLES.get(" ".join(item.title.lower().split()))


def _purpose_blocks(text: str, bold: str | None) -> list[dict]:
    """Paragraphs and bullet lists ("- " lines) of a purpose; `bold` is shown in bold where it occurs.
    Plain text in, plain text out: the template escapes it."""
    blocks: list[dict] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("- ", "• ", "* ")):
            if not blocks or blocks[-1]["kind"] != "ul":
                blocks.append({"kind": "ul", "lines": []})
            blocks[-1]["lines"].append(line[2:].strip())
            continue
        parts = [(line, False)]
        if bold and bold in line:
            before, after = line.split(bold, 1)
            parts = [(before, False), (bold, True), (after, False)]
        blocks.append({"kind": "p", "parts": parts})
    return blocks


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


def _as_reader(document) -> PdfReader:
    return PdfReader(io.BytesIO(document.write_pdf()))


def _page_label(start: int | None, end: int | None) -> str | None:
    if start is None:
        return None
    return f"Page {start}" if start == end else f"Pages {start} - {end}"


def _front_sheet(meeting: PackMeeting, items: list[PackItem], ranges: list[tuple[int | None, int | None]]):
    deadline = dates.format_deadline(dates.public_participation_deadline(meeting.meets_on))
    has_officer = bool(meeting.clerk_name or meeting.clerk_telephone or meeting.clerk_email)
    rows = []
    for index, (item, (start, end)) in enumerate(zip(items, ranges)):
        standing = _standing(item)
        purpose = item.purpose
        extra = []
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
            extra.append("To register to speak please contact the Democracy Officer for the meeting, "
                         "on the details at the foot of the agenda.")
        blocks = _purpose_blocks(purpose or "", deadline if standing == "public_participation" else None)
        blocks += [{"kind": "p", "parts": [(text, False)]} for text in extra]
        rows.append({"anchor": f"item-{index}", "number": item.number, "title": item.title,
                     "pages": _page_label(start, end), "to_follow": item.to_follow, "blocks": blocks})
    from app.settings import CONTACT_GENERAL, CONTACT_OFFICER

    contact = (meeting.front_sheet.get("front_sheet_contact") or CONTACT_OFFICER if has_officer else
               (meeting.front_sheet.get("front_sheet_contact_general") or CONTACT_GENERAL)
               .replace("{council}", meeting.council_name))
    html = render_template(
        "meetings/pack_front.html", meeting=meeting, items=rows, councillors=councillors_line(meeting.members),
        contact=_purpose_blocks(contact, None),
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


# --- page numbers -----------------------------------------------------------------------

def _stamp_forms(writer: PdfWriter, count: int) -> tuple[list[IndirectObject], float]:
    """One form XObject per pack page showing "Page N", and the stamps' page width."""
    html = ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Page numbers</title></head>'
            "<body>" + '<div class="docket-stamp"></div>' * count + "</body></html>")
    stamps = _as_reader(_render(html))
    if len(stamps.pages) != count:  # pragma: no cover - a change in WeasyPrint
        raise RuntimeError(f"Expected {count} page-number stamps, WeasyPrint made {len(stamps.pages)}.")
    forms = []
    width = float(stamps.pages[0].mediabox.width)
    for page in stamps.pages:
        box = page.mediabox
        form = DecodedStreamObject()
        form.set_data(page.get_contents().get_data())
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        forms.append(writer._add_object(form.flate_encode()))
    return forms, width


def _placement(page, stamp_width: float) -> tuple[float, ...]:
    """The matrix that puts the stamp's foot at the visible foot of the page, centred,
    whatever the page's size, origin or /Rotate."""
    box = page.cropbox
    x0, y0, w, h = float(box.left), float(box.bottom), float(box.width), float(box.height)
    rotate = page.rotation % 360
    if rotate == 90:
        return (0, 1, -1, 0, x0 + w, y0 + (h - stamp_width) / 2)
    if rotate == 180:
        return (-1, 0, 0, -1, x0 + w - (w - stamp_width) / 2, y0 + h)
    if rotate == 270:
        return (0, -1, 1, 0, x0, y0 + h - (h - stamp_width) / 2)
    return (1, 0, 0, 1, x0 + (w - stamp_width) / 2, y0)


def _stamp(writer: PdfWriter, page, form: IndirectObject, stamp_width: float, save: IndirectObject) -> None:
    """Draw the form over the page: new /Contents array and /Resources dictionary for this
    page only (the objects they point to are shared, never changed)."""
    matrix = " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in _placement(page, stamp_width))
    draw = DecodedStreamObject()
    draw.set_data(f"\nQ q {matrix} cm {STAMP_NAME} Do Q\n".encode())
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    resolved = contents.get_object() if contents is not None else None
    if resolved is None:
        old = []
    elif isinstance(resolved, ArrayObject):
        old = list(resolved)
    else:
        old = [contents]
    page[NameObject("/Contents")] = ArrayObject([save, *old, writer._add_object(draw)])

    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    mine = DictionaryObject(dict.items(resources))
    xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(dict.items(xobjects.get_object())) if xobjects is not None else DictionaryObject()
    xobjects[NameObject(STAMP_NAME)] = form
    mine[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = mine


# --- the pack ---------------------------------------------------------------------------

def build_pack(meeting: PackMeeting, items: list[PackItem], progress: Progress | None = None) -> PackResult:
    """The agenda pack as one PDF. Raises ValueError naming the item (and annex) when a PDF
    cannot be read. `progress(stage, done, total)` is called as each stage starts
    ("Front sheet", "Item 5", "Page numbers"), and once more with done == total at the end."""
    report = progress or (lambda stage, done, total: None)
    total = len(items) + 2

    papers = [_read_item(item) for item in items]
    counts = [[len(reader.pages) for _, reader in parts] for parts in papers]

    report("Front sheet", 0, total)
    assumed = 1
    for _ in range(10):
        ranges, pack_length = _lay_out(counts, assumed)
        front = _front_sheet(meeting, items, ranges)
        if len(front.pages) >= assumed:
            if len(front.pages) == assumed:
                break
            assumed = len(front.pages)
        else:  # shorter than laid out for (its numbers got shorter): pad with blank pages
            break
    else:  # pragma: no cover - the length only ever grows, so this cannot loop for long
        raise RuntimeError("The front sheet's length would not settle.")
    front_pages = len(front.pages)
    anchor_page = {}
    for number, page in enumerate(front.pages):
        for anchor in page.anchors:
            anchor_page.setdefault(anchor, number)

    writer = PdfWriter()
    blank = _as_reader(_render(render_template("meetings/pack_blank.html")))
    for page in _as_reader(front).pages:
        writer.add_page(page)
    for _ in range(assumed - front_pages):
        writer.add_page(blank.pages[0])

    built = []
    for index, (item, parts, (start, end)) in enumerate(zip(items, papers, ranges)):
        report(f"Item {item.number}", index + 1, total)
        outline_title = f"{item.number}. {item.title}"
        if start is None:
            writer.add_outline_item(title=outline_title, page_number=anchor_page.get(f"item-{index}", 0))
            built.append(replace(item, page_start=None, page_end=None))
            continue
        if len(writer.pages) % 2 == 1:
            writer.add_page(blank.pages[0])
        assert len(writer.pages) + 1 == start, "the pack was laid out differently from the front sheet"
        firsts = []
        for _, reader in parts:
            firsts.append(len(writer.pages))
            for page in reader.pages:
                writer.add_page(page)
        assert len(writer.pages) == end
        # Bookmarks once their pages are in the writer, so they point at the pages themselves.
        parent = writer.add_outline_item(title=outline_title, page_number=start - 1)
        for (annex_title, _), first in zip(parts, firsts):
            if annex_title is not None:
                writer.add_outline_item(title=annex_title, page_number=first, parent=parent)
        built.append(replace(item, page_start=start, page_end=end))
    assert len(writer.pages) == pack_length

    report("Page numbers", total - 1, total)
    forms, stamp_width = _stamp_forms(writer, len(writer.pages))
    save = DecodedStreamObject()
    save.set_data(b"q\n")
    save_ref = writer._add_object(save)
    for page, form in zip(writer.pages, forms):
        _stamp(writer, page, form, stamp_width, save_ref)

    long_date = dates.format_long_date(meeting.meets_on)
    writer.add_metadata({
        "/Title": f"Agenda: {meeting.committee_name}, {long_date}"
                  + (f" (version {meeting.version})" if meeting.version > 1 else ""),
        "/Author": meeting.council_name,
        "/Subject": f"Notice of a public meeting of {meeting.committee_name}",
        "/Creator": "Docket",
    })
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.create_viewer_preferences().display_doctitle = True
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    report("Page numbers", total, total)
    return PackResult(pdf=out.getvalue(), page_count=len(writer.pages), items=built)
