"""Issue 16, done when: an owner enters and submits all their indicator values on one page,
with JavaScript on and off, a unit typed ("61.5%", "£1.9m"), and an off-target fall judged
against the plan's previous yearly result (2015/16: 75.6%) needing a commentary."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import IndicatorValue, UpdateState
from tests.conftest import TEST_PASSWORD
from tests.test_owner_quarter import quarter  # noqa: F401  the plan, indicators and open Q1

pytestmark = pytest.mark.browser


def sign_in(visit, email, javascript):
    tab = visit(javascript=javascript)
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return tab, page


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_an_owner_enters_and_submits_all_their_values_on_one_page(visit, db, quarter, javascript):  # noqa: F811
    tab, owner = sign_in(visit, "owner@example.org", javascript)
    owner.get_by_role("link", name="Enter all your indicator values for Q1 2019/20 on one page").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Your indicator values, Q1 2019/20")
    tab.check()
    efl3 = owner.locator(f"#v{quarter['values']['EFL3'].id}-judge")
    fin1 = owner.locator(f"#v{quarter['values']['FIN1'].id}-judge")

    owner.get_by_label("Value for this period, EFL3").fill("61.5%")
    owner.get_by_label("Value for this period, FIN1").fill("£1.9m")
    owner.get_by_label("Value for this period, CIN1").fill("1,234")
    if javascript:  # judged as they type: on target (60%), but a fall from 75.6% in 2015/16
        expect(efl3.locator("[data-judge-rag]")).to_have_text("Green")
        expect(efl3.locator("[data-judge-direction]")).to_have_text("Bad")
        expect(fin1.locator("[data-judge-rag]")).to_have_text("Green")
        tab.check()
    owner.get_by_role("button", name="Submit all for sign-off").click()
    expect(owner.locator(".govuk-error-summary")).to_contain_text(
        "EFL3: Enter a commentary: the value is worse than the 2015/16 result (75.6%)")
    expect(efl3).to_contain_text("Direction of travel against the 2015/16 result (75.6%): Bad")
    expect(owner.get_by_label("Value for this period, FIN1")).to_have_value("£1.9m")  # nothing typed is lost
    tab.check()

    owner.get_by_label("Commentary, EFL3").fill("Two long-term sicknesses in the assessment team.")
    owner.get_by_role("button", name="Submit all for sign-off").click()
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Submitted 3 indicator values for sign-off")
    expect(owner.locator("main")).to_contain_text("3 indicator values: 3 submitted")
    expect(owner.locator("main")).to_contain_text("Value: £1,900,000")
    tab.check()
    db.session.expire_all()
    stored = {v.indicator.reference: (v.state, v.value) for v in db.session.scalars(sa.select(IndicatorValue).where(
        IndicatorValue.period_id == quarter["q1"].id))}
    assert stored == {"EFL3": (UpdateState.SUBMITTED, 61.5), "FIN1": (UpdateState.SUBMITTED, 1_900_000),
                      "CIN1": (UpdateState.SUBMITTED, 1234)}
