"""What a good update or indicator value must contain, and how a value is judged."""
from decimal import Decimal

from app.models import Direction, Polarity, Rag
# What an indicator was before (latest known result, yearly results included) and text carried
# over unchanged: the queries are in app/updates/history.py; the names are the rules' too.
from app.updates.history import Result, history, histories, previous_result, unchanged_fields, unchanged_since  # noqa: F401

OFF_TRACK = {Rag.RED, Rag.AMBER}
# Within this fraction of the target counts as amber rather than red.
AMBER_BAND = Decimal("0.05")


def update_problems(values: dict) -> dict[str, str]:
    """Plain-English problems with an update about to be submitted, by field."""
    problems = {}
    if not (values.get("narrative") or "").strip():
        problems["narrative"] = "Enter the progress made this period"
    rag = values.get("rag")
    if rag is None:
        problems["rag"] = "Choose a RAG status"
    if rag in OFF_TRACK and not (values.get("corrective_action") or "").strip():
        problems["corrective_action"] = (
            f"Enter the corrective action: it is needed when the status is {rag.label.lower()}"
        )
    pct = values.get("percent_complete")
    if pct is not None and not 0 <= pct <= 100:
        problems["percent_complete"] = "Per cent complete must be between 0 and 100"
    return problems


def value_rag(value: Decimal | None, target: Decimal | None, polarity: Polarity) -> Rag | None:
    """RAG against target, by polarity. Neutral indicators, and those without a target, have none."""
    if value is None or target is None or polarity == Polarity.NEUTRAL:
        return None
    if polarity == Polarity.UP_IS_GOOD:
        if value >= target:
            return Rag.GREEN
        near = target - abs(target) * AMBER_BAND
        return Rag.AMBER if value >= near else Rag.RED
    if value <= target:
        return Rag.GREEN
    near = target + abs(target) * AMBER_BAND
    return Rag.AMBER if value <= near else Rag.RED


def direction(value: Decimal | None, previous: Decimal | None, polarity: Polarity) -> Direction | None:
    """Direction of travel against the previous period, judged by polarity."""
    if value is None or previous is None:
        return None
    if value == previous or polarity == Polarity.NEUTRAL:
        return Direction.NEUTRAL
    up = value > previous
    return Direction.GOOD if up == (polarity == Polarity.UP_IS_GOOD) else Direction.BAD


def value_problems(values: dict, target, polarity: Polarity, previous, unit=None) -> dict[str, str]:
    """Problems with a value about to be submitted. `previous` is the latest known result (a
    `Result`, or a bare number): a value worse than it needs a commentary, as one off target does."""
    problems = {}
    value = values.get("value")
    if value is None:
        problems["value"] = "Enter the value for this period"
        return problems
    rag = value_rag(value, target, polarity)
    before = previous.value if isinstance(previous, Result) else previous
    travel = direction(value, before, polarity)
    if not (values.get("commentary") or "").strip():
        if rag in OFF_TRACK:
            problems["commentary"] = "Enter a commentary: the value misses its target"
        elif travel == Direction.BAD:
            if isinstance(previous, Result):
                problems["commentary"] = (f"Enter a commentary: the value is worse than the "
                                          f"{previous.described} ({_shown(previous.value, unit)})")
            else:
                problems["commentary"] = "Enter a commentary: the value is worse than last period"
    return problems


def _shown(value, unit) -> str:
    from app.filters import format_value

    return format_value(value, unit)
