"""Setting plans up: create a plan, archive it, roll it over to the next period.

Plain functions that the pages (app/plans/setup_routes.py) and the command line
(`flask plans create`) both call. Each writes its change and its trail event in one
transaction, and refuses with a plain-English message (`SetupError`, or `Refused` for a
repeated or raced move) having stored nothing.
"""
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.concurrency import Refused, check_version, guarded
from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    Indicator,
    Milestone,
    Plan,
    PlanStatus,
    PriorityTheme,
    Risk,
    Service,
    TrailEvent,
)
from app.trail import record


class SetupError(Exception):
    """Input that cannot be used; `field` names the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- period labels: "2019/20", "2016-19", "2019/2020", "2019" ---------------------------

_LABEL = re.compile(r"^(\d{4})(?:\s*([/-])\s*(\d{2}|\d{4}))?$")
PERIOD_HINT = "like 2019/20, 2016-19 or 2019"


@dataclass(frozen=True)
class PeriodLabel:
    first: int
    last: int
    separator: str | None
    short: bool  # the second year written with two figures

    def text(self) -> str:
        if self.separator is None:
            return str(self.first)
        second = f"{self.last % 100:02d}" if self.short else str(self.last)
        return f"{self.first}{self.separator}{second}"

    def next(self) -> "PeriodLabel":
        span = max(self.last - self.first, 1)
        return PeriodLabel(self.first + span, self.last + span, self.separator, self.short)


def parse_period_label(text: str) -> PeriodLabel:
    """The period a label names, or SetupError saying what is wrong with it."""
    match = _LABEL.match((text or "").strip())
    if not match:
        raise SetupError(f"Enter the period as a year or a range of years, {PERIOD_HINT}", "period_label")
    first = int(match.group(1))
    if not 1990 <= first <= 2200:
        raise SetupError(f"Enter a year between 1990 and 2200, {PERIOD_HINT}", "period_label")
    if match.group(2) is None:
        return PeriodLabel(first, first, None, False)
    second_text = match.group(3)
    if len(second_text) == 2:
        last = first // 100 * 100 + int(second_text)
        if last <= first and last + 100 - first <= 10:
            last += 100  # 1999/00 is 1999 to 2000 (but 2019/18 is a mistake, not 2019 to 2118)
    else:
        last = int(second_text)
    if last <= first:
        raise SetupError(f"The second year must be after the first, {PERIOD_HINT}", "period_label")
    if last - first > 10:
        raise SetupError(f"A plan's period can be at most 10 years, {PERIOD_HINT}", "period_label")
    return PeriodLabel(first, last, match.group(2), len(second_text) == 2)


def clean_period_label(text: str | None) -> str | None:
    """The label as it will be stored (spaces removed), or None when blank."""
    if not (text or "").strip():
        return None
    return parse_period_label(text).text()


def next_period_label(text: str | None) -> str:
    """"2019/20" → "2020/21", "2016-19" → "2019-22"; blank when the label is not a period."""
    try:
        return parse_period_label(text).next().text() if text else ""
    except SetupError:
        return ""


def plan_name(plan: Plan) -> str:
    return f"{plan.title} {plan.period_label}" if plan.period_label else plan.title


# --- creating a plan ------------------------------------------------------------------

PLAN_TEXTS = ("director_title", "cabinet_member", "description", "operating_context", "priorities")
LABELS = {"title": "Title", "period_label": "Period", "director_title": "Director",
          "cabinet_member": "Cabinet member", "description": "Description",
          "operating_context": "Operating context", "priorities": "Service improvement priorities"}


def services_for_new_plans() -> list[Service]:
    """Services a new plan may be for: every service that is not retired."""
    return db.session.scalars(sa.select(Service).where(Service.retired_at.is_(None)).order_by(Service.name)).all()


def find_service(name: str) -> Service:
    wanted = (name or "").strip()
    service = db.session.scalar(sa.select(Service).where(sa.func.lower(Service.name) == wanted.lower()))
    if service is None:
        for candidate in db.session.scalars(sa.select(Service)):  # lower() in SQLite knows only A to Z
            if candidate.name.casefold() == wanted.casefold():
                service = candidate
    if service is None:
        raise SetupError(f"There is no service called {wanted}", "service_id")
    return service


def create_plan(service: Service, title: str, period_label: str | None, actor=None, **texts) -> Plan:
    """A new live plan for a service that is not retired, with its trail event."""
    title = (title or "").strip()
    if service is None:
        raise SetupError("Choose the service the plan is for", "service_id")
    if service.retired_at is not None:
        raise SetupError(f"{service.name} is retired, so no new plans can be made for it", "service_id")
    if not title:
        raise SetupError("Enter the plan's title", "title")
    if len(title) > 300:
        raise SetupError("The title must be 300 characters or fewer", "title")
    label = clean_period_label(period_label)
    same = db.session.scalar(sa.select(Plan).where(Plan.service_id == service.id, Plan.title == title,
                                                   sa.func.coalesce(Plan.period_label, "") == (label or "")))
    if same is not None:
        raise SetupError(f"There is already a plan called {plan_name(same)} for {service.name}", "title")
    values = {k: ((texts.get(k) or "").strip() or None) for k in PLAN_TEXTS}
    plan = Plan(service_id=service.id, title=title, period_label=label, status=PlanStatus.LIVE, **values)
    db.session.add(plan)
    db.session.flush()
    data = {"service": service.name, "title": title, "period": label}
    data.update({LABELS[k]: v for k, v in values.items() if v and k in ("director_title", "cabinet_member")})
    who = {"actor": actor} if actor is not None else {}
    record("plan_created", plan, to_state=PlanStatus.LIVE, data=data, **who)
    db.session.commit()
    return plan


# --- archiving ------------------------------------------------------------------------

def successor_of(plan: Plan) -> Plan | None:
    return db.session.scalar(sa.select(Plan).where(Plan.rolled_over_from_id == plan.id))


def archived_message(plan: Plan) -> str:
    """Why an archived plan cannot be archived or rolled over again, naming its successor."""
    after = successor_of(plan)
    if after is not None:
        return (f"{plan_name(plan)} was already rolled over into {plan_name(after)} (plan {after.id}), "
                "so it is archived and cannot be rolled over again.")
    return f"{plan_name(plan)} is already archived."


def archive_plan(plan: Plan, expected_version: int | None, actor=None) -> None:
    if plan.status == PlanStatus.ARCHIVED:
        raise Refused(archived_message(plan))
    check_version(plan, expected_version, "this plan")
    from_state = plan.status
    with guarded(archived_message(plan), obj=plan, noun="this plan"):
        plan.status = PlanStatus.ARCHIVED
    who = {"actor": actor} if actor is not None else {}
    record("plan_archived", plan, from_state=from_state, to_state=PlanStatus.ARCHIVED, version=plan.version,
           data={"plan": plan_name(plan)}, **who)
    db.session.commit()


# --- rolling over ---------------------------------------------------------------------

UNFINISHED = (ActionStatus.LIVE,)


@dataclass
class RollOverChoices:
    """What a roll-over may carry across: unfinished actions, the risks and the indicators."""

    actions: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    indicators: list = field(default_factory=list)


def roll_over_choices(plan: Plan) -> RollOverChoices:
    actions = db.session.scalars(sa.select(Action).where(Action.plan_id == plan.id, Action.status.in_(UNFINISHED))
                                 .order_by(Action.reference)).all()
    return RollOverChoices(actions=list(actions), risks=list(plan.risks), indicators=list(plan.indicators))


@dataclass
class RolledOver:
    plan: Plan
    counts: dict


def _copy_action(action: Action, new_plan: Plan, themes: dict) -> tuple[Action, int]:
    copy = Action(plan=new_plan, reference=action.reference, theme=themes.get(action.theme_id), title=action.title,
                  action_type=action.action_type, statutory=action.statutory, type_note=action.type_note,
                  owner_id=action.owner_id, due_on=action.due_on, rag=action.rag, status=ActionStatus.LIVE)
    kept = [m for m in action.milestones if not m.done]
    for position, m in enumerate(kept, start=1):
        copy.milestones.append(Milestone(text=m.text, due_on=m.due_on, lead=m.lead, done=False, position=position))
    return copy, len(kept)


def roll_over(plan: Plan, *, title: str, period_label: str | None, action_ids, risk_ids, indicator_ids,
              expected_version: int | None, actor=None) -> RolledOver:
    """Make the plan for the next period with the chosen rows, and archive this one: one
    transaction, with a `plan_rolled_over` event on both plans."""
    if plan.status == PlanStatus.ARCHIVED:
        raise Refused(archived_message(plan))
    title = (title or "").strip()
    if not title:
        raise SetupError("Enter the new plan's title", "title")
    if len(title) > 300:
        raise SetupError("The title must be 300 characters or fewer", "title")
    label = clean_period_label(period_label)
    if label is None:
        raise SetupError(f"Enter the new plan's period, {PERIOD_HINT}", "period_label")
    if label == plan.period_label:
        raise SetupError(f"The new plan's period must differ from this plan's ({label})", "period_label")
    check_version(plan, expected_version, "this plan")
    choices = roll_over_choices(plan)
    wanted = {"actions": {int(i) for i in action_ids}, "risks": {int(i) for i in risk_ids},
              "indicators": {int(i) for i in indicator_ids}}
    actions = [a for a in choices.actions if a.id in wanted["actions"]]
    risks = [r for r in choices.risks if r.id in wanted["risks"]]
    indicators = [i for i in choices.indicators if i.id in wanted["indicators"]]

    new = Plan(service_id=plan.service_id, title=title, period_label=label, status=PlanStatus.LIVE,
               rolled_over_from_id=plan.id, plan_holder_title=plan.plan_holder_title,
               director_title=plan.director_title, cabinet_member=plan.cabinet_member, description=plan.description,
               operating_context=plan.operating_context, priorities=plan.priorities, staff_ftes=plan.staff_ftes,
               net_revenue_budget=plan.net_revenue_budget)
    themes = {}
    for theme in plan.themes:
        themes[theme.id] = PriorityTheme(plan=new, title=theme.title, position=theme.position)
    milestones = 0
    for action in actions:
        _, kept = _copy_action(action, new, themes)
        milestones += kept
    for risk in risks:
        Risk(plan=new, reference=risk.reference, description=risk.description, rag=risk.rag,
             mitigations=risk.mitigations, owner_id=risk.owner_id)
    for position, ind in enumerate(indicators, start=1):
        Indicator(plan=new, reference=ind.reference, description=ind.description, group_name=ind.group_name,
                  frequency=ind.frequency, polarity=ind.polarity, unit=ind.unit, target=ind.target,
                  target_rationale=ind.target_rationale, owner_id=ind.owner_id,
                  benchmark_national=ind.benchmark_national, benchmark_regional=ind.benchmark_regional,
                  benchmark_comparator=ind.benchmark_comparator, include=ind.include, direction=ind.direction,
                  position=position)
    db.session.add(new)
    old_state = plan.status
    with guarded(f"{plan_name(plan)} was rolled over at the same moment by someone else; "
                 "it was rolled over once.", stale=lambda: archived_message(db.session.get(Plan, plan.id)),
                 obj=plan, noun="this plan"):
        plan.status = PlanStatus.ARCHIVED
    counts = {"actions": len(actions), "milestones": milestones, "risks": len(risks),
              "indicators": len(indicators), "themes": len(themes)}
    data = {"from_plan_id": plan.id, "to_plan_id": new.id, "from": plan_name(plan), "to": plan_name(new),
            **counts}
    who = {"actor": actor} if actor is not None else {}
    record("plan_rolled_over", plan, from_state=old_state, to_state=PlanStatus.ARCHIVED, version=plan.version,
           data=data, **who)
    record("plan_rolled_over", new, to_state=PlanStatus.LIVE, version=new.version, data=data, **who)
    db.session.commit()
    return RolledOver(new, counts)


def last_event(plan: Plan, verb: str) -> TrailEvent | None:
    return db.session.scalar(sa.select(TrailEvent).where(
        TrailEvent.object_type == "plan", TrailEvent.object_id == plan.id, TrailEvent.verb == verb)
        .order_by(TrailEvent.seq.desc()).limit(1))


def period_label_validator(form, field):
    """WTForms: a plausible period label (blank allowed; pair with Optional or DataRequired)."""
    from wtforms.validators import ValidationError

    if (field.data or "").strip():
        try:
            field.data = clean_period_label(field.data)
        except SetupError as exc:
            raise ValidationError(str(exc)) from None
