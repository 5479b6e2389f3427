"""Indicator values written as people write them, in the indicator's own unit.

"72%" for a percentage indicator, "£2.1m" or "£850k" for one in pounds, "1,234" for a count:
the unit may be written with the number, but a different unit is refused in plain English
("… is a percentage, not an amount in pounds"). `app.filters.format_value` shows a value
back with its unit.
"""
import re
from decimal import Decimal, InvalidOperation

from app.models import Unit

# How each unit is named and shown in examples, for messages and hints.
UNIT_NAMES = {Unit.PERCENTAGE: "a percentage", Unit.CURRENCY: "an amount in pounds",
              Unit.NUMBER: "a number", Unit.COUNT: "a count"}
EXAMPLES = {Unit.PERCENTAGE: "72% or 61.5", Unit.CURRENCY: "£2.1m, £850k or 1,234",
            Unit.NUMBER: "12.5", Unit.COUNT: "1,234"}
MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}
_SHAPE = re.compile(r"^(?P<sign>[-−]?)(?P<pound>£?)(?P<sign2>[-−]?)(?P<number>\d*\.?\d+|\d+\.)"
                    r"(?P<scale>k|m|bn)?(?P<percent>%?)$", re.IGNORECASE)


def as_unit(unit) -> Unit:
    """A Unit from a Unit, its value ("percentage") or nothing (a plain number)."""
    if isinstance(unit, Unit):
        return unit
    try:
        return Unit(unit)
    except ValueError:
        return Unit.NUMBER


def parse_value(text: str | None, unit, label: str = "The value") -> Decimal | None:
    """The number in `text`, written with or without the indicator's unit. Raises ValueError
    with a plain-English message; an empty text is None."""
    unit = as_unit(unit)
    cleaned = re.sub(r"[\s,]", "", text or "")
    if not cleaned:
        return None
    found = _SHAPE.match(cleaned)
    if found is None:
        raise ValueError(f"{label} must be a number, like {EXAMPLES[unit]}")
    if found["percent"] and unit != Unit.PERCENTAGE:
        raise ValueError(f"{label} is {UNIT_NAMES[unit]}, not a percentage: enter it like {EXAMPLES[unit]}")
    if (found["pound"] or found["scale"]) and unit != Unit.CURRENCY:
        raise ValueError(f"{label} is {UNIT_NAMES[unit]}, not an amount in pounds: enter it like {EXAMPLES[unit]}")
    if found["percent"] and (found["pound"] or found["scale"]):
        raise ValueError(f"{label} must be a number, like {EXAMPLES[unit]}")
    try:
        value = Decimal(found["number"])
    except InvalidOperation:
        raise ValueError(f"{label} must be a number, like {EXAMPLES[unit]}") from None
    if found["scale"]:
        value *= MULTIPLIERS[found["scale"].lower()]
    if found["sign"] or found["sign2"]:
        value = -value
    if not value.is_finite() or (value and value.adjusted() >= 12):
        raise ValueError(f"{label} must be a number smaller than a million million")
    return round(value, 4)


def plain(value) -> str:
    """A stored value as typed back into its field: 72.5000 -> 72.5 (no unit, no commas)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
