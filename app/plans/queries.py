"""Finding plans and actions: the plan page's filters, search and paging."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Indicator,
    PeriodState,
    Plan,
    PriorityTheme,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
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
    actions: list
    total: int
    page: int
    pages: int
    groups: list = field(default_factory=list)  # [(theme or None, [actions])]
    updates: dict = field(default_factory=dict)  # action id -> this period's update
    period: ReportingPeriod | None = None


def plans_for(user) -> list[Plan]:
    scope = scope_for(user)
    stmt = sa.select(Plan).options(selectinload(Plan.service).selectinload(Service.directorate)).order_by(Plan.title)
    if not scope.admin:
        owned = sa.select(Action.plan_id).where(Action.owner_id == user.id).union(
            sa.select(Indicator.plan_id).where(Indicator.owner_id == user.id)
        )
        stmt = stmt.where(sa.or_(Plan.service_id.in_(scope.services()), Plan.id.in_(owned)))
    return db.session.scalars(stmt).all()


def current_period() -> ReportingPeriod | None:
    """The open reporting period (the latest, if several are open)."""
    return db.session.scalar(
        sa.select(ReportingPeriod).where(ReportingPeriod.state == PeriodState.OPEN)
        .order_by(ReportingPeriod.ends_on.desc()).limit(1)
    )


def filter_actions(plan: Plan, f: ActionFilter, today: date | None = None) -> ActionPage:
    today = today or date.today()
    stmt = sa.select(Action).where(Action.plan_id == plan.id)
    if f.q:
        words = f.q.lower()

        def has(column):  # the words as written: % and _ are themselves, not LIKE's wildcards
            return sa.func.lower(column).contains(words, autoescape=True)

        stmt = stmt.outerjoin(User, Action.owner_id == User.id).where(
            sa.or_(
                has(Action.reference),
                has(Action.title),
                has(sa.func.coalesce(Action.type_note, "")),
                has(sa.func.coalesce(Action.group_title, "")),
                has(sa.func.coalesce(Action.partners, "")),
                has(sa.func.coalesce(User.name, "")),
                has(sa.func.coalesce(User.job_title, "")),
            )
        )
    if f.owner:
        stmt = stmt.where(Action.owner_id == f.owner)
    if f.rag == "none":
        stmt = stmt.where(Action.rag.is_(None))
    elif f.rag:
        stmt = stmt.where(Action.rag == Rag(f.rag))
    if f.theme:
        stmt = stmt.where(Action.theme_id == f.theme)
    if f.type:
        stmt = stmt.where(Action.action_type == ActionType(f.type))
    if f.overdue:
        stmt = stmt.where(Action.due_on < today, Action.status == ActionStatus.LIVE,
                          sa.or_(Action.rag.is_(None), Action.rag != Rag.COMPLETE))
    themes_order = sa.select(PriorityTheme.position).where(PriorityTheme.id == Action.theme_id).scalar_subquery()

    def page_of(n: int):
        # The page's actions, each row carrying how many match in all (a window count), so
        # that the total costs no query of its own.
        return db.session.execute(
            stmt.add_columns(sa.func.count().over().label("total"))
            .options(joinedload(Action.owner), joinedload(Action.theme))
            # theme → group (the plan's sub-headings; actions without one first) → action
            .order_by(sa.func.coalesce(themes_order, 1_000_000), Action.group_title.is_not(None),
                      Action.group_title, Action.reference)
            .limit(PAGE_SIZE).offset((n - 1) * PAGE_SIZE)
        ).all()

    page = f.page
    rows = page_of(page)
    if rows:
        total = rows[0].total
    else:  # no actions match, or a page past the last: count, and show the last page
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        page = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        rows = page_of(page) if total and page != f.page else []
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    actions = [row[0] for row in rows]
    result = ActionPage(actions=actions, total=total, page=page, pages=pages)
    for action in actions:
        if result.groups and result.groups[-1][0] is action.theme:
            result.groups[-1][1].append(action)
        else:
            result.groups.append((action.theme, [action]))
    result.period = current_period()
    if result.period and actions:
        updates = db.session.scalars(
            sa.select(ProgressUpdate).where(
                ProgressUpdate.period_id == result.period.id,
                ProgressUpdate.action_id.in_([a.id for a in actions]),
            )
        ).all()
        result.updates = {u.action_id: u for u in updates}
    return result


def owners_in_plan(plan: Plan) -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(Action.owner_id).where(Action.plan_id == plan.id)))
        .order_by(User.name)
    ).all()


def is_overdue(action: Action, today: date | None = None) -> bool:
    today = today or date.today()
    return bool(action.due_on and action.due_on < today and action.status == ActionStatus.LIVE
                and action.rag != Rag.COMPLETE)
