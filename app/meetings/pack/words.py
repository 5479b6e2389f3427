"""The words of the agenda: councillors, times, standing items' wording, purposes as blocks."""
from __future__ import annotations

import re
from datetime import time

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


def standing_of(item) -> str | None:
    return item.standing or STANDING_TITLES.get(" ".join(item.title.lower().split()))


def purpose_blocks(text: str, bold: str | None) -> list[dict]:
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


