"""Load the demo: a real council's service improvement plan and committee, invented people.

`load_demo()` reads the two seed documents in app/demo/seeds/ — a Service Improvement
Plan and a committee agenda pack — and makes the database hold what they say, plus the
demo people of DEMO_PEOPLE and the reporting periods, placed in the present
(app/demo/placement.py: the seed's dates moved by whole years into this year), and then a
few months of real work done through the real service functions (app/demo/activity.py).
`load_demo(year=2019, activity=False)` loads the seed as written, dated 2019/20, with no work.

It is idempotent: every row is found by its natural key (a name, an e-mail address, a
plan's service and title, an action's reference, a meeting's date…) and updated to match
the seed, never duplicated; running it again changes nothing. It deletes nothing, so rows
that people add while trying the demo survive a reload. Positions count from 1, as the
documents number things.
"""
import re
from collections import Counter
from contextlib import contextmanager
from datetime import date, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.demo.people import CLERK_EMAIL, DEMO_CLERK_TELEPHONE, DEMO_PASSWORD, DEMO_PEOPLE  # noqa: F401
from app.demo.placement import Placement, shift_date, shift_label
from app.demo.seedpack import Notice, WorkPlan, parse_notice, parse_work_plan
from app.demo.seedplan import PlanDocument, Table, labelled_value, parse_plan
from app.demo.text import key, leading_number, parse_amount, parse_uk_date, squash
from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Committee,
    CommitteeMember,
    Direction,
    Directorate,
    Indicator,
    IndicatorResult,
    Meeting,
    Milestone,
    Plan,
    Polarity,
    PriorityTheme,
    Rag,
    ReportingPeriod,
    Risk,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    Unit,
    User,
    WorkPlanEntry,
)
from app.trail import record
from app.users.service import create_user, grant_role

SEEDS = Path(__file__).parent / "seeds"
PLAN_SEED = SEEDS / "000_9dfe3dae2d1e026a.txt"
PACK_SEED = SEEDS / "001_2d064f76956ac3af.txt"

ACTION_TYPES = [
    (re.compile(r"business\s+as\s+usual", re.IGNORECASE), ActionType.BUSINESS_AS_USUAL),
    (re.compile(r"medium\s+project", re.IGNORECASE), ActionType.MEDIUM_PROJECT),
    (re.compile(r"major\s+project", re.IGNORECASE), ActionType.MAJOR_PROJECT),
]
RAGS = {"r": Rag.RED, "red": Rag.RED, "a": Rag.AMBER, "amber": Rag.AMBER, "g": Rag.GREEN, "green": Rag.GREEN,
        "complete": Rag.COMPLETE, "completed": Rag.COMPLETE}
POLARITIES = {key(p.label): p for p in Polarity}  # "up is good", "up is bad", "neutral"
DIRECTIONS = {key(d.label): d for d in Direction}  # "good", "bad", "neutral"
YEAR_COLUMN = re.compile(r"^(\d{4}/\d{2})\b")  # "2016/17 Result"


class Changes:
    """A tally of the rows the loader created and updated, by table."""

    def __init__(self):
        self.created: Counter = Counter()
        self.updated: Counter = Counter()

    def __bool__(self) -> bool:
        return bool(self.created or self.updated)


def update(changes: Changes, obj, **values):
    """Set the values that differ on an existing row, tallying it as updated if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        changes.updated[obj.__tablename__] += 1
    return obj


def upsert(changes: Changes, model, keys: dict, **values):
    """The row of `model` with these natural keys, created or updated to carry `values`."""
    obj = db.session.scalar(sa.select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **values)
        db.session.add(obj)
        db.session.flush()  # give it an id for the rows that refer to it
        changes.created[model.__tablename__] += 1
        return obj
    return update(changes, obj, **values)


# --- reading cells -------------------------------------------------------------------

def parse_action_type(text: str) -> tuple[ActionType | None, bool, str | None]:
    """ "Business as Usual / Discovery Phase Statutory Service" → (type, statutory, note).

    The note is whatever wording is left once the type and "statutory service(s)" are
    taken out, such as "(in response to outcome of Ofsted inspection)"; None if nothing is.
    """
    action_type, rest = None, text
    for pattern, kind in ACTION_TYPES:
        match = pattern.search(rest)
        if match:
            action_type, rest = kind, rest[: match.start()] + " " + rest[match.end():]
            break
    statutory = bool(re.search(r"\bstatutory\b", text, re.IGNORECASE))
    rest = re.sub(r"\bstatutory(\s+services?)?\b", " ", rest, flags=re.IGNORECASE)
    note = squash(squash(rest).strip(" /.,;:-–"))
    return action_type, statutory, note or None


def parse_rag(text: str) -> Rag | None:
    return RAGS.get(key(text))


def parse_choice(text: str, choices: dict, what: str):
    """A value from a fixed list ("Up is Good"); None when blank; an error when unknown."""
    if not squash(text):
        return None
    try:
        return choices[key(text)]
    except KeyError:
        raise ValueError(f"{text!r} is not a {what} the demo loader knows") from None


def infer_unit(description: str, results: list[str]) -> Unit:
    """Percentage or pounds if the results say so; failing that, if the description does."""
    written = " ".join(results)
    if "%" in written:
        return Unit.PERCENTAGE
    if "£" in written:
        return Unit.CURRENCY
    if description.startswith("%") or "(%)" in description:
        return Unit.PERCENTAGE
    return Unit.NUMBER


def section_text(doc: PlanDocument, *title_words: str) -> str | None:
    """The text (without template guidance) of the first section whose title has a word."""
    for section in doc.sections:
        if any(key(word) in key(section.title) for word in title_words):
            return section.content or None
    return None


def plan_period(doc: PlanDocument) -> str | None:
    """The plan's period: a "Period" header field, else "the period 2016-19" in its text."""
    value = doc.field("Period") or doc.field("Plan Period")
    if value:
        return value
    for section in doc.sections:
        match = re.search(r"\bperiod\s+(\d{4}\s*[-/]\s*\d{2,4})\b", section.text, re.IGNORECASE)
        if match:
            return re.sub(r"\s+", "", match.group(1))
    return None


# --- organisation and people ---------------------------------------------------------

def load_organisation(changes: Changes, doc: PlanDocument, notice: Notice):
    directorate = upsert(changes, Directorate, {"name": doc.field("Directorate")},
                         director_title=doc.field("Director"))
    service = upsert(changes, Service, {"name": doc.field("Service")}, directorate=directorate)
    committee = upsert(changes, Committee, {"name": notice.committee}, directorate=directorate,
                       default_venue=notice.venue, default_time=notice.starts_at or time(17, 30))
    return directorate, service, committee


def has_role(user: User, role: Role, scope_kind: ScopeKind, scope) -> bool:
    fields = {"service_id": None, "directorate_id": None, "committee_id": None}
    if scope is not None:
        fields[f"{scope_kind.value}_id"] = scope.id
    return db.session.scalar(
        sa.select(RoleAssignment.id).filter_by(user_id=user.id, role=role, scope_kind=scope_kind, **fields)
    ) is not None


def give_role(changes: Changes, user: User, role: Role, scope_kind: ScopeKind, scope) -> None:
    if not has_role(user, role, scope_kind, scope):
        grant_role(user, role, scope_kind, scope, actor=None)
        changes.created[RoleAssignment.__tablename__] += 1


def load_people(changes: Changes, scopes: dict) -> dict[str, User]:
    """The demo people and their roles. Returns them by job title (compared loosely)."""
    by_title = {}
    for person in DEMO_PEOPLE:
        user = db.session.scalar(sa.select(User).where(User.email == person.email))
        if user is None:
            user = create_user(person.email, person.name, DEMO_PASSWORD, person.job_title, actor=None)
            changes.created[User.__tablename__] += 1
        elif (user.name, user.job_title) != (person.name, person.job_title):
            # A changed password is the person's own business: only name and title are reset.
            user.name, user.job_title = person.name, person.job_title
            changes.updated[User.__tablename__] += 1
        for role, scope_kind in person.roles:
            give_role(changes, user, role, scope_kind, scopes[scope_kind])
        by_title[key(person.job_title)] = user
    return by_title


def owner_finder(people: dict[str, User]):
    """A function from an owner cell (a job title) to the demo person holding it."""

    def owner(title: str) -> User | None:
        if not squash(title):
            return None
        try:
            return people[key(title)]
        except KeyError:
            raise ValueError(f"No demo person has the job title {title!r}: add one to DEMO_PEOPLE") from None

    return owner


# --- the plan ------------------------------------------------------------------------

def load_plan(changes: Changes, doc: PlanDocument, service: Service, years: int = 0,
              today: date | None = None) -> Plan:
    context = section_text(doc, "operating context")
    last_updated = shift_date(parse_uk_date(doc.field("Date Last Updated")), years)
    if today and last_updated and last_updated > today:  # placed early in the year: updated last year
        last_updated = shift_date(last_updated, -1)
    return upsert(
        changes, Plan, {"service_id": service.id, "title": doc.title},
        period_label=shift_label(plan_period(doc), years),
        plan_holder_title=doc.field("Service Plan Holder"),
        director_title=doc.field("Director"),
        cabinet_member=doc.field("Cabinet Member"),
        last_updated_on=last_updated,
        description=section_text(doc, "description"),
        operating_context=context,
        priorities=section_text(doc, "priorities"),
        staff_ftes=leading_number(labelled_value(context, "Staff FTEs")),
        net_revenue_budget=parse_amount(labelled_value(context, "Net Revenue Budget")),
    )


def load_actions(changes: Changes, plan: Plan, table: Table, owner, years: int = 0) -> list[Action]:
    col = {
        "theme": table.column("Priority Theme", "theme"),
        "action": table.column("Action"),
        "type": table.column("Business As Usual", "type"),
        "owner": table.column("Accountable officer", "officer", "owner"),
        "due": table.column("Completed by date", "date"),
        "milestones": table.column("Milestones", "deliverables"),
    }
    themes: dict[str, PriorityTheme] = {}
    actions = []
    for row in table.rows:
        # A theme split by a page break joins back to the same words as its other rows.
        theme_title = row.text(col["theme"])
        theme = None
        if theme_title:
            if key(theme_title) not in themes:
                themes[key(theme_title)] = upsert(
                    changes, PriorityTheme, {"plan_id": plan.id, "title": theme_title}, position=len(themes) + 1)
            theme = themes[key(theme_title)]
        action_type, statutory, type_note = parse_action_type(row.text(col["type"]))
        due = row.text(col["due"])
        complete = bool(re.search(r"\bcomplete(d)?\b", due, re.IGNORECASE))
        keys = {"plan_id": plan.id, "reference": row.reference}
        values = dict(theme=theme, title=row.text(col["action"]), action_type=action_type, statutory=statutory,
                      type_note=type_note, owner=owner(row.text(col["owner"])),
                      due_on=shift_date(parse_uk_date(due), years))
        if not reported_on(keys):  # once updates are signed off, they set the action's RAG and status
            values.update(status=ActionStatus.COMPLETE if complete else ActionStatus.LIVE,
                          rag=Rag.COMPLETE if complete else None)
        action = upsert(changes, Action, keys, **values)
        for position, text in enumerate(row.paragraphs(col["milestones"]), start=1):
            upsert(changes, Milestone, {"action_id": action.id, "position": position}, text=text)
        actions.append(action)
    return actions


def reported_on(keys: dict) -> bool:
    """Whether the action with these keys has a progress update (its RAG is the updates' now)."""
    from app.models import ProgressUpdate

    return db.session.scalar(sa.select(ProgressUpdate.id).join(Action).filter_by(**keys).limit(1)) is not None


def load_risks(changes: Changes, plan: Plan, table: Table, owner) -> list[Risk]:
    col = {
        "risk": table.column("Risk"),
        "rag": table.column("Rating (RAG)", "RAG", "rating"),
        "mitigations": table.column("Actions to Mitigate and Correct", "mitigat"),
        "owner": table.column("Responsible Officer", "officer", "owner"),
    }
    return [
        upsert(changes, Risk, {"plan_id": plan.id, "reference": row.reference},
               description=row.text(col["risk"]), rag=parse_rag(row.text(col["rag"])),
               mitigations=row.text(col["mitigations"]) or None, owner=owner(row.text(col["owner"])))
        for row in table.rows
    ]


def load_indicators(changes: Changes, plan: Plan, table: Table, owner, shift: int = 0) -> list[Indicator]:
    col = {
        "description": table.column("Indicator Description", "description"),
        "polarity": table.column("Polarity"),
        "direction": table.column("Latest Direction of Travel", "direction"),
        "owner": table.column("Responsible Officer", "officer", "owner"),
        "include": table.column("Include"),
    }
    years = [(YEAR_COLUMN.match(c).group(1), c) for c in table.columns if YEAR_COLUMN.match(c)]
    indicators = []
    group_owner: dict[str | None, User | None] = {}
    for position, row in enumerate(table.rows, start=1):
        description = row.text(col["description"])
        # A row with no owner belongs to whoever owns the rows above it in its group.
        row_owner = owner(row.text(col["owner"])) or group_owner.get(row.group)
        group_owner[row.group] = row_owner
        results = [(label, row.text(column)) for label, column in years]
        # An indicator without a reference is known by its description instead.
        keys = {"plan_id": plan.id, "reference": row.reference}
        values = dict(
            group_name=row.group, position=position,
            polarity=parse_choice(row.text(col["polarity"]), POLARITIES, "polarity") or Polarity.NEUTRAL,
            direction=parse_choice(row.text(col["direction"]), DIRECTIONS, "direction of travel"),
            owner=row_owner,
            include=key(row.text(col["include"])) not in ("n", "no"),
            unit=infer_unit(description, [text for _, text in results]),
        )
        if row.reference is None:
            keys["description"] = description
        else:
            values["description"] = description
        indicator = upsert(changes, Indicator, keys, **values)
        for label, text in results:
            upsert(changes, IndicatorResult, {"indicator_id": indicator.id, "label": shift_label(label, shift)},
                   value_text=text or None, value=leading_number(text))
        indicators.append(indicator)
    return indicators


# --- the committee -------------------------------------------------------------------

def load_committee(changes: Changes, committee: Committee, notice: Notice, work_plan: WorkPlan, clerk: User,
                   placement: Placement):
    # The clerk's contact details are the demo clerk's, not the real officer in the seed.
    update(changes, committee, clerk=clerk, clerk_name=clerk.name, clerk_email=clerk.email,
           clerk_telephone=DEMO_CLERK_TELEPHONE)
    for position, member in enumerate(notice.members, start=1):
        upsert(changes, CommitteeMember, {"committee_id": committee.id, "name": member.name},
               role=member.role, position=position)
    meetings = []
    municipal_year = shift_label(work_plan.municipal_year, placement.committee_years)
    for planned in work_plan.meetings:
        meeting = upsert(changes, Meeting,
                         {"committee_id": committee.id, "meets_on": placement.meeting_date(planned.meets_on)},
                         starts_at=planned.starts_at or committee.default_time, venue=committee.default_venue,
                         municipal_year=municipal_year)
        for position, title in enumerate(planned.items, start=1):
            upsert(changes, WorkPlanEntry,
                   {"committee_id": committee.id, "meeting_id": meeting.id, "title": title},
                   position=position, municipal_year=municipal_year)
        meetings.append(meeting)
    return meetings


def quarters(year: int) -> list[dict]:
    """The four quarters of the financial year starting in April of `year`."""
    label = f"{year}/{(year + 1) % 100:02d}"
    bounds = [(date(year, 4, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 9, 30)),
              (date(year, 10, 1), date(year, 12, 31)), (date(year + 1, 1, 1), date(year + 1, 3, 31))]
    return [
        dict(name=f"Q{n} {label}", starts_on=start, ends_on=end,
             update_deadline=end + timedelta(days=14), signoff_deadline=end + timedelta(days=21))
        for n, (start, end) in enumerate(bounds, start=1)
    ]


def placed_quarters(placement: Placement) -> list[dict]:
    """The quarters the demo has: those of its financial years, from its first quarter on."""
    found = [q for year in placement.period_years for q in quarters(year)]
    return found[placement.first_quarter - 1:]


def load_periods(changes: Changes, placement: Placement) -> list[ReportingPeriod]:
    # A new period starts Planned (the model's default); one already opened or closed keeps its state.
    return [upsert(changes, ReportingPeriod, {"name": quarter.pop("name")}, **quarter)
            for quarter in placed_quarters(placement)]


# --- the whole load ------------------------------------------------------------------

def demo_counts(plan: Plan, committee: Committee, placement: Placement) -> dict:
    """How many of each kind of row the demo's plan, committee and people have now."""

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    action_ids = sa.select(Action.id).where(Action.plan_id == plan.id)
    period_names = [quarter["name"] for quarter in placed_quarters(placement)]
    return {
        "actions": count(Action, Action.plan_id == plan.id),
        "milestones": count(Milestone, Milestone.action_id.in_(action_ids)),
        "risks": count(Risk, Risk.plan_id == plan.id),
        "indicators": count(Indicator, Indicator.plan_id == plan.id),
        "meetings": count(Meeting, Meeting.committee_id == committee.id),
        "work_plan_entries": count(WorkPlanEntry, WorkPlanEntry.committee_id == committee.id),
        "people": count(User, User.email.in_([p.email for p in DEMO_PEOPLE])),
        "reporting_periods": count(ReportingPeriod, ReportingPeriod.name.in_(period_names)),
    }


def load_demo(year: int | None = None, activity: bool = True, today: date | None = None) -> dict:
    """Load (or bring up to date) the demo data in one transaction; return counts.

    `year=None` places the demo around `today` (default: the real today), as
    app/demo/placement.py describes; a `year` moves the seed to that municipal year instead
    (`year=2019`: as written). With `activity`, the months of work before today are done too
    (app/demo/activity.py). The counts are of the demo's rows as they now stand, plus
    "created" and "updated": how many rows (and steps of work) this run added and changed,
    both 0 when the demo was already loaded.
    """
    placement = Placement.present(today) if year is None else Placement.for_year(year)
    doc = parse_plan(PLAN_SEED.read_text(encoding="utf-8"))
    pack = PACK_SEED.read_text(encoding="utf-8")
    notice, work_plan = parse_notice(pack), parse_work_plan(pack)
    changes = Changes()
    try:
        with one_transaction():
            directorate, service, committee = load_organisation(changes, doc, notice)
            people = load_people(changes, {ScopeKind.EVERYTHING: None, ScopeKind.SERVICE: service,
                                           ScopeKind.DIRECTORATE: directorate, ScopeKind.COMMITTEE: committee})
            owner = owner_finder(people)
            update(changes, directorate, director=owner(doc.field("Director")))
            update(changes, service, plan_holder=owner(doc.field("Service Plan Holder")))

            plan = load_plan(changes, doc, service, placement.plan_years, placement.today)
            actions = load_actions(changes, plan, doc.table("actions"), owner, placement.plan_years)
            load_risks(changes, plan, doc.table("risk"), owner)
            indicators = load_indicators(changes, plan, doc.table("indicators"), owner, placement.plan_years)
            # Whoever owns an action or indicator is an action owner in the service.
            owners = {a.owner for a in actions} | {i.owner for i in indicators}
            for user in sorted(owners - {None}, key=lambda u: u.email):
                give_role(changes, user, Role.ACTION_OWNER, ScopeKind.SERVICE, service)

            clerk = db.session.scalar(sa.select(User).where(User.email == CLERK_EMAIL))
            meetings = load_committee(changes, committee, notice, work_plan, clerk, placement)
            periods = load_periods(changes, placement)
            if activity:
                from app.demo.activity import do_the_work

                do_the_work(changes, plan, committee, meetings, periods, placement.today or date.today())

            counts = demo_counts(plan, committee, placement)
            if changes:
                record("demo_loaded", actor=None,
                       data={**counts, "created": dict(changes.created), "updated": dict(changes.updated)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {**counts, "created": sum(changes.created.values()), "updated": sum(changes.updated.values())}


@contextmanager
def one_transaction():
    """The whole load in one transaction: the service functions the demo's work goes through
    commit as they go (each is one person's step), so while the demo loads their commits only
    flush; the caller commits once at the end, or rolls everything back."""
    session = db.session()
    session.commit = session.flush
    try:
        yield
    finally:
        del session.commit
