"""Read a committee agenda pack: the notice of meeting and the committee's work plan.

The notice at the top of a pack reads:

    Notice of a public meeting of
    <Committee name>

    To: Councillors D Taylor (Chair), Webb (Vice-Chair),
    Daubeney, Fenton, Fitzpatrick, Heaton and Hollyer

    Date: Tuesday, 24 September 2019
    Time: 5.30 pm
    Venue: The Thornton Room - Ground Floor, West Offices (G039)

The work plan, usually the last report in the pack, is headed "… Work Plan 2019-20" and has
one row per meeting: the date and time ("Tuesday 25 June 2019 @ 5.30pm"), a tab, then the
planned items as a numbered list ("1. Arrangements for Scrutiny 2. … ").
"""
import re
from dataclasses import dataclass, field
from datetime import date, time

from app.demo.text import parse_time, parse_uk_date, squash, strip_markup
from app.models import MemberRole

NOTICE = re.compile(r"notice of an? (?:public )?meeting of\s+(.+?)\s*(?:\n\s*\n|$)", re.IGNORECASE | re.DOTALL)
NOTICE_FIELD = re.compile(r"^\s*(To|Date|Time|Venue)\s*:\s*(.*)$", re.IGNORECASE)
WORK_PLAN_HEADING = re.compile(r"^.*\bWork Plan\s+(\d{4}\s*[-/–]\s*\d{2,4})\W*$", re.IGNORECASE | re.MULTILINE)
MEMBER_ROLES = {"chair": MemberRole.CHAIR, "vice-chair": MemberRole.VICE_CHAIR,
                "vice chair": MemberRole.VICE_CHAIR}


@dataclass
class Member:
    name: str  # "Councillor D Taylor"
    role: MemberRole


@dataclass
class Notice:
    committee: str
    members: list[Member]
    meets_on: date | None
    starts_at: time | None
    venue: str | None


@dataclass
class PlannedMeeting:
    meets_on: date
    starts_at: time | None
    items: list[str] = field(default_factory=list)


@dataclass
class WorkPlan:
    municipal_year: str  # "2019-20"
    meetings: list[PlannedMeeting]


def parse_members(text: str) -> list[Member]:
    """ "Councillors D Taylor (Chair), Webb (Vice-Chair), Daubeney and Hollyer" → members in order."""
    text = re.sub(r"^\s*Councillors?\s+", "", squash(text), flags=re.IGNORECASE)
    members = []
    for part in re.split(r",\s*|\s+and\s+", text):
        part = part.strip(" .")
        if not part:
            continue
        match = re.match(r"^(.*?)\s*\(([^)]*)\)$", part)
        name, role = (match.group(1), match.group(2)) if match else (part, "")
        name = re.sub(r"^Councillor\s+|^Cllr\.?\s+", "", name, flags=re.IGNORECASE)
        role = MEMBER_ROLES.get(role.strip().lower(), MemberRole.MEMBER)
        members.append(Member(name=f"Councillor {name}", role=role))
    return members


def parse_notice(text: str) -> Notice:
    """The committee, members, date, time and venue from the notice at the top of a pack."""
    plain = strip_markup(text)
    match = NOTICE.search(plain)
    if not match:
        raise ValueError("The agenda pack has no 'Notice of a public meeting of …' line")
    committee = squash(match.group(1))
    fields: dict[str, str] = {}
    lines = plain[match.end():].splitlines()
    i = 0
    while i < len(lines) and len(fields) < 4:
        found = NOTICE_FIELD.match(lines[i])
        if found:
            label, value = found.group(1).lower(), [found.group(2)]
            # A field runs on over the following lines until a blank line.
            while i + 1 < len(lines) and lines[i + 1].strip() and not NOTICE_FIELD.match(lines[i + 1]):
                i += 1
                value.append(lines[i])
            fields.setdefault(label, squash(" ".join(value)))
        i += 1
    return Notice(
        committee=committee,
        members=parse_members(fields.get("to", "")),
        meets_on=parse_uk_date(fields.get("date")),
        starts_at=parse_time(fields.get("time")),
        venue=fields.get("venue") or None,
    )


def split_numbered(text: str) -> list[str]:
    """Split "1. First item 2. Second item" into its items.

    Only the next number in sequence starts an item, so "2. 6 monthly report" stays whole
    and a number inside an item's title does not split it. Text without "1." is one item.
    """
    text = squash(strip_markup(text))
    starts, expected = [], 1
    for match in re.finditer(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+", text):
        if int(match.group(1)) == expected:
            starts.append(match)
            expected += 1
    if not starts:
        return [text] if text else []
    items = []
    for n, match in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        item = text[match.end():end].strip()
        if item:
            items.append(item)
    return items


def parse_work_plan(text: str) -> WorkPlan:
    """The meetings and planned items of the (last) work plan in the pack."""
    headings = list(WORK_PLAN_HEADING.finditer(text))
    if not headings:
        raise ValueError("The agenda pack has no '… Work Plan 2019-20' heading")
    heading = headings[-1]
    year = re.sub(r"\s*[-/–]\s*", "-", heading.group(1))
    meetings: list[PlannedMeeting] = []
    for line in text[heading.end():].splitlines():
        if not line.strip():
            continue
        when, _, items = line.partition("\t")
        meets_on = parse_uk_date(strip_markup(when))
        if meets_on is None:
            if meetings:
                break  # the table has ended
            continue
        meetings.append(PlannedMeeting(meets_on=meets_on, starts_at=parse_time(when), items=split_numbered(items)))
    return WorkPlan(municipal_year=year, meetings=meetings)
