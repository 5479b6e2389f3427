"""The agenda pack: front sheet, papers on odd pages, blank pages, running page numbers,
bookmarks, escaping and unreadable PDFs, all checked in the PDF itself with pypdf."""
import io
import re
from datetime import date, time

import pytest
from pypdf import PageObject, PdfReader, PdfWriter

from app.meetings.pack import (
    BLANK_TEXT,
    PackItem,
    PackMeeting,
    _placement,
    build_pack,
    councillors_line,
    format_time,
)

COMMITTEE = "Children, Education & Communities Policy & Scrutiny Committee"
MEMBERS = [
    ("Councillor D Taylor", "chair"), ("Councillor Webb", "vice_chair"), ("Councillor Daubeney", "member"),
    ("Councillor Fenton", "member"), ("Councillor Fitzpatrick", "member"), ("Councillor Heaton", "member"),
    ("Councillor Hollyer", "member"),
]
DECLARATIONS = ("At this point, Members are asked to declare:\n"
                "- any personal interests not included on the Register of Interests\n"
                "- any prejudicial interests or\n"
                "- any disclosable pecuniary interests\n"
                "which they may have in respect of business on this agenda")


def pdf_of(marker: str, pages: int, landscape: bool = False) -> bytes:
    """A PDF of `pages` pages; page k says "<marker> PAGE k"."""
    from weasyprint import CSS, HTML

    body = "".join(f'<p style="break-before: page">{marker} PAGE {k}</p>' for k in range(1, pages + 1))
    size = "A4 landscape" if landscape else "A4"
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        stylesheets=[CSS(string=f"@page {{ size: {size}; margin: 20mm }} p:first-child {{ break-before: auto }}")])


def rotated(pdf: bytes, degrees: int) -> bytes:
    reader, writer = PdfReader(io.BytesIO(pdf)), PdfWriter()
    for page in reader.pages:
        page.rotate(degrees)
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def meeting(**changes) -> PackMeeting:
    values = dict(
        council_name="City of York Council", committee_name=COMMITTEE, members=MEMBERS,
        meets_on=date(2019, 9, 24), starts_at=time(17, 30),
        venue="The Thornton Room - Ground Floor, West Offices (G039)",
        clerk_name="Louise Cook", clerk_telephone="(01904) 551031", clerk_email="louise.cook@york.gov.uk")
    values.update(changes)
    return PackMeeting(**values)


def seed_items() -> list[PackItem]:
    """The agenda of 24 September 2019, with papers of known lengths and markers."""
    return [
        PackItem(1, "Declarations of Interest", DECLARATIONS, None),
        PackItem(2, "Minutes", "To approve and sign the minutes of the meeting held on 23 July 2019.",
                 pdf_of("MINUTES-2", 1)),
        PackItem(3, "Public Participation", None, None),
        PackItem(4, "Attendance of Executive Member for Children, Young People and Education",
                 "The Executive Member will be in attendance to provide an update on his priorities.",
                 pdf_of("REPORT-4", 3)),
        PackItem(5, "Local Area Teams - Update",
                 "This paper provides an update on the outcome of a multi-agency audit into early help arrangements.",
                 pdf_of("REPORT-5", 3), annexes=[("Annex A: Audit findings", pdf_of("ANNEX-5A", 2))]),
        PackItem(6, "City of York Safeguarding Children Partnership (CYSCP) Update",
                 "This report provides an update on the activity of City of York Safeguarding Children Partnership.",
                 pdf_of("REPORT-6", 2)),
        PackItem(7, "Overview of Children's Services",
                 "The report will explain how the required improvements will be achieved.",
                 pdf_of("REPORT-7", 3), annexes=[("Annex A: Improvement plan", pdf_of("ANNEX-7A", 2)),
                                                 ("Annex B: Data", rotated(pdf_of("ANNEX-7B", 1, True), 90))]),
        PackItem(8, "Cultural Entitlement for Young People",
                 "This report provides an update on work to develop a cultural entitlement for young people.",
                 pdf_of("REPORT-8", 3)),
        PackItem(9, "Work Plan", "To consider the committee's draft work plan for the municipal year 2019-20.",
                 pdf_of("WORKPLAN-9", 2)),
        PackItem(10, "Urgent Business", None, None),
    ]


MARKERS = {2: ["MINUTES-2"], 4: ["REPORT-4"], 5: ["REPORT-5", "ANNEX-5A"], 6: ["REPORT-6"],
           7: ["REPORT-7", "ANNEX-7A", "ANNEX-7B"], 8: ["REPORT-8"], 9: ["WORKPLAN-9"]}
LENGTHS = {"MINUTES-2": 1, "REPORT-4": 3, "REPORT-5": 3, "ANNEX-5A": 2, "REPORT-6": 2, "REPORT-7": 3,
           "ANNEX-7A": 2, "ANNEX-7B": 1, "REPORT-8": 3, "WORKPLAN-9": 2}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed_pack(app):
    calls = []
    with app.test_request_context():
        result = build_pack(meeting(), seed_items(), lambda stage, done, total: calls.append((stage, done, total)))
    reader = PdfReader(io.BytesIO(result.pdf))
    texts = [page.extract_text() for page in reader.pages]
    return {"result": result, "reader": reader, "texts": texts, "calls": calls}


def front_sheet_text(pack) -> str:
    first = min(i.page_start for i in pack["result"].items if i.page_start)
    return flat(" ".join(t for t in pack["texts"][:first - 1] if BLANK_TEXT not in t))


# --- the front sheet ---------------------------------------------------------------------

def test_front_sheet_says_who_when_and_where(seed_pack):
    text = front_sheet_text(seed_pack)
    assert "City of York Council" in text
    assert f"Notice of a public meeting of {COMMITTEE}" in text
    assert ("To: Councillors D Taylor (Chair), Webb (Vice-Chair), Daubeney, Fenton, Fitzpatrick, Heaton and Hollyer"
            in text)
    assert "Date: Tuesday, 24 September 2019" in text
    assert "Time: 5.30 pm" in text
    assert "Venue: The Thornton Room - Ground Floor, West Offices (G039)" in text
    assert "AGENDA" in text
    # Standard wording where there is no purpose, with the registration deadline.
    assert "The deadline for registering is 5.00pm on Monday 23 September 2019." in text
    assert "Any other business which the Chair considers urgent under the Local Government Act 1972." in text
    assert "any disclosable pecuniary interests" in text
    assert "Democracy Officer Louise Cook" in text
    assert "Telephone – (01904) 551031" in text
    assert "louise.cook@york.gov.uk" in text
    assert "Version" not in text  # the first version says nothing about versions
    assert seed_pack["texts"][0].count("Notice of a public meeting") == 1  # the front sheet starts on page 1


def test_front_sheet_page_ranges_are_where_the_papers_really_are(seed_pack):
    texts, result = seed_pack["texts"], seed_pack["result"]
    front = front_sheet_text(seed_pack)
    for item in result.items:
        markers = MARKERS.get(item.number)
        if not markers:
            assert item.page_start is None and item.page_end is None
            assert re.search(rf"{item.number}\. {re.escape(item.title)}(?! \(Page)", front), item.title
            continue
        a, b = item.page_start, item.page_end
        pages = "Page " + str(a) if a == b else f"Pages {a} - {b}"
        assert f"{item.number}. {item.title} ({pages})" in front
        assert b - a + 1 == sum(LENGTHS[m] for m in markers)
        assert f"{markers[0]} PAGE 1" in texts[a - 1]
        last = markers[-1]
        assert f"{last} PAGE {LENGTHS[last]}" in texts[b - 1]
        assert a % 2 == 1, f"item {item.number} starts on page {a}"
    assert result.page_count == len(texts)
    # The layout of this agenda, worked out by hand: a two-page front sheet, minutes on 3,
    # then blank pages before every item that would otherwise start on an even page.
    assert [(i.page_start, i.page_end) for i in result.items if i.page_start] == [
        (3, 3), (5, 7), (9, 13), (15, 16), (17, 22), (23, 25), (27, 28)]


def test_annexes_follow_their_report_in_order(seed_pack):
    texts = seed_pack["texts"]
    item = next(i for i in seed_pack["result"].items if i.number == 7)
    sequence = [f"{m} PAGE {k}" for m in MARKERS[7] for k in range(1, LENGTHS[m] + 1)]
    for page, marker in zip(range(item.page_start, item.page_end + 1), sequence):
        assert marker in texts[page - 1]


def test_blank_pages_fill_the_gaps(seed_pack):
    texts, result = seed_pack["texts"], seed_pack["result"]
    papers = {p for i in result.items if i.page_start for p in range(i.page_start, i.page_end + 1)}
    first = min(papers)
    blanks = [n for n in range(1, len(texts) + 1) if n not in papers and BLANK_TEXT in texts[n - 1]]
    front = [n for n in range(1, first) if n not in blanks]
    assert front == [1, 2]
    assert blanks == [4, 8, 14, 26]
    for n in range(1, len(texts) + 1):
        assert n in papers or n in front or n in blanks
    for n in blanks:
        assert n % 2 == 0
        assert flat(texts[n - 1]) == f"{BLANK_TEXT} Page {n}"


def test_every_page_has_its_running_number(seed_pack):
    for n, text in enumerate(seed_pack["texts"], start=1):
        numbers = re.findall(r"\bPage (\d+)\b", text)
        assert numbers and numbers[-1] == str(n), f"page {n}: {text[-80:]!r}"


def test_rotated_annex_page_is_numbered_the_right_way_up(seed_pack):
    item = next(i for i in seed_pack["result"].items if i.number == 7)
    page = seed_pack["reader"].pages[item.page_end - 1]
    assert page.rotation == 90
    assert "ANNEX-7B PAGE 1" in seed_pack["texts"][item.page_end - 1]
    assert f"Page {item.page_end}" in seed_pack["texts"][item.page_end - 1]


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_stamp_sits_at_the_visible_foot_of_any_page(rotate):
    """The stamp's bottom centre goes to the bottom centre of the page as displayed, and
    the stamp's "up" points into the page."""
    page = PageObject.create_blank_page(width=842, height=595)  # landscape, with an origin offset below
    page.mediabox.lower_left = (10, 20)
    page.rotation = rotate
    a, b, c, d, e, f = _placement(page, 595.28)

    def apply(u, v):
        return a * u + c * v + e, b * u + d * v + f

    x0, y0, x1, y1 = 10, 20, 842, 595
    foot_centre = {0: ((x0 + x1) / 2, y0), 90: (x1, (y0 + y1) / 2), 180: ((x0 + x1) / 2, y1),
                   270: (x0, (y0 + y1) / 2)}[rotate]
    assert apply(595.28 / 2, 0) == pytest.approx(foot_centre)
    inward = {0: (0, 1), 90: (-1, 0), 180: (0, -1), 270: (1, 0)}[rotate]
    moved = apply(595.28 / 2, 10)
    assert (moved[0] - foot_centre[0], moved[1] - foot_centre[1]) == pytest.approx((inward[0] * 10, inward[1] * 10))


def test_one_bookmark_per_item_in_order(seed_pack):
    reader, result = seed_pack["reader"], seed_pack["result"]
    outline = reader.outline
    top = [o for o in outline if not isinstance(o, list)]
    assert [o.title for o in top] == [f"{i.number}. {i.title}" for i in result.items]
    for entry, item in zip(top, result.items):
        page = reader.get_destination_page_number(entry) + 1
        if item.page_start:
            assert page == item.page_start
        else:  # the front sheet page that lists the item
            assert page in (1, 2)
            assert f"{item.number}. {item.title}" in flat(seed_pack["texts"][page - 1])
    # Annexes are children of their item's bookmark, at their own first page.
    children = {}
    for n, entry in enumerate(outline):
        if isinstance(entry, list):
            children[outline[n - 1].title] = [(c.title, reader.get_destination_page_number(c) + 1) for c in entry]
    assert children == {
        "5. Local Area Teams - Update": [("Annex A: Audit findings", 12)],
        "7. Overview of Children's Services": [("Annex A: Improvement plan", 20), ("Annex B: Data", 22)],
    }
    assert reader.page_mode == "/UseOutlines"
    assert COMMITTEE in reader.metadata.title


def test_progress_is_reported_stage_by_stage(seed_pack):
    calls = seed_pack["calls"]
    assert [c[0] for c in calls] == (["Front sheet"] + [f"Item {n}" for n in range(1, 11)]
                                     + ["Page numbers", "Page numbers"])
    assert [c[1] for c in calls] == list(range(len(calls)))
    assert all(c[2] == 12 for c in calls)


def test_items_given_are_not_changed(app):
    items = seed_items()[:2]
    with app.test_request_context():
        result = build_pack(meeting(), items)
    assert items[1].page_start is None
    assert result.items[1].page_start == 3 and result.items[1].page_end == 3


# --- what the clerk types is text, not HTML ---------------------------------------------------

def test_titles_and_purposes_are_escaped(app):
    items = [
        PackItem(1, "Budget <script>alert('x')</script> & Co", "Costs < £5 & <b>not</b> bold", pdf_of("R-1", 1)),
        PackItem(2, "Other business", None, None, to_follow="The <i>auditor</i> is late"),
    ]
    with app.test_request_context():
        result = build_pack(meeting(version=2, change_note="Item 2 <em>added</em>"), items)
    reader = PdfReader(io.BytesIO(result.pdf))
    text = flat(reader.pages[0].extract_text())
    assert "1. Budget <script>alert('x')</script> & Co (Page 3)" in text
    assert "Costs < £5 & <b>not</b> bold" in text
    assert "2. Other business (to follow)" in text
    assert "The <i>auditor</i> is late" in text
    assert "Version 2" in text
    # Issue 14: the change note is on its own page at the end, so that it moves no page.
    assert "What changed: page 4" in text
    assert "Item 2 <em>added</em>" in flat(reader.pages[-1].extract_text())
    assert [o.title for o in reader.outline] == ["1. Budget <script>alert('x')</script> & Co", "2. Other business",
                                                 "What changed in version 2"]


# --- size -------------------------------------------------------------------------------

def test_a_hundred_page_pack_builds(app):
    items = [PackItem(n, f"Report {n}", f"Purpose {n}", pdf_of(f"BIG-{n}", 10)) for n in range(1, 11)]
    with app.test_request_context():
        result = build_pack(meeting(), items)
    reader = PdfReader(io.BytesIO(result.pdf))
    assert result.page_count == len(reader.pages) >= 100
    for item in result.items:
        assert item.page_start % 2 == 1 and item.page_end - item.page_start == 9
        assert f"BIG-{item.number} PAGE 1" in reader.pages[item.page_start - 1].extract_text()
    for n in (1, result.page_count // 2, result.page_count):
        assert re.findall(r"\bPage (\d+)\b", reader.pages[n - 1].extract_text())[-1] == str(n)


# --- unreadable PDFs ----------------------------------------------------------------------

@pytest.mark.parametrize("bad", [b"this is not a PDF", b"", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"])
def test_an_unreadable_report_is_refused_naming_the_item(app, bad):
    items = seed_items()
    items[4].body_pdf = bad
    with app.test_request_context(), pytest.raises(ValueError) as caught:
        build_pack(meeting(), items)
    message = str(caught.value)
    assert "Item 5" in message and "Local Area Teams - Update" in message
    assert "not a PDF file that can be read" in message


def test_a_truncated_annex_is_refused_naming_the_item_and_annex(app):
    items = seed_items()
    good = items[6].annexes[0][1]
    items[6].annexes[0] = ("Annex A: Improvement plan", good[: len(good) // 2])
    with app.test_request_context(), pytest.raises(ValueError) as caught:
        build_pack(meeting(), items)
    message = str(caught.value)
    assert "Annex “Annex A: Improvement plan”" in message
    assert "Item 7" in message and "Overview of Children's Services" in message


# --- words --------------------------------------------------------------------------------

def test_councillors_are_listed_as_the_council_lists_them():
    assert councillors_line(MEMBERS) == ("Councillors D Taylor (Chair), Webb (Vice-Chair), Daubeney, Fenton, "
                                         "Fitzpatrick, Heaton and Hollyer")
    # Chair and Vice-Chair first wherever they are; full forenames dropped unless two share a surname.
    assert councillors_line([("Councillor Ann Smith", "member"), ("Cllr Bob Jones", "vice_chair"),
                             ("Councillor Carl Smith", "member"), ("Councillor Dee Brown", "chair")]) == (
        "Councillors Brown (Chair), Jones (Vice-Chair), A Smith and C Smith")
    assert councillors_line([("Councillor Webb", "chair")]) == "Councillor Webb (Chair)"
    assert councillors_line([]) is None


def test_times_are_written_council_style():
    assert format_time(time(17, 30)) == "5.30 pm"
    assert format_time(time(9, 5)) == "9.05 am"
    assert format_time(time(12, 0)) == "12.00 pm"
    assert format_time(None) is None
