"""WCAG 2.2 target size (2.5.8): the agenda builder's and the work plan's small buttons (Move,
Link, Remove) are at least 24 by 24 CSS px (the work plan's Remove buttons were 21 px high)."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Committee, Meeting
from tests.browser.test_update_journey import sign_in

pytestmark = pytest.mark.browser

CLERK = "nadia.holt@docket.example"


@pytest.fixture()
def demo(db):
    from app.demo.loader import load_demo
    from app.meetings import service
    from app.models import User

    load_demo(year=2019, activity=False)
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))
    clerk = db.session.scalar(sa.select(User).where(User.email == CLERK))
    service.start_agenda(meeting, clerk)
    service.add_other_item(meeting, "Cultural Entitlement for Young People", None, clerk)
    return meeting


def _buttons(page, names: tuple[str, ...]) -> list[tuple[str, float, float]]:
    """(name, width, height) of every button in the main content whose text starts with one of `names`."""
    return page.evaluate("""(names) => [...document.querySelectorAll('main button')]
        .filter(b => names.some(n => b.innerText.trim().startsWith(n)))
        .map(b => { const r = b.getBoundingClientRect(); return [b.innerText.trim(), r.width, r.height]; })""",
                         list(names))


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_agenda_and_work_plan_buttons_are_at_least_24_px(visit, db, demo, javascript):
    tab, page = sign_in(visit, CLERK, javascript)
    committee = db.session.scalar(sa.select(Committee))
    for url, names in ((f"/meetings/{demo.id}/agenda", ("Move up", "Move down", "Remove")),
                       (f"/committees/{committee.id}/work-plan?year=2019-20", ("Move", "Link", "Remove"))):
        page.goto(url)
        # The work plan keeps each row's buttons behind its "Change": open them all to measure them.
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        tab.check()  # axe, vnu, reflow, and no small target crowding another
        buttons = _buttons(page, names)
        assert any(name.startswith("Remove") for name, _, _ in buttons), url
        small = [b for b in buttons if b[1] < 24 or b[2] < 24]
        assert not small, f"{url}: buttons smaller than 24 by 24 CSS px: {small[:5]}"
