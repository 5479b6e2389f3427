"""What an indicator and an update were before this period: the latest known result of an
indicator (an earlier period's signed-off value, or a yearly result recorded in the plan, such
as "2015/16 Result"), its history for the trend, and text carried over unchanged.

`previous_result(indicator, period)` is what direction of travel, the commentary rule and the
trend are judged against, on the update form, the all-values page and the report scorecard.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import IndicatorResult, IndicatorValue, ProgressUpdate, ReportingPeriod, UpdateState

TREND_POINTS = 8
_YEAR = re.compile(r"(?P<first>(19|20)\d{2})\s*(?:[/-]\s*(?P<second>\d{2,4}))?")


@dataclass(frozen=True)
class Result:
    """One known result of an indicator: a period's signed-off value or a yearly result."""

    label: str  # "Q1 2019/20" or "2015/16"
    value: Decimal
    ends_on: date
    from_plan: bool  # a yearly result recorded in the plan, not a value entered in Docket

    @property
    def described(self) -> str:
        return f"{self.label} result" if self.from_plan else f"{self.label} value"


def year_end(label: str) -> date:
    """When a yearly result's year ended: "2015/16" -> 31 March 2016 (a financial year);
    "2016" -> 31 December 2016. A label with no year sorts before everything."""
    found = _YEAR.search(label or "")
    if not found:
        return date.min
    first = int(found["first"])
    if found["second"]:
        return date(first + 1, 3, 31)
    return date(first, 12, 31)


def histories(indicators, period: ReportingPeriod) -> dict[int, list[Result]]:
    """For each indicator: its known results before `period`, oldest first (two queries)."""
    ids = [i.id for i in indicators] or [-1]
    found: dict[int, list[Result]] = {i.id: [] for i in indicators}
    for r in db.session.scalars(sa.select(IndicatorResult).where(IndicatorResult.indicator_id.in_(ids),
                                                                 IndicatorResult.value.is_not(None))):
        found[r.indicator_id].append(Result(r.label, r.value, year_end(r.label), True))
    rows = db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.value, ReportingPeriod.name, ReportingPeriod.ends_on)
        .join(ReportingPeriod, IndicatorValue.period_id == ReportingPeriod.id)
        .where(IndicatorValue.indicator_id.in_(ids), IndicatorValue.state == UpdateState.SIGNED_OFF,
               IndicatorValue.value.is_not(None), ReportingPeriod.ends_on < period.starts_on))
    for indicator_id, value, name, ends_on in rows:
        found[indicator_id].append(Result(name, value, ends_on, False))
    for results in found.values():
        # A yearly result and a period ending the same day: the period's value is the later word.
        results.sort(key=lambda r: (r.ends_on, not r.from_plan, r.label))
    return found


def history(indicator, period: ReportingPeriod) -> list[Result]:
    return histories([indicator], period)[indicator.id]


def previous_result(indicator, period: ReportingPeriod) -> Result | None:
    """The latest known result before `period`: an earlier period's signed-off value or the
    plan's latest yearly result, whichever is later. None when nothing is known."""
    results = history(indicator, period)
    return results[-1] if results else None


def trend_points(results: list[Result], limit: int = TREND_POINTS) -> list[dict]:
    """The last results in the shape `sparkline` draws: [{"period": ..., "value": float}]."""
    return [{"period": r.label, "value": float(r.value)} for r in results[-limit:]]


# --- text carried over unchanged -------------------------------------------------------------

CARRIED_FIELDS = {"narrative": "progress", "key_actions_remaining": "key actions remaining",
                  "corrective_action": "corrective action", "next_focus": "focus for the next period"}


def _same(a, b) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def unchanged_fields(update: ProgressUpdate) -> dict[str, str]:
    """The update's text fields that are word for word what they were in earlier periods:
    field name -> the name of the period the text was first written in."""
    earlier = db.session.scalars(
        sa.select(ProgressUpdate).join(ReportingPeriod, ProgressUpdate.period_id == ReportingPeriod.id)
        .where(ProgressUpdate.action_id == update.action_id, ReportingPeriod.ends_on < update.period.starts_on)
        .order_by(ReportingPeriod.ends_on.desc()).limit(TREND_POINTS)
    ).all()
    out = {}
    for field in CARRIED_FIELDS:
        text = getattr(update, field)
        if not (text or "").strip():
            continue
        since = None
        for before in earlier:
            if not _same(getattr(before, field), text):
                break
            since = before.period.name
        if since:
            out[field] = since
    return out


def unchanged_since(update: ProgressUpdate) -> str | None:
    """"Progress and key actions remaining unchanged since Q1 2019/20", or None when every text
    was written (or changed) this period."""
    fields = unchanged_fields(update)
    if not fields:
        return None
    by_since: dict[str, list[str]] = {}
    for field, since in fields.items():
        by_since.setdefault(since, []).append(CARRIED_FIELDS[field])
    parts = []
    for since, names in by_since.items():
        named = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"{named} unchanged since {since}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]
