"""An administrator's home page lists the set-up work Docket can see is unfinished."""
from datetime import date, timedelta

from app.models import Action, Indicator, PeriodState, Plan, ReportingPeriod


def _period(name, starts_on, state=PeriodState.PLANNED):
    return ReportingPeriod(name=name, starts_on=starts_on, ends_on=starts_on + timedelta(days=90),
                           update_deadline=starts_on + timedelta(days=104),
                           signoff_deadline=starts_on + timedelta(days=111), state=state)


def test_an_administrator_sees_what_is_left_to_set_up(db, org, people, sign_in_as):
    from app.updates.opening import open_period
    from app.users.service import deactivate_user

    today = date.today()
    plan = Plan(service=org["service"], title="Children's Plan")
    other = Plan(service=org["other_service"], title="Highways Plan")
    leaver = people["owner"]
    db.session.add_all([plan, other,
                        Action(plan=plan, reference="A1", title="Keep children safe", owner=leaver),
                        Indicator(plan=other, reference="I1", description="Potholes filled"),
                        _period("Q-next", today + timedelta(days=10)),
                        _period("Q-later", today + timedelta(days=200))])
    current = _period("Q-now", today - timedelta(days=20))
    db.session.add(current)
    db.session.commit()
    open_period(current, people["admin"], plans=[plan])
    deactivate_user(leaver, people["admin"])
    db.session.commit()

    page = sign_in_as("admin").get("/")
    text = page.text()
    assert f"Q-next starts on {(today + timedelta(days=10)).strftime('%-d %B %Y')} and is not open yet" in text
    assert "Q-later" not in text  # months away: nothing to do yet
    assert "1 live plan is not open for Q-now" in text
    assert "1 person who has left still owns actions or indicators in live plans" in text
    assert "1 indicator in live plans has no owner" in text
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main a")}
    assert links["Open Q-next"].endswith("/open")
    assert links["See deactivated people"] == "/people/?show=deactivated"
    assert "You have nothing to do" not in text


def test_the_tasks_are_for_administrators_only(db, org, people, sign_in_as):
    db.session.add(_period("Q-next", date.today() + timedelta(days=3)))
    db.session.commit()
    assert "Q-next" not in sign_in_as("hos").get("/").text()
    assert "Open Q-next" in sign_in_as("admin").get("/").text()
