"""The home page puts decisions first: an Assistant Director sees the reports waiting for their
approval before their own updates, then the oversight of their plans."""
from datetime import date, timedelta

import sqlalchemy as sa

from app.models import Action, Plan, ProgressUpdate, Rag, ReportingPeriod
from app.reports import service as reports
from app.updates import service


def world(db, org, people):
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    mine = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=people["owner"])
    directors = Action(plan=plan, reference="A2", title="Agree the budget", owner=people["ad"])
    today = date.today()
    period = ReportingPeriod(name="Q1 2026/27", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, mine, directors, period])
    db.session.commit()
    service.open_period(period, people["admin"])
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == mine.id))
    service.submit(update, {"narrative": "Done", "rag": Rag.GREEN}, update.version, people["owner"])
    report = reports.create_report("Progress in Q1", [plan], period, people["hos"])
    reports.save_sections(report, {"summary": "Progress.", "recommendations": "Note it."}, report.version,
                          people["hos"])
    reports.submit(report, report.version, people["hos"])
    return report


def headings(page):
    return [el.get_text(" ", strip=True) for el in page.soup.select("main caption, main h2, main h3")]


def test_the_assistant_directors_home_puts_decisions_first_then_oversight(db, org, people, sign_in_as):
    world(db, org, people)
    page = sign_in_as("ad").get("/")
    seen = headings(page)
    approve = seen.index("Reports waiting for your approval (1)")
    own = seen.index("Updates due (1)")
    oversight = seen.index("Oversight")
    assert approve < own < oversight
    assert page.soup.select_one("[aria-label^='Reports waiting for your approval'] a").get_text() == "Progress in Q1"
    row = page.soup.select_one("[aria-label^='Oversight'] tbody tr").get_text(" ", strip=True)
    assert row == "Children's Specialist Services: Service Improvement Plan 0 of 2 0 0"


def test_the_head_of_service_sees_what_waits_for_sign_off_first(db, org, people, sign_in_as):
    world(db, org, people)
    page = sign_in_as("hos").get("/")
    seen = headings(page)
    assert seen.index("Waiting for your sign-off (1)") < seen.index("Your roles")
    assert "Oversight" not in seen  # oversight is the Assistant Director's


def test_someone_with_only_their_own_work_sees_no_oversight(db, org, people, sign_in_as):
    world(db, org, people)
    page = sign_in_as("owner").get("/")
    assert "Oversight" not in headings(page)
    assert "Reports waiting for your approval" not in page.text()
