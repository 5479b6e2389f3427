"""Issue 14: the pack is tagged (one structure tree holding the front sheet's and each report's
tags; each report's section bookmarks under its item), and its page numbers stay put when it
is republished with a late paper, a change note, or an unnumbered front sheet."""
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.meetings.pack import PackItem, build_pack
from tests.test_pack import DECLARATIONS, flat, meeting, pdf_of


def tagged_report(marker: str, pages: int) -> bytes:
    """A report as Docket renders one: WeasyPrint with tags, headings that become bookmarks."""
    from weasyprint import CSS, HTML

    brk = ' style="break-before: page"'
    sections = "".join(f'<h2{"" if k == 1 else brk}>{marker} section {k}</h2>'
                       f"<p>{marker} PAGE {k}</p><ul><li>{marker} point</li></ul>" for k in range(1, pages + 1))
    html = (f'<!DOCTYPE html><html lang="en-GB"><head><title>{marker}</title></head><body>'
            f"<h1>{marker} report</h1>{sections}</body></html>")
    return HTML(string=html).write_pdf(stylesheets=[CSS(string="@page { size: A4; margin: 20mm }")], pdf_tags=True)


def agenda(late: bool = False) -> list[PackItem]:
    items = [
        PackItem(1, "Declarations of Interest", DECLARATIONS, None),
        PackItem(2, "Minutes", "To approve and sign the minutes.", pdf_of("MINUTES", 3)),
        PackItem(3, "Public Participation", None, None),
        PackItem(4, "Local Area Teams - Update", "An update.", tagged_report("LAT", 3),
                 annexes=[("Annex A: Audit findings", pdf_of("ANNEX-A", 2))]),
        PackItem(5, "Safeguarding Partnership", "An update.", tagged_report("CYSCP", 2)),
        PackItem(6, "Cultural Entitlement", "An update.", None, to_follow="The report is being finalised"),
        PackItem(7, "Work Plan", "To consider the work plan.", pdf_of("WORKPLAN", 2)),
        PackItem(8, "Urgent Business", None, None),
    ]
    if late:  # the late paper arrives: item 6 now has its papers
        items[5] = PackItem(6, "Cultural Entitlement", "An update.", tagged_report("CULTURE", 4), changed=True)
    return items


def ranges(result) -> dict[int, tuple]:
    return {i.number: (i.page_start, i.page_end) for i in result.items}


def pages_text(pdf: bytes) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def versions(app):
    with app.test_request_context():
        first = build_pack(meeting(), agenda())
        second = build_pack(meeting(version=2, change_note="The Cultural Entitlement report has arrived."),
                            agenda(late=True), keep_front=first.front_pages)
    return first, second


def test_republishing_with_a_late_paper_keeps_every_earlier_items_pages(versions):
    first, second = versions
    before, after = ranges(first), ranges(second)
    for number in (1, 2, 3, 4, 5):
        assert after[number] == before[number], f"item {number} moved"
    assert before[6] == (None, None) and after[6][0] is not None
    assert after[6][0] > after[5][1] and after[6][0] % 2 == 1   # where it belongs, on an odd page
    assert after[7][0] > after[6][1]                            # only what follows moves
    assert second.front_pages == first.front_pages
    texts = pages_text(second.pdf)
    a, b = after[6]
    assert "CULTURE PAGE 1" in texts[a - 1] and "CULTURE PAGE 4" in texts[b - 1]
    for number, marker in ((2, "MINUTES PAGE 1"), (4, "LAT PAGE 1"), (5, "CYSCP PAGE 1")):
        assert marker in texts[after[number][0] - 1]


def test_the_change_note_is_on_its_own_page_at_the_end_and_the_front_sheet_says_what_changed(versions):
    _, second = versions
    texts = pages_text(second.pdf)
    assert "What changed in version 2" in texts[-1]
    assert "The Cultural Entitlement report has arrived." in texts[-1]
    front = " ".join(texts[:second.front_pages])
    assert "Version 2 of this agenda. Changed in this version: item 6." in front
    assert f"What changed: page {len(texts)}." in front
    assert "The Cultural Entitlement report has arrived." not in front


def structure(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    return reader, root


def _tags(element, out, depth=0):
    element = element.get_object()
    if not hasattr(element, "get") or "/S" not in element:
        return
    out.append((depth, str(element["/S"]), str(element.get("/T", ""))))
    kids = element.get("/K")
    kids = kids.get_object() if kids is not None else None
    for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
        _tags(kid, out, depth + 1)


def test_the_pack_is_tagged_with_one_structure_tree(versions):
    first, _ = versions
    reader, root = structure(first.pdf)
    assert root["/MarkInfo"]["/Marked"].value is True
    tree = root["/StructTreeRoot"].get_object()
    tags = []
    for kid in tree["/K"]:
        _tags(kid, tags)
    names = [t for _, t, _ in tags]
    assert names[0] == "/Document"
    # The front sheet's headings and lists, then each report's under its item's section.
    assert "/H1" in names and "/H3" in names and "/L" in names and "/LI" in names
    sections = [title for _, tag, title in tags if tag == "/Sect"]
    assert "4. Local Area Teams - Update" in sections and "5. Safeguarding Partnership" in sections
    lat = next(n for n, (_, tag, title) in enumerate(tags) if title == "4. Local Area Teams - Update")
    depth = tags[lat][0]
    inside = []
    for d, tag, _ in tags[lat + 1:]:
        if d <= depth:
            break
        inside.append(tag)
    assert "/H1" in inside and "/H2" in inside and "/LI" in inside
    # Every page with tagged content is in the parent tree, under its own key.
    keys = [int(p["/StructParents"]) for p in reader.pages if "/StructParents" in p]
    assert len(keys) == len(set(keys)) and len(keys) >= 1 + 3 + 2


def test_pdfinfo_says_tagged(versions):
    """poppler-utils' pdfinfo (installed by .ci/run) reads the pack as tagged."""
    if not shutil.which("pdfinfo"):
        pytest.fail("pdfinfo is missing: apt-get install poppler-utils")
    first, second = versions
    for pack in (first, second):
        out = subprocess.run(["pdfinfo", "-"], input=pack.pdf, capture_output=True, check=True).stdout.decode()
        assert re.search(r"^Tagged:\s+yes", out, re.M), out


def test_each_report_keeps_its_section_bookmarks_under_its_item(versions):
    first, _ = versions
    reader = PdfReader(io.BytesIO(first.pdf))
    outline = reader.outline
    titles = [o.title for o in outline if not isinstance(o, list)]
    at = titles.index("4. Local Area Teams - Update")
    index = [n for n, o in enumerate(outline) if not isinstance(o, list)][at]
    children = outline[index + 1]
    flat_titles = []

    def walk(entries):
        for e in entries:
            if isinstance(e, list):
                walk(e)
            else:
                flat_titles.append((e.title, reader.get_destination_page_number(e) + 1))
    walk(children)
    start = ranges(first)[4][0]
    assert ("LAT report", start) in flat_titles
    assert ("LAT section 3", start + 2) in flat_titles
    assert ("Annex A: Audit findings", start + 3) in flat_titles


def test_an_unnumbered_front_sheet_numbers_from_the_first_paper(app):
    with app.test_request_context():
        result = build_pack(meeting(front_sheet={"front_sheet_numbered": "no"}), agenda())
    texts = pages_text(result.pdf)
    assert ranges(result)[2] == (1, 3)
    first_paper = result.front_pages
    assert "MINUTES PAGE 1" in texts[first_paper] and texts[first_paper].endswith("Page 1")
    assert not re.search(r"Page \d+$", texts[0])  # the front sheet has no number
    assert "Minutes (Pages 1 - 3)" in " ".join(texts[:first_paper])


def test_front_sheet_conventions_come_from_the_settings(app):
    with app.test_request_context():
        result = build_pack(meeting(front_sheet={
            "front_sheet_officer_title": "Democratic Services Officer",
            "front_sheet_filming": "This meeting is webcast live.",
            "front_sheet_languages": "Gellir darparu'r wybodaeth hon yn Gymraeg."}), agenda())
    front = " ".join(pages_text(result.pdf)[:result.front_pages])
    assert "Democratic Services Officer" in front and "Democracy Officer Louise" not in front
    assert "This meeting is webcast live." in front
    assert "Gellir darparu'r wybodaeth hon yn Gymraeg." in front


def test_publishing_again_through_the_agenda_keeps_pages_and_says_what_changed(app, db, org, people):
    """The same through publishing (app/meetings/publishing.py): version 2 keeps version 1's front
    sheet length, every item before the late paper keeps its pages, and the agenda says which
    item changed."""
    import json

    from app.meetings import service
    from tests import racing

    clerk = people["clerk"]
    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, clerk)
    service.add_document(meeting, "minutes", None, "minutes.pdf", pdf_of("MINUTES", 3), clerk)
    teams = service.add_other_item(meeting, "Local Area Teams", "An update.", clerk)
    service.add_document(meeting, "annex", teams, "lat.pdf", tagged_report("LAT", 3), clerk, title="Report")
    late = service.add_other_item(meeting, "Cultural Entitlement", "An update.", clerk, to_follow_reason="Late")
    with app.test_request_context():
        first = service.publish(meeting, clerk)
        late.to_follow, late.to_follow_reason = False, None
        db.session.commit()
        service.add_document(meeting, "annex", late, "culture.pdf", tagged_report("CULTURE", 2), clerk,
                             title="Report")
        second = service.publish(meeting, clerk, change_note="The Cultural Entitlement report has arrived.")
    one = {e["title"]: e for e in json.loads(first.agenda)}
    two = {e["title"]: e for e in json.loads(second.agenda)}
    for title in ("Minutes", "Local Area Teams"):
        assert (two[title]["page_start"], two[title]["page_end"]) == (one[title]["page_start"], one[title]["page_end"])
        assert not two[title]["changed"]
    assert two["Cultural Entitlement"]["changed"] and two["Cultural Entitlement"]["page_start"] > \
        two["Local Area Teams"]["page_end"]
    assert second.front_pages == first.front_pages
    assert PdfReader(io.BytesIO(second.pdf)).root_object["/MarkInfo"]["/Marked"].value is True


def test_a_longer_front_sheet_is_set_closer_rather_than_moving_the_papers(app, versions):
    """Four late items would make the front sheet a page longer (moving every paper by two
    pages); version 2 sets it closer instead, so the papers before them stay put."""
    first, _ = versions
    items = agenda()
    for k in range(4):
        items.insert(6 + k, PackItem(0, f"Late item {k + 1}", "A short purpose line for this item.", None,
                                     changed=True))
    for n, item in enumerate(items, start=1):
        item.number = n
    with app.test_request_context():
        plain = build_pack(meeting(version=2, change_note="Four items added."), items)
        kept = build_pack(meeting(version=2, change_note="Four items added."), items, keep_front=first.front_pages)
    assert plain.front_pages > first.front_pages        # what would have happened
    assert kept.front_pages == first.front_pages
    before, after = ranges(first), {i.title: (i.page_start, i.page_end) for i in kept.items}
    for item in agenda()[:5]:
        assert after[item.title] == before[item.number]
    front = " ".join(pages_text(kept.pdf)[:kept.front_pages])
    assert "Changed in this version: items 7, 8, 9 and 10." in front and "Late item 4" in front
