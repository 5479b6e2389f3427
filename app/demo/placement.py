"""Where in time the demo is placed: the seed's dates moved to the present.

The seed documents are dated: the committee's work plan is for the municipal year 2019-20 and
the service plan's period is 2016-19 (last updated in July 2018). `Placement` says how far to
move each, by whole years, so that a demo loaded today lives in today's year:

- the committee's meetings move by the whole number of weeks closest to the years moved,
  so that each meeting keeps its weekday (a Tuesday committee stays on Tuesdays); the
  municipal year ("2019-20") moves by the years;
- the service plan moves so that its period ends with the current financial year: its
  actions fall due in this year and next, its yearly indicator results run to last year;
- the reporting periods are the quarters of the current financial year, and the two before
  the current quarter when they fall in the year before.

`Placement.as_written()` is the seed exactly as written (nothing moves); `for_year(year)`
moves everything by the same number of years. Document text is left as written: only
dates and labels that are dates or periods move.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

SEED_YEAR = 2019  # the municipal (and financial) year of the seed's work plan: 2019-20
SEED_PLAN_YEAR = 2018  # the last financial year of the seed plan's period (2016-19): 2018/19
SEED_LAST_MEETING = date(2020, 5, 20)  # the last meeting of the seed's work plan
_YEAR_RANGE = re.compile(r"\b(\d{4})(\s*[-/–]\s*)(\d{4}|\d{2})\b")


def financial_year(day: date) -> int:
    """The year in which the UK financial (and municipal) year containing `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def shift_date(day: date | None, years: int) -> date | None:
    """The same day `years` later (29 February becomes the 28th in a common year)."""
    if day is None or years == 0:
        return day
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_label(label: str | None, years: int) -> str | None:
    """A period or year label moved by whole years: "2016-19" → "2024-27", "2015/16" → "2023/24"."""
    if not label or years == 0:
        return label

    def moved(match: re.Match) -> str:
        start, sep, end = match.groups()
        new_end = int(end) + years if len(end) == 4 else (int(end) + years) % 100
        return f"{int(start) + years}{sep}{new_end:0{len(end)}d}"

    return _YEAR_RANGE.sub(moved, label)


def weeks_closest(years: int) -> int:
    """Days in the whole number of weeks closest to `years` years after the seed's year."""
    days = (date(SEED_YEAR + years, 4, 1) - date(SEED_YEAR, 4, 1)).days
    return 7 * round(days / 7)


@dataclass(frozen=True)
class Placement:
    committee_years: int  # the work plan's municipal year moves by this many years…
    committee_days: int  # …and its meetings by this many days (whole weeks)
    plan_years: int  # the service plan's dates and labels move by this many years
    period_years: tuple[int, ...]  # financial years whose quarters are loaded
    first_quarter: int = 1  # of the first of those years, the first quarter loaded
    today: date | None = None  # the day the demo is placed around (None: as written)

    @classmethod
    def as_written(cls) -> "Placement":
        return cls.for_year(SEED_YEAR)

    @classmethod
    def for_year(cls, year: int) -> "Placement":
        """Everything moved by the same number of years: the work plan is for `year`."""
        years = year - SEED_YEAR
        return cls(committee_years=years, committee_days=weeks_closest(years), plan_years=years,
                   period_years=(year,))

    @classmethod
    def present(cls, today: date | None = None) -> "Placement":
        """Placed around `today` (default: the real today), as described above."""
        today = today or date.today()
        year = financial_year(today)
        work_plan_year = year
        # Until last year's work plan has had its last meeting, the committee is still in it.
        if SEED_LAST_MEETING + timedelta(days=weeks_closest(year - 1 - SEED_YEAR)) >= today:
            work_plan_year = year - 1
        quarter = (today.month - 4) % 12 // 3 + 1  # 1 for April to June … 4 for January to March
        if quarter >= 3:
            period_years, first = (year,), 1
        else:  # the two quarters before this one reach into last year
            period_years, first = (year - 1, year), quarter + 2
        years = work_plan_year - SEED_YEAR
        return cls(committee_years=years, committee_days=weeks_closest(years), plan_years=year - SEED_PLAN_YEAR,
                   period_years=period_years, first_quarter=first, today=today)

    def meeting_date(self, day: date) -> date:
        return day + timedelta(days=self.committee_days)
