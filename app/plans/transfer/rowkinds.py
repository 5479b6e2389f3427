"""What each row of a council's own table is: a title, the headings, a sub-heading, a
continuation of the row above, a footnote legend, a "Head of Service - Name" group row, or
a row of data.

- A **title** row ("Targets", "Actions to deliver") sits above the headings, one text merged
  across the table.
- A **sub-heading** row sits among the data, one text merged across all columns ("Deliver
  the Youth Offer Strategy"): it groups the rows under it (an action's group) until the next.
- A **theme** row is a sub-heading written as a theme ("B. Improve the stability …").
- A **group owner** row names the Head of Service the rows under it belong to
  ("Head of Service - Priya Kaur").
- A **legend** explains initials ("² PK Priya Kaur, Assistant Director Learning; RD …").
- A **continuation** row has nothing in the main column (the action or measure): its cells
  are joined to the row above.
"""
import re
import unicodedata

from app.demo.text import key, squash

FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹⁰*†‡"
_MARKS = re.compile(f"[{FOOTNOTE_MARKS}]+")
TABLE_TITLES = {"targets", "target", "actions", "actionstodeliver", "actionplan", "risks", "risk", "riskregister",
                "performanceindicators", "indicators", "kpis", "measures", "performancemeasures", "milestones",
                "keyactions", "deliveryplan", "businessplan", "progress"}
_NUMBERED = re.compile(r"^\s*(\d{1,3})(?:\.(?!\d)|\))\s*(\S.*)$", re.DOTALL)
_THEME = re.compile(r"^\s*(?:(?:theme|priority|objective|outcome)\s+)?([A-Z])[.):–-]\s+(\S.*)$", re.DOTALL)
_GROUP_OWNER = re.compile(
    r"^\s*((?:head of|assistant director|director|service manager|service lead|lead)[^-–:]{0,80}?)\s*[-–:]\s*"
    r"([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})\s*$", re.IGNORECASE)
# "PK Priya Kaur, Assistant Director Learning" / "PK - Priya Kaur (Assistant Director)" / "PK = Priya Kaur"
_LEGEND_ENTRY = re.compile(
    r"^\s*(?:key\s*:?\s*)?([A-Z]{2,4})\s*[-–:=]?\s+([A-Z][a-z'’.-]+(?:[ -][A-Z][\w'’.-]+){0,3})"
    r"\s*(?:[,(–-]\s*([^)]*?))?\)?\s*[.;]?\s*$")


def norm(text: str) -> str:
    """Letters and digits only, accents taken off: "Lena Wójcik" → "lenawojcik"."""
    plain = key(text)
    if not plain.isascii():
        plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain)


def strip_marks(text: str) -> str:
    """The text without footnote marks ("61.2%⁴" → "61.2%")."""
    return squash(_MARKS.sub(" ", text or ""))


def is_table_title(text: str) -> bool:
    return norm(strip_marks(text)) in TABLE_TITLES


def merged_text(cells: list[str]) -> str | None:
    """The one text of a row merged across the table (Word repeats it in every cell); None for
    any other row."""
    filled = [c for c in cells if squash(c)]
    if len(filled) >= 2 and len({squash(c) for c in filled}) == 1:
        return filled[0].strip()
    return None


def only_cell(cells: list[str]) -> tuple[int, str] | None:
    """(index, text) of a row with exactly one cell filled."""
    filled = [(i, c.strip()) for i, c in enumerate(cells) if squash(c)]
    return filled[0] if len(filled) == 1 else None


def numbered(text: str) -> tuple[str | None, str]:
    """"7. Youth offer published" → ("7", "Youth offer published"); (None, text) otherwise."""
    match = _NUMBERED.match(text or "")
    if match:
        return match.group(1), match.group(2).strip()
    return None, text


def theme_letter(theme: str | None) -> str | None:
    """"B. Improve the stability …" → "B"."""
    match = _THEME.match(theme or "")
    return match.group(1).upper() if match else None


def is_theme_text(text: str) -> bool:
    return bool(_THEME.match(text or "")) and len(squash(text)) <= 300


def group_owner(text: str) -> tuple[str, str] | None:
    """"Head of Service - Priya Kaur" → ("Priya Kaur", "Head of Service")."""
    match = _GROUP_OWNER.match(squash(text))
    if not match:
        return None
    return match.group(2).strip(), match.group(1).strip()


def legend_entries(text: str) -> dict[str, tuple[str, str | None]]:
    """Initials explained in a footnote or key: {"PK": ("Priya Kaur", "Assistant Director Learning")}."""
    found: dict[str, tuple[str, str | None]] = {}
    body = _MARKS.sub(" ", text or "")
    body = re.sub(r"^\s*(?:key|legend|owners?|leads?)\s*:\s*", "", body, flags=re.IGNORECASE)
    for part in re.split(r"[;\n]+", body):
        match = _LEGEND_ENTRY.match(part)
        if match:
            initials, name, title = match.groups()
            found[initials.upper()] = (squash(name), squash(title or "") or None)
    return found


def is_legend(text: str) -> bool:
    """A row or paragraph that explains initials (at least one entry, and nothing else much)."""
    entries = legend_entries(text)
    if not entries:
        return False
    parts = [p for p in re.split(r"[;\n]+", _MARKS.sub(" ", text)) if squash(p)]
    return len(entries) >= max(1, len(parts) - 1)
