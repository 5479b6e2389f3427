"""Template filters: dates and numbers as a council officer writes them."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def uk_date(value) -> str:
    """24 September 2019"""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value) -> str:
    """24 September 2019 at 5:30pm"""
    if value is None:
        return ""
    local = value.astimezone(LONDON) if isinstance(value, datetime) else value
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix}"


def register(app):
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_global(date, "date_type")
