"""Statutory meeting dates. Every expected date here was read off a calendar by hand."""
from datetime import date, datetime, timezone

import pytest

from app.meetings.dates import (
    bank_holidays,
    clear_working_days,
    easter_sunday,
    format_deadline,
    format_long_date,
    is_working_day,
    latest_publication_date,
    municipal_year,
    previous_working_day,
    public_participation_deadline,
    publication_is_late,
)


def _days(year, *month_days):
    return {date(year, m, d) for m, d in month_days}


# The lists GOV.UK publishes for England and Wales.
GOV_UK = {
    2019: _days(2019, (1, 1), (4, 19), (4, 22), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)),
    2020: _days(2020, (1, 1), (4, 10), (4, 13), (5, 8), (5, 25), (8, 31), (12, 25), (12, 28)),
    2021: _days(2021, (1, 1), (4, 2), (4, 5), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)),
    2022: _days(2022, (1, 3), (4, 15), (4, 18), (5, 2), (6, 2), (6, 3), (8, 29), (9, 19),
                (12, 26), (12, 27)),
    2023: _days(2023, (1, 2), (4, 7), (4, 10), (5, 1), (5, 8), (5, 29), (8, 28), (12, 25), (12, 26)),
    2024: _days(2024, (1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)),
    2025: _days(2025, (1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)),
    2026: _days(2026, (1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)),
}


@pytest.mark.parametrize("year", sorted(GOV_UK))
def test_bank_holidays_match_gov_uk(year):
    assert bank_holidays(year) == GOV_UK[year]


# Earlier years with moved and one-off holidays.
HISTORIC = {
    # Early May moved to Monday 8 May for VE Day; New Year's Day was a Sunday.
    1995: _days(1995, (1, 2), (4, 14), (4, 17), (5, 8), (5, 29), (8, 28), (12, 25), (12, 26)),
    # Millennium on Friday 31 December; Christmas Day on a Saturday.
    1999: _days(1999, (1, 1), (4, 2), (4, 5), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28), (12, 31)),
    # Golden Jubilee Monday 3 June; Spring bank holiday moved to Tuesday 4 June.
    2002: _days(2002, (1, 1), (3, 29), (4, 1), (5, 6), (6, 3), (6, 4), (8, 26), (12, 25), (12, 26)),
    # Royal wedding Friday 29 April; New Year's Day a Saturday; Christmas Day a Sunday.
    2011: _days(2011, (1, 3), (4, 22), (4, 25), (4, 29), (5, 2), (5, 30), (8, 29), (12, 26), (12, 27)),
    # Spring bank holiday moved to Monday 4 June; Diamond Jubilee Tuesday 5 June.
    2012: _days(2012, (1, 2), (4, 6), (4, 9), (5, 7), (6, 4), (6, 5), (8, 27), (12, 25), (12, 26)),
}


@pytest.mark.parametrize("year", sorted(HISTORIC))
def test_bank_holidays_in_years_with_moved_and_one_off_days(year):
    assert bank_holidays(year) == HISTORIC[year]


def test_early_may_2020_moved_to_friday_not_kept_on_monday():
    holidays = bank_holidays(2020)
    assert date(2020, 5, 8) in holidays  # Friday, VE Day 75
    assert date(2020, 5, 4) not in holidays  # the first Monday in May


def test_christmas_on_saturday_gives_monday_and_tuesday():
    assert {d for d in bank_holidays(2010) if d.month == 12} == {date(2010, 12, 27), date(2010, 12, 28)}


def test_christmas_on_sunday_gives_boxing_day_monday_and_substitute_tuesday():
    assert {d for d in bank_holidays(2016) if d.month == 12} == {date(2016, 12, 26), date(2016, 12, 27)}


def test_boxing_day_on_saturday_moves_to_monday():
    assert {d for d in bank_holidays(2015) if d.month == 12} == {date(2015, 12, 25), date(2015, 12, 28)}


@pytest.mark.parametrize("year, substitute", [
    (2000, date(2000, 1, 3)),  # Saturday
    (2017, date(2017, 1, 2)),  # Sunday
])
def test_new_years_day_at_a_weekend_moves_to_monday(year, substitute):
    holidays = bank_holidays(year)
    assert substitute in holidays
    assert date(year, 1, 1) not in holidays


@pytest.mark.parametrize("year, sunday", [
    (1943, date(1943, 4, 25)),  # latest possible
    (2000, date(2000, 4, 23)),
    (2008, date(2008, 3, 23)),
    (2019, date(2019, 4, 21)),
    (2024, date(2024, 3, 31)),
    (2038, date(2038, 4, 25)),
    (2285, date(2285, 3, 22)),  # earliest possible
])
def test_easter_sunday(year, sunday):
    assert easter_sunday(year) == sunday


def test_bank_holidays_returns_a_fresh_set_each_time():
    bank_holidays(2024).add(date(2024, 7, 1))
    assert date(2024, 7, 1) not in bank_holidays(2024)


def test_bank_holidays_refuses_years_before_the_rules_began():
    with pytest.raises(ValueError):
        bank_holidays(1977)


# Working days

def test_is_working_day():
    assert is_working_day(date(2019, 9, 24))  # Tuesday
    assert not is_working_day(date(2019, 9, 21))  # Saturday
    assert not is_working_day(date(2019, 9, 22))  # Sunday
    assert not is_working_day(date(2019, 8, 26))  # Summer bank holiday
    assert not is_working_day(date(2020, 12, 28))  # Boxing Day substitute


def test_is_working_day_with_extra_holidays():
    extra = [date(2019, 12, 24)]
    assert is_working_day(date(2019, 12, 24))
    assert not is_working_day(date(2019, 12, 24), extra_holidays=extra)
    assert not is_working_day(date(2019, 12, 24), extra_holidays=(d for d in extra))


def test_is_working_day_accepts_a_datetime():
    assert not is_working_day(datetime(2020, 12, 25, 10, 0))
    assert is_working_day(datetime(2020, 12, 24, 10, 0))


@pytest.mark.parametrize("day, expected", [
    (date(2019, 9, 25), date(2019, 9, 24)),  # Wednesday -> Tuesday
    (date(2019, 9, 24), date(2019, 9, 23)),  # strictly before, even on a working day
    (date(2019, 9, 23), date(2019, 9, 20)),  # Monday -> Friday
    (date(2019, 9, 22), date(2019, 9, 20)),  # Sunday -> Friday
    (date(2020, 4, 14), date(2020, 4, 9)),  # after Easter -> Thursday before Good Friday
    (date(2024, 1, 2), date(2023, 12, 29)),  # over New Year's Day into the previous year
])
def test_previous_working_day(day, expected):
    assert previous_working_day(day) == expected


# Public participation deadline

@pytest.mark.parametrize("meeting, deadline", [
    (date(2019, 9, 24), datetime(2019, 9, 23, 17, 0)),  # seed: Tuesday -> Monday
    (date(2019, 9, 23), datetime(2019, 9, 20, 17, 0)),  # Monday -> Friday
    (date(2020, 4, 14), datetime(2020, 4, 9, 17, 0)),  # after Easter -> Thursday
    (date(2020, 12, 29), datetime(2020, 12, 24, 17, 0)),  # after Christmas and Boxing Day substitute
    (date(2022, 6, 6), datetime(2022, 6, 1, 17, 0)),  # after the Platinum Jubilee
])
def test_public_participation_deadline(meeting, deadline):
    result = public_participation_deadline(meeting)
    assert result == deadline
    assert result.tzinfo is None


def test_public_participation_deadline_with_council_closure():
    closed = [date(2020, 12, 24)]
    assert public_participation_deadline(date(2020, 12, 29), extra_holidays=closed) == datetime(2020, 12, 23, 17, 0)


def test_public_participation_deadline_accepts_the_meeting_start_time():
    assert public_participation_deadline(datetime(2019, 9, 24, 17, 30)) == datetime(2019, 9, 23, 17, 0)


# Five clear working days (Local Government Act 1972, s100B)

@pytest.mark.parametrize("meeting, publish_by", [
    # Seed: clear days Tue 17, Wed 18, Thu 19, Fri 20, Mon 23 September.
    (date(2019, 9, 24), date(2019, 9, 16)),
    # Monday meeting: clear days Mon 16 to Fri 20; the last working day before is Fri 13.
    (date(2019, 9, 23), date(2019, 9, 13)),
    # After Easter: Mon 13 and Fri 10 April don't count; clear days Fri 3, Mon 6 to Thu 9.
    (date(2020, 4, 14), date(2020, 4, 2)),
    # Over Christmas: clear days Thu 24, Tue 29, Wed 30, Thu 31 December, Mon 4 January.
    (date(2021, 1, 5), date(2020, 12, 23)),
])
def test_latest_publication_date(meeting, publish_by):
    assert latest_publication_date(meeting) == publish_by


def test_latest_publication_date_with_council_closure():
    # Closed Wed 18 September: clear days Mon 16, Tue 17, Thu 19, Fri 20, Mon 23.
    closed = [date(2019, 9, 18)]
    assert latest_publication_date(date(2019, 9, 24), extra_holidays=closed) == date(2019, 9, 13)


def test_publishing_on_the_latest_date_is_on_time_and_a_working_day_later_is_late():
    meeting = date(2020, 4, 14)
    assert not publication_is_late(date(2020, 4, 2), meeting)
    assert publication_is_late(date(2020, 4, 3), meeting)


@pytest.mark.parametrize("published, meeting, clear", [
    (date(2019, 9, 16), date(2019, 9, 24), 5),  # boundary: exactly five
    (date(2019, 9, 17), date(2019, 9, 24), 4),  # a day late
    (date(2019, 9, 13), date(2019, 9, 24), 6),
    (date(2019, 9, 14), date(2019, 9, 23), 5),  # published on a Saturday: Mon 16 to Fri 20
    (date(2019, 9, 16), date(2019, 9, 23), 4),  # a week before a Monday meeting is not enough
    (date(2020, 4, 2), date(2020, 4, 14), 5),  # Good Friday and Easter Monday skipped
    (date(2020, 4, 3), date(2020, 4, 14), 4),
    (date(2019, 9, 23), date(2019, 9, 24), 0),  # the day before
    (date(2019, 9, 24), date(2019, 9, 24), 0),  # on the day of the meeting
    (date(2019, 9, 25), date(2019, 9, 24), 0),  # after the meeting
])
def test_clear_working_days(published, meeting, clear):
    assert clear_working_days(published, meeting) == clear
    assert publication_is_late(published, meeting) is (clear < 5)


def test_clear_working_days_with_council_closure():
    closed = [date(2019, 9, 18)]
    assert clear_working_days(date(2019, 9, 16), date(2019, 9, 24), extra_holidays=closed) == 4
    assert publication_is_late(date(2019, 9, 16), date(2019, 9, 24), extra_holidays=closed)


def test_publication_time_is_read_in_uk_time():
    # 23.30 UTC on Monday 16 September 2019 is 12.30am on Tuesday 17 September in BST.
    published = datetime(2019, 9, 16, 23, 30, tzinfo=timezone.utc)
    assert clear_working_days(published, date(2019, 9, 24)) == 4
    assert publication_is_late(published, date(2019, 9, 24))
    assert not publication_is_late(datetime(2019, 9, 16, 16, 0), date(2019, 9, 24))


# Council style

@pytest.mark.parametrize("moment, text", [
    (datetime(2019, 9, 23, 17, 0), "5.00pm on Monday 23 September 2019"),
    (datetime(2021, 1, 5, 9, 30), "9.30am on Tuesday 5 January 2021"),
    (datetime(2019, 9, 23, 12, 0), "12.00pm on Monday 23 September 2019"),
    (datetime(2019, 9, 23, 0, 15), "12.15am on Monday 23 September 2019"),
    # 16.00 UTC in summer is 5.00pm in BST.
    (datetime(2019, 9, 23, 16, 0, tzinfo=timezone.utc), "5.00pm on Monday 23 September 2019"),
])
def test_format_deadline(moment, text):
    assert format_deadline(moment) == text


def test_format_deadline_of_the_seed_meeting():
    assert format_deadline(public_participation_deadline(date(2019, 9, 24))) == "5.00pm on Monday 23 September 2019"


@pytest.mark.parametrize("day, text", [
    (date(2019, 9, 24), "Tuesday, 24 September 2019"),
    (date(2020, 5, 8), "Friday, 8 May 2020"),
    (datetime(2021, 1, 5, 17, 30), "Tuesday, 5 January 2021"),
])
def test_format_long_date(day, text):
    assert format_long_date(day) == text


@pytest.mark.parametrize("day, year", [
    (date(2019, 5, 1), "2019-20"),
    (date(2019, 9, 24), "2019-20"),
    (date(2020, 1, 15), "2019-20"),
    (date(2020, 4, 30), "2019-20"),
    (date(2020, 5, 1), "2020-21"),
    (date(2019, 4, 30), "2018-19"),
    (date(2009, 6, 1), "2009-10"),
    (date(1999, 12, 31), "1999-00"),
])
def test_municipal_year(day, year):
    assert municipal_year(day) == year
