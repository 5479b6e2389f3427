"""Committees, meetings, the agenda builder and the work plan."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.meetings import service
from app.models import AgendaItem, Committee, Meeting, Report, ReportState, TrailEvent, WorkPlanEntry
from app.reports import service as reports
from tests.test_reports import AD, HOS, create, demo_client, person, sign_off_everything  # noqa: F401

CLERK = "nadia.holt@docket.example"


@pytest.fixture()
def demo(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    committee = db.session.scalar(sa.select(Committee))
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2019, 9, 24)))
    return committee, meeting


def agenda_version(clerk, meeting) -> str:
    """The meeting's version as the agenda page carries it in every form (app/concurrency.py)."""
    return clerk.get(f"/meetings/{meeting.id}/agenda").soup.select_one("input[name=version]")["value"]


def entry_version(clerk, committee, entry) -> str:
    page = clerk.get(f"/committees/{committee.id}/work-plan?year={entry.municipal_year}")
    return page.soup.select_one(f"#entry-{entry.id} input[name=version]")["value"]


def approved_report(db, period_name="Q1 2019/20", title=None):
    from app.models import ReportingPeriod
    from app.updates.service import open_period

    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == period_name))
    if period.state.value == "planned":
        open_period(period, person(db, "admin@docket.example"))
        sign_off_everything(db, period)
    report = create(db, period)
    if title:
        report.title = title
        db.session.commit()
    reports.save_sections(report, {"summary": "Summary.", "recommendations": "Note it."}, report.version,
                          person(db, HOS))
    reports.submit(report, report.version, person(db, HOS))
    reports.approve(report, report.version, person(db, AD))
    return report


def test_a_new_agenda_has_the_standing_items_worded_as_the_council_words_them(app, db, demo):
    committee, meeting = demo
    clerk = demo_client(app, CLERK)
    page = clerk.get(f"/meetings/{meeting.id}/agenda")
    assert "This meeting has no agenda yet" in page.text()
    clerk.post(f"/meetings/{meeting.id}/agenda/start", {"version": agenda_version(clerk, meeting)})
    items = service.items_of(meeting)
    assert [i.title for i in items] == ["Declarations of Interest", "Minutes", "Public Participation", "Work Plan",
                                       "Urgent Business"]
    assert items[1].purpose == "To approve and sign the minutes of the meeting held on 23 July 2019."
    assert "The deadline for registering is 5.00pm on Monday 23 September 2019." in items[2].purpose
    assert items[3].purpose == "To consider the committee's draft work plan for the municipal year 2019-20."
    assert items[4].purpose == ("Any other business which the Chair considers urgent under the Local Government "
                                "Act 1972.")
    assert "any disclosable pecuniary interests" in items[0].purpose


def test_only_approved_reports_in_scope_can_be_added(app, db, demo):
    committee, meeting = demo
    service.start_agenda(meeting, person(db, CLERK))
    good = approved_report(db)
    draft = create(db, good.period)
    draft.title = "A draft report"
    db.session.commit()
    clerk = demo_client(app, CLERK)
    page = clerk.get(f"/meetings/{meeting.id}/agenda")
    offered = [o.get_text() for o in page.soup.select("#report_id option")]
    assert any(good.title in o for o in offered) and not any("A draft report" in o for o in offered)
    # A crafted request for the draft is refused with a message beside the field.
    page = clerk.post(f"/meetings/{meeting.id}/agenda/reports",
                      {"report_id": draft.id, "version": agenda_version(clerk, meeting)})
    assert page.status == 400
    assert "is not approved, so it cannot go on an agenda" in page.soup.select_one("#report_id-error").get_text()
    assert not any(i.report_id == draft.id for i in service.items_of(meeting))
    assert clerk.post(f"/meetings/{meeting.id}/agenda/reports", {"report_id": good.id, "purpose": "An update.",
                                                                 "version": agenda_version(clerk, meeting)}).status == 303
    titles = [i.title for i in service.items_of(meeting)]
    assert titles.index(good.title) == 3  # after the opening items, before the Work Plan
    # It cannot be added twice: that is already done (409), and the page says by whom.
    page = clerk.post(f"/meetings/{meeting.id}/agenda/reports",
                      {"report_id": good.id, "version": agenda_version(clerk, meeting)})
    assert page.status == 409 and f"“{good.title}” is already on this agenda. Nadia Holt added" in page.text()


def test_items_move_up_and_down_and_numbering_follows(app, db, demo):
    committee, meeting = demo
    service.start_agenda(meeting, person(db, CLERK))
    clerk = demo_client(app, CLERK)
    for title in ("Local Area Teams - Update", "Cultural Entitlement for Young People"):
        clerk.post(f"/meetings/{meeting.id}/agenda/items", {"title": title, "item_purpose": "An update.",
                                                            "version": agenda_version(clerk, meeting)})
    items = service.items_of(meeting)
    culture = next(i for i in items if i.title.startswith("Cultural"))
    response = clerk.post(f"/meetings/{meeting.id}/agenda/items/{culture.id}/move",
                          {"direction": "up", "version": agenda_version(clerk, meeting)})
    assert response.status == 303
    db.session.expire_all()
    titles = [i.title for i in service.items_of(meeting)]
    assert titles[3:5] == ["Cultural Entitlement for Young People", "Local Area Teams - Update"]
    page = clerk.get(response.response.location)
    numbered = [td.find("strong").get_text() for td in page.soup.select("#agenda-items tbody tr td:first-child")]
    assert numbered[3] == "4. Cultural Entitlement for Young People"
    # The first item cannot move up.
    first = service.items_of(meeting)[0]
    assert clerk.post(f"/meetings/{meeting.id}/agenda/items/{first.id}/move",
                      {"direction": "up", "version": agenda_version(clerk, meeting)}).status == 400
    # htmx gets the same redirect and swaps the list; the moved button keeps the focus.
    assert 'autofocus' in str(page.soup.select_one(f"#item-{culture.id}"))


def test_item_to_follow_needs_nothing_but_a_title(app, db, demo):
    committee, meeting = demo
    service.start_agenda(meeting, person(db, CLERK))
    clerk = demo_client(app, CLERK)
    page = clerk.post(f"/meetings/{meeting.id}/agenda/items",
                      {"title": "", "item_purpose": "x", "version": agenda_version(clerk, meeting)})
    assert page.status == 400 and page.soup.select_one("#title-error")
    clerk.post(f"/meetings/{meeting.id}/agenda/items",
               {"title": "Overview of Children's Services", "to_follow_reason": "Awaiting Ofsted's letter",
                "version": agenda_version(clerk, meeting)})
    item = next(i for i in service.items_of(meeting) if i.title.startswith("Overview"))
    assert item.to_follow and item.to_follow_reason == "Awaiting Ofsted's letter"


def test_a_clerk_of_another_committee_cannot_touch_this_agenda(app, db, demo, make_user):
    from app.models import Role, ScopeKind
    from tests.conftest import TEST_PASSWORD, Client

    committee, meeting = demo
    other = Committee(name="Health and Adult Social Care Policy and Scrutiny Committee")
    db.session.add(other)
    db.session.commit()
    make_user("other.clerk@example.org", "Olive Other", Role.CLERK, ScopeKind.COMMITTEE, other)
    c = Client(app)
    c.post("/sign-in", {"email": "other.clerk@example.org", "password": TEST_PASSWORD})
    assert c.c.get(f"/meetings/{meeting.id}/agenda").status_code == 403
    assert c.post(f"/meetings/{meeting.id}/agenda/start", {}, token_from="/").status == 403
    assert c.c.get(f"/meetings/{meeting.id}").status_code == 404  # not published: nothing to read yet
    assert c.c.get(f"/committees/{committee.id}/edit").status_code == 403


def test_committee_members_and_details_are_edited_by_the_clerk(app, db, demo):
    committee, meeting = demo
    clerk = demo_client(app, CLERK)
    page = clerk.get(f"/committees/{committee.id}/edit")
    assert page.soup.select_one("#members").get_text().startswith("Councillor D Taylor (Chair)\nCouncillor Webb (Vice-Chair)")
    data = {"name": committee.name, "members": "Councillor Webb (Chair)\nCouncillor Fenton (vice-chair)\nCouncillor Heaton",
            "clerk_name": "Nadia Holt", "clerk_telephone": "(01632) 960123", "clerk_email": "nadia.holt@docket.example",
            "default_venue": "West Offices", "default_time": "6pm"}
    assert clerk.post(f"/committees/{committee.id}/edit", data).status == 302
    db.session.expire_all()
    committee = db.session.get(Committee, committee.id)
    assert [(m.name, m.role.value) for m in committee.members] == [
        ("Councillor Webb", "chair"), ("Councillor Fenton", "vice_chair"), ("Councillor Heaton", "member")]
    assert committee.default_time.hour == 18
    data["default_time"] = "25 o'clock"
    page = clerk.post(f"/committees/{committee.id}/edit", data)
    assert page.status == 400 and page.field_error("default_time") == "Enter a time like 5.30pm or 17:30"


def test_adding_a_meeting_works_out_its_municipal_year(app, db, demo):
    committee, _ = demo
    clerk = demo_client(app, CLERK)
    page = clerk.post(f"/committees/{committee.id}/meetings/new",
                      {"meets_on": ["16", "6", "2020"], "starts_at": "5.30pm", "venue": ""})
    assert page.status == 302
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.meets_on == date(2020, 6, 16)))
    assert meeting.municipal_year == "2020-21" and meeting.venue == committee.default_venue
    again = clerk.post(f"/committees/{committee.id}/meetings/new", {"meets_on": ["16", "6", "2020"], "starts_at": ""})
    assert again.status == 400 and "already meets on 16/06/2020" in again.text()


def test_work_plan_shows_moves_links_and_flags(app, db, demo):
    committee, meeting = demo
    clerk = demo_client(app, CLERK)
    page = clerk.get(f"/committees/{committee.id}/work-plan?year=2019-20")
    captions = [c.find(string=True).strip() for c in page.soup.select("caption")]  # the caption's text, before its "Papers" link
    assert captions[0] == "Tuesday 25 June 2019 @ 5.30pm" and len(captions) == 11
    entry = db.session.scalar(sa.select(WorkPlanEntry).where(WorkPlanEntry.title == "Cultural Leaders Update"))
    september = meeting
    assert clerk.post(f"/committees/{committee.id}/work-plan/{entry.id}/move",
                      {"meeting_id": september.id, "version": entry_version(clerk, committee, entry)}).status == 303
    db.session.expire_all()
    assert db.session.get(WorkPlanEntry, entry.id).meeting_id == september.id
    # Flagged when the meeting is near and no approved report is linked.
    from app.meetings.workplan import work_plan

    plan = work_plan(committee, "2019-20")
    sept = next(p for p in plan if p.meeting.id == september.id)
    flagged = [e.title for e in sept.entries if sept.flagged(e, date(2019, 9, 10))]
    assert "Local Area Teams Audit Update" in flagged and "Work Plan" not in flagged
    assert not sept.flagged(sept.entries[0], date(2019, 6, 1))  # not near yet
    report = approved_report(db)
    e = next(e for e in sept.entries if e.title.startswith("Children"))
    assert clerk.post(f"/committees/{committee.id}/work-plan/{e.id}/report",
                      {"report_id": report.id, "version": entry_version(clerk, committee, e)}).status == 303
    db.session.expire_all()
    plan = work_plan(committee, "2019-20")
    sept = next(p for p in plan if p.meeting.id == september.id)
    linked = next(x for x in sept.entries if x.id == e.id)
    assert not sept.flagged(linked, date(2019, 9, 10))


def test_work_plan_exports_to_excel(app, db, demo):
    from io import BytesIO

    from openpyxl import load_workbook

    committee, _ = demo
    response = demo_client(app, HOS).c.get(f"/committees/{committee.id}/work-plan.xlsx?year=2019-20")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, values_only=False)]
    assert rows[0][:2] == ["Tuesday 25 June 2019 @ 5.30pm", "Arrangements for Scrutiny in York"]
    assert sum(1 for r in rows if r[0] == "Tuesday 24 September 2019 @ 5.30pm") == 6


def test_clerk_my_tasks_lists_agendas_due_and_reports_to_place(app, db, demo):
    from app.updates.queries import my_tasks

    committee, meeting = demo
    approved_report(db)
    tasks = my_tasks(person(db, CLERK), today=date(2019, 9, 10))
    assert [(m.meets_on, d) for m, d in tasks.agendas_due][0] == (date(2019, 9, 24), date(2019, 9, 16))
    assert len(tasks.reports_for_agenda) == 1


SEED_ITEMS = [
    ("Attendance of Executive Member for Children, Young People and Education",
     "The Executive Member will be in attendance to provide an update on his priorities."),
    ("Local Area Teams - Update", None),  # an approved report
    ("City of York Safeguarding Children Partnership (CYSCP) Update",
     "This report provides an update on the activity of City of York Safeguarding Children Partnership."),
    ("Overview of Children's Services", None),  # an approved report
    ("Cultural Entitlement for Young People", "This report provides an update on work to develop a cultural entitlement."),
]


def build_seed_agenda(db, meeting):
    """The ten items of the seed's 24 September 2019 agenda, two of them approved reports."""
    clerk = person(db, CLERK)
    service.start_agenda(meeting, clerk)
    reports_by_title = {}
    for title, purpose in SEED_ITEMS:
        if purpose is None:
            report = approved_report(db, title=title)
            reports_by_title[title] = report
            service.add_report_item(meeting, report, clerk, "This paper provides an update.")
        else:
            service.add_other_item(meeting, title, purpose, clerk)
    return reports_by_title


def _outline(reader):
    out = []
    for item in reader.outline:
        if isinstance(item, list):
            continue
        out.append((item.title, reader.get_destination_page_number(item) + 1))
    return out


def test_publishing_builds_a_pack_whose_front_sheet_tells_the_truth(app, db, demo):
    import io
    import re

    from pypdf import PdfReader

    committee, meeting = demo
    reports_by_title = build_seed_agenda(db, meeting)
    with app.test_request_context():
        pack = service.publish(meeting, person(db, CLERK), late_reason="Reports were approved late",
                               today=date(2019, 9, 20))
    reader = PdfReader(io.BytesIO(pack.pdf))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert pack.page_count == len(pages)
    front = pages[0]
    assert "Children, Education & Communities Policy & Scrutiny Committee" in front
    assert "To: Councillors" in front and "Tuesday, 24 September 2019" in front
    items = service.items_of(meeting)
    assert len(items) == 10
    for item in items:
        if item.report_id:
            start, end = item.page_start, item.page_end
            assert start % 2 == 1, "papers start on an odd page"
            assert re.search(rf"{re.escape(item.title)} \(Pages {start} - {end}\)", " ".join(pages[:2]))
            assert item.title in pages[start - 1]
            assert f"Page {start}" in pages[start - 1] and f"Page {end}" in pages[end - 1]
    for n, text in enumerate(pages, start=1):
        assert f"Page {n}" in text
    titles = [t for t, _ in _outline(reader)]
    assert titles == [f"{n}. {i.title}" for n, i in enumerate(items, start=1)]
    # The reports are now published; the late publication is recorded with its reason.
    db.session.expire_all()
    assert all(db.session.get(Report, r.id).state == ReportState.PUBLISHED for r in reports_by_title.values())
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "agenda_published"))
    assert "Reports were approved late" in event.data and pack.sha256 in event.data


def test_late_publication_needs_a_reason(app, db, demo):
    committee, meeting = demo
    service.start_agenda(meeting, person(db, CLERK))
    with app.test_request_context(), pytest.raises(service.AgendaError, match="fewer than five clear working days"):
        service.publish(meeting, person(db, CLERK), today=date(2019, 9, 17))
    assert service.packs_of(meeting) == []
    with app.test_request_context():
        on_time = service.publish(meeting, person(db, CLERK), today=date(2019, 9, 16))
    assert on_time.late_reason is None


def test_republishing_makes_version_two_and_leaves_version_one_alone(app, db, demo):
    import hashlib

    committee, meeting = demo
    service.start_agenda(meeting, person(db, CLERK))
    with app.test_request_context():
        first = service.publish(meeting, person(db, CLERK), today=date(2019, 9, 10))
    first_hash, first_bytes = first.sha256, bytes(first.pdf)
    report = approved_report(db, title="Local Area Teams - Update")
    service.add_report_item(meeting, report, person(db, CLERK))
    with app.test_request_context(), pytest.raises(service.AgendaError, match="Say what changed since version 1"):
        service.publish(meeting, person(db, CLERK), today=date(2019, 9, 12))
    with app.test_request_context():
        second = service.publish(meeting, person(db, CLERK), change_note="Added the Local Area Teams report",
                                 today=date(2019, 9, 12))
    assert second.number == 2 and second.change_note == "Added the Local Area Teams report"
    db.session.expire_all()
    again = service.packs_of(meeting)[0]
    assert again.sha256 == first_hash == hashlib.sha256(again.pdf).hexdigest() and bytes(again.pdf) == first_bytes
    page = demo_client(app, "hannah.pryce@docket.example").get(f"/meetings/{meeting.id}")
    assert "What changed in version 2: Added the Local Area Teams report" in page.text()
    assert first_hash in page.text() and second.sha256 in page.text()
    response = demo_client(app, HOS).c.get(f"/meetings/{meeting.id}/pack-1.pdf")
    assert response.status_code == 200 and response.data == first_bytes
