"""A kept result never shows stale data (app/cache.py): each kind of change, then every page
that depends on it, read by the people who use it. Results are kept (CACHE_ENTRIES is on), and
the tests check that the pages were served from what was kept where nothing they show changed,
so that the freshness checks are not passing only because nothing was kept.

And the first view of each key page (nothing kept) costs the same number of queries with one
plan and with ten: no query per row."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app import cache
from app.models import Action, Indicator, Plan, Polarity, ProgressUpdate, ReportingPeriod, Service, UpdateState, User
from app.updates import service
from tests.test_updates import form_of, world  # noqa: F401  (the plan, the owner's update, an open quarter)


def kept_counts():
    return cache.results.hits, cache.results.misses


@pytest.fixture()
def readers(sign_in_as):
    return {who: sign_in_as(who) for who in ("owner", "hos", "ad", "admin")}


def pages(world):
    plan = world["plan"].id
    return {"plan": ("hos", f"/plans/{plan}"), "owner_home": ("owner", "/"), "hos_home": ("hos", "/"),
            "queue": ("hos", "/sign-off"), "dashboard": ("ad", "/dashboard"),
            "people": ("admin", "/people/")}


def read_all(readers, world) -> dict[str, str]:
    out = {}
    for name, (who, url) in pages(world).items():
        page = readers[who].get(url)
        assert page.status == 200, (name, page.status)
        out[name] = page.text()
    return out


def test_every_page_shows_a_saved_draft_a_submission_and_a_sign_off_at_once(db, world, readers):
    update = world["update"]
    url = f"/updates/{update.id}"
    read_all(readers, world)
    before = kept_counts()
    again = read_all(readers, world)
    assert kept_counts()[1] == before[1], "nothing changed: every page came from what was kept"
    assert "Waiting for your sign-off" not in again["hos_home"]

    # A saved draft (the second save of a draft writes no trail event) shows on the owner's page.
    owner = readers["owner"]
    assert owner.post(url, form_of(owner.get(url), narrative="Campaign designed", rag="amber",
                                   intent="save")).status == 302
    assert owner.post(url, form_of(owner.get(url), narrative="Campaign under way", rag="green",
                                   intent="save")).status == 302
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, update.id).narrative == "Campaign under way"

    # Submitted: the queue, the Head of Service's My tasks and the plan page show it.
    assert owner.post(url, form_of(owner.get(url), intent="submit")).status == 302
    now = read_all(readers, world)
    assert "Waiting for your sign-off (1)" in now["hos_home"]
    assert "Recruit foster carers" in now["queue"]
    assert "Submitted" in now["plan"]

    # Signed off: gone from the queue and My tasks; the plan and the dashboard show it.
    db.session.expire_all()
    version = db.session.get(ProgressUpdate, update.id).version
    assert readers["hos"].post(f"{url}/sign-off", {"version": version}).status == 302
    after = read_all(readers, world)
    assert "Waiting for your sign-off" not in after["hos_home"]
    assert "Recruit foster carers" not in after["queue"]
    assert "Signed off" in after["plan"]
    assert after["dashboard"] != now["dashboard"]
    assert after["owner_home"] != now["owner_home"]


def test_another_plans_change_keeps_this_plans_pages(db, world, readers, org, people):
    other = Plan(service=org["other_service"], title="Highways plan")
    db.session.add(Action(plan=other, reference="H1", title="Fill potholes", owner=people["nobody"]))
    db.session.commit()
    read_all(readers, world)
    hits, misses = kept_counts()
    action = db.session.scalar(sa.select(Action).where(Action.reference == "H1"))
    action.title = "Fill every pothole"
    db.session.commit()
    read_all(readers, world)
    assert kept_counts()[1] == misses, "a plan none of them reads changed: nothing was worked out again"
    assert kept_counts()[0] > hits


@pytest.mark.parametrize("change, page, expected", [
    ("action title", "plan", "Recruit and keep foster carers"),
    ("owner name", "plan", "Olu Owner-Smith"),
    ("service name", "dashboard", "Children's Social Care"),
    ("new action", "owner_home", "A3: Train foster carers"),
    ("owner name", "people", "Olu Owner-Smith"),
])
def test_each_kind_of_change_shows_at_once(db, world, readers, people, change, page, expected):
    before = read_all(readers, world)
    assert expected not in before[page]
    if change == "action title":
        db.session.get(Action, world["mine"].id).title = "Recruit and keep foster carers"
    elif change == "owner name":
        db.session.get(User, people["owner"].id).name = "Olu Owner-Smith"
    elif change == "service name":
        db.session.get(Service, world["plan"].service_id).name = "Children's Social Care"
    elif change == "new action":
        action = Action(plan_id=world["plan"].id, reference="A3", title="Train foster carers",
                        owner_id=people["owner"].id)
        db.session.add(action)
        db.session.flush()
        db.session.add(ProgressUpdate(action_id=action.id, period_id=world["period"].id, state=UpdateState.DRAFT))
    db.session.commit()
    assert expected in read_all(readers, world)[page]


def test_signing_in_again_keeps_everything(db, world, readers, sign_in_as):
    read_all(readers, world)
    misses = kept_counts()[1]
    sign_in_as("owner")  # a sign-in is on the trail, and changes nothing anyone's pages show
    read_all(readers, world)
    assert kept_counts()[1] == misses


# --- queries per page, with nothing kept, at two sizes ----------------------------------------

def _grow(db, org, people, plans: int):
    """`plans` more plans in the owner's service, each with 10 actions, an indicator and this
    quarter's updates, and 60 more people each, so that every key page has ten times as much."""
    from app.models import Role, RoleAssignment, ScopeKind

    period = db.session.scalar(sa.select(ReportingPeriod))
    start = db.session.scalar(sa.select(sa.func.count(User.id)))
    for n in range(plans * 60):
        person = User(email=f"person{start + n}@example.org", name=f"Person {start + n:05d}", session_token="x")
        db.session.add(person)
        db.session.add(RoleAssignment(user=person, role=Role.ACTION_OWNER, scope_kind=ScopeKind.SERVICE,
                                      service=org["service"]))
    for n in range(plans):
        plan = Plan(service=org["service"], title=f"Plan {n}")
        db.session.add(plan)
        for k in range(10):
            action = Action(plan=plan, reference=f"P{n}-{k}", title=f"Action {k}", owner=people["owner"])
            db.session.add(action)
            if period is not None:
                db.session.add(ProgressUpdate(action=action, period=period,
                                              state=UpdateState.SUBMITTED if k % 2 else UpdateState.DRAFT))
        db.session.add(Indicator(plan=plan, reference=f"I{n}", description="A measure", polarity=Polarity.UP_IS_GOOD,
                                 owner=people["owner"]))
    db.session.commit()


def _queries(app, client, url) -> int:
    from app.extensions import db

    seen = []

    def count(*args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_first_views_cost_the_same_queries_at_one_and_ten_times(app, db, world, readers, org, people, monkeypatch):
    monkeypatch.setitem(app.config, "CACHE_ENTRIES", 0)  # nothing kept: every view is a first view
    urls = pages(world)
    _grow(db, org, people, 1)  # something in every state, so that no page is merely empty
    small = {name: _queries(app, readers[who], url) for name, (who, url) in urls.items()}
    _grow(db, org, people, 9)
    large = {name: _queries(app, readers[who], url) for name, (who, url) in urls.items()}
    assert small == large
    assert max(large.values()) <= 12, large


def test_the_people_list_is_shown_a_page_at_a_time(db, org, people, sign_in_as):
    _grow(db, org, people, 1)  # 60 more people: 66 in all
    admin = sign_in_as("admin")
    first = admin.get("/people/")
    assert "66 people, page 1 of 2" in first.text()
    assert len(first.soup.select("tbody tr")) == 50
    second = admin.get("/people/?page=2")
    assert len(second.soup.select("tbody tr")) == 16 and "Page 2 of 2" in second.text()
    names = {a.get_text() for page in (first, second) for a in page.soup.select("tbody th a")}
    assert len(names) == 66  # everyone once, nobody twice
    searched = admin.get("/people/?q=person&page=2")
    assert "60 people, page 2 of 2" in searched.text()
    assert searched.soup.select_one(".govuk-pagination__prev a")["href"] == "/people/?page=1&q=person&show=active"
    assert admin.get("/people/?page=99").status == 200  # past the end: the last page
