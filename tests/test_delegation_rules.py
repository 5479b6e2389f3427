"""Naming a deputy: from the Head of Service's services, for a bounded time, one at a time,
and once however often the button is pressed."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.concurrency import Refused
from app.models import Delegation, Role, ScopeKind, TrailEvent
from app.updates import delegation as rules
from tests.race_client import Browser, at_once, serving

TODAY = date.today()


def boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), f"{day.year:04d}"]


def name(client, deputy, starts: date, ends: date):
    return client.post("/delegation", {"deputy_id": str(deputy.id), "starts_on": boxes(starts),
                                       "ends_on": boxes(ends)}, token_from="/delegation")


def delegations(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Delegation).order_by(Delegation.id)).all()


def created_events(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent)
                             .where(TrailEvent.verb == "delegation_created"))


@pytest.fixture()
def elsewhere(make_user, org):
    """A Head of Service in another directorate."""
    return make_user("hos.roads@example.org", "Hugo Highways", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE,
                     org["other_service"])


def test_the_deputy_list_holds_only_people_in_the_head_of_services_services(db, people, elsewhere, sign_in_as):
    page = sign_in_as("hos").get("/delegation")
    offered = [o.get_text(strip=True) for o in page.soup.select("#deputy_id option") if o.get("value")]
    assert offered == ["Alex Director", "Olu Owner"]  # the service's owner, and the directorate's director


def test_a_deputy_from_another_directorate_is_refused(db, people, elsewhere, sign_in_as):
    hos = sign_in_as("hos")
    for outsider in (elsewhere, people["nobody"], people["clerk"]):
        page = name(hos, outsider, TODAY, TODAY + timedelta(days=7))
        assert page.status == 400
        assert page.field_error("deputy_id") == "Choose deputy from the list"
    assert delegations(db) == []
    # The rule itself, as the route asks it, says why.
    with pytest.raises(rules.DelegationInvalid) as refused:
        rules.name_deputy(people["hos"], elsewhere, TODAY, TODAY + timedelta(days=7))
    assert refused.value.problems == {"deputy_id": (
        "Hugo Highways does not work in your services. Choose someone who does; an administrator can give a "
        "person a role in your service first")}
    assert delegations(db) == []


@pytest.mark.parametrize("starts,ends,field,message", [
    (TODAY - timedelta(days=1), TODAY + timedelta(days=7), "starts_on", "From must be today or in the future"),
    (date(1, 1, 1), date(9999, 12, 31), "starts_on", "From must be today or in the future"),
    (TODAY, date(9999, 12, 31), "ends_on", "A deputy can be named for at most 12 months: Until must be "),
    (TODAY + timedelta(days=30), rules.a_year_after(TODAY + timedelta(days=30)), "ends_on",
     "A deputy can be named for at most 12 months"),
    (rules.a_year_after(TODAY) + timedelta(days=1), rules.a_year_after(TODAY) + timedelta(days=2), "starts_on",
     "From must be within the next 12 months"),
    (TODAY + timedelta(days=7), TODAY + timedelta(days=6), "ends_on", "Until must be on or after From"),
])
def test_dates_out_of_bounds_are_refused_beside_the_field(db, people, sign_in_as, starts, ends, field, message):
    page = name(sign_in_as("hos"), people["owner"], starts, ends)
    assert page.status == 400
    assert (page.field_error(field) or "").startswith(message), page.field_error(field)
    assert delegations(db) == [] and created_events(db) == 0


def test_twelve_months_less_a_day_from_today_is_allowed(db, people, sign_in_as):
    last = rules.a_year_after(TODAY) - timedelta(days=1)
    page = name(sign_in_as("hos"), people["owner"], TODAY, last)
    assert page.status == 302
    [made] = delegations(db)
    assert (made.deputy_id, made.starts_on, made.ends_on) == (people["owner"].id, TODAY, last)


def test_an_overlapping_deputy_is_refused_and_an_ended_one_does_not_count(db, people, sign_in_as):
    hos = sign_in_as("hos")
    assert name(hos, people["owner"], TODAY + timedelta(days=1), TODAY + timedelta(days=10)).status == 302
    page = name(hos, people["ad"], TODAY + timedelta(days=5), TODAY + timedelta(days=20))
    assert page.status == 400
    assert page.field_error("starts_on").startswith("Olu Owner is already your deputy from ")
    assert "Choose dates after that, or end that delegation first" in page.field_error("starts_on")
    # What was typed is kept.
    assert page.soup.select_one("#deputy_id option[selected]")["value"] == str(people["ad"].id)
    assert len(delegations(db)) == 1
    # After the first ends (ended now), the same dates are free; and a later, separate range is fine.
    first = delegations(db)[0]
    assert hos.post(f"/delegation/{first.id}/end", {}, token_from="/delegation").status == 302
    assert name(hos, people["ad"], TODAY + timedelta(days=5), TODAY + timedelta(days=20)).status == 302
    assert name(hos, people["owner"], TODAY + timedelta(days=21), TODAY + timedelta(days=30)).status == 302
    assert [(d.deputy_id, d.revoked_at is None) for d in delegations(db)] == [
        (people["owner"].id, False), (people["ad"].id, True), (people["owner"].id, True)]


def test_a_double_click_names_the_deputy_once(db, people, sign_in_as):
    hos = sign_in_as("hos")
    assert name(hos, people["owner"], TODAY, TODAY + timedelta(days=7)).status == 302
    page = name(hos, people["owner"], TODAY, TODAY + timedelta(days=7))
    assert page.status == 409
    assert "You named Olu Owner as your deputy from" in page.text() and "Nothing else was changed" in page.text()
    assert len(delegations(db)) == 1 and created_events(db) == 1
    with pytest.raises(Refused):
        rules.name_deputy(people["hos"], people["owner"], TODAY, TODAY + timedelta(days=7))


def test_ending_a_delegation_twice_ends_it_once(db, people, sign_in_as):
    hos = sign_in_as("hos")
    assert name(hos, people["owner"], TODAY, TODAY + timedelta(days=7)).status == 302
    [made] = delegations(db)
    assert hos.post(f"/delegation/{made.id}/end", {}, token_from="/delegation").status == 302
    page = hos.post(f"/delegation/{made.id}/end", {}, token_from="/delegation", follow=True)
    assert "could already no longer sign off for you" in page.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent)
                             .where(TrailEvent.verb == "delegation_ended")) == 1


@pytest.mark.parametrize("same_dates", [True, False], ids=["identical", "overlapping"])
def test_ten_deputies_named_at_once_make_one(app, db, people, same_dates):
    """Ten tabs name a deputy at the same moment: identical (a double-click), or ten
    different overlapping ranges. Exactly one delegation is made; the rest are refused."""
    forms = [{"deputy_id": str(people["owner"].id if n % 2 else people["ad"].id),
              "starts_on": boxes(TODAY + timedelta(days=0 if same_dates else n)),
              "ends_on": boxes(TODAY + timedelta(days=10 if same_dates else 10 + n))} for n in range(10)]
    if same_dates:
        forms = [dict(forms[0]) for _ in forms]
    with serving(app) as base:
        tabs = [Browser(base) for _ in forms]
        for tab in tabs:
            tab.sign_in("hos@example.org")
        tokens = [tab.token() for tab in tabs]
        replies = at_once([lambda t=tab, f=form, k=token: t.post("/delegation", f, token=k)
                           for tab, form, token in zip(tabs, forms, tokens)])
    statuses = sorted(r.status if not isinstance(r, Exception) else repr(r) for r in replies)
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 400, 409}, statuses
    for reply in replies:
        if reply.status != 302:
            text = reply.text()
            assert ("is already your deputy from" in text or "You named" in text
                    or "it was named a moment ago" in text), text[:600]
    assert len(delegations(db)) == 1 and created_events(db) == 1
