"""Reporting periods per plan (issue 12): opening asks for confirmation and says what it will
make, opens for the plans chosen (and later for more), and a closed period takes no more
submissions."""
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    Indicator,
    IndicatorValue,
    PeriodState,
    Plan,
    ProgressUpdate,
    ReportingPeriod,
    TrailEvent,
    UpdateState,
)
from app.updates import opening, service


def count(db, model, **where):
    stmt = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def period_events(db, period):
    return db.session.scalars(sa.select(TrailEvent).where(
        TrailEvent.object_type == "reporting_period", TrailEvent.object_id == period.id).order_by(TrailEvent.seq)).all()


@pytest.fixture()
def two_plans(db, org, people, make_user):
    """An annual business plan (2 actions, 1 indicator, 2 owners) and a quarterly improvement
    plan (3 actions, 2 indicators, 1 owner), and a planned quarter."""
    other = make_user("other@example.org", "Otto Other")
    business = Plan(service=org["service"], title="Business Plan", period_label="2019/20")
    improvement = Plan(service=org["other_service"], title="Improvement Plan", period_label="2019/20")
    rows = [Action(plan=business, reference="B1", title="One", owner=people["owner"]),
            Action(plan=business, reference="B2", title="Two", owner=other),
            Indicator(plan=business, reference="BI1", description="Count", owner=people["owner"])]
    rows += [Action(plan=improvement, reference=f"I{n}", title=f"Action {n}", owner=people["hos"]) for n in range(3)]
    rows += [Indicator(plan=improvement, reference=f"II{n}", description="Rate", owner=people["hos"]) for n in range(2)]
    today = date.today()
    period = ReportingPeriod(name="Q1 2019/20", starts_on=today - timedelta(days=80), ends_on=today + timedelta(days=10),
                             update_deadline=today + timedelta(days=20), signoff_deadline=today + timedelta(days=30))
    db.session.add_all([business, improvement, period, *rows])
    db.session.commit()
    return dict(business=business, improvement=improvement, period=period, other=other)


def test_the_confirmation_page_lists_live_plans_ticked_with_what_opening_makes(db, people, sign_in_as, two_plans):
    period = two_plans["period"]
    admin = sign_in_as("admin")
    periods = admin.get("/periods/")
    assert periods.soup.find("a", href=f"/periods/{period.id}/open") is not None
    page = admin.get(f"/periods/{period.id}/open")
    assert page.status == 200 and page.h1 == "Open Q1 2019/20"
    assert "This will create 5 draft updates and 3 indicator values for 3 owners" in page.text()
    boxes = page.soup.select("input[name=plan_ids]")
    assert sorted(int(b["value"]) for b in boxes) == sorted([two_plans["business"].id, two_plans["improvement"].id])
    assert all(b.has_attr("checked") for b in boxes)
    assert count(db, ProgressUpdate) == 0 and period.state == PeriodState.PLANNED  # a GET makes nothing


def test_opening_for_one_plan_makes_its_drafts_only_then_more_plans_later(db, people, sign_in_as, two_plans):
    period, business, improvement = two_plans["period"], two_plans["business"], two_plans["improvement"]
    admin = sign_in_as("admin")
    page = admin.get(f"/periods/{period.id}/open")
    row = page.soup.find("label", string=re.compile("Business Plan")).find_parent("tr")
    shown = [td.get_text(strip=True) for td in row.select("td")[2:]]
    assert shown == ["2", "1", "2"]  # draft updates, indicator values, owners

    done = admin.post(f"/periods/{period.id}/open", {"choosing_plans": "1", "plan_ids": [str(business.id)]},
                      token_from=f"/periods/{period.id}/open")
    assert done.status == 302
    db.session.expire_all()
    period = db.session.get(ReportingPeriod, period.id)
    assert period.state == PeriodState.OPEN and [p.title for p in period.plans] == ["Business Plan"]
    assert count(db, ProgressUpdate) == 2 and count(db, IndicatorValue) == 1  # as the page said
    assert {u.action.plan_id for u in db.session.scalars(sa.select(ProgressUpdate))} == {business.id}
    [event] = period_events(db, period)[-1:]
    assert event.verb == "period_opened"
    assert json.loads(event.data) == {"updates": 2, "values": 1, "owners": 2, "plans": ["Business Plan 2019/20"]}
    assert "Q1 2019/20 is open: 2 draft updates and 1 indicator values" in admin.get("/periods/").text()

    # Later, for the improvement plan: only its drafts are made.
    later = admin.get(f"/periods/{period.id}/open")
    assert later.h1 == "Open Q1 2019/20 for more plans"
    assert "Already open for: Business Plan 2019/20" in later.text()
    assert "This will create 3 draft updates and 2 indicator values for 1 owner" in later.text()
    assert [int(b["value"]) for b in later.soup.select("input[name=plan_ids]")] == [improvement.id]
    more = admin.post(f"/periods/{period.id}/open", {"choosing_plans": "1", "plan_ids": [str(improvement.id)]},
                      token_from=f"/periods/{period.id}/open")
    assert more.status == 302
    assert count(db, ProgressUpdate) == 5 and count(db, IndicatorValue) == 3
    assert period_events(db, period)[-1].verb == "period_opened_for_more_plans"
    # The same form again (a double click) makes nothing more.
    again = admin.post(f"/periods/{period.id}/open", {"choosing_plans": "1", "plan_ids": [str(improvement.id)]},
                       token_from=f"/periods/{period.id}/open")
    assert again.status in (400, 409)
    assert count(db, ProgressUpdate) == 5 and count(db, IndicatorValue) == 3


def test_choosing_no_plan_is_refused_beside_the_list(db, people, sign_in_as, two_plans):
    period = two_plans["period"]
    page = sign_in_as("admin").post(f"/periods/{period.id}/open", {"choosing_plans": "1"},
                                    token_from=f"/periods/{period.id}/open")
    assert page.status == 400
    assert "Choose at least one plan to open Q1 2019/20 for" in page.text()
    assert count(db, ProgressUpdate) == 0
    assert db.session.get(ReportingPeriod, period.id).state == PeriodState.PLANNED


def test_open_period_without_plans_opens_for_every_live_plan_as_before(db, people, two_plans):
    counts = service.open_period(two_plans["period"], people["admin"])
    assert counts == {"updates": 5, "values": 3}
    assert len(two_plans["period"].plans) == 2
    with pytest.raises(service.TransitionError, match="Q1 2019/20 is already open. Ada Admin opened it on"):
        service.open_period(two_plans["period"], people["admin"])


def test_a_closed_period_refuses_submissions_and_keeps_late_work(db, people, sign_in_as, two_plans):
    period = two_plans["period"]
    service.open_period(period, people["admin"], [two_plans["business"]])
    update = db.session.scalar(sa.select(ProgressUpdate).join(Action).where(Action.owner_id == people["owner"].id))
    admin = sign_in_as("admin")
    confirm = admin.get(f"/periods/{period.id}/close")
    assert confirm.status == 200 and confirm.h1 == "Close Q1 2019/20"
    assert "2 updates and 1 indicator value have not been submitted" in confirm.text()
    closed = admin.post(f"/periods/{period.id}/close", {}, token_from=f"/periods/{period.id}/close")
    assert closed.status == 302
    db.session.expire_all()
    assert db.session.get(ReportingPeriod, period.id).state == PeriodState.CLOSED
    event = period_events(db, period)[-1]
    assert (event.verb, event.from_state, event.to_state) == ("period_closed", "open", "closed")
    assert json.loads(event.data) == {"not submitted": {"updates": 2, "values": 1}}
    twice = admin.post(f"/periods/{period.id}/close", {}, token_from="/periods/")
    assert twice.status == 409 and "Ada Admin closed it on" in twice.text()

    owner = sign_in_as("owner")
    page = owner.post(f"/updates/{update.id}", {"version": str(update.version), "narrative": "Late words",
                                               "rag": "green", "percent_complete": "50", "intent": "submit"},
                      token_from=f"/updates/{update.id}")
    assert page.status == 409
    assert "Q1 2019/20 is closed: updates and indicator values for it can no longer be saved or submitted" in page.text()
    db.session.expire_all()
    update = db.session.get(ProgressUpdate, update.id)
    assert update.state == UpdateState.DRAFT and update.narrative is None  # still there, still late
    with pytest.raises(service.TransitionError, match="Q1 2019/20 is closed"):
        service.save_draft(update, {"narrative": "x"}, update.version, people["owner"])
    db.session.rollback()
    # A closed period opens for nothing more.
    assert "is closed, so it cannot be opened for any more plans" in admin.get(f"/periods/{period.id}/open").text()
    with pytest.raises(service.TransitionError, match="is closed"):
        service.open_period(db.session.get(ReportingPeriod, period.id), people["admin"], [two_plans["improvement"]])
    assert count(db, ProgressUpdate) == 2


def test_only_administrators_open_and_close_periods(db, people, sign_in_as, two_plans):
    period = two_plans["period"]
    for who in ("hos", "ad", "owner", "clerk"):
        person = sign_in_as(who)
        for url in (f"/periods/{period.id}/open", f"/periods/{period.id}/close"):
            assert person.get(url).status == 403
            assert person.post(url, {"choosing_plans": "1"}).status == 403
    assert count(db, ProgressUpdate) == 0


def test_preview_counts_match_what_open_period_makes(db, people, two_plans):
    pv = opening.preview(two_plans["period"])
    chosen = {two_plans["improvement"].id}
    expected = pv.totals(chosen)
    counts = service.open_period(two_plans["period"], people["admin"], [two_plans["improvement"]])
    assert (expected["updates"], expected["values"]) == (counts["updates"], counts["values"]) == (3, 2)
