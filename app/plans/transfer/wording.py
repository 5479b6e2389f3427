"""Reading the cells of a council's own table, which say things in words as often as in
figures: "By when" cells ("31/05/21 31/08/21", "Completed 31.05.21", "Ongoing"), targets
("61.2%", "£2.150m.", "TBD⁴", "Gross £51.300m. Net £27.940m."), actuals with their as-at
("64% (Aug 21)"), and progress cells holding labelled parts ("Key actions remaining: …",
"Areas of focus for next year: …") with bullets written as "•", "-" or "<ul><li>".

Nothing written is lost: where a cell is not exactly a date or a number, its text is kept
as written (the action's timing, the indicator's target text).
"""
import html
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from app.demo.text import MONTHS, squash
from app.models import ActionStatus, Unit
from app.plans.transfer.cells import CellProblem
from app.plans.transfer.rowkinds import strip_marks

_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?<![\d./-])(\d{{1,2}})[./-](\d{{1,2}})[./-](\d{{4}}|\d{{2}})(?![\d./-])"
    rf"|(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS})\.?,?\s+(\d{{4}})(?!\d)"
    rf"|(?<!\d)(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?!\d)",
    re.IGNORECASE)
_COMPLETE = re.compile(r"\b(?:complete|completed|achieved|done)\b", re.IGNORECASE)
_ONGOING = re.compile(r"\b(?:ongoing|on-going|continuing|continuous)\b", re.IGNORECASE)
_WITHDRAWN = re.compile(r"\bwithdrawn\b", re.IGNORECASE)


@dataclass
class Timing:
    due_on: date | None = None
    status: ActionStatus = ActionStatus.LIVE
    timing: str | None = None  # the cell as written, when it is not exactly one date
    milestones: tuple = ()  # (text, date, done) for each date, when there are several
    dates: list = field(default_factory=list)


def _date_of(match) -> date:
    g = match.groups()
    try:
        if g[0]:
            year = int(g[2])
            return date(year + 2000 if year < 100 else year, int(g[1]), int(g[0]))
        if g[3]:
            return date(int(g[5]), MONTHS[g[4].lower()], int(g[3]))
        return date(int(g[6]), int(g[7]), int(g[8]))
    except ValueError:
        raise CellProblem(f"“{match.group(0)}” is not a date: there is no such day. Write dates like 31/03/2022 "
                          "(day/month/year)") from None


def parse_by_when(text: str) -> Timing:
    """A "By when" cell: one date is the due date; several are dated milestones (the last is
    the due date); words are the timing, and say whether the action is complete."""
    written = "\n".join(line.strip() for line in (text or "").replace("\r", "\n").split("\n") if line.strip())
    if not written:
        return Timing()
    if len(written) > 300:
        raise CellProblem("The “by when” text is too long: use 300 characters or fewer")
    matches = list(_DATE.finditer(written))
    dates = [_date_of(m) for m in matches]
    words = squash(_DATE.sub(" ", written))
    status = ActionStatus.LIVE
    if _WITHDRAWN.search(words):
        status = ActionStatus.WITHDRAWN
    elif _COMPLETE.search(words) and not _ONGOING.search(words):
        status = ActionStatus.COMPLETE
    found = Timing(status=status, dates=dates)
    if len(dates) == 1 and (not words or re.fullmatch(r"(?:complete|completed)\.?", words, re.IGNORECASE)):
        found.due_on = dates[0]
        found.timing = None if not words else written
        return found
    found.timing = written
    if len(dates) == 1:
        found.due_on = dates[0]
    elif dates:
        found.due_on = max(dates)
        milestones = []
        for position, match in enumerate(matches):
            end = matches[position + 1].start() if position + 1 < len(matches) else len(written)
            note = squash(written[match.end():end]).strip("()[],;- ")
            label = note or f"Milestone {position + 1}"
            done = bool(_COMPLETE.search(note)) if note else False
            milestones.append((label[:300], dates[position], done))
        found.milestones = tuple(milestones)
    return found


_PLAIN_NUMBER = re.compile(r"^(£)?\s*(-?\d[\d,]*(?:\.\d+)?|-?\.\d+)\s*(%)?$")
_SCALED_NUMBER = re.compile(r"^(£)?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(%|m|k|bn|million|thousand)?\.?$", re.IGNORECASE)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise CellProblem(f"“{text}” is not a number") from None
    if abs(value) >= 10**14:
        raise CellProblem(f"“{text}” is too large a number")
    return value.quantize(Decimal("0.0001"))


def unit_of(text: str) -> Unit | None:
    if "%" in (text or ""):
        return Unit.PERCENTAGE
    if "£" in (text or ""):
        return Unit.CURRENCY
    return None


def parse_target(text: str) -> tuple[Decimal | None, str | None, Unit | None]:
    """(number, text as written when it is more than a plain number, unit)."""
    written = squash(text)
    if not written:
        return None, None, None
    if len(written) > 200:
        raise CellProblem("The target is too long: use 200 characters or fewer")
    core = strip_marks(written)
    plain = _PLAIN_NUMBER.match(core)
    if plain and core == written:
        return _decimal(plain.group(2)), None, unit_of(core)
    scaled = _SCALED_NUMBER.match(core)
    if scaled:
        return _decimal(scaled.group(2)), written, unit_of(core)
    return None, written, unit_of(core)


_AS_AT = re.compile(r"^(.*?)\s*(?:\((?:as at\s+)?([^()]{1,30})\)|\bas at\s+(.{1,30}))\s*$", re.IGNORECASE)


def parse_actual(text: str) -> tuple[str | None, str | None]:
    """"64% (Aug 21)" → ("64%", "Aug 21"): the value and when it was measured."""
    written = squash(text)
    if not written:
        return None, None
    match = _AS_AT.match(written)
    if match and match.group(1):
        return match.group(1)[:100], (match.group(2) or match.group(3)).strip()
    return written[:100], None


_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")


def year_label(heading: str, fallback: str) -> str:
    """"2020/21 outturn" → "2020/21"."""
    match = _YEAR.search(heading or "")
    return f"{match.group(1)}/{match.group(2)[-2:]}" if match else fallback


def lines_of(text: str) -> str | None:
    """A cell's items one a line, bullets ("•", "-", "*", "<li>") taken off."""
    text = text or ""
    if "<" in text and re.search(r"</?(?:ul|ol|li|p|br)\b", text, re.IGNORECASE):
        text = re.sub(r"<\s*(?:li|p|br)\b[^>]*>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    text = text.replace("\r", "\n").replace("•", "\n").replace("▪", "\n").replace("\uf0b7", "\n")
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s*(?:[-*–·o]\s+)", "", line).strip()
        if line:
            out.append(line)
    return "\n".join(out) or None


NARRATIVE_PARTS = ("narrative", "key_actions_remaining", "next_focus", "corrective_action")
_PART_LABELS = re.compile(
    r"(key actions remaining|actions remaining|next steps|areas? of focus for (?:the )?next (?:year|period|quarter)"
    r"|focus for (?:the )?next (?:year|period|quarter)|corrective actions?)\s*:", re.IGNORECASE)
_PROGRESS_LABEL = re.compile(r"^\s*(?:progress(?: update)?|update|current position)\s*:\s*", re.IGNORECASE)


def split_narrative(text: str) -> dict:
    """A progress cell's labelled parts: the progress, "Key actions remaining:", "Areas of focus
    for next year:" and "Corrective action:"; the text before any label is the progress."""
    written = (text or "").strip()
    if not written:
        return {}
    parts: dict[str, str] = {}
    pieces = _PART_LABELS.split(written)
    head = _PROGRESS_LABEL.sub("", pieces[0]).strip()
    if head:
        parts["narrative"] = head
    for label, body in zip(pieces[1::2], pieces[2::2]):
        low = label.lower()
        name = ("corrective_action" if low.startswith("corrective") else
                "next_focus" if "focus" in low else "key_actions_remaining")
        body = lines_of(body)
        if body:
            parts[name] = (parts[name] + "\n" + body) if name in parts else body
    if "narrative" in parts:
        parts["narrative"] = "\n".join(line.strip() for line in parts["narrative"].split("\n")).strip()
    return parts
