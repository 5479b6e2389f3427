"""The dashboard as an Assistant Director reads it: indicators off target by polarity, a
labelled RAG bar, timeliness in days (early work said so), indicator values in "what waits on
whom", and the deadline in the right tense."""
import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.models import Action, Indicator, IndicatorValue, Plan, Polarity, ProgressUpdate, Rag, ReportingPeriod, Unit
from app.updates import service


def build(db, org, people, ends_in_days: int, deadline_in_days: int):
    owner, hos = people["owner"], people["hos"]
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    a1 = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=owner)
    a2 = Action(plan=plan, reference="A2", title="Audit case files", owner=owner)
    a3 = Action(plan=plan, reference="A3", title="Train the panel", owner=owner)
    up = Indicator(plan=plan, reference="EFL3", description="Assessments in 45 days", polarity=Polarity.UP_IS_GOOD,
                   unit=Unit.PERCENTAGE, target=Decimal("80"), owner=owner, position=1)
    down = Indicator(plan=plan, reference="CSC2", description="Re-referrals", polarity=Polarity.UP_IS_BAD,
                     target=Decimal("10"), owner=owner, position=2)
    neutral = Indicator(plan=plan, reference="CSC9", description="Children in care", owner=owner, position=3)
    good = Indicator(plan=plan, reference="CSC4", description="Visits on time", polarity=Polarity.UP_IS_GOOD,
                     target=Decimal("90"), owner=owner, position=4)
    today = date.today()
    period = ReportingPeriod(name="Q3 2026/27", starts_on=today - timedelta(days=80),
                             ends_on=today + timedelta(days=ends_in_days),
                             update_deadline=today + timedelta(days=deadline_in_days),
                             signoff_deadline=today + timedelta(days=deadline_in_days + 7))
    db.session.add_all([plan, a1, a2, a3, up, down, neutral, good, period])
    db.session.commit()
    service.open_period(period, people["admin"])

    def upd(action):
        return db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id))

    def val(ind):
        return db.session.scalar(sa.select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id))

    for action, rag in ((a1, Rag.GREEN), (a2, Rag.GREEN)):
        u = upd(action)
        service.submit(u, {"narrative": "Done", "rag": rag}, u.version, owner)
    u = upd(a1)
    service.sign_off(u, u.version, hos)
    for ind, value, note in ((up, "61.5", "Fewer staff"), (down, "15", "More families"), (neutral, "212", None),
                             (good, "95", None)):
        v = val(ind)
        service.submit(v, {"value": Decimal(value), "commentary": note}, v.version, owner)
    v = val(up)
    service.sign_off(v, v.version, hos)
    return dict(plan=plan, period=period)


def test_the_dashboard_shows_indicators_off_target_by_polarity(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    page = sign_in_as("ad").get("/dashboard")
    text = page.text()
    assert "4 indicator values this period: 2 off target, 1 on target, 1 with no target to judge by." in text
    polarity = page.soup.select_one("[aria-label^='Indicators against target by polarity']")
    rows = [r.get_text(" ", strip=True) for r in polarity.select("tbody tr")]
    assert rows == ["Up is Bad 1 0", "Up is Good 1 1"]
    off = page.soup.select_one("[aria-label^='Indicators off target']")
    rows = [r.get_text(" ", strip=True) for r in off.select("tbody tr")]
    assert rows[0].startswith("EFL3: Assessments in 45 days 61.5% 80% Up is Good (higher is better)")
    assert rows[1].startswith("CSC2: Re-referrals (not yet signed off) 15 10 Up is Bad (lower is better)")


def test_the_rag_bar_is_labelled_and_has_a_key(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    page = sign_in_as("ad").get("/dashboard")
    assert "RAG status of the signed-off updates" in page.text()
    assert "Green: 1" in page.soup.select_one(".docket-rag-legend").get_text(" ", strip=True)
    assert page.soup.select_one("svg.docket-ragbar")["aria-label"] == "RAG mix: Green 1"


def test_what_waits_on_whom_counts_indicator_values(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    page = sign_in_as("ad").get("/dashboard")
    waits = [li.get_text(" ", strip=True) for li in
             page.soup.find("h3", string="What waits on whom").find_next("ul").select("li")]
    assert waits == ["Olu Owner : 1 update to write",
                     "Head of Service : 1 update and 3 indicator values to sign off"]


def test_early_work_and_a_future_deadline_read_plainly(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    page = sign_in_as("ad").get("/dashboard")
    text = page.text()
    assert "updates are due by" in text and "were due by" not in text
    timeliness = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
                  for dt in page.soup.select(".govuk-summary-list__key")}
    assert timeliness["Period end to submission"] == "10 days early"
    assert timeliness["Period end to sign-off"] == "10 days early"
    assert timeliness["Period end to report approval"] == "Not yet"
    assert "-10" not in text


def test_late_work_is_counted_in_days_and_a_past_deadline_in_the_past_tense(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=-3, deadline_in_days=-1)
    ad = sign_in_as("ad")
    page = ad.get("/dashboard")
    text = page.text()
    assert "updates were due by" in text
    timeliness = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
                  for dt in page.soup.select(".govuk-summary-list__key")}
    assert timeliness["Period end to submission"] == "3 days"
    assert "Overdue updates (1)" in text
    # Each overdue update and off-target indicator links to its own page.
    overdue = page.soup.find("h3", string="Overdue updates (1)").find_next("ul").select_one("a")
    assert re.fullmatch(r"/updates/\d+", overdue["href"])
    assert ad.get(overdue["href"]).status == 200
    off_target = page.soup.select_one("[aria-label^='Indicators off target'] tbody a")
    assert re.fullmatch(r"/indicator-values/\d+", off_target["href"])


def test_the_assistant_directors_home_has_the_oversight(db, org, people, sign_in_as):
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    home = sign_in_as("ad").get("/")
    oversight = home.soup.select_one("[aria-label^='Oversight']")
    row = oversight.select_one("tbody tr").get_text(" ", strip=True)
    assert row == "Children's Specialist Services: Service Improvement Plan 1 of 3 0 2"


def test_the_oversight_counts_overdue_updates_once_the_deadline_has_passed(db, org, people, sign_in_as):
    """My tasks counts what the dashboard lists: the update still being written is overdue (the
    submitted one is not), and two indicator values miss their targets."""
    build(db, org, people, ends_in_days=-3, deadline_in_days=-1)
    home = sign_in_as("ad").get("/")
    row = home.soup.select_one("[aria-label^='Oversight'] tbody tr").get_text(" ", strip=True)
    assert row == "Children's Specialist Services: Service Improvement Plan 1 of 3 1 2"
    dashboard = sign_in_as("ad").get("/dashboard").text()
    assert "Overdue updates (1)" in dashboard and "Off target (2)" in dashboard


def test_an_administrators_dashboard_shows_ten_plans_a_page(db, org, people, sign_in_as):
    """An administrator's dashboard reaches every plan in the council: ten a page, by title, with
    the GOV.UK pagination; a page number out of range shows the nearest page."""
    build(db, org, people, ends_in_days=10, deadline_in_days=20)
    db.session.add_all([Plan(service=org["other_service"], title=f"Plan {n:02d}") for n in range(1, 12)])
    db.session.commit()
    admin = sign_in_as("admin")
    first = admin.get("/dashboard")
    titles = [h.get_text(" ", strip=True) for h in first.soup.select("main h2.govuk-heading-m")]
    assert len(titles) == 10 and titles[0].endswith("Plan 01") and titles[-1].endswith("Plan 10")
    assert "Plans 1 to 10 of 12, by title." in first.text()
    nav = first.soup.select_one("nav[aria-label='Pages of plans']")
    assert nav.get_text(" ", strip=True) == "Page 1 of 2 Next page"
    second = admin.get(nav.select_one("a[rel=next]")["href"])
    titles = [h.get_text(" ", strip=True) for h in second.soup.select("main h2.govuk-heading-m")]
    assert titles == ["Highways: Plan 11", "Children's Specialist Services: Service Improvement Plan"]
    assert "Plans 11 to 12 of 12, by title." in second.text()
    assert admin.get("/dashboard?page=99").soup.select_one("nav[aria-label='Pages of plans'] p").get_text(
        strip=True) == "Page 2 of 2"
    assert admin.get("/dashboard?page=nonsense").status == 200
    # An Assistant Director's directorate fits on one page: no pagination.
    assert sign_in_as("ad").get("/dashboard").soup.select_one("nav[aria-label='Pages of plans']") is None
