"""The plan page and the agenda builder read rows, not objects, with statements built once
(issue 17): what they show is what the objects say."""
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.models import (Action, ActionStatus, ActionType, Indicator, IndicatorResult, Plan, PriorityTheme, Rag,
                        Risk, Unit)


def test_the_plan_page_shows_every_kind_of_cell(db, org, people, sign_in_as):
    hos, owner = people["hos"], people["owner"]
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    theme = PriorityTheme(plan=plan, title="Keep children safe", position=1)
    past = date.today() - timedelta(days=10)
    db.session.add_all([
        plan, theme,
        Action(plan=plan, theme=theme, reference="A1", title="Recruit <carers>", owner=owner, due_on=past,
               partners="Police\nNHS & Trust", action_type=ActionType.MAJOR_PROJECT, statutory=True,
               group_title="Fostering", rag=Rag.RED),
        Action(plan=plan, theme=theme, reference="A2", title="Open a hub", owner=None, timing="Monthly",
               status=ActionStatus.LIVE),
        Action(plan=plan, reference="A3", title="No theme", owner=hos, due_on=past, rag=Rag.COMPLETE),
        Risk(plan=plan, reference="R1", description="Too few carers", rag=Rag.AMBER, mitigations="\nOne\n \nTwo"),
        Indicator(plan=plan, reference=None, description="Carers approved", unit=Unit.PERCENTAGE,
                  target=Decimal("72.5"), target_text="TBD", comments="First\n\nSecond", owner=owner, position=1,
                  results=[IndicatorResult(label="b 2019", value_text="5"), IndicatorResult(label="A 2018")]),
    ])
    db.session.commit()
    page = sign_in_as("hos").get(f"/plans/{plan.id}")
    assert page.status == 200
    rows = [[td.decode_contents() for td in tr.select("td")] for tr in page.soup.select("#action-results tbody tr")
            if tr.select("td")]
    # theme, then the actions with no sub-heading before those under one, then no theme
    assert [r[0].split(">")[1].split("<")[0] for r in rows] == ["A2", "A1", "A3"]
    a2, a1, a3 = rows
    assert a1[1] == 'Recruit &lt;carers&gt;<br/><span class="govuk-body-s">Partners: Police, NHS &amp; Trust</span>'
    assert a1[2] == "Major project (statutory)" and "Overdue" in a1[4] and "Red" in a1[5]
    assert a2[3] == "Not assigned" and a2[4] == '<span class="govuk-body-s">Monthly</span>'
    assert "Overdue" not in a3[4]  # complete
    action = db.session.scalar(sa.select(Action).where(Action.reference == "A1"))
    assert f'href="/actions/{action.id}"' in str(page.soup.select_one("#action-results tbody"))
    assert "Fostering" in page.soup.select_one(".docket-group-row").get_text()
    assert [c.get_text() for c in page.soup.select("#action-results caption")] == ["Keep children safe",
                                                                                    "No priority theme"]
    risk = page.soup.select_one("#risks + div tbody tr")
    assert [p.get_text() for p in risk.select("p")] == ["One", "Two"]
    headers = [th.get_text() for th in page.soup.select("#indicators + div thead th")]
    assert headers[2:4] == ["A 2018", "b 2019"]  # sorted ignoring case
    cells = [td.get_text(" ", strip=True) for td in page.soup.select("#indicators + div tbody td")]
    assert cells[0] == "(no reference) (edit)" and cells[2:5] == ["", "5", "72.5% TBD"]
    assert "Comments: First" in cells[1] and "Second" in cells[1]


def test_the_agenda_builder_offers_the_reports_the_service_would(app, db):
    from tests.test_meetings import CLERK, approved_report, person
    from app.demo.loader import load_demo
    from app.meetings import agenda_page, service
    from app.models import Committee, Meeting

    load_demo(year=2019, activity=False)
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))
    service.start_agenda(meeting, person(db, CLERK))
    approved_report(db)
    db.session.commit()
    committee = db.session.get(Committee, meeting.committee_id)
    with app.test_request_context():
        offered = agenda_page.report_choices(meeting)
        assert offered and offered == service.report_choices(committee, meeting)
        directorate_id, committee.directorate_id = committee.directorate_id, None  # a committee of no directorate
        db.session.flush()
        assert agenda_page.report_choices(meeting) == service.report_choices(committee, meeting)
        committee.directorate_id = directorate_id
        items, documents, packs = agenda_page.agenda_rows(meeting)
        objects = service.items_of(meeting)
        assert [(i.id, i.title, i.standing, i.report_id, i.report.state if i.report else None) for i in items] == [
            (i.id, i.title, i.standing, i.report_id, i.report.state if i.report else None) for i in objects]
