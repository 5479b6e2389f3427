"""Parsing and formatting one cell: dates, due dates, RAG, action types, milestones, numbers."""
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from app.demo.loader import parse_action_type, parse_rag
from app.demo.text import MONTHS, key, leading_number, parse_uk_date, squash
from app.models import ActionStatus, ActionType, Frequency, Polarity, Rag, Unit
from app.plans.transfer.columns import DATE_FORMAT


NEW_DEFAULTS = {
    "actions": {"theme": None, "action_type": None, "statutory": False, "type_note": None, "owner": None,
                "due_on": None, "status": ActionStatus.LIVE, "milestones": ()},
    "risks": {"rag": None, "mitigations": None, "owner": None},
    "indicators": {"polarity": Polarity.NEUTRAL, "direction": None, "owner": None, "include": True,
                   "group_name": None, "unit": None, "target": None, "frequency": Frequency.QUARTERLY,
                   "results": {}},
}


# --- reading one cell -----------------------------------------------------------------------

class CellProblem(ValueError):
    pass


def _one_line(text: str) -> str | None:
    return squash(text) or None


def _lines(text: str) -> str | None:
    """Text that may run over several lines: each line trimmed, the whole trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text.split("\n")).strip() or None


_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE_SHAPES = re.compile(
    rf"(?:\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})"
    rf"|(?:{_WEEKDAYS},?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_WORDS})\.?,?\s+\d{{4}})",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_STATUS_WORDS = re.compile(r"[\s,;(-]*\b(complete|completed|withdrawn)\b[\s.)]*$", re.IGNORECASE)
_DATE_HELP = "Write dates like 31/03/2019"


def parse_date(text: str) -> date | None:
    """A date written in a cell: 31/03/2019, 31/3/19, 2019-03-31 or 31 March 2019 (the
    whole cell). None for a blank cell; CellProblem for anything else."""
    written = squash(text)
    if not written:
        return None
    iso = _ISO_DATE.fullmatch(written)
    try:
        if iso:
            return date(*(int(g) for g in iso.groups()))
        if _DATE_SHAPES.fullmatch(written):
            found = parse_uk_date(written)
            if found:
                return found
    except ValueError:
        raise CellProblem(f"“{written}” is not a date: there is no such day. "
                          f"{_DATE_HELP} (day/month/year)") from None
    raise CellProblem(f"“{written}” is not a date. {_DATE_HELP}, 2019-03-31 or 31 March 2019")


def parse_due(text: str) -> tuple[date | None, ActionStatus]:
    """"31/03/2018 Complete" → (date, Complete): the plan writes a finished action this way."""
    written = squash(text)
    status = ActionStatus.LIVE
    word = _STATUS_WORDS.search(written)
    if word:
        status = ActionStatus.WITHDRAWN if word.group(1).lower() == "withdrawn" else ActionStatus.COMPLETE
        written = written[: word.start()]
    return parse_date(written), status


def format_due(due_on: date | None, status: ActionStatus | None) -> str:
    parts = [due_on.strftime(DATE_FORMAT)] if due_on else []
    if status in (ActionStatus.COMPLETE, ActionStatus.WITHDRAWN):
        parts.append(status.label)
    return " ".join(parts)


def _choice(text: str, choices: dict, what: str, allowed: str):
    written = squash(text)
    if not written:
        return None
    found = choices.get(key(written))
    if found is None:
        raise CellProblem(f"“{written}” is not {what}: write {allowed}")
    return found


_RAG_LABELS = {key(r.label): r for r in Rag} | {key(r.value): r for r in Rag}
_UNITS = {key(u.label): u for u in Unit} | {key(u.value): u for u in Unit} | {
    "%": Unit.PERCENTAGE, "percent": Unit.PERCENTAGE, "pounds": Unit.CURRENCY, "currency": Unit.CURRENCY}
_FREQUENCIES = {key(f.label): f for f in Frequency} | {key(f.value): f for f in Frequency} | {
    "six monthly": Frequency.SIX_MONTHLY, "half-yearly": Frequency.SIX_MONTHLY, "annually": Frequency.ANNUAL,
    "yearly": Frequency.ANNUAL, "quarter": Frequency.QUARTERLY}
_INCLUDE = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}


def parse_rag_cell(text: str) -> Rag | None:
    written = squash(text)
    if not written:
        return None
    found = parse_rag(written) or _RAG_LABELS.get(key(written))
    if found is None:
        raise CellProblem(f"“{written}” is not a RAG rating: write Red, Amber, Green, Complete or Not started "
                          "(R, A or G will do)")
    return found


def parse_type(text: str) -> tuple[ActionType | None, bool, str | None]:
    written = squash(text)
    if not written:
        return None, False, None
    action_type, statutory, note = parse_action_type(written)
    if action_type is None and note:
        raise CellProblem(f"“{written}” is not a type of action Docket knows: write Business as usual, Medium "
                          "project or Major project, adding “Statutory service” if it is one")
    if note and len(note) > 300:
        raise CellProblem("The words after the type are too long: use 300 characters or fewer")
    return action_type, statutory, note


def format_type(action_type: ActionType | None, statutory: bool, note: str | None) -> str:
    """The type cell, written so that `parse_type` reads back the same three values."""
    parts = [action_type.label] if action_type else []
    if note:
        parts.append(("/ " if parts else "") + note)
    if statutory:
        parts.append("Statutory service")
    return " ".join(parts)


_DONE = re.compile(r"^\[done\]\s*", re.IGNORECASE)
_BY = re.compile(r"\s*\(by\s+([^()]*)\)\s*$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[a-z]+\.?,?\s+\d{4}",
                        re.IGNORECASE)


def parse_milestones(text: str) -> tuple:
    """One milestone per line: "[done] " at the start marks it done, " (by 31/03/2019)" at
    the end gives its date. Blank lines are skipped."""
    found = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        done = bool(_DONE.match(line))
        line = _DONE.sub("", line)
        due = None
        by = _BY.search(line)
        if by and _DATE_LIKE.search(by.group(1)):  # "(by the end of Q2)" is words, not a date
            try:
                due = parse_date(by.group(1))
            except CellProblem as exc:
                raise CellProblem(f"Milestone “{squash(line[: by.start()])[:60]}”: {exc}") from None
            line = line[: by.start()]
        line = line.strip()
        if line:
            found.append((line, due, done))
    return tuple(found)


def format_milestones(milestones: tuple) -> str:
    lines = []
    for text, due, done in milestones:
        lines.append(("[done] " if done else "") + text + (f" (by {due.strftime(DATE_FORMAT)})" if due else ""))
    return "\n".join(lines)


def parse_number(text: str) -> Decimal | None:
    written = squash(text)
    if not written:
        return None
    value = leading_number(written)
    rest = re.sub(r"^\s*-?\s*£?\s*-?\s*[\d,]*\.?\d*", "", written).strip()
    if value is None or rest not in ("", "%"):
        raise CellProblem(f"“{written}” is not a number")
    if abs(value) >= 10**14:
        raise CellProblem(f"“{written}” is too large a number")
    try:
        return value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        raise CellProblem(f"“{written}” is too large a number") from None


def format_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _limit(value: str | None, length: int, what: str) -> str | None:
    if value and len(value) > length:
        raise CellProblem(f"{what} is too long: use {length} characters or fewer")
    return value


# --- the preview --------------------------------------------------------------------------

def _rag_after(old_status, new_status, rag):
    """A finished action is rated Complete (as the plan writes it); reopened, it is not rated."""
    if new_status == old_status:
        return rag
    if new_status == ActionStatus.COMPLETE:
        return Rag.COMPLETE
    return None if rag == Rag.COMPLETE else rag
