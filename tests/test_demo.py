"""The demo loader (flask demo) and the seed-document parsers it is built on."""
from datetime import date, time
from decimal import Decimal
from functools import lru_cache

import pytest
import sqlalchemy as sa

from app.auth.passwords import check_password, hash_password
from app.demo.loader import load_demo, parse_action_type
from app.demo.people import DEMO_PASSWORD, DEMO_PEOPLE
from app.demo.seedpack import parse_notice, split_numbered
from app.demo.seedplan import parse_plan
from app.demo.text import leading_number, parse_amount, parse_time, parse_uk_date
from app.models import (
    Action,
    AgendaPack,
    AgendaState,
    IndicatorValue,
    ProgressUpdate,
    Report,
    ReportState,
    UpdateState,
    ActionStatus,
    ActionType,
    Committee,
    Direction,
    Indicator,
    Meeting,
    MemberRole,
    PeriodState,
    Plan,
    Polarity,
    PriorityTheme,
    Rag,
    ReportingPeriod,
    Risk,
    Role,
    RoleAssignment,
    ScopeKind,
    TrailEvent,
    Unit,
    User,
)


@lru_cache
def _hash_once(password: str) -> str:
    return hash_password(password)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Real Argon2 hashes, but each password hashed once per run, to keep these tests quick."""
    monkeypatch.setattr("app.users.service.hash_password", _hash_once)


AS_WRITTEN = {"year": 2019, "activity": False}  # the seed as written: 2019/20, no work done


def table_counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def action(db, reference) -> Action:
    return db.session.scalar(sa.select(Action).filter_by(reference=reference))


def indicator(db, reference) -> Indicator:
    return db.session.scalar(sa.select(Indicator).filter_by(reference=reference))


# --- loading -------------------------------------------------------------------------

def test_loading_twice_changes_nothing_the_second_time(db):
    first = load_demo(**AS_WRITTEN)
    after_first = table_counts(db)
    second = load_demo(**AS_WRITTEN)
    after_second = table_counts(db)

    assert after_second == after_first  # every table, the trail included
    assert (second["created"], second["updated"]) == (0, 0)
    assert first["created"] > 0
    for summary in (first, second):
        assert summary["actions"] == 10
        assert summary["risks"] == 1
        assert summary["indicators"] == 33
        assert summary["meetings"] == 11
        assert summary["people"] == len(DEMO_PEOPLE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Risk)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Indicator)) == 33
    assert db.session.scalar(sa.select(sa.func.count()).where(Indicator.reference.is_(None))) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 11
    assert after_first["user_account"] == len(DEMO_PEOPLE)
    loaded = db.session.scalars(sa.select(TrailEvent).filter_by(verb="demo_loaded")).all()
    assert len(loaded) == 1 and loaded[0].actor_id is None


def test_a_changed_row_is_put_back_not_duplicated(db):
    load_demo(**AS_WRITTEN)
    css001 = action(db, "CSS001")
    css001.title = "Edited by someone trying the demo"
    db.session.commit()

    summary = load_demo(**AS_WRITTEN)

    assert summary["updated"] == 1 and summary["created"] == 0
    assert action(db, "CSS001").title.startswith("To develop the wider CSC workforce")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent).filter_by(verb="demo_loaded")) == 2


def test_the_plan_is_loaded_whole(db):
    load_demo(**AS_WRITTEN)
    plan = db.session.scalar(sa.select(Plan))
    assert plan.title == "Service Improvement Plan"
    assert plan.service.name == "Children's Specialist Services"
    assert plan.service.directorate.name == "Children, Education and Communities"
    assert plan.service.directorate.director_title == "Corporate Director Children, Education and Communities"
    assert plan.period_label == "2016-19"
    assert plan.plan_holder_title == "Assistant Director Children's Specialist Services"
    assert plan.director_title == "Corporate Director Children, Education and Communities"
    assert plan.cabinet_member == "Executive Member for Education, Children & Young People"
    assert plan.last_updated_on == date(2018, 7, 11)
    assert plan.staff_ftes == Decimal("203.60")
    assert plan.net_revenue_budget == Decimal("20590000")
    assert plan.description.startswith("Our vision places children at the heart")  # guidance left out
    assert "ensure that all children have access" in plan.description  # bold markers gone
    assert "**" not in plan.description
    assert "Net Revenue Budget: £20.59m" in plan.operating_context
    assert plan.priorities.startswith("The Children's Specialist Services works in a context")
    assert plan.service.plan_holder.job_title == "Assistant Director Children's Specialist Services"
    assert plan.service.directorate.director.job_title == "Corporate Director Children, Education and Communities"


def test_actions_themes_and_milestones(db):
    load_demo(**AS_WRITTEN)
    assert [a.reference for a in db.session.scalars(sa.select(Action).order_by(Action.reference))] == [
        "CSS001", "CSS002", "CSS003", "CSS004", "CSS005", "CSS006", "CSS007", "CSS008", "CSS011", "CSS012"]
    # CSS002's theme is split by a page break; it joins back to CSS001's.
    assert action(db, "CSS002").theme is action(db, "CSS001").theme
    assert action(db, "CSS001").theme.title.endswith("Ofsted's inspection of Children's Services")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriorityTheme)) == 7

    css002 = action(db, "CSS002")
    assert css002.action_type == ActionType.BUSINESS_AS_USUAL and css002.statutory
    assert css002.type_note == "(in response to outcome of Ofsted inspection)"
    assert css002.owner.job_title == "Assistant Director Children's Specialist Services"
    assert css002.due_on == date(2019, 3, 31)
    assert css002.status == ActionStatus.LIVE and css002.rag is None

    css008 = action(db, "CSS008")
    assert (css008.status, css008.rag, css008.due_on) == (ActionStatus.COMPLETE, Rag.COMPLETE, date(2018, 3, 31))
    assert css008.type_note == "Discovery Phase"
    assert action(db, "CSS003").action_type == ActionType.MEDIUM_PROJECT
    assert action(db, "CSS007").action_type == ActionType.MAJOR_PROJECT
    assert action(db, "CSS011").statutory is False and action(db, "CSS011").type_note is None
    assert action(db, "CSS005").owner.job_title == "Head of RAA"

    milestones = [m.text for m in action(db, "CSS001").milestones]
    assert len(milestones) == 4
    assert milestones[0].startswith("Monthly workload reports have been reintroduced")
    assert milestones[2].startswith("A variety of service-specific")  # after the page break
    # A paragraph split by a page break is one milestone.
    css011 = [m.text for m in action(db, "CSS011").milestones]
    assert css011[1].startswith("The Youth Offending Team has undergone significant changes")
    assert css011[-1] == ("The future steer for the YOT will be concentrating on core activities to reduce "
                          "offending and developing the identified portfolios to improve practice.")
    assert len(action(db, "CSS003").milestones) == 1  # no paragraphs: the whole text
    assert action(db, "CSS012").milestones == []


def test_risk_and_indicators(db):
    load_demo(**AS_WRITTEN)
    risk = db.session.scalar(sa.select(Risk))
    assert (risk.reference, risk.rag) == ("2224", Rag.AMBER)
    assert risk.description == "A vulnerable child with care and support needs is not protected from harm"
    assert risk.mitigations.startswith("Quantitative and qualitative performance management")
    assert risk.owner.job_title == "Corporate Director Children, Education and Communities"

    indicators = db.session.scalars(sa.select(Indicator).order_by(Indicator.position)).all()
    assert [i.position for i in indicators] == list(range(1, 34))
    assert indicators[0].reference == "CYPL2c" and indicators[-1].reference == "YCC201"
    assert [i.description for i in indicators if i.reference is None] == [
        "Number of Children Looked After (Snapshot)",
        "%pt gap in achievement between disadvantaged pupils (eligible for FSM in the last 6 years, looked after "
        "and adopted from care) and their peers – Key Stage 1 Writing (aged 6-7)",
        "%pt gap in achievement between disadvantaged pupils (eligible for FSM in the last 6 years, looked after "
        "and adopted from care) and their peers – Key Stage 1 Maths (aged 6-7)",
    ]
    # The owner of the row without a reference was split over a page break.
    assert indicators[5].owner.job_title == "Assistant Director Children's Specialist Services"

    mi1 = {r.label: r for r in indicator(db, "MI Pack 1").results}
    assert sorted(mi1) == ["2015/16", "2016/17", "2017/18"]
    assert (mi1["2016/17"].value_text, mi1["2016/17"].value) == ("1,216 (329)", Decimal("1216"))
    assert (mi1["2015/16"].value_text, mi1["2015/16"].value) == ("689 (190)", Decimal("689"))

    efl3 = indicator(db, "EFL3")
    assert (efl3.polarity, efl3.direction, efl3.unit) == (Polarity.UP_IS_GOOD, Direction.BAD, Unit.PERCENTAGE)
    assert efl3.group_name == "Service Delivery" and efl3.include
    css7 = {r.label: r for r in indicator(db, "CSS7").results}
    assert (css7["2015/16"].value_text, css7["2015/16"].value) == ("64.00%", Decimal("64.00"))

    bpi108 = indicator(db, "BPI108")
    assert bpi108.group_name == "Finance" and bpi108.unit == Unit.CURRENCY
    assert bpi108.owner.job_title == "Organisational Health Check"
    results = {r.label: (r.value_text, r.value) for r in bpi108.results}
    assert results == {"2015/16": ("N/A", None), "2016/17": ("£-32", Decimal("-32")), "2017/18": ("-", None)}
    assert {r.label: r.value_text for r in indicator(db, "148").results}["2017/18"] is None
    assert indicator(db, "COR01").group_name == "Finance"  # after the row of dashes
    assert indicator(db, "STF08").group_name == "Employees (Excluding Schools)"
    # An owner cell left blank: the indicator belongs to whoever owns its group's rows above it.
    assert indicator(db, "STF100").owner.job_title == "Organisational Health Check"
    assert indicator(db, "YCC201").owner.job_title == "Organisational Health Check"
    assert all(i.owner is not None for i in indicators)
    assert indicator(db, "CFD03a").group_name == "Customers"
    assert indicator(db, "62").polarity == Polarity.UP_IS_BAD and indicator(db, "62").direction == Direction.GOOD


def test_committee_members_meetings_and_work_plan(db):
    load_demo(**AS_WRITTEN)
    committee = db.session.scalar(sa.select(Committee))
    assert committee.name == "Children, Education & Communities Policy & Scrutiny Committee"
    assert committee.directorate.name == "Children, Education and Communities"
    assert committee.default_venue == "The Thornton Room - Ground Floor, West Offices (G039)"
    assert committee.default_time == time(17, 30)
    assert committee.clerk.job_title == "Democracy Officer"
    assert (committee.clerk_name, committee.clerk_email) == (committee.clerk.name, committee.clerk.email)
    assert "york.gov.uk" not in committee.clerk_email and committee.clerk_telephone

    assert [(m.position, m.name, m.role) for m in committee.members] == [
        (1, "Councillor D Taylor", MemberRole.CHAIR),
        (2, "Councillor Webb", MemberRole.VICE_CHAIR),
        (3, "Councillor Daubeney", MemberRole.MEMBER),
        (4, "Councillor Fenton", MemberRole.MEMBER),
        (5, "Councillor Fitzpatrick", MemberRole.MEMBER),
        (6, "Councillor Heaton", MemberRole.MEMBER),
        (7, "Councillor Hollyer", MemberRole.MEMBER),
    ]

    meetings = committee.meetings
    assert [m.meets_on for m in meetings][:2] == [date(2019, 6, 25), date(2019, 7, 23)]
    assert meetings[-1].meets_on == date(2020, 5, 20)
    assert {(m.starts_at, m.venue, m.municipal_year) for m in meetings} == {
        (time(17, 30), committee.default_venue, "2019-20")}
    september = db.session.scalar(sa.select(Meeting).filter_by(meets_on=date(2019, 9, 24)))
    assert [(e.position, e.title) for e in september.work_plan_entries] == [
        (1, "Attendance of Executive Member for Children, Young People and Education"),
        (2, "Local Area Teams Audit Update"),
        (3, "City of York Safeguarding Children Partnership Update"),
        (4, "Children\u2019s Specialist Services Overview Report"),
        (5, "Young People\u2019s Cultural Entitlement Update Report"),
        (6, "Work Plan"),
    ]
    assert {e.municipal_year for e in september.work_plan_entries} == {"2019-20"}
    december = db.session.scalar(sa.select(Meeting).filter_by(meets_on=date(2019, 12, 18)))
    assert [e.title for e in december.work_plan_entries] == [
        "Work Plan", "6 monthly Finance and Performance Monitoring Report"]


def test_people_roles_and_reporting_periods(db):
    load_demo(**AS_WRITTEN)
    for person in DEMO_PEOPLE:
        user = db.session.scalar(sa.select(User).filter_by(email=person.email))
        assert user.email.endswith("@docket.example")
        assert (user.name, user.job_title) == (person.name, person.job_title)
        held = {(a.role, a.scope_kind) for a in user.roles}
        assert set(person.roles) <= held, person.email
    assert check_password(db.session.scalar(sa.select(User).filter_by(email="admin@docket.example")).password_hash,
                          DEMO_PASSWORD)

    def holders(role, scope_kind):
        return {a.user.job_title for a in db.session.scalars(
            sa.select(RoleAssignment).filter_by(role=role, scope_kind=scope_kind))}

    assert holders(Role.ADMINISTRATOR, ScopeKind.EVERYTHING) == {"Docket Administrator"}
    assert holders(Role.ASSISTANT_DIRECTOR, ScopeKind.DIRECTORATE) == {
        "Assistant Director Children's Specialist Services"}
    assert holders(Role.HEAD_OF_SERVICE, ScopeKind.SERVICE) == {"Head of Children's Social Care"}
    assert holders(Role.CLERK, ScopeKind.COMMITTEE) == {"Democracy Officer"}
    owners = {a.owner.job_title for a in db.session.scalars(sa.select(Action))}
    owners |= {i.owner.job_title for i in db.session.scalars(sa.select(Indicator)) if i.owner}
    assert holders(Role.ACTION_OWNER, ScopeKind.SERVICE) == owners
    assert len(owners) == 7  # one demo person per job title the plan names

    periods = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on)).all()
    assert [(p.name, p.starts_on, p.ends_on) for p in periods] == [
        ("Q1 2019/20", date(2019, 4, 1), date(2019, 6, 30)),
        ("Q2 2019/20", date(2019, 7, 1), date(2019, 9, 30)),
        ("Q3 2019/20", date(2019, 10, 1), date(2019, 12, 31)),
        ("Q4 2019/20", date(2020, 1, 1), date(2020, 3, 31)),
    ]
    assert (periods[0].update_deadline, periods[0].signoff_deadline) == (date(2019, 7, 14), date(2019, 7, 21))
    assert {p.state for p in periods} == {PeriodState.PLANNED}


# --- the demo placed in the present ---------------------------------------------------

def within_years(day, today, before=1, after=2) -> bool:
    """No more than `before` years ago and `after` years ahead (a plan's actions run on)."""
    return today.replace(year=today.year - before) <= day <= today.replace(year=today.year + after)


def count_of(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_flask_demo_lives_in_the_present_and_gives_everyone_work(app, db):
    """`flask demo` (what bin/serve runs) today: nothing years in the past, work under way,
    every demo person with something to do on their home page, and a second run changes nothing."""
    from tests.conftest import Client

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    people = len(DEMO_PEOPLE)
    assert f"Demo data: 10 actions, 1 risk, 33 indicators, 11 meetings, {people} people." in result.output
    after_first = table_counts(db)
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output
    assert table_counts(db) == after_first  # every table, the trail included
    db.session.expire_all()

    today = date.today()
    meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.meets_on)).all()
    assert all(within_years(m.meets_on, today) for m in meetings)
    periods = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on)).all()
    assert all(within_years(p.starts_on, today) for p in periods)
    assert all(within_years(a.due_on, today, before=1, after=2) for a in db.session.scalars(sa.select(Action)))
    plan = db.session.scalar(sa.select(Plan))
    assert within_years(plan.last_updated_on, today, before=1, after=0)
    assert all(i.owner is not None for i in db.session.scalars(sa.select(Indicator)))

    # This quarter is open, with updates and values in every state; the two before are done.
    current = next(p for p in periods if p.starts_on <= today <= p.ends_on)
    assert current.state == PeriodState.OPEN
    earlier = [p for p in periods if p.ends_on < current.starts_on]
    assert len(earlier) >= 2 and {p.state for p in earlier} == {PeriodState.CLOSED}
    for model in (ProgressUpdate, IndicatorValue):
        states = set(db.session.scalars(sa.select(model.state).where(model.period_id == current.id)))
        assert states == set(UpdateState), model
        assert set(db.session.scalars(sa.select(model.state).where(
            model.period_id.in_([p.id for p in earlier])))) == {UpdateState.SIGNED_OFF}
    # A report on the last quarter approved (and reported, or waiting for an agenda), one waiting for the AD.
    reports = db.session.scalars(sa.select(Report).order_by(Report.id)).all()
    assert {r.period.name for r in reports} == {earlier[-1].name}
    assert {r.state for r in reports} in ({ReportState.PUBLISHED, ReportState.SUBMITTED},
                                          {ReportState.APPROVED, ReportState.SUBMITTED})
    # The meetings before today are published; the next one's agenda is in draft, started.
    held = [m for m in meetings if m.meets_on < today]
    assert all(m.agenda_state == AgendaState.PUBLISHED for m in held)
    coming = next(m for m in meetings if m.meets_on >= today)
    assert coming.agenda_state == AgendaState.DRAFT and coming.agenda_items
    assert (coming.meets_on - today).days <= 8 * 7  # the next meeting is in the coming weeks

    # Every demo person (but the administrator, whose home page lists no tasks) has work to do.
    work = {
        "jo.whitfield@docket.example": ["Reports waiting for your approval", "Updates due"],
        "marcus.bell@docket.example": ["Waiting for your sign-off"],
        "hannah.pryce@docket.example": ["Returned to you"],
        "ben.ashworth@docket.example": ["Returned to you"],
        "tom.ridley@docket.example": ["Updates due"],
        "claire.dunmore@docket.example": ["Updates due"],
        "helen.marsh@docket.example": ["Updates due"],
        "health.check@docket.example": ["Updates due", "Returned to you"],
        "nadia.holt@docket.example": [],  # the next agenda, or the approved report waiting for one
    }
    assert set(work) | {"admin@docket.example"} == {p.email for p in DEMO_PEOPLE}
    for email, captions in work.items():
        client = Client(app)
        assert client.sign_in(email, DEMO_PASSWORD).status == 302, email
        text = client.get("/").text()
        assert "You have nothing to do in Docket just now" not in text, email
        for caption in captions:
            assert caption in text, (email, caption)
    clerk = Client(app)
    clerk.sign_in("nadia.holt@docket.example", DEMO_PASSWORD)
    text = clerk.get("/").text()
    assert "Agendas to publish" in text or "not on an agenda" in text.lower() or "for an agenda" in text.lower()


def test_placed_on_a_december_day_the_demo_council_is_in_its_third_quarter(db):
    """The story on 2 December 2026: Q3 2026/27 open, Q2 reported to the November meeting."""
    summary = load_demo(today=date(2026, 12, 2))
    assert summary["meetings"] == 11 and summary["reporting_periods"] == 4

    plan = db.session.scalar(sa.select(Plan))
    assert (plan.period_label, plan.last_updated_on) == ("2024-27", date(2026, 7, 11))
    assert action(db, "CSS001").due_on == date(2027, 3, 31)  # the end of this financial year
    assert sorted(r.label for r in indicator(db, "MI Pack 1").results) == ["2023/24", "2024/25", "2025/26"]
    periods = db.session.scalars(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on)).all()
    assert [(p.name, p.state) for p in periods] == [
        ("Q1 2026/27", PeriodState.CLOSED), ("Q2 2026/27", PeriodState.CLOSED),
        ("Q3 2026/27", PeriodState.OPEN), ("Q4 2026/27", PeriodState.PLANNED)]
    assert (periods[2].update_deadline, periods[2].signoff_deadline) == (date(2027, 1, 14), date(2027, 1, 21))

    # Meetings keep their weekday; the municipal year is this one.
    meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.meets_on)).all()
    assert [m.meets_on for m in meetings][:2] == [date(2026, 6, 23), date(2026, 7, 21)]
    assert {m.municipal_year for m in meetings} == {"2026-27"}
    by_day = {m.meets_on: m for m in meetings}
    november, december = by_day[date(2026, 11, 25)], by_day[date(2026, 12, 16)]
    assert november.meets_on.strftime("%A") == "Wednesday"
    assert [m.agenda_state for m in meetings if m.meets_on < date(2026, 12, 2)] == [AgendaState.PUBLISHED] * 5
    reported = next(i.report for i in november.agenda_items if i.report is not None)
    assert reported.title == "Children's Specialist Services: progress in Q2 2026/27"
    assert reported.state == ReportState.PUBLISHED and reported.versions[0].approved_by.name == "Jo Whitfield"
    assert db.session.scalar(sa.select(AgendaPack).filter_by(meeting_id=november.id)).page_count > 1
    assert december.agenda_state == AgendaState.DRAFT
    assert [i.title for i in december.agenda_items if i.to_follow] == [
        "Children's Specialist Services: six-monthly performance report to Q2 2026/27"]
    waiting = db.session.scalar(sa.select(Report).filter_by(state=ReportState.SUBMITTED))
    assert waiting.author.name == "Marcus Bell"

    # Updates in every state, done by the demo people, on the trail.
    css005 = db.session.scalar(sa.select(ProgressUpdate).filter_by(action_id=action(db, "CSS005").id,
                                                                   period_id=periods[2].id))
    assert css005.state == UpdateState.RETURNED and "back on track" in css005.return_comment
    returned = db.session.scalar(sa.select(TrailEvent).filter_by(verb="update_returned"))
    assert returned.actor_name == "Marcus Bell"
    signed = db.session.scalar(sa.select(ProgressUpdate).filter_by(action_id=action(db, "CSS003").id,
                                                                   period_id=periods[1].id))
    assert (signed.state, signed.submitted_by.name, signed.signed_off_by.name) == (
        UpdateState.SIGNED_OFF, "Jo Whitfield", "Marcus Bell")
    assert action(db, "CSS005").rag == Rag.AMBER  # its last signed-off update's RAG


def test_flask_demo_as_written(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "--year", "2019", "--no-activity"])
    assert result.exit_code == 0, result.output
    assert "11 meetings" in result.output
    assert db.session.scalar(sa.select(Meeting.meets_on).order_by(Meeting.meets_on).limit(1)) == date(2019, 6, 25)
    assert set(db.session.scalars(sa.select(ReportingPeriod.state))) == {PeriodState.PLANNED}
    assert count_of(db, ProgressUpdate) == 0 and count_of(db, Report) == 0


def test_loading_fails_whole(db, monkeypatch):
    """One transaction: a step of the work that fails leaves nothing stored."""
    from app.demo import activity

    def broken(*args, **kwargs):
        raise RuntimeError("the report could not be prepared")

    monkeypatch.setattr(activity, "prepared_report", broken)  # after the periods' work is done
    with pytest.raises(RuntimeError):
        load_demo(today=date(2026, 12, 2))
    assert count_of(db, User) == 0 and count_of(db, ProgressUpdate) == 0 and count_of(db, TrailEvent) == 0


# --- the parsers, on documents that are not the seed ---------------------------------

OTHER_COUNCIL_PLAN = """\
**Plan on a Page**

Service:\tWaste and Street Scene
Directorate:\tPlace
Date Last Updated:\t3rd March 2021

1 – Purpose

Please use this section to describe the service.

We keep the borough's **streets** clean and collect 90,000 bins a week.

Table 4.1 – Improvement Actions

Ref\tObjective\tWhat we will do\tType\tLead officer\tDue\tMilestones
WS-A1\tGreener fleet\tNew fleet\tMajor Project\tHead of Waste\t30/09/2021\t<p>Tender let.</p> <p>First e-vans</p>

\t\t\t\t\t\t<p>in service</p> <p>Depot chargers installed.</p>
Ref\tObjective\tWhat we will do\tType\tLead officer\tDue\tMilestones
WS-A2\tGreener fleet\tTrial a food waste round\tBusiness as usual\tHead of Waste\t31/03/2022\t

Table 4.2 – Key Performance Indicators

Ref\tMeasure\t2019/20 Result\t2020/21 Result\tPolarity\tOwner
Collections
WS-01\tMissed bins per 100,000 collections\t45\t61\tUp is Bad\tHead of Waste
\tResident satisfaction with street cleaning\t71.5%\t68%\tUp is Good\tHead of Waste
----\t---\t---
Cleansing\t\t\t\t\t

\tStreets graded A or B on inspection\t90%\t91%\tUp is Good\tStreet Scene Manager
WS-07\tFly-tipping incidents cleared within\t88%\t\tUp is Good\tStreet Scene

\t2 working days\t\t92%\t\tManager
"""


def test_the_plan_parser_reads_another_councils_wording():
    doc = parse_plan(OTHER_COUNCIL_PLAN)
    assert doc.title == "Plan on a Page"
    assert doc.field("date last updated") == "3rd March 2021"
    assert doc.field("Directorate") == "Place"
    assert doc.section("1").content == "We keep the borough's streets clean and collect 90,000 bins a week."

    actions = doc.table("4.1")
    assert actions.title == "Improvement Actions"
    assert [r.reference for r in actions.rows] == ["WS-A1", "WS-A2"]  # the repeated header row is skipped
    # The page break split "First e-vans / in service": one paragraph again.
    assert actions.rows[0].paragraphs(actions.column("Milestones")) == [
        "Tender let.", "First e-vans in service", "Depot chargers installed."]
    assert actions.rows[0].text(actions.column("Lead officer", "officer")) == "Head of Waste"
    assert actions.rows[1].paragraphs("Milestones") == []

    kpis = doc.table("performance")
    assert kpis.number == "4.2"
    assert [(r.reference, r.group) for r in kpis.rows] == [
        ("WS-01", "Collections"), (None, "Collections"), (None, "Cleansing"), ("WS-07", "Cleansing")]
    assert kpis.rows[1].text("Measure") == "Resident satisfaction with street cleaning"
    assert kpis.rows[1].text("2019/20 Result") == "71.5%"
    # After a group heading, a row with an empty first cell is a row of its own.
    assert kpis.rows[2].text("Measure") == "Streets graded A or B on inspection"
    fly_tipping = kpis.rows[3]
    assert fly_tipping.text("Measure") == "Fly-tipping incidents cleared within 2 working days"
    assert (fly_tipping.text("2019/20 Result"), fly_tipping.text("2020/21 Result")) == ("88%", "92%")
    assert fly_tipping.text("Owner") == "Street Scene Manager"


def test_notice_and_numbered_items_of_another_committee():
    notice = parse_notice(
        "Notice of a meeting of\nEnvironment Scrutiny Panel\n\n"
        "To: Councillors Okoro (Chair), Lund, Pearce (Vice-Chair) and Marsh-Kaye\n\n"
        "Date: Thursday 9th January 2020\nTime: 10.00 am\nVenue: Council Chamber\n"
    )
    assert notice.committee == "Environment Scrutiny Panel"
    assert [(m.name, m.role) for m in notice.members] == [
        ("Councillor Okoro", MemberRole.CHAIR), ("Councillor Lund", MemberRole.MEMBER),
        ("Councillor Pearce", MemberRole.VICE_CHAIR), ("Councillor Marsh-Kaye", MemberRole.MEMBER)]
    assert (notice.meets_on, notice.starts_at, notice.venue) == (date(2020, 1, 9), time(10, 0), "Council Chamber")

    assert split_numbered('<ol style="list-style-type: none"> 1. Budget 2. Work Plan</ol>') == [
        "Budget", "Work Plan"]
    assert split_numbered("1. Work Plan 2. 6 monthly Finance Report") == ["Work Plan", "6 monthly Finance Report"]
    assert split_numbered("Work Plan") == ["Work Plan"]


@pytest.mark.parametrize("text, expected", [
    ("689 (190)", Decimal("689")), ("1,216 (329)", Decimal("1216")), ("64.00%", Decimal("64.00")),
    ("£-32", Decimal("-32")), ("-£1,500", Decimal("-1500")),
    ("N/A", None), ("-", None), ("", None), ("N/a", None),
])
def test_leading_number(text, expected):
    assert leading_number(text) == expected


def test_dates_times_amounts_and_action_types():
    assert parse_uk_date("11th July 2018") == date(2018, 7, 11)
    assert parse_uk_date("31/03/2018 Complete") == date(2018, 3, 31)
    assert parse_uk_date("<p>Tuesday 25 June 2019 @ 5.30pm</p>") == date(2019, 6, 25)
    assert parse_uk_date("N/A") is None
    assert parse_time("Tuesday 25 June 2019 @ 5.30pm") == time(17, 30)
    assert parse_time("5.30 pm") == time(17, 30)
    assert parse_amount("£20.59m") == Decimal("20590000")
    assert parse_amount("£450k") == Decimal("450000")
    assert parse_action_type("Business as Usual Statutory Services.") == (ActionType.BUSINESS_AS_USUAL, True, None)
    assert parse_action_type("Medium project") == (ActionType.MEDIUM_PROJECT, False, None)
    assert parse_action_type("MAJOR PROJECT (capital)") == (ActionType.MAJOR_PROJECT, False, "(capital)")
    assert parse_action_type("Business as Usual / Discovery Phase Statutory Service") == (
        ActionType.BUSINESS_AS_USUAL, True, "Discovery Phase")


def test_demo_if_empty_leaves_a_database_with_people_alone(app, db, people):
    from app.models import Action

    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has people" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 0
