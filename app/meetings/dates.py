"""Statutory dates a committee clerk in England works to.

Bank holidays for England and Wales, working days, the public participation
deadline, the five clear working days an agenda needs under section 100B of the
Local Government Act 1972, and dates written in council style.

Dates may be given as `date` or `datetime`. A timezone-aware datetime is read in
UK time first; a naive one is taken as UK local time already.
"""
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

FIRST_YEAR = 1978  # The first year with the Early May bank holiday.
CLEAR_DAYS_REQUIRED = 5
PARTICIPATION_DEADLINE = time(17, 0)

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")

# Years when a regular bank holiday was moved by royal proclamation.
EARLY_MAY_MOVED = {1995: date(1995, 5, 8), 2020: date(2020, 5, 8)}
SPRING_MOVED = {2002: date(2002, 6, 4), 2012: date(2012, 6, 4), 2022: date(2022, 6, 2)}

# One-off extra bank holidays.
ONE_OFF_HOLIDAYS = frozenset({
    date(1999, 12, 31),  # Millennium
    date(2002, 6, 3),    # Golden Jubilee
    date(2011, 4, 29),   # Royal wedding
    date(2012, 6, 5),    # Diamond Jubilee
    date(2022, 6, 3),    # Platinum Jubilee
    date(2022, 9, 19),   # State funeral of Queen Elizabeth II
    date(2023, 5, 8),    # Coronation of King Charles III
})


def easter_sunday(year: int) -> date:
    """Easter Sunday, by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@lru_cache(maxsize=None)
def _holidays(year: int) -> frozenset[date]:
    if year < FIRST_YEAR:
        raise ValueError(f"Bank holidays are only worked out from {FIRST_YEAR} onwards, not {year}.")

    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:  # Saturday or Sunday: the Monday after
        new_year += timedelta(days=7 - new_year.weekday())

    easter = easter_sunday(year)

    christmas = date(year, 12, 25)
    if christmas.weekday() == 5:    # Saturday: Monday 27 and Tuesday 28
        christmas_days = {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Monday 26, Christmas Tuesday 27
        christmas_days = {date(year, 12, 26), date(year, 12, 27)}
    elif christmas.weekday() == 4:  # Friday: Boxing Day falls Saturday, so Monday 28
        christmas_days = {christmas, date(year, 12, 28)}
    else:
        christmas_days = {christmas, date(year, 12, 26)}

    days = {
        new_year,
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        EARLY_MAY_MOVED.get(year, _first_monday(year, 5)),
        SPRING_MOVED.get(year, _last_monday(year, 5)),
        _last_monday(year, 8),
        *christmas_days,
        *(d for d in ONE_OFF_HOLIDAYS if d.year == year),
    }
    return frozenset(days)


def bank_holidays(year: int) -> set[date]:
    """Bank holidays in England and Wales in the given year (1978 onwards)."""
    return set(_holidays(year))


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LONDON)
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"Expected a date or datetime, not {type(value).__name__}.")


def _extras(extra_holidays: Iterable[date]) -> frozenset[date]:
    return frozenset(_as_date(d) for d in extra_holidays)


def _working(d: date, extras: frozenset[date]) -> bool:
    return d.weekday() < 5 and d not in extras and d not in _holidays(d.year)


def _previous_working(d: date, extras: frozenset[date]) -> date:
    d -= timedelta(days=1)
    while not _working(d, extras):
        d -= timedelta(days=1)
    return d


def is_working_day(d: date, extra_holidays: Iterable[date] = ()) -> bool:
    """True unless d is a Saturday, a Sunday, a bank holiday or one of the extra holidays."""
    return _working(_as_date(d), _extras(extra_holidays))


def previous_working_day(d: date, extra_holidays: Iterable[date] = ()) -> date:
    """The last working day strictly before d."""
    return _previous_working(_as_date(d), _extras(extra_holidays))


def public_participation_deadline(meeting_date: date, extra_holidays: Iterable[date] = ()) -> datetime:
    """5.00pm on the working day before the meeting, as a naive UK local time."""
    day = previous_working_day(meeting_date, extra_holidays)
    return datetime.combine(day, PARTICIPATION_DEADLINE)


def clear_working_days(published_on: date, meeting_date: date, extra_holidays: Iterable[date] = ()) -> int:
    """Working days strictly between publication and the meeting (0 if published on or after it)."""
    extras = _extras(extra_holidays)
    day, meeting = _as_date(published_on), _as_date(meeting_date)
    count = 0
    day += timedelta(days=1)
    while day < meeting:
        count += _working(day, extras)
        day += timedelta(days=1)
    return count


def publication_is_late(published_on: date, meeting_date: date, extra_holidays: Iterable[date] = ()) -> bool:
    """True if the agenda was published with fewer than five clear working days to go."""
    return clear_working_days(published_on, meeting_date, extra_holidays) < CLEAR_DAYS_REQUIRED


def latest_publication_date(meeting_date: date, extra_holidays: Iterable[date] = ()) -> date:
    """The last working day on which publishing the agenda still leaves five clear working days.

    Publishing on a weekend or holiday just before this day would also leave five clear
    days, but the offices are shut then, so the working day is the one given.
    """
    extras = _extras(extra_holidays)
    day = _as_date(meeting_date)
    for _ in range(CLEAR_DAYS_REQUIRED):
        day = _previous_working(day, extras)
    return _previous_working(day, extras)


def _local(value: datetime) -> datetime:
    return value.astimezone(LONDON) if value.tzinfo is not None else value


def _day_month_year(d: date) -> str:
    return f"{DAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def format_deadline(dt: datetime) -> str:
    """5.00pm on Monday 23 September 2019"""
    dt = _local(dt)
    hour = dt.hour % 12 or 12
    suffix = "am" if dt.hour < 12 else "pm"
    return f"{hour}.{dt.minute:02d}{suffix} on {_day_month_year(dt)}"


def format_long_date(d: date) -> str:
    """Tuesday, 24 September 2019"""
    d = _as_date(d)
    return f"{DAY_NAMES[d.weekday()]}, {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def municipal_year(d: date) -> str:
    """2019-20 for any date from 1 May 2019 to 30 April 2020."""
    d = _as_date(d)
    start = d.year if d.month >= 5 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"
