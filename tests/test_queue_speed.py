"""The sign-off queue and My tasks read rows, not objects (issue 17): what they show is the same
as what the objects say, and the links are the addresses the routes give."""
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import url_for

from app.models import (Action, Indicator, IndicatorValue, Milestone, PeriodState, Plan, ProgressUpdate, Rag,
                        ReportingPeriod, Unit, UpdateState)


def _period(name, starts_on, days=90):
    return ReportingPeriod(name=name, starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
                           update_deadline=starts_on + timedelta(days=days + 7),
                           signoff_deadline=starts_on + timedelta(days=days + 14))


@pytest.fixture()
def history(db, org, people):
    """Submitted updates and values with earlier signed-off ones (or none), and later ones that
    do not count; milestones ticked, done already, and of another action."""
    owner, hos = people["owner"], people["hos"]
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    today = date.today()
    p1, p2 = _period("Q1 2025/26", today - timedelta(days=400)), _period("Q2 2025/26", today - timedelta(days=300))
    now, later = _period("Q3 2025/26", today - timedelta(days=100)), _period("Q4 2025/26", today + timedelta(days=50))
    now.state = PeriodState.OPEN
    a1 = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=owner, rag=Rag.RED)
    a2 = Action(plan=plan, reference="A2", title="Open a family hub", owner=None, rag=Rag.AMBER)
    a3 = Action(plan=plan, reference="A3", title="Review placements", owner=owner)
    a10, a9 = (Action(plan=plan, reference=ref, title=f"Action {ref}", owner=owner) for ref in ("A10", "A9"))
    m1, m2 = Milestone(action=a1, text="Advertise", position=1), Milestone(action=a1, text="Interview", position=2)
    m3, m4 = Milestone(action=a1, text="Already done", done=True, position=3), Milestone(action=a2, text="Other action")
    i1 = Indicator(plan=plan, reference="EFL3", description="Assessments in 45 days", unit=Unit.PERCENTAGE,
                   owner=owner, position=1)
    i2 = Indicator(plan=plan, reference=None, description="Carers approved", unit=Unit.COUNT, owner=owner, position=2)
    i3, i4 = (Indicator(plan=plan, reference=f"X{n}", description=f"Measure {n}", owner=owner, position=n)
              for n in (4, 3))
    db.session.add_all([plan, p1, p2, now, later, a1, a2, a3, a9, a10, m1, m2, m3, m4, i1, i2, i3, i4])
    db.session.flush()
    at = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)

    def update(action, period, state, rag=None, percent=None, milestones=None, minutes=0):
        return ProgressUpdate(action=action, period=period, state=state, rag=rag, percent_complete=percent,
                              milestones_done=json.dumps(milestones) if milestones is not None else None,
                              submitted_at=at + timedelta(minutes=minutes), submitted_by_id=owner.id)

    def value(indicator, period, state, amount, minutes=0):
        return IndicatorValue(indicator=indicator, period=period, state=state, value=amount,
                              submitted_at=at + timedelta(minutes=minutes), submitted_by_id=owner.id)

    S = UpdateState
    db.session.add_all([
        update(a1, p1, S.SIGNED_OFF, Rag.RED, 10), update(a1, p2, S.SIGNED_OFF, Rag.AMBER, 40),
        update(a1, now, S.SUBMITTED, Rag.GREEN, 60, [m1.id, m3.id, m4.id, m2.id], minutes=3),
        update(a2, now, S.SUBMITTED, Rag.COMPLETE, 100, [], minutes=1),
        update(a3, p1, S.SIGNED_OFF, Rag.GREEN, None), update(a3, p2, S.RETURNED, Rag.RED, 5),
        update(a3, now, S.SUBMITTED, None, None, minutes=2), update(a3, later, S.SIGNED_OFF, Rag.RED, 90),
        value(i1, p1, S.SIGNED_OFF, Decimal("55")), value(i1, p2, S.SIGNED_OFF, Decimal("72.5")),
        value(i1, now, S.SUBMITTED, Decimal("80"), minutes=5), value(i1, later, S.SIGNED_OFF, Decimal("1")),
        value(i2, now, S.SUBMITTED, Decimal("1234"), minutes=4),
        update(a10, now, S.DRAFT), update(a9, now, S.RETURNED), value(i3, now, S.DRAFT, None),
        value(i4, now, S.RETURNED, None), value(i4, later, S.DRAFT, None),
    ])
    db.session.commit()
    return dict(people, plan=plan, now=now)


def test_the_queue_rows_say_what_the_objects_say(app, db, history):
    from app.updates.effects import queue_effects, sign_off_effects
    from app.updates.queries import sign_off_queue

    hos = history["hos"]
    with app.test_request_context():
        updates, values = sign_off_queue(hos, effects=True)
        rows = queue_effects(updates, values)
        objs = list(db.session.scalars(sa.select(ProgressUpdate).where(ProgressUpdate.state == UpdateState.SUBMITTED)
                                       .order_by(ProgressUpdate.submitted_at)))
        objs += list(db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.state == UpdateState.SUBMITTED)
                                        .order_by(IndicatorValue.submitted_at)))
        expected = sign_off_effects(objs)
    assert [("update", u.id) for u in updates] + [("value", v.id) for v in values] == [
        ("update" if isinstance(o, ProgressUpdate) else "value", o.id) for o in objs]
    assert rows == expected
    by_ref = {u.reference: rows[("update", u.id)] for u in updates}
    assert (by_ref["A1"].rag_from, by_ref["A1"].percent_from, by_ref["A1"].since) == (Rag.AMBER, 40, "Q2 2025/26")
    assert by_ref["A1"].milestones == ["Advertise", "Interview"]
    assert (by_ref["A2"].rag_from, by_ref["A2"].since, by_ref["A2"].completes_action) == (Rag.AMBER, None, True)
    assert (by_ref["A3"].rag_from, by_ref["A3"].since) == (Rag.GREEN, "Q1 2025/26")
    assert [(rows[("value", v.id)].value_from, rows[("value", v.id)].since) for v in values] == [
        (None, None), (Decimal("72.5"), "Q2 2025/26")]


def test_the_queue_page_shows_each_item_with_its_link_and_changes(app, db, history, sign_in_as):
    page = sign_in_as("hos").get("/sign-off")
    text = page.text()
    assert "5 waiting" in text
    with app.test_request_context():
        ids = {u.action.reference: u.id for u in db.session.scalars(
            sa.select(ProgressUpdate).where(ProgressUpdate.state == UpdateState.SUBMITTED))}
        link = url_for("updates.queue_detail", kind="update", obj_id=ids["A1"])
    a1 = page.soup.find("a", string=lambda s: s and "A1: Recruit foster carers" in s)
    assert a1["href"] == link and a1["data-hx-get"] == link and a1["aria-controls"] == f"detail-update-{ids['A1']}"
    changes = a1.find_parent("tr").find_next_sibling("tr").get_text(" ", strip=True)
    assert "RAG status: Amber to Green" in changes and "Per cent complete: 40% to 60%" in changes
    assert "Milestones marked done (2): Advertise Interview" in changes
    assert "Compared with what was signed off for Q2 2025/26." in changes
    a2 = page.soup.find("a", string=lambda s: s and "A2: Open a family hub" in s).find_parent("tr")
    assert [td.get_text(" ", strip=True) for td in a2.find_all("td")][2:5] == ["", "Q3 2025/26", "Complete"]
    assert "Value: 72.5% to 80%" in text and "Value: none to 1,234" in text
    assert "Indicator: Carers approved" in text


def test_my_tasks_links_each_task_to_its_page(app, db, history, sign_in_as):
    hos = sign_in_as("hos").get("/")
    signing = hos.soup.select_one("[aria-label^='Waiting for your sign-off']")
    links = [a["href"] for a in signing.select("a")]
    with app.test_request_context():
        updates = db.session.scalars(sa.select(ProgressUpdate).where(ProgressUpdate.state == UpdateState.SUBMITTED)
                                     .order_by(ProgressUpdate.submitted_at)).all()
        values = db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.state == UpdateState.SUBMITTED)
                                    .order_by(IndicatorValue.submitted_at)).all()
        expected = [url_for("updates.queue_detail", kind="update", obj_id=u.id) for u in updates]
        expected += [url_for("updates.queue_detail", kind="value", obj_id=v.id) for v in values]
        mine = {(o.action.reference if isinstance(o, ProgressUpdate) else o.indicator.reference, o.period.name):
                url_for("updates.show", kind="update" if isinstance(o, ProgressUpdate) else "value", obj_id=o.id)
                for o in [*db.session.scalars(sa.select(ProgressUpdate)), *db.session.scalars(sa.select(IndicatorValue))]}
        quarter = url_for("updates.my_values", reporting_period_id=history["now"].id)
    assert links == expected
    # The owner's own: in open periods only; updates before values, each in the plan's order.
    owner = sign_in_as("owner").get("/")
    returned = [a["href"] for a in owner.soup.select_one("[aria-label^='Returned to you']").select("a")]
    due = [a["href"] for a in owner.soup.select_one("[aria-label^='Updates due']").select("a")]
    assert returned == [mine[("A9", "Q3 2025/26")], mine[("X3", "Q3 2025/26")]]
    assert due == [mine[("A10", "Q3 2025/26")], mine[("X4", "Q3 2025/26")]]
    assert [a["href"] for a in owner.soup.find_all("a", string=lambda s: s and "on one page" in s)] == [quarter]
    assert "Enter all your indicator values for Q3 2025/26 on one page" in owner.text()
