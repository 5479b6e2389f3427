"""The work plan page stays usable with a full year of items (issue 14): one compact row an
item, the clerk's actions behind one "Change" per row, columns nobody filled in left out, and
removing an item asks first, on a page of its own (no JavaScript needed)."""
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.models import Meeting, TrailEvent, WorkPlanEntry


@pytest.fixture()
def year(db, org):
    """Ten meetings a month apart, seven items each: a full municipal year."""
    start = date(2026, 6, 2)
    meetings = [Meeting(committee=org["committee"], meets_on=start + timedelta(days=28 * n), municipal_year="2026-27")
                for n in range(10)]
    db.session.add_all(meetings)
    db.session.flush()
    for m in meetings:
        for n in range(7):
            db.session.add(WorkPlanEntry(committee=org["committee"], meeting=m, municipal_year="2026-27",
                                         title=f"Item {n + 1} for {m.meets_on:%d %B}", position=n))
    db.session.commit()
    return meetings


def url(org):
    return f"/committees/{org['committee'].id}/work-plan?year=2026-27"


def test_a_full_year_is_one_compact_row_an_item_with_one_change_each(db, org, people, year, sign_in_as):
    page = sign_in_as("clerk").get(url(org))
    rows = page.soup.select("tbody tr[id^=entry-]")
    assert len(rows) == 70
    for row in rows:
        assert len(row.select("details")) == 1
        assert row.select_one("summary").get_text(" ", strip=True).startswith("Change")
        # every button is inside the closed "Change": nothing else in the row to press
        assert all(b.find_parent("details") is not None for b in row.select("button"))
    # nobody gave a report owner or linked a report: those columns are left out, and it says so
    headers = [th.get_text(strip=True) for th in page.soup.select("thead th")]
    assert "Report owner" not in headers and "Report" not in headers
    assert "No item this year has report owners or linked reports yet" in page.text()
    # the tests of moves and races still find each item's version in its row
    assert rows[0].select_one("input[name=version]")["value"] == "1"


def test_columns_appear_once_anyone_fills_them_in_and_readers_see_no_change(db, org, people, year, sign_in_as):
    entry = db.session.scalar(sa.select(WorkPlanEntry).order_by(WorkPlanEntry.id).limit(1))
    entry.report_owner = "Assistant Director, Education"
    db.session.commit()
    page = sign_in_as("clerk").get(url(org))
    headers = [th.get_text(strip=True) for th in page.soup.select("table")[0].select("thead th")]
    assert headers[:2] == ["Item", "Report owner"]
    assert "Assistant Director, Education" in page.soup.select_one(f"#entry-{entry.id}").get_text()
    reader = sign_in_as("owner").get(url(org))
    assert reader.status == 200 and not reader.soup.select("details") and not reader.soup.select("main form[method=post]")


def test_removing_an_item_asks_first_and_says_what_goes(db, org, people, year, sign_in_as):
    clerk = sign_in_as("clerk")
    entry = db.session.scalar(sa.select(WorkPlanEntry).order_by(WorkPlanEntry.id).limit(1))
    entry_id, title = entry.id, entry.title
    page = clerk.get(url(org))
    asks = page.soup.select_one(f"#entry-{entry.id} form[method=get]")
    confirm_url = f"/committees/{org['committee'].id}/work-plan/{entry.id}/remove"
    assert asks["action"] == confirm_url
    confirm = clerk.get(confirm_url)
    assert confirm.status == 200
    assert confirm.h1 == f"Remove “{entry.title}” from the work plan?"
    assert "Agendas are not changed" in confirm.text()
    assert db.session.get(WorkPlanEntry, entry.id) is not None  # asking removed nothing
    form = confirm.soup.select_one("main form")
    assert form["action"] == confirm_url  # posts to its own address
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    # a stale page (someone changed the item since) is refused on the same page, and nothing goes
    stale = dict(data, version="99")
    refused = clerk.post(confirm_url, stale, token_from=confirm_url)
    assert refused.status == 409 and refused.h1.startswith("Remove “")
    assert "could not be done" in refused.text()
    done = clerk.post(confirm_url, data, token_from=confirm_url)
    assert done.status == 303
    db.session.expire_all()
    assert db.session.get(WorkPlanEntry, entry_id) is None
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "work_plan_item_removed"))
    assert json.loads(event.data)["title"] == title
    # asking again about the removed item says who removed it
    again = clerk.c.get(confirm_url)
    assert again.status_code == 303
    assert sign_in_as("owner").get(confirm_url).status == 403
