"""A small council with one of everything in the people's scope, and one of everything outside it
(other people's objects, whose ids are hostile input too); and signed-in clients that count
what they send."""
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from tests.conftest import Client

# Every POST sent by these tests, by test: test_zz_at_least_ten_thousand_submissions checks the total.
SUBMISSIONS: Counter = Counter()


def _test_name() -> str:
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown")
    return current.split("::")[-1].split(" ")[0].split("[")[0]


class Actor:
    """A signed-in (or anonymous) person. `post` sends a form with this session's CSRF token
    (fetched once: it lasts as long as the session), or a missing or wrong one on request."""

    def __init__(self, app, email: str | None):
        self.client = Client(app)
        self.email = email
        if email is not None:
            response = self.client.sign_in(email)
            assert response.status == 302, f"could not sign in as {email}"
        self.token = self.client.csrf_token("/accessibility")

    def get(self, url, **kw):
        return self.client.c.get(url, **kw)

    def post(self, url, data=None, *, csrf="good", htmx=False, headers=None, **kw):
        data = dict(data or {})
        if csrf == "good":
            data["csrf_token"] = self.token
        elif csrf == "wrong":
            data["csrf_token"] = self.token[:-4] + ("AAAA" if not self.token.endswith("AAAA") else "BBBB")
        elif csrf == "other":
            data["csrf_token"] = OTHER_TOKEN.get("token", "x")
        elif csrf != "missing":
            data["csrf_token"] = csrf  # a hostile string
        headers = dict(headers or {})
        if htmx:
            headers["HX-Request"] = "true"
        SUBMISSIONS[_test_name()] += 1
        return self.client.c.post(url, data=data, headers=headers, **kw)


# A valid token from a different session: as wrong as any other for this one.
OTHER_TOKEN: dict = {}


@dataclass
class World:
    ids: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.ids[key]


def build(db, org, people, make_user) -> World:
    """One of each thing a form names, in the people's scope, and the same outside it."""
    from app.models import Role, ScopeKind

    other_owner = make_user("otto@example.org", "Otto Other", Role.ACTION_OWNER, ScopeKind.SERVICE,
                            org["other_service"])
    other_head = make_user("olga@example.org", "Olga Head", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE,
                           org["other_service"])
    committee = org["committee"]
    directorate_id, other_directorate_id = org["directorate"].id, org["other_service"].directorate_id
    service, other_service = org["service"], org["other_service"]
    owner = people["owner"]
    committee.directorate_id = directorate_id
    committee.clerk_name = "Cleo Clerk"
    committee.default_venue = "West Offices"

    db.session.commit()
    with db.session.no_autoflush:  # objects are built before they are added: no flush half-way
        return _build(db, org, people, committee, service, other_service, owner, other_owner, other_head,
                      other_directorate_id)


def _build(db, org, people, committee, service, other_service, owner, other_owner, other_head, other_directorate_id):
    from app.meetings import service as meetings
    from app.models import (Action, Committee, Delegation, Indicator, IndicatorValue, Meeting, Milestone,
                            Notification, PeriodState, Plan, Polarity, PriorityTheme, ProgressUpdate, ReportingPeriod,
                            Risk, WorkPlanEntry)
    from app.reports import service as reports

    period = ReportingPeriod(name="Q1 2019/20", starts_on=date(2019, 4, 1), ends_on=date(2019, 6, 30),
                             update_deadline=date(2019, 7, 14), signoff_deadline=date(2019, 7, 21),
                             state=PeriodState.OPEN)
    plan = Plan(service=service, title="Service Improvement Plan", period_label="2019/20")
    theme = PriorityTheme(plan=plan, title="Keep children safe", position=1)
    action = Action(plan=plan, reference="CSS001", title="Recruit social workers", theme=theme,
                    owner=owner)
    milestones = [Milestone(action=action, text=f"Milestone {n}", position=n) for n in (1, 2)]
    risk = Risk(plan=plan, reference="2224", description="Too few social workers")
    indicator = Indicator(plan=plan, reference="EFL3", description="Children seen within a week",
                          owner=owner, target=10, polarity=Polarity.UP_IS_GOOD)
    update = ProgressUpdate(action=action, period=period)
    value = IndicatorValue(indicator=indicator, period=period)

    other_plan = Plan(service=other_service, title="Highways Plan")
    other_theme = PriorityTheme(plan=other_plan, title="Fix the roads", position=1)
    other_action = Action(plan=other_plan, reference="HW001", title="Fill potholes", theme=other_theme,
                          owner=other_owner)
    other_milestone = Milestone(action=other_action, text="Half the potholes", position=1)
    other_risk = Risk(plan=other_plan, reference="R9", description="Frost")
    other_indicator = Indicator(plan=other_plan, reference="HW1", description="Potholes filled", owner=other_owner)
    other_update = ProgressUpdate(action=other_action, period=period)
    other_value = IndicatorValue(indicator=other_indicator, period=period)

    other_committee = Committee(name="Place Scrutiny Committee", directorate_id=other_directorate_id)
    meeting = Meeting(committee=committee, meets_on=date(2019, 9, 24), municipal_year="2019-20")
    meeting2 = Meeting(committee=committee, meets_on=date(2019, 11, 19), municipal_year="2019-20")
    other_meeting = Meeting(committee=other_committee, meets_on=date(2019, 10, 1), municipal_year="2019-20")
    delegation = Delegation(head=people["hos"], deputy=people["nobody"], starts_on=date(2019, 1, 1),
                            ends_on=date(2019, 1, 2))
    db.session.add_all([period, plan, theme, action, *milestones, risk, indicator, update, value, other_plan,
                        other_theme, other_action, other_milestone, other_risk, other_indicator, other_update,
                        other_value, other_committee, meeting, meeting2, other_meeting, delegation])
    db.session.commit()

    clerk = people["clerk"]
    meetings.start_agenda(meeting, clerk)
    meetings.start_agenda(other_meeting, clerk)
    entry = WorkPlanEntry(committee=committee, meeting=meeting, municipal_year="2019-20", title="Progress report")
    other_entry = WorkPlanEntry(committee=other_committee, meeting=other_meeting, municipal_year="2019-20",
                                title="Roads report")
    db.session.add_all([entry, other_entry])
    db.session.commit()

    report = reports.create_report("Children's Specialist Services: progress in Q1 2019/20", [plan], period,
                                   people["hos"])
    approved = reports.create_report("An approved report", [plan], period, people["hos"])
    reports.save_sections(approved, {"summary": "Summary.", "recommendations": "Note it."}, approved.version,
                          people["hos"])
    reports.submit(approved, approved.version, people["hos"])
    reports.approve(approved, approved.version, people["ad"])
    other_report = reports.create_report("Highways progress", [other_plan], period, people["admin"])

    notes = {}
    for who, n in (("owner", 2), ("ad", 1)):
        for k in range(n):
            note = Notification(recipient_id=people[who].id, kind="test", subject=f"Message {k} for {who}",
                                body="Read me.", link="/")
            db.session.add(note)
            db.session.flush()
            notes[f"{who}_{k}"] = note.id
    db.session.commit()

    from app.updates.attachments import add_attachment

    from tests.pdf_samples import a_pdf

    attachment = add_attachment(update, "minutes.pdf", a_pdf("minutes"), owner)
    items = meetings.items_of(meeting)
    other_items = meetings.items_of(other_meeting)
    ids = dict(
        period=period.id, plan=plan.id, theme=theme.id, action=action.id, milestone=milestones[0].id,
        milestone2=milestones[1].id, risk=risk.id, indicator=indicator.id, update=update.id, value=value.id,
        other_plan=other_plan.id, other_theme=other_theme.id, other_action=other_action.id,
        other_milestone=other_milestone.id, other_risk=other_risk.id, other_indicator=other_indicator.id,
        other_update=other_update.id, other_value=other_value.id,
        committee=committee.id, other_committee=other_committee.id, meeting=meeting.id, meeting2=meeting2.id,
        other_meeting=other_meeting.id, agenda_item=items[0].id, agenda_items=[i.id for i in items],
        other_agenda_item=other_items[0].id, entry=entry.id, other_entry=other_entry.id,
        attachment=attachment.id, report=report.id, approved_report=approved.id, other_report=other_report.id, delegation=delegation.id,
        owner_note=notes["owner_0"], owner_note2=notes["owner_1"], ad_note=notes["ad_0"],
        other_owner=other_owner.id, other_head=other_head.id,
        directorate=org["directorate"].id, service=service.id, other_service=other_service.id,
        **{f"user_{k}": v.id for k, v in people.items()},
    )
    return World(ids)
