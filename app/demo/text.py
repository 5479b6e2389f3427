"""Small helpers for reading text converted from council Word documents.

Council documents reach us as tab-separated text converted from Word: cells may carry
HTML paragraph tags, markdown bold markers and page-break debris. These helpers clean a
cell and read the values officers write in it: UK dates ("31/03/2019", "11th July 2018",
"Tuesday 25 June 2019"), times ("5.30pm"), amounts ("£20.59m") and results ("1,216 (329)").
"""
import html
import re
from datetime import date, time
from decimal import Decimal

_TAG = re.compile(r"<[^>]+>")
_PARA_TAG = re.compile(r"</?p\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_WORDY_DATE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_TIME = re.compile(r"\b(\d{1,2})(?:[.:](\d{2}))?\s*([ap])\.?m\.?(?![a-z])", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(-)?\s*£?\s*(-)?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)")
_AMOUNT = re.compile(r"(-)?£?\s*(\d[\d,]*(?:\.\d+)?)\s*(bn|m|k)?\b", re.IGNORECASE)
_SCALE = {"k": Decimal(1_000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}


def squash(text: str | None) -> str:
    """Collapse runs of whitespace (newlines included) to single spaces; strip the ends."""
    return _SPACE.sub(" ", text or "").strip()


def strip_markup(text: str | None) -> str:
    """Remove markdown bold markers and any HTML tags; decode entities. Keeps line breaks."""
    text = (text or "").replace("**", "")
    return html.unescape(_TAG.sub(" ", text))


def paragraphs(cell: str | None) -> list[str]:
    """A cell's paragraphs: each <p>…</p> is one, as is any text outside them.

    A cell without paragraph tags is one paragraph. Whitespace is squashed; empty
    paragraphs are dropped.
    """
    parts = _PARA_TAG.split(cell or "")
    return [p for p in (squash(strip_markup(part)) for part in parts) if p]


def is_junk_line(line: str) -> bool:
    """A row of dashes ("--\t--\t--", "--------") left by a markdown table conversion."""
    stripped = line.strip()
    return bool(stripped) and "--" in stripped and not re.sub(r"[-|:\s]", "", stripped)


def key(text: str | None) -> str:
    """A form for comparing names: case-folded, whitespace squashed, curly quotes straightened."""
    text = squash(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    return text.casefold()


def parse_uk_date(text: str | None) -> date | None:
    """The first UK-style date in the text: "31/03/2019", "11th July 2018", "Tuesday 25 June 2019"."""
    text = text or ""
    found = []
    match = _NUMERIC_DATE.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
        found.append((match.start(), day, month, year))
    match = _WORDY_DATE.search(text)
    if match:
        found.append((match.start(), int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))))
    if not found:
        return None
    _, day, month, year = min(found)  # whichever comes first in the text
    return date(year, month, day)


def parse_time(text: str | None) -> time | None:
    """The first clock time written the council way: "5.30pm", "5.30 pm", "10am"."""
    match = _TIME.search(text or "")
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3).lower()
    if half == "p" and hour != 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return time(hour, minute)


def leading_number(text: str | None) -> Decimal | None:
    """The number a result starts with: "689 (190)" → 689, "64.00%" → 64.00, "£-32" → -32.

    None for "N/A", "-", blank and anything else that does not start with a number.
    """
    match = _LEADING_NUMBER.match(text or "")
    if not match:
        return None
    negative = bool(match.group(1) or match.group(2))
    value = Decimal(match.group(3).replace(",", ""))
    return -value if negative else value


def parse_amount(text: str | None) -> Decimal | None:
    """An amount of money in pounds: "£20.59m" → 20590000, "£450k" → 450000, "£1,200" → 1200."""
    match = _AMOUNT.search(text or "")
    if not match:
        return None
    value = Decimal(match.group(2).replace(",", ""))
    if match.group(3):
        value *= _SCALE[match.group(3).lower()]
    return -value if match.group(1) else value
