"""iCalendar (RFC 5545), written by hand: a few properties, escaped, folded, CRLF.

Times are written in UTC ("Z"), so no VTIMEZONE is needed: a meeting at 5.30pm in September is
DTSTART:20190924T163000Z, and every calendar shows it at 5.30pm in London.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MEETING_LENGTH = timedelta(hours=2)  # a meeting's end is not recorded: calendars show two hours


@dataclass
class Event:
    uid: str
    summary: str
    starts_on: date
    starts_at: time | None
    location: str | None
    url: str
    description: str | None = None
    cancelled: bool = False
    sequence: int = 0
    modified: datetime | None = None


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets folded: CRLF and a space, never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _times(event: Event) -> list[str]:
    if event.starts_at is None:  # a day, not a time
        return [f"DTSTART;VALUE=DATE:{event.starts_on:%Y%m%d}",
                f"DTEND;VALUE=DATE:{event.starts_on + timedelta(days=1):%Y%m%d}"]
    start = datetime.combine(event.starts_on, event.starts_at, tzinfo=LONDON)
    return [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + MEETING_LENGTH)}"]


def calendar(name: str, events: list[Event], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Docket//Committee meetings//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", "X-WR-TIMEZONE:Europe/London"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(now)}", *_times(event),
                  f"SUMMARY:{escape(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append(f"URL:{event.url}")
        if event.modified is not None:
            lines.append(f"LAST-MODIFIED:{_utc(event.modified)}")
        lines += [f"SEQUENCE:{event.sequence}", f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
