"""The Head of Service works through the sign-off queue: reads an update, signs it off where
it is, and the next one opens (in place with JavaScript, with the focus on it; as its own page
without); returns one with a comment; then ticks all that are left and signs them off."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import (Action, Indicator, IndicatorValue, Plan, Polarity, ProgressUpdate, Rag, ReportingPeriod,
                        UpdateState)
from app.updates import service
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def waiting(db, org, people):
    owner = people["owner"]
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    actions = [Action(plan=plan, reference=f"A{n}", title=f"Action number {n}", owner=owner) for n in (1, 2, 3)]
    indicator = Indicator(plan=plan, reference="EFL3", description="Assessments in 45 days",
                          polarity=Polarity.UP_IS_GOOD, target=80, owner=owner)
    today = date.today()
    period = ReportingPeriod(name="Q2 2026/27", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, *actions, indicator, period])
    db.session.commit()
    service.open_period(period, people["admin"])
    updates = db.session.scalars(sa.select(ProgressUpdate).join(Action).order_by(Action.reference)).all()
    for u in updates:
        service.submit(u, {"narrative": f"Progress on {u.action.reference}", "rag": Rag.GREEN}, u.version, owner)
    value = db.session.scalar(sa.select(IndicatorValue))
    service.submit(value, {"value": Decimal("85")}, value.version, owner)
    return [u.id for u in updates], value.id


def states(db, ids):
    db.session.expire_all()
    return [db.session.get(ProgressUpdate, i).state for i in ids]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_head_of_service_signs_off_in_the_queue_and_moves_to_the_next(visit, db, people, waiting, javascript):
    (a1, a2, a3), value_id = waiting
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    page.get_by_label("Email address").fill(people["hos"].email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    page.get_by_role("link", name="Sign-off", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-off")
    tab.check()

    # Read the first update and sign it off where it is; the next one opens.
    page.get_by_role("link", name="A1: Action number 1").click()
    if javascript:
        expect(page.locator(f"#detail-update-{a1}")).to_contain_text("Progress on A1")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("A1: Action number 1")
        expect(page.locator("main")).to_contain_text("Sign-off: 1 of 4 waiting")
    tab.check()
    page.get_by_role("button", name="Sign off A1: Action number 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Signed off A1 Q2 2026/27")
    if javascript:
        expect(page.locator(f"#opened-update-{a2}")).to_be_focused()  # the next one, open, with the focus
        expect(page.locator(f"#detail-update-{a2}")).to_contain_text("Progress on A2")
        assert page.url.endswith("/sign-off")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text("A2: Action number 2")
    tab.check()

    # Return the next with a comment (required); the one after opens.
    page.get_by_role("button", name="Return A2: Action number 2 to owner").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a comment saying what the owner needs to change")
    tab.check()
    page.get_by_label("Comment for the owner, to return it").fill("Say what the panel decided.")
    page.get_by_role("button", name="Return A2: Action number 2 to owner").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Returned to the owner with your comment")
    expect(page.get_by_role("heading", name="A3: Action number 3")).to_be_visible()
    assert states(db, [a1, a2, a3]) == [UpdateState.SIGNED_OFF, UpdateState.RETURNED, UpdateState.SUBMITTED]

    # Tick all that are left, and sign them off together.
    page.goto("/sign-off")
    page.get_by_role("link", name="Tick all 2").click()
    expect(page.get_by_role("link", name="Clear the ticks")).to_be_visible()
    boxes = page.locator("input[name=selected]")
    expect(boxes).to_have_count(2)
    for i in range(2):
        expect(boxes.nth(i)).to_be_checked()
    tab.check()
    page.get_by_role("button", name="Sign off selected").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Signed off 2")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for your sign-off")
    tab.check()
    assert states(db, [a3]) == [UpdateState.SIGNED_OFF]
    db.session.expire_all()
    assert db.session.get(IndicatorValue, value_id).state == UpdateState.SIGNED_OFF
