"""A Head of Service filters the demo plan to red actions owned by one officer."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Action, Plan, Rag

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo_plan(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    for reference in ("CSS003", "CSS006", "CSS005"):  # two of Jo Whitfield's, one of Hannah Pryce's
        db.session.scalar(sa.select(Action).where(Action.reference == reference)).rag = Rag.RED
    db.session.commit()
    return db.session.scalar(sa.select(Plan))


def sign_in(tab, email):
    page = tab.goto("/sign-in")
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("docket-demo-2019")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    tab.check()
    return page


def result_refs(page):
    return page.locator("#action-results tbody tr td:first-child a").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_head_of_service_filters_red_actions_of_one_officer(visit, demo_plan, javascript):
    tab = visit(javascript=javascript)
    page = sign_in(tab, "marcus.bell@docket.example")
    page.get_by_role("link", name="Plans").click()
    tab.check()
    page.get_by_role("link", name="Service Improvement Plan").click()
    expect(page.get_by_role("status")).to_contain_text("Showing 10 of 10 actions")
    tab.check()

    page.get_by_label("RAG status").select_option(label="Red")
    page.get_by_label("Accountable officer").select_option(
        label="Jo Whitfield (Assistant Director Children's Specialist Services)")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text("Showing 2 of 2 actions that match these filters")
    assert sorted(result_refs(page)) == ["CSS003", "CSS006"]
    # The address holds the filter, so the view can be bookmarked or shared.
    assert "rag=red" in page.url and "owner=" in page.url
    tab.check()

    if javascript:
        # Active search: typing narrows the results without pressing anything.
        page.get_by_label("Search actions").fill("placement")
        expect(page.get_by_role("status")).to_contain_text("Showing 1 of 1 action")
        assert result_refs(page) == ["CSS006"]
        assert "q=placement" in page.url
        tab.check()

    # The shared address opens the same filtered view.
    shared = visit(javascript=javascript)
    sign_in(shared, "marcus.bell@docket.example")
    shared.page.goto(page.url)
    assert sorted(result_refs(shared.page)) == sorted(result_refs(page))
    shared.check()
