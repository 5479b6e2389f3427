"""The address bar after a refused POST (app/htmx.py): without JavaScript a page's forms post to
the page's own address, naming their action; with htmx a refusal says to leave the address
alone. The browser tests (tests/browser/test_htmx_errors.py) check what a person sees."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import AgendaItem, AgendaPack, Meeting, TrailEvent


@pytest.fixture()
def meeting(db, org):
    m = Meeting(committee_id=org["committee"].id, meets_on=date(2019, 9, 24), municipal_year="2019-20")
    db.session.add(m)
    db.session.commit()
    return m


def _version(db, meeting) -> int:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id).version


def _start(db, clerk, meeting):
    agenda = f"/meetings/{meeting.id}/agenda"
    page = clerk.post(agenda, {"docket_action": f"{agenda}/start", "version": _version(db, meeting)})
    assert page.status == 303, page.text()[:300]
    return agenda


def test_a_refused_publish_without_javascript_is_shown_at_the_agenda_address(db, people, sign_in_as, meeting):
    clerk = sign_in_as("clerk")
    agenda = _start(db, clerk, meeting)
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting.id)) == 5

    page = clerk.post(agenda, {"docket_action": f"/meetings/{meeting.id}/publish", "version": _version(db, meeting),
                               "late_reason": "  "})

    assert page.status == 400
    assert page.response.request.path == agenda  # the address bar shows the agenda, not /publish
    assert page.h1 == "Build the agenda"
    assert "Give the reason it is late" in page.field_error("late_reason")
    assert page.error_summary() and "Give the reason it is late" in page.error_summary()[0]
    # The summary has the focus when the page arrives, with JavaScript or without.
    summary = page.soup.select_one(".govuk-error-summary")
    assert summary.get("tabindex") == "-1" and summary.has_attr("autofocus")
    assert len(page.soup.select("[autofocus]")) == 1
    assert db.session.scalar(sa.select(sa.func.count(AgendaPack.id))) == 0
    # Every form on the page posts to the page's own address, naming its action.
    actions = {f.get("action") for f in page.soup.select("main form")}
    assert actions == {agenda}
    assert page.soup.select_one(f'main form input[name="docket_action"][value="/meetings/{meeting.id}/publish"]')


def test_what_was_typed_is_kept_when_an_item_is_refused(db, people, sign_in_as, meeting):
    clerk = sign_in_as("clerk")
    agenda = _start(db, clerk, meeting)
    page = clerk.post(agenda, {"docket_action": f"{agenda}/items", "version": _version(db, meeting), "title": "",
                               "item_purpose": "Members are asked to note the letter."})
    assert page.status == 400 and page.response.request.path == agenda
    assert page.field_error("title")
    assert page.soup.select_one("#item_purpose").get_text() == "Members are asked to note the letter."


def test_an_accepted_action_posted_to_the_page_redirects_as_before(db, people, sign_in_as, meeting):
    clerk = sign_in_as("clerk")
    agenda = _start(db, clerk, meeting)
    page = clerk.post(agenda, {"docket_action": f"{agenda}/items", "version": _version(db, meeting),
                               "title": "Ofsted letter"})
    assert page.status == 303 and page.response.location.startswith(agenda)
    assert db.session.scalar(sa.select(AgendaItem.id).where(AgendaItem.title == "Ofsted letter"))


def test_the_named_action_is_checked_as_if_it_were_posted_to_directly(app, db, people, sign_in_as, meeting):
    from app.models import Committee, Role, ScopeKind
    from tests.conftest import Client, TEST_PASSWORD

    clerk = sign_in_as("clerk")
    agenda = f"/meetings/{meeting.id}/agenda"
    start = {"docket_action": f"{agenda}/start", "version": _version(db, meeting)}
    on_meeting = sa.select(sa.func.count(TrailEvent.seq)).where(TrailEvent.object_type == "meeting")

    # Without the form token: refused before the action runs.
    assert clerk.post(agenda, dict(start, csrf_token="")).status == 400
    # By someone who may not manage this meeting: refused by the action's own permission.
    other = Committee(name="Health and Adult Social Care Policy and Scrutiny Committee")
    db.session.add(other)
    db.session.commit()
    from app.users.service import create_user, grant_role

    grant_role(create_user("olive@example.org", "Olive Other", TEST_PASSWORD), Role.CLERK, ScopeKind.COMMITTEE, other)
    db.session.commit()
    stranger = Client(app)
    stranger.sign_in("olive@example.org")
    assert stranger.post(agenda, start).status == 403
    # Signed out: to the sign-in page, nothing done.
    assert Client(app).post(agenda, start).status == 302
    # An action that is not one of Docket's POST routes, one on another site, or a page that is
    # not a page (a POST-only address): not understood.
    assert clerk.post(agenda, dict(start, docket_action="/plans/")).status == 400
    assert clerk.post(agenda, dict(start, docket_action="/no/such/thing")).status == 400
    assert clerk.post(agenda, dict(start, docket_action=f"https://elsewhere.example{agenda}/start")).status == 400
    assert clerk.post(f"{agenda}/items", start).status == 400
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0
    assert db.session.scalar(on_meeting) == 0
    # A page's address without an action named: still not a place to post to.
    assert clerk.post(agenda, {"version": 1}).status == 405


def test_an_htmx_refusal_leaves_the_address_bar_alone(db, people, sign_in_as, meeting):
    clerk = sign_in_as("clerk")
    agenda = _start(db, clerk, meeting)
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{agenda}"}
    refused = clerk.post(f"/meetings/{meeting.id}/publish", {"version": _version(db, meeting)}, headers=htmx)
    assert refused.status == 400 and refused.response.headers["HX-Push-Url"] == "false"
    assert refused.field_error("late_reason")
    stale = clerk.post(f"/meetings/{meeting.id}/publish", {"version": 0, "late_reason": "Late"}, headers=htmx)
    assert stale.status == 409 and stale.response.headers["HX-Push-Url"] == "false"
    # Without htmx, nothing is said about the address; an accepted move says nothing either.
    assert "HX-Push-Url" not in clerk.post(f"/meetings/{meeting.id}/publish", {"version": 0}).response.headers
    first = db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                               .order_by(AgendaItem.position)).first()
    moved = clerk.post(f"/meetings/{meeting.id}/agenda/items/{first.id}/move",
                       {"direction": "down", "version": _version(db, meeting)}, headers=htmx)
    assert moved.status == 303 and "HX-Push-Url" not in moved.response.headers

