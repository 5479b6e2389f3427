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


# One colour for each status across the whole product (GOV.UK tag colours).
TAG_COLOURS = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "complete": "govuk-tag--blue",
    "not_started": "govuk-tag--grey",
    "draft": "govuk-tag--grey",
    "submitted": "govuk-tag--light-blue",
    "returned": "govuk-tag--yellow",
    "signed_off": "govuk-tag--green",
    "approved": "govuk-tag--green",
    "published": "govuk-tag--purple",
    "live": "govuk-tag--turquoise",
    "withdrawn": "govuk-tag--grey",
    "planned": "govuk-tag--grey",
    "open": "govuk-tag--green",
    "closed": "govuk-tag--grey",
    "good": "govuk-tag--green",
    "bad": "govuk-tag--red",
    "neutral": "govuk-tag--grey",
}


def tag_class(value) -> str:
    key = getattr(value, "value", value)
    return TAG_COLOURS.get(key, "govuk-tag--grey")


def money(value) -> str:
    """£20.59m, £850k, £1,234"""
    if value is None:
        return ""
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.2f}m"
    if abs(value) >= 10_000:
        return f"£{value / 1_000:,.0f}k"
    return f"£{value:,.0f}"


def number(value) -> str:
    """A decimal without trailing zeros: 203.60 -> 203.6, 12.0000 -> 12."""
    if value is None:
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text


def format_value(value, unit=None) -> str:
    """An indicator value with its unit: 72.5 percentage -> "72.5%", 2100000 currency ->
    "£2,100,000", 1234 -> "1,234". `value` may be a number or the text of one ("1,234.5");
    `unit` a Unit or its value ("percentage"). Other text is shown as it is."""
    from decimal import Decimal, InvalidOperation

    from app.models import Unit
    from app.updates.units import as_unit

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(value.replace(",", "").strip())
        except InvalidOperation:
            return value
    unit = as_unit(unit)
    if unit == Unit.PERCENTAGE:
        return f"{number(value)}%"
    if unit == Unit.CURRENCY:
        return f"-£{number(-value)}" if value < 0 else f"£{number(value)}"
    return number(value)


def changes(data) -> list[tuple[str, object, object]]:
    """A trail event's recorded changes as (field, old, new), for the timeline."""
    import json

    if not data:
        return []
    try:
        parsed = json.loads(data) if isinstance(data, str) else data
    except ValueError:
        return []
    found = parsed.get("changes") if isinstance(parsed, dict) else None
    if not isinstance(found, dict):
        return []
    return [(name.replace("_", " ").capitalize(), pair[0], pair[1])
            for name, pair in found.items() if isinstance(pair, (list, tuple)) and len(pair) == 2]


def register(app):
    from app.forms import error_summary
    from app.reports import charts

    charts.register(app)

    app.add_template_global(error_summary, "error_summary")
    app.add_template_filter(changes, "changes")
    app.add_template_filter(tag_class, "tag_class")
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(format_value, "format_value")
    from app.updates.history import trend_points, unchanged_since

    app.add_template_global(trend_points, "trend_points")
    app.add_template_global(unchanged_since, "unchanged_since")
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_global(date, "date_type")
