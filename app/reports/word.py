"""A committee paper written in Word, read into the council's report sections.

python-docx reads the document in order: its title (the "Title" style, else the first
heading), its headings, paragraphs, bulleted and numbered lists and tables. A heading the
council's format knows (Summary, Background, Consultation, Council Plan, Recommendations,
Reason, Implications and each implication, Wards Affected, Abbreviations) fills that section
as typed text would; any other heading ("Options", "Analysis", "Risk Management") becomes a
section of its own, kept with its tables. Paragraph numbers typed in Word ("1.", "2.3") are
dropped: Docket numbers paragraphs through the whole paper, as in compiled reports.
"""
import io
import re
from dataclasses import dataclass, field

from app.reports import content as C


class WordUnreadable(ValueError):
    """The file is not a Word document Docket can read; the message says so plainly."""


# The most text Docket reads from a Word paper (about 20,000 words): a longer paper would take
# minutes to lay out as a PDF. A longer paper can be uploaded as a PDF, which is kept as it is.
WORD_LIMIT = 120_000


# Heading (lower case, without numbers or punctuation) -> section key.
KNOWN = {
    "summary": "summary", "executive summary": "summary", "purpose": "summary", "purpose of the report": "summary",
    "purpose of report": "summary", "summary and purpose": "summary", "introduction": "summary",
    "background": "background", "consultation": "consultation", "council plan": "council_plan",
    "recommendations": "recommendations", "recommendation": "recommendations",
    "reason": "reason", "reasons": "reason", "reason for recommendations": "reason",
    "reasons for recommendations": "reason", "reason for the recommendations": "reason",
    "wards affected": "wards_affected", "abbreviations": "abbreviations", "abbreviations used in this report": "abbreviations",
}
IMPLICATION_NAMES = {
    "financial": "financial", "finance": "financial", "human resources": "hr", "human resources hr": "hr",
    "hr": "hr", "equalities": "equalities", "equality": "equalities", "legal": "legal",
    "crime and disorder": "crime_and_disorder", "information technology": "it",
    "information technology it": "it", "it": "it", "property": "property", "other": "other",
}
# Headings whose text Docket writes itself, from what it holds.
SKIPPED = {"contact details", "annexes", "annex", "background papers", "implications"}
NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-z]\)|\([a-z0-9]+\))\s+", re.IGNORECASE)


def _plain(heading: str) -> str:
    """"3. Reasons for Recommendations:" -> "reasons for recommendations"."""
    text = NUMBER.sub("", heading or "").strip().lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z ]+", " ", text).split())


@dataclass
class WordSection:
    heading: str
    key: str | None  # a known section, "implications_<name>", or None for a section of its own
    blocks: list[dict] = field(default_factory=list)  # {"kind": "para"|"list"|"table", "items": [...]}


@dataclass
class WordPaper:
    title: str | None
    sections: list[WordSection]


def _is_list(paragraph) -> bool:
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    if "list" in style:
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _heading_level(paragraph) -> int | None:
    style = (paragraph.style.name or "") if paragraph.style is not None else ""
    if style == "Title":
        return 0
    match = re.match(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def read_docx(data: bytes) -> WordPaper:
    """The document's title and sections, in order."""
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds of error on a damaged file
        raise WordUnreadable("The selected file could not be read as a Word document: save it again as .docx "
                             "and upload that") from None
    title = None
    sections: list[WordSection] = [WordSection("", "summary")]  # text before any heading is the summary
    current = sections[0]
    parent = None  # the heading above a sub-heading ("Implications" above "Financial")
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                    cells.append(text)
                if any(cells):
                    rows.append(cells)
            if rows:
                current.blocks.append({"kind": "table", "items": rows})
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(child, document)
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        level = _heading_level(paragraph)
        if level == 0:
            title = title or text
            continue
        if (level == 1 and title is None and len(sections) == 1 and not sections[0].blocks
                and _plain(text) not in KNOWN and _plain(text) not in SKIPPED):
            title = text  # a paper whose first line is its title, set as a heading
            continue
        if level is not None:
            plain = _plain(text)
            if plain in IMPLICATION_NAMES and (parent == "implications" or level >= 2):
                key = f"implications_{IMPLICATION_NAMES[plain]}"
            elif plain in KNOWN:
                key = KNOWN[plain]
            elif plain in SKIPPED:
                key = "skip:" + plain
            else:
                key = None
            if level <= 1 or key is None or not key.startswith("implications_"):
                parent = plain
            current = WordSection(NUMBER.sub("", text).strip(), key)
            sections.append(current)
            continue
        text = NUMBER.sub("", text).strip() if not _is_list(paragraph) else text
        if _is_list(paragraph):
            if current.blocks and current.blocks[-1]["kind"] == "list":
                current.blocks[-1]["items"].append(text)
            else:
                current.blocks.append({"kind": "list", "items": [text]})
        else:
            current.blocks.append({"kind": "para", "items": [text]})
    total = sum(len(" ".join(" ".join(c) if isinstance(c, list) else c for c in b["items"]))
                for s in sections for b in s.blocks)
    if total > WORD_LIMIT:
        raise WordUnreadable(f"The Word paper has {total:,} characters of text: the most Docket reads is "
                             f"{WORD_LIMIT:,} (about {WORD_LIMIT // 6:,} words). Save it as a PDF and upload that")
    return WordPaper(title, [s for s in sections if s.blocks or s.key is None])


def _as_text(blocks: list[dict]) -> str:
    """Blocks as Docket's typed text: paragraphs apart, lists as "- " lines, tables as lines."""
    chunks = []
    for block in blocks:
        if block["kind"] == "list":
            chunks.append("\n".join(f"- {item}" for item in block["items"]))
        elif block["kind"] == "table":
            chunks.append("\n\n".join(" | ".join(cell for cell in row) for row in block["items"]))
        else:
            chunks.append(block["items"][0])
    return "\n\n".join(chunks)


IMPLICATION_LINE = re.compile(r"^(financial|finance|human resources(?: \(hr\))?|hr|equalities|equality|legal|"
                              r"crime and disorder|information technology(?: \(it\))?|it|property|other)"
                              r"\s*[:\-–]\s*(.+)$", re.IGNORECASE)


def as_content(paper: WordPaper) -> dict:
    """The paper's sections as a report's content (`content.blank_content()` filled in), with
    the sections of its own in `paper_sections` (heading and blocks, tables kept)."""
    data = C.blank_content()
    own = []
    for section in paper.sections:
        key = section.key
        if key is None:
            if section.blocks:
                own.append({"heading": section.heading[:300], "blocks": section.blocks})
            continue
        if key == "skip:implications":
            for block in section.blocks:
                for item in block["items"] if block["kind"] != "table" else [" - ".join(r) for r in block["items"]]:
                    match = IMPLICATION_LINE.match(item.strip())
                    if match:
                        name = _plain(match.group(1))
                        data[f"implications_{IMPLICATION_NAMES.get(name, 'other')}"] = match.group(2).strip()
            continue
        if key.startswith("skip:"):
            continue
        text = _as_text(section.blocks)
        if key.startswith("implications_") or key in ("wards_affected",):
            data[key] = text or data.get(key, "")
        elif text:
            data[key] = (data[key] + "\n\n" + text) if data.get(key) else text
    data["paper_sections"] = own
    for key in C.EDITABLE:  # a long Word section is cut at the limit a typed one has
        data[key] = (data.get(key) or "")[:C.limit(key)]
    return data
