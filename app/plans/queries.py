"""Finding plans and actions: the plan page's filters, search and paging."""
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.filters import format_value
from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Directorate,
    Indicator,
    IndicatorResult,
    PeriodState,
    Plan,
    PriorityTheme,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    Risk,
    Service,
    User,
)
from app.permissions import scope_for

PAGE_SIZE = 25


@dataclass
class ActionFilter:
    """The plan page's filter form, read from the query string (so it can be bookmarked)."""

    q: str = ""
    owner: int | None = None
    rag: str = ""
    theme: int | None = None
    type: str = ""
    overdue: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ActionFilter":
        def as_int(name):
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        rag = args.get("rag", "")
        kind = args.get("type", "")
        return cls(
            q=(args.get("q") or "").strip()[:200],
            owner=as_int("owner"),
            rag=rag if rag in {r.value for r in Rag} | {"none"} else "",
            theme=as_int("theme"),
            type=kind if kind in {t.value for t in ActionType} else "",
            overdue=args.get("overdue") in ("1", "on", "yes", "y"),
            page=max(as_int("page") or 1, 1),
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.owner or self.rag or self.theme or self.type or self.overdue)

    def args(self, **changes) -> dict:
        """Query-string arguments for a link (used by paging)."""
        values = {"q": self.q, "owner": self.owner, "rag": self.rag, "theme": self.theme,
                  "type": self.type, "overdue": "1" if self.overdue else None, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", False) and not (k == "page" and v == 1)}


@dataclass
class ActionPage:
    """A page of the plan's actions, as rows (plain data: the page shows a few columns of each)."""

    actions: list  # of ActionRow
    total: int
    page: int
    pages: int
    groups: list = field(default_factory=list)  # [(Choice(theme id, title) or None, [rows])]
    period: sa.Row | None = None  # (id, name) of the open period


ThemeChoice = namedtuple("ThemeChoice", "id title")

# What the plan page shows of an action (with its theme's title and its owner's name).
ACTION_COLUMNS = (Action.id, Action.reference, Action.title, Action.partners, Action.action_type,
                  Action.statutory, Action.owner_id, Action.due_on, Action.timing, Action.rag, Action.status,
                  Action.group_title, Action.theme_id, PriorityTheme.title.label("theme_title"),
                  User.name.label("owner_name"), User.job_title.label("owner_job_title"))
# A row of the page: those columns, this period's update's state (or None), and how many match.
# Rows are read into named tuples once: a field of one costs a tenth of a field of a Row.
ActionRow = namedtuple("ActionRow", [column.key for column in ACTION_COLUMNS] + ["update_state", "total"])


def plans_for(user) -> list[Plan]:
    scope = scope_for(user)
    stmt = sa.select(Plan).options(selectinload(Plan.service).selectinload(Service.directorate)).order_by(Plan.title)
    if not scope.admin:
        owned = sa.select(Action.plan_id).where(Action.owner_id == user.id).union(
            sa.select(Indicator.plan_id).where(Indicator.owner_id == user.id)
        )
        stmt = stmt.where(sa.or_(Plan.service_id.in_(scope.services()), Plan.id.in_(owned)))
    return db.session.scalars(stmt).all()


# The statements are built once and reused with their values as parameters: building one and
# working out its cache key costs more than running it (issue 17).

@cache
def _period_statement() -> sa.Select:
    return (sa.select(ReportingPeriod.id, ReportingPeriod.name).where(ReportingPeriod.state == PeriodState.OPEN)
            .order_by(ReportingPeriod.ends_on.desc()).limit(1))


def current_period() -> sa.Row | None:
    """(id, name) of the open reporting period (the latest, if several are open)."""
    return db.session.execute(_period_statement()).first()


def _like_words(q: str) -> str:
    """The words as written for LIKE with ESCAPE '/': % and _ are themselves, not wildcards (what
    `contains(..., autoescape=True)` does to a value)."""
    return q.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")


@cache
def _conditions(q: bool, owner: bool, rag: str, theme: bool, kind: bool, overdue: bool) -> tuple:
    """The filters' conditions, with their values as parameters (plan_id, words, owner, rag,
    theme, type, today)."""
    conditions = [Action.plan_id == sa.bindparam("plan_id")]
    if q:
        words = sa.bindparam("words", type_=sa.String)

        def has(column):
            return sa.func.lower(column).contains(words, escape="/")

        conditions.append(sa.or_(
            has(Action.reference),
            has(Action.title),
            has(sa.func.coalesce(Action.type_note, "")),
            has(sa.func.coalesce(Action.group_title, "")),
            has(sa.func.coalesce(Action.partners, "")),
            has(sa.func.coalesce(User.name, "")),
            has(sa.func.coalesce(User.job_title, "")),
        ))
    if owner:
        conditions.append(Action.owner_id == sa.bindparam("owner"))
    if rag == "none":
        conditions.append(Action.rag.is_(None))
    elif rag:
        conditions.append(Action.rag == sa.bindparam("rag"))
    if theme:
        conditions.append(Action.theme_id == sa.bindparam("theme"))
    if kind:
        conditions.append(Action.action_type == sa.bindparam("type"))
    if overdue:
        conditions += [Action.due_on < sa.bindparam("today"), Action.status == ActionStatus.LIVE,
                       sa.or_(Action.rag.is_(None), Action.rag != Rag.COMPLETE)]
    return tuple(conditions)


@cache
def _count_statement(shape: tuple) -> sa.Select:
    return (sa.select(sa.func.count()).select_from(Action).outerjoin(User, Action.owner_id == User.id)
            .where(*_conditions(*shape)))


@cache
def _page_statement(shape: tuple, period: bool) -> sa.Select:
    """A page of the actions that match (from `offset`), each row carrying this period's update
    state and how many match in all (a subquery: SQLite counts that faster than a window)."""
    if period:
        stmt = sa.select(*ACTION_COLUMNS, ProgressUpdate.state.label("update_state")).select_from(Action).outerjoin(
            ProgressUpdate, sa.and_(ProgressUpdate.action_id == Action.id,
                                    ProgressUpdate.period_id == sa.bindparam("period_id")))
    else:
        stmt = sa.select(*ACTION_COLUMNS, sa.null().label("update_state")).select_from(Action)
    return (stmt.add_columns(_count_statement(shape).correlate(None).scalar_subquery().label("total"))
            .outerjoin(User, Action.owner_id == User.id).outerjoin(PriorityTheme, PriorityTheme.id == Action.theme_id)
            .where(*_conditions(*shape))
            # theme → group (the plan's sub-headings; actions without one first) → action
            .order_by(sa.func.coalesce(PriorityTheme.position, 1_000_000), Action.group_title.is_not(None),
                      Action.group_title, Action.reference)
            .limit(PAGE_SIZE).offset(sa.bindparam("offset")))


def filter_actions(plan_id: int, f: ActionFilter, today: date | None = None) -> ActionPage:
    """The page of the plan's actions that match the filters, as rows: two queries (the open
    period, and the page's rows with this period's update state and how many match in all)."""
    shape = (bool(f.q), bool(f.owner), "none" if f.rag == "none" else "rag" if f.rag else "", bool(f.theme),
             bool(f.type), f.overdue)
    values = {"plan_id": plan_id, "words": _like_words(f.q), "owner": f.owner,
              "rag": Rag(f.rag) if f.rag and f.rag != "none" else None, "theme": f.theme,
              "type": ActionType(f.type) if f.type else None, "today": today or date.today()}
    values = {k: v for k, v in values.items() if v is not None}
    period = current_period()
    page_statement = _page_statement(shape, period is not None)
    connection = db.session.connection()

    def page_of(n: int):
        return list(map(ActionRow._make, connection.execute(
            page_statement, {**values, "period_id": period.id if period else None, "offset": (n - 1) * PAGE_SIZE})))

    page = f.page
    rows = page_of(page)
    if rows:
        total = rows[0].total
    else:  # no actions match, or a page past the last: count, and show the last page
        total = connection.execute(_count_statement(shape), values).scalar()
        page = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        rows = page_of(page) if total and page != f.page else []
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    result = ActionPage(actions=rows, total=total, page=page, pages=pages, period=period)
    for row in rows:
        if result.groups and (result.groups[-1][0].id if result.groups[-1][0] else None) == row.theme_id:
            result.groups[-1][1].append(row)
        else:
            result.groups.append((ThemeChoice(row.theme_id, row.theme_title) if row.theme_id else None, [row]))
    return result


@cache
def _owners_statement() -> sa.Select:
    return (sa.select(User.id, User.name, User.job_title)
            .where(User.id.in_(sa.select(Action.owner_id).where(Action.plan_id == sa.bindparam("plan_id"))))
            .order_by(User.name))


def owners_in_plan(plan_id: int) -> list[sa.Row]:
    """(id, name, job_title) of the people who own an action in the plan, by name."""
    return db.session.connection().execute(_owners_statement(), {"plan_id": plan_id}).all()


@cache
def _service_and_themes_statement() -> sa.Select:
    return (sa.select(Service.name, Directorate.name, PriorityTheme.id, PriorityTheme.title).select_from(Service)
            .join(Directorate, Directorate.id == Service.directorate_id)
            .outerjoin(PriorityTheme, PriorityTheme.plan_id == sa.bindparam("plan_id"))
            .where(Service.id == sa.bindparam("service_id")).order_by(PriorityTheme.position, PriorityTheme.id))


def service_and_themes(plan: Plan) -> tuple[str, str, list]:
    """The plan's service's name, its directorate's, and (id, title) of the plan's themes."""
    rows = db.session.connection().execute(_service_and_themes_statement(),
                                           {"plan_id": plan.id, "service_id": plan.service_id}).all()
    return rows[0][0], rows[0][1], [(row[2], row[3]) for row in rows if row[2] is not None]


@cache
def _risks_statement() -> sa.Select:
    return (sa.select(Risk.id, Risk.reference, Risk.description, Risk.rag, Risk.mitigations, Risk.owner_id,
                      User.name.label("owner_name"), User.job_title.label("owner_job_title"))
            .select_from(Risk).outerjoin(User, User.id == Risk.owner_id)
            .where(Risk.plan_id == sa.bindparam("plan_id")).order_by(Risk.reference))


RiskRow = namedtuple("RiskRow", "id reference description rag mitigations owner_id owner_name owner_job_title")


def risks_of(plan_id: int) -> list[RiskRow]:
    """The plan's risks, with their owner's name and job title, by reference."""
    return list(map(RiskRow._make, db.session.connection().execute(_risks_statement(), {"plan_id": plan_id})))


IndicatorRow = namedtuple("IndicatorRow", "id reference description group_name comments owner_id owner_name target "
                                          "target_shown target_text benchmark_comparator benchmark_national "
                                          "benchmark_regional polarity direction shown_values")


@cache
def _indicators_statement() -> sa.Select:
    return (sa.select(Indicator.id, Indicator.reference, Indicator.description, Indicator.group_name,
                      Indicator.comments, Indicator.owner_id, User.name, Indicator.target, Indicator.unit,
                      Indicator.target_text, Indicator.benchmark_comparator, Indicator.benchmark_national,
                      Indicator.benchmark_regional, Indicator.polarity, Indicator.direction,
                      IndicatorResult.label, IndicatorResult.value_text)
            .select_from(Indicator).outerjoin(User, User.id == Indicator.owner_id)
            .outerjoin(IndicatorResult, IndicatorResult.indicator_id == Indicator.id)
            .where(Indicator.plan_id == sa.bindparam("plan_id"))
            .order_by(Indicator.position, Indicator.id, IndicatorResult.label))


def indicators_of(plan_id: int) -> tuple[list, list]:
    """The plan's indicators (IndicatorRow), each with the values of its results under the
    shown labels, and those labels: the last three of every indicator's result labels, sorted
    ignoring case (as the page always has). One query."""
    indicators, results, labels = {}, {}, {}
    for row in db.session.connection().execute(_indicators_statement(), {"plan_id": plan_id}):
        id, label = row[0], row[15]
        if id not in indicators:
            indicators[id] = row
            results[id] = {}
        if label is not None:
            results[id][label] = row[16]
            labels.setdefault(label, None)  # in the order first met
    shown = sorted(labels, key=str.lower)[-3:]
    out = []
    for id, row in indicators.items():
        values = results[id]
        (_, reference, description, group_name, comments, owner_id, owner_name, target, unit, target_text,
         comparator, national, regional, polarity, direction) = row[:15]
        out.append(IndicatorRow(id, reference, description, group_name, comments, owner_id, owner_name, target,
                                format_value(target, unit), target_text, comparator, national, regional, polarity,
                                direction, [(values[label] or "") if label in values else "" for label in shown]))
    return out, shown


def is_overdue(action, today: date | None = None) -> bool:
    """Whether an action (or a row with its due_on, status and rag) is overdue."""
    today = today or date.today()
    return bool(action.due_on and action.due_on < today and action.status == ActionStatus.LIVE
                and action.rag != Rag.COMPLETE)
