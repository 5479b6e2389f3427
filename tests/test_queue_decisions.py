"""The Head of Service decides in the sign-off queue: sign off or return each item where it is
read (its own page without JavaScript, in place with htmx), the next one opens, several are
ticked at once; indicators with no owner are listed and given one."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import (Action, Indicator, IndicatorValue, Plan, PlanStatus, Polarity, ProgressUpdate, Rag,
                        ReportingPeriod, TrailEvent, UpdateState)
from app.updates import service

HX = {"HX-Request": "true"}


@pytest.fixture()
def queue(db, org, people):
    """Three submitted updates and one submitted value in the Head of Service's service, and an
    indicator nobody owns."""
    owner = people["owner"]
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    actions = [Action(plan=plan, reference=f"A{n}", title=f"Action number {n}", owner=owner) for n in (1, 2, 3)]
    owned = Indicator(plan=plan, reference="EFL3", description="Assessments in 45 days", polarity=Polarity.UP_IS_GOOD,
                      target=80, owner=owner, position=1)
    orphan = Indicator(plan=plan, reference="EFL9", description="Children in care per 10,000", position=2)
    today = date.today()
    period = ReportingPeriod(name="Q2 2026/27", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, *actions, owned, orphan, period])
    db.session.commit()
    service.open_period(period, people["admin"])
    updates = db.session.scalars(sa.select(ProgressUpdate).join(Action).order_by(Action.reference)).all()
    for update in updates:
        service.submit(update, {"narrative": f"Progress on {update.action.reference}", "rag": Rag.GREEN},
                       update.version, owner)
    value = db.session.scalar(sa.select(IndicatorValue).where(IndicatorValue.indicator_id == owned.id))
    service.submit(value, {"value": Decimal("85")}, value.version, owner)
    return dict(people, plan=plan, updates=updates, value=value, orphan=orphan, period=period)


def state(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id).state


def test_each_item_has_its_own_page_with_the_decision(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    first = queue["updates"][0]
    page = hos.get(f"/sign-off/update/{first.id}")
    assert page.status == 200
    assert page.h1 == "A1: Action number 1"
    assert "Sign-off: 1 of 4 waiting" in page.text()
    assert "Progress on A1" in page.text()
    assert page.soup.select_one(f"#sign-off-update-{first.id}") is not None
    assert page.soup.select_one(f"#comment-update-{first.id}") is not None
    # The queue's link goes to this page; htmx asks the same address for the item in place.
    listing = hos.get("/sign-off")
    link = listing.soup.find("a", string=lambda s: s and "A1: Action number 1" in s)
    assert link["href"] == f"/sign-off/update/{first.id}" and link["data-hx-get"] == link["href"]
    # So does My tasks: the Head of Service decides there, and moves on to the next.
    home = hos.get("/").soup.select_one("[aria-label^='Waiting for your sign-off']")
    assert home.find("a")["href"] == f"/sign-off/update/{first.id}"


def test_signing_off_without_javascript_opens_the_next(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    first, second = queue["updates"][0], queue["updates"][1]
    page_url = f"/sign-off/update/{first.id}"
    page = hos.get(page_url)
    form = page.soup.select_one(f"#sign-off-update-{first.id}").find_parent("form")
    assert form["action"] == page_url  # posts to the page's own address, naming its action
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    answer = hos.post(page_url, data)
    assert answer.status == 302 and answer.response.location == f"/sign-off/update/{second.id}"
    nxt = hos.get(answer.response.location)
    assert "Signed off A1 Q2 2026/27" in nxt.text()
    assert nxt.h1 == "A2: Action number 2" and "1 of 3 waiting" in nxt.text()
    assert state(db, first) == UpdateState.SIGNED_OFF
    verbs = db.session.scalars(sa.select(TrailEvent.verb).where(TrailEvent.object_type == "progress_update",
                                                                TrailEvent.object_id == first.id)
                               .order_by(TrailEvent.seq)).all()
    assert verbs[-1] == "update_signed_off"


def test_returning_needs_a_comment_then_opens_the_next(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    second, third = queue["updates"][1], queue["updates"][2]
    url = f"/sign-off/update/{second.id}"
    version = db.session.get(ProgressUpdate, second.id).version
    refused = hos.post(f"{url}/return", {"version": version, "comment": "  "})
    assert refused.status == 400
    assert refused.error_summary() == ["Enter a comment saying what the owner needs to change"]
    assert refused.field_error(f"comment-update-{second.id}") == "Enter a comment saying what the owner needs to change"
    assert state(db, second) == UpdateState.SUBMITTED
    done = hos.post(f"{url}/return", {"version": version, "comment": "Say what the panel decided"})
    assert done.status == 302 and done.response.location == f"/sign-off/update/{third.id}"
    db.session.expire_all()
    returned = db.session.get(ProgressUpdate, second.id)
    assert returned.state == UpdateState.RETURNED and returned.return_comment == "Say what the panel decided"


def test_a_stale_decision_is_refused_plainly(db, queue, sign_in_as, make_user):
    hos = sign_in_as("hos")
    first = queue["updates"][0]
    version = db.session.get(ProgressUpdate, first.id).version
    assert hos.post(f"/sign-off/update/{first.id}/sign-off", {"version": version}).status == 302
    again = hos.post(f"/sign-off/update/{first.id}/sign-off", {"version": version})  # the double-click
    assert again.status == 409
    assert "This could not be done" in again.text()
    assert "no longer waiting for sign-off" in again.text()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent).where(
        TrailEvent.object_type == "progress_update", TrailEvent.object_id == first.id,
        TrailEvent.verb == "update_signed_off"))
    assert events == 1


def test_with_htmx_the_queue_comes_back_with_the_next_opened(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    first, second = queue["updates"][0], queue["updates"][1]
    opened = hos.c.get(f"/sign-off/update/{first.id}", headers=HX)
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and "<html" not in html
    assert f'data-hx-post="/sign-off/update/{first.id}/sign-off"' in html and 'data-hx-target="#queue"' in html
    token = hos.csrf_token("/sign-off")
    version = db.session.get(ProgressUpdate, first.id).version
    answer = hos.c.post(f"/sign-off/update/{first.id}/sign-off", data={"version": version, "csrf_token": token},
                        headers=HX)
    assert answer.status_code == 200
    from bs4 import BeautifulSoup

    region = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert region.select_one("div#queue") is not None and region.find("html") is None
    assert "Signed off A1 Q2 2026/27." in region.get_text(" ", strip=True)
    heading = region.select_one(f"#opened-update-{second.id}")
    assert heading is not None and heading.has_attr("autofocus")  # the next one is open, with the focus
    assert region.select_one(f"#sign-off-update-{second.id}") is not None
    assert region.select_one(f"#select-update-{first.id}") is None  # the one signed off has left the queue


def test_the_last_decision_says_nothing_is_waiting(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    for obj in queue["updates"][:3]:
        service.sign_off(db.session.get(ProgressUpdate, obj.id), db.session.get(ProgressUpdate, obj.id).version,
                         queue["hos"])
    value = db.session.get(IndicatorValue, queue["value"].id)
    answer = hos.post(f"/sign-off/value/{value.id}/sign-off", {"version": value.version})
    assert answer.response.location == "/sign-off"
    page = hos.get("/sign-off")
    assert "Signed off indicator EFL3 Q2 2026/27" in page.text()
    assert "Nothing is waiting for your sign-off" in page.text()


def test_tick_all_without_javascript_then_sign_off_selected(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    page = hos.get("/sign-off")
    assert not page.soup.select("input[name=selected][checked]")
    tick_all = page.soup.select_one("#queue-select-all")
    assert tick_all.get_text(strip=True) == "Tick all 4" and tick_all["href"] == "/sign-off?select=all"
    ticked = hos.get("/sign-off?select=all")
    boxes = ticked.soup.select("input[name=selected]")
    assert len(boxes) == 4 and all(b.has_attr("checked") for b in boxes)
    assert all(b["form"] == "bulk-sign-off" for b in boxes)
    assert ticked.soup.select_one("#queue-select-all").get_text(strip=True) == "Clear the ticks"
    done = hos.post("/sign-off", {"selected": [b["value"] for b in boxes]}, follow=True)
    assert "Signed off 4" in done.text()
    assert all(state(db, u) == UpdateState.SIGNED_OFF for u in queue["updates"])


def test_an_item_opened_in_the_queue_is_not_inside_the_bulk_form(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    page = hos.get("/sign-off")
    bulk = page.soup.select_one("form#bulk-sign-off")
    assert bulk is not None and not bulk.select("table")  # the tables sit outside it: no forms in forms


def test_indicators_with_no_owner_are_listed_and_given_one(db, queue, sign_in_as):
    hos = sign_in_as("hos")
    orphan = queue["orphan"]
    notice = hos.get("/sign-off")
    assert "1 indicator in your services has no owner" in notice.text()
    home = hos.get("/")
    assert "Indicators with no owner (1)" in home.text()
    page = hos.get("/indicators/without-owner")
    assert page.h1 == "Indicators with no owner"
    assert "EFL9: Children in care per 10,000" in page.text()
    form = page.soup.select_one(f"#owner-{orphan.id}").find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    refused = hos.post("/indicators/without-owner", dict(data, owner_id=""))
    assert refused.status == 400
    assert refused.field_error(f"owner-{orphan.id}") == "Choose the person who will own this indicator"
    done = hos.post("/indicators/without-owner", dict(data, owner_id=str(queue["owner"].id)), follow=True)
    assert "Olu Owner now owns EFL9" in done.text()
    assert "Every indicator in your services has an owner" in done.text()
    db.session.expire_all()
    assert db.session.get(Indicator, orphan.id).owner_id == queue["owner"].id
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "indicator_owner_named"))
    assert event.object_id == orphan.id and json.loads(event.data)["changes"] == {"Owner": [None, "Olu Owner"]}
    # The owner now has the value to write.
    owner = sign_in_as("owner")
    assert "EFL9" in owner.get("/").text()
    # Sent again (a second tab), it is refused: the indicator has an owner now.
    again = hos.post("/indicators/without-owner", dict(data, owner_id=str(queue["hos"].id)))
    assert again.status == 409


def test_only_the_services_heads_name_owners(db, queue, sign_in_as, org, make_user):
    from app.models import Role, ScopeKind

    make_user("other.head@example.org", "Otto Head", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE, org["other_service"])
    other = sign_in_as("owner")
    orphan = queue["orphan"]
    assert other.post(f"/indicators/{orphan.id}/owner", {"owner_id": "1", "version": "1"},
                      token_from="/").status == 403
    assert other.get("/indicators/without-owner").status == 403
    # An archived plan's indicators are not listed (nobody reports on them).
    plan = db.session.get(Plan, queue["plan"].id)
    plan.status = PlanStatus.ARCHIVED
    db.session.commit()
    assert "Every indicator in your services has an owner" in sign_in_as("hos").get("/indicators/without-owner").text()
