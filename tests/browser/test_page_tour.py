"""Every main page, as the person who uses it, through `Visit.check()`: axe, target size, the Nu
HTML Checker and reflow at 320 CSS px. The journeys check the pages they pass through; this
tour reaches the rest (the people, the trail, the periods, every plan editing form, the
dashboard, the work plan, the sign-off queue, a compiled report...)."""
import pytest
import sqlalchemy as sa

from app.models import Action, Committee, Indicator, Meeting, Milestone, Plan, PriorityTheme, ProgressUpdate, \
    ReportingPeriod, Risk, User

pytestmark = pytest.mark.browser

ADMIN, HOS, AD, CLERK = ("admin@docket.example", "marcus.bell@docket.example", "jo.whitfield@docket.example",
                         "nadia.holt@docket.example")


@pytest.fixture()
def quarter(db):
    """The demo council with an approved Q1 report, and Q2 open with three updates submitted."""
    from app.updates.service import open_period, submit
    from tests.test_meetings import approved_report

    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    report = approved_report(db)
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
    open_period(db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q2 2019/20")), admin)
    drafts = db.session.scalars(sa.select(ProgressUpdate).where(ProgressUpdate.state == "draft")
                                .order_by(ProgressUpdate.id)).all()[:3]
    for update in drafts:
        submit(update, {"narrative": "Going well.", "rag": "green", "percent_complete": 50}, update.version,
               update.action.owner)
    first = lambda model: db.session.scalar(sa.select(model).order_by(model.id))  # noqa: E731
    return dict(report=report.id, update=drafts[0].id, plan=first(Plan).id, action=first(Action).id,
                theme=first(PriorityTheme).id, milestone=first(Milestone).id, risk=first(Risk).id,
                indicator=first(Indicator).id, committee=first(Committee).id,
                meeting=db.session.scalar(sa.select(Meeting).order_by(Meeting.meets_on)).id)


def tour(visit, email, paths):
    from tests.browser.test_update_journey import sign_in

    tab, page = sign_in(visit, email, True)
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        tab.check()


def test_the_administrators_pages(visit, quarter):
    q = quarter
    tour(visit, ADMIN, ["/people/", "/trail/", "/trail/?object_type=action&object_ref=CSS005", "/plans/", f"/plans/{q['plan']}", f"/actions/{q['action']}",
                        f"/plans/{q['plan']}/edit", f"/plans/{q['plan']}/themes/new", f"/themes/{q['theme']}/edit",
                        f"/plans/{q['plan']}/actions/new", f"/actions/{q['action']}/edit",
                        f"/actions/{q['action']}/milestones/new", f"/milestones/{q['milestone']}/edit",
                        f"/plans/{q['plan']}/risks/new", f"/risks/{q['risk']}/edit",
                        f"/plans/{q['plan']}/indicators/new", f"/indicators/{q['indicator']}/edit",
                        f"/plans/{q['plan']}/import", "/periods/", "/periods/new", "/notifications/",
                        "/notifications/outbox", "/people/new", "/people/import", "/account/password", "/admin/", "/admin/organisation", "/admin/committees",
                        "/plans/new", f"/plans/{q['plan']}/roll-over", f"/plans/{q['plan']}/archive"])


def test_the_head_of_services_pages(visit, quarter):
    q = quarter
    tour(visit, HOS, ["/sign-off", f"/sign-off/update/{q['update']}", "/delegation", "/reports/", "/reports/new",
                      "/reports/papers/new", "/reports/papers/upload",
                      f"/reports/{q['report']}", f"/reports/{q['report']}/edit", f"/reports/{q['report']}/compare",
                      "/dashboard", "/indicators/without-owner"])


def test_the_clerks_pages(visit, quarter):
    q = quarter
    tour(visit, CLERK, ["/committees/", f"/committees/{q['committee']}", f"/committees/{q['committee']}/edit",
                        f"/committees/{q['committee']}/meetings/new",
                        f"/committees/{q['committee']}/work-plan?year=2019-20", "/meetings/",
                        f"/meetings/{q['meeting']}", f"/meetings/{q['meeting']}/agenda", "/reports/",
                        f"/meetings/{q['meeting']}/papers",
                        f"/meetings/{q['meeting']}/edit", f"/meetings/{q['meeting']}/cancel",  # issue 14: clerk's tools
                        "/public/", f"/public/committees/{q['committee']}", "/public/calendar"])


def test_the_owners_pages(visit, quarter, db):
    """The owner's quarter (issue 16): all of an owner's values on one page, and one value's page."""
    from app.models import IndicatorValue

    owner = db.session.scalar(sa.select(User).where(User.email == "health.check@docket.example"))
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q2 2019/20"))
    value = db.session.scalar(sa.select(IndicatorValue).join(Indicator).where(
        IndicatorValue.period_id == period.id, Indicator.owner_id == owner.id).order_by(IndicatorValue.id))
    tour(visit, owner.email, [f"/periods/{period.id}/my-values", f"/indicator-values/{value.id}"])
