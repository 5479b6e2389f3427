"""The trail for administrators (issue 12): events read as sentences linked to their objects,
filters, the CSV export, and each action page showing its own events and its parts'."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    Milestone,
    Plan,
    ProgressUpdate,
    Rag,
    Report,
    ReportingPeriod,
    ReportState,
    Role,
    ScopeKind,
    TrailEvent,
)
from app.plans.service import save
from app.trail import record
from app.trail.browse import safe_cell
from app.updates import service as updates


@pytest.fixture()
def world(db, org, people):
    """A plan with one action (its owner Olu Owner) and a milestone, an open quarter, and the
    action's update submitted, returned, resubmitted and signed off by Hari Head."""
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="CSS005", title="Recruit foster carers", owner=people["owner"])
    milestone = Milestone(action=action, text="Campaign launched")
    today = date.today()
    period = ReportingPeriod(name="Q1 2019/20", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, action, milestone, period])
    db.session.commit()
    updates.open_period(period, None)
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id))
    owner, hos = people["owner"], people["hos"]
    values = {"narrative": "Campaign designed", "rag": Rag.GREEN}
    updates.submit(update, values, update.version, owner)
    updates.return_to_owner(update, "Say how many carers", update.version, hos)
    updates.submit(update, {"narrative": "Four carers recruited"}, update.version, owner)
    updates.sign_off(update, update.version, hos)
    save(milestone, {"text": "Campaign launched in May"}, verb="milestone_edited", expected_version=milestone.version,
         actor=people["admin"], labels={"text": "Milestone"})
    return dict(people, plan=plan, action=action, milestone=milestone, period=period, update=update)


def rows(page):
    return [r.get_text(" ", strip=True) for r in page.soup.select("main tbody tr")]


def test_events_read_as_sentences_linked_to_their_objects(db, world, sign_in_as):
    admin = world["admin"]
    save(world["plan"], {"title": "Children's Improvement Plan"}, verb="plan_edited",
         expected_version=world["plan"].version, actor=admin, labels={"title": "Title"})
    report = Report(title="Q1 performance report", period=world["period"], state=ReportState.APPROVED)
    db.session.add(report)
    db.session.flush()
    record("report_approved", report, actor=world["ad"], from_state=ReportState.SUBMITTED,
           to_state=ReportState.APPROVED, data={"content_hash": "abc123"})
    db.session.commit()

    page = sign_in_as("admin").get("/trail/")
    assert page.status == 200
    text = page.text()
    assert "{" not in text and "}" not in text  # never raw JSON
    for sentence in (
        "Hari Head signed off CSS005 Q1 2019/20",
        "Hari Head returned CSS005 Q1 2019/20 to its owner",
        "Olu Owner submitted CSS005 Q1 2019/20 for sign-off",
        "Olu Owner resubmitted CSS005 Q1 2019/20 for sign-off",
        "Docket (system) opened Q1 2019/20",
        "Docket (system) gave Hari Head the Head of Service role for Children's Specialist Services",
        "Ada Admin changed the details of the plan Children's Improvement Plan",
        "Title: Service Improvement Plan → Children's Improvement Plan",
        "Ada Admin changed the milestone Campaign launched in May",
        "Milestone: Campaign launched → Campaign launched in May",
        "Alex Director approved Q1 performance report",
        "State: Submitted → Approved",
        "Comment: Say how many carers",
        "Draft updates created: 1",
    ):
        assert sentence in text, sentence
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main tbody a")}
    assert links["CSS005 Q1 2019/20"] == f"/updates/{world['update'].id}"
    assert links["Q1 performance report"] == f"/reports/{report.id}"
    assert links["Children's Improvement Plan"] == f"/plans/{world['plan'].id}"
    assert links["Campaign launched in May"] == f"/actions/{world['action'].id}"  # a milestone lives on its action
    assert links["Q1 2019/20"] == "/periods/"


def test_unknown_and_deleted_objects_are_named_but_not_linked(db, world, sign_in_as):
    record("service_retired", None, actor=world["admin"], object_type="service", object_id=987654,
           data={"name": "Highways"})
    record("widget_polished", None, actor=world["admin"], object_type="widget", object_id=3,
           data={"colour": "blue", "sizes": [1, 2], "nested": {"a": {"b": "c"}}})
    db.session.commit()
    page = sign_in_as("admin").get("/trail/")
    text = page.text()
    assert "Ada Admin retired the service Highways" in text
    assert "Ada Admin: widget polished — widget 3" in text
    assert "Colour: blue" in text and "Sizes: 1, 2" in text and "Nested: A: B: c" in text
    assert "{" not in text
    linked = [a.get_text(strip=True) for a in page.soup.select("main tbody a")]
    assert "Highways" not in linked and "widget 3" not in linked


def test_filters_by_person_kind_object_and_dates(db, world, sign_in_as):
    admin = sign_in_as("admin")
    hos = world["hos"]
    page = admin.get(f"/trail/?person={hos.id}")
    assert page.status == 200
    assert all(r.split(" ", 2)[2].startswith("Hari Head") or "Hari Head" in r for r in rows(page))
    assert any("signed off CSS005" in r for r in rows(page))
    assert not any("Olu Owner submitted" in r for r in rows(page))

    page = admin.get("/trail/?kind=update_signed_off")
    assert [r.split(" ", 1)[1].split(" at ", 1)[1].split(" ", 1)[1] for r in rows(page)] == [
        "Hari Head signed off CSS005 Q1 2019/20 State: Submitted → Signed off"]
    kinds = [o.get_text(strip=True) for o in page.soup.select("#kind option")]
    assert "Progress update signed off" in kinds

    # An action, by its reference, with its parts: the update's events and the milestone's.
    page = admin.get("/trail/?object_type=action&object_ref=css005")
    text = page.text()
    assert "signed off CSS005 Q1 2019/20" in text and "changed the milestone" in text
    assert "opened Q1 2019/20" not in text
    assert "5 events found" in text  # submitted, returned, resubmitted, signed off, milestone edited

    today = date.today()
    page = admin.get(f"/trail/?date_from={today.day}&date_from={today.month}&date_from={today.year}")
    assert "signed off CSS005" in page.text()
    tomorrow = today + timedelta(days=1)
    page = admin.get(f"/trail/?date_from={tomorrow.day}&date_from={tomorrow.month}&date_from={tomorrow.year}")
    assert "No events match these filters." in page.text()


def test_a_bad_filter_is_explained_beside_its_field(db, world, sign_in_as):
    admin = sign_in_as("admin")
    page = admin.get("/trail/?date_from=31&date_from=2&date_from=2020")
    assert page.status == 400
    assert page.title.startswith("Error: Trail")
    assert page.field_error("date_from") == "From must be a real date"
    assert page.error_summary() == ["From must be a real date"]

    page = admin.get("/trail/?date_from=2&date_from=5&date_from=2020&date_to=1&date_to=5&date_to=2020")
    assert page.status == 400 and page.field_error("date_to") == "To must be the same as or after From"

    page = admin.get("/trail/?object_type=action&object_ref=NOPE1")
    assert page.status == 400 and page.field_error("object_ref") == "There is no action called NOPE1"

    assert admin.get("/trail/?kind=%3Cscript%3E").status == 400  # not a kind on the list
    assert admin.c.get("/trail/export.csv?date_from=x&date_from=1&date_from=2020").status_code == 400


def test_pagination_keeps_the_filters(db, world, sign_in_as):
    for i in range(55):
        record("update_drafted", world["update"], actor=world["owner"])
    db.session.commit()
    admin = sign_in_as("admin")
    page = admin.get(f"/trail/?kind=update_drafted&person={world['owner'].id}")
    assert len(rows(page)) == 50 and "55 events found, page 1 of 2" in page.text()
    older = page.soup.select_one("a[rel=next]")["href"]
    assert "kind=update_drafted" in older and f"person={world['owner'].id}" in older and "page=2" in older
    page = admin.get(older)
    assert len(rows(page)) == 5
    newer = page.soup.select_one("a[rel=prev]")["href"]
    assert "kind=update_drafted" in newer and "page=1" in newer
    export = page.soup.find("a", string=lambda s: s and "as a spreadsheet" in s)["href"]
    assert "kind=update_drafted" in export


def test_csv_export_of_the_filtered_events(db, world, sign_in_as):
    record("user_created", world["nobody"], actor=world["admin"],
           data={"email": "nobody@example.org", "name": "=HYPERLINK(\"http://evil\")"},
           comment="+SUM(A1:A2)")
    db.session.commit()
    admin = sign_in_as("admin")
    response = admin.c.get(f"/trail/export.csv?person={world['hos'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="docket-trail-{date.today()}.csv"'
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["Number", "When (ISO 8601, UTC)", "When (UK)", "Who", "On behalf of", "What", "Object type",
                        "Object id", "Object", "From state", "To state", "Comment", "Details", "Hash"]
    signed = [r for r in table[1:] if r[5] == "Hari Head signed off CSS005 Q1 2019/20"]
    assert len(signed) == 1
    row = signed[0]
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "update_signed_off"))
    assert row[0] == str(event.seq) and row[3] == "Hari Head" and row[6] == "progress_update"
    assert row[7] == str(world["update"].id) and row[8] == "CSS005 Q1 2019/20"
    assert row[9] == "Submitted" and row[10] == "Signed off" and row[13] == event.hash
    assert row[1].endswith("Z") and " at " in row[2]
    assert all("Olu Owner" not in r[3] for r in table[1:])  # filtered to Hari Head

    everything = admin.c.get("/trail/export.csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(everything.lstrip("\ufeff"))))
    created = [r for r in table if r[5].startswith("Ada Admin added Nia Nobody")][0]
    assert created[11] == "'+SUM(A1:A2)"
    assert "Name: =HYPERLINK" in created[12]  # inside the cell, after "Name: ": not a formula
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("-2") == "'-2" and safe_cell("@x") == "'@x"
    assert safe_cell("Hari") == "Hari" and safe_cell(12) == 12


def test_only_administrators_read_the_trail_and_its_export(db, world, sign_in_as):
    for who in ("ad", "hos", "owner", "clerk", "nobody"):
        person = sign_in_as(who)
        assert person.get("/trail/").status == 403
        assert person.c.get("/trail/export.csv").status_code == 403


def test_the_action_page_shows_its_updates_and_milestones_events(db, world, sign_in_as):
    page = sign_in_as("hos").get(f"/actions/{world['action'].id}")
    assert page.status == 200
    text = page.text()
    assert "Nothing has been recorded yet" not in text
    titles = [t.get_text(" ", strip=True) for t in page.soup.select(".docket-timeline__title")]
    assert titles == [
        "Ada Admin changed the milestone Campaign launched in May",
        "Hari Head signed off CSS005 Q1 2019/20",
        "Olu Owner resubmitted CSS005 Q1 2019/20 for sign-off",
        "Hari Head returned CSS005 Q1 2019/20 to its owner",
        "Olu Owner submitted CSS005 Q1 2019/20 for sign-off",
    ]
    assert "Comment: Say how many carers" in text
    assert "See its trail" not in text  # only administrators read the trail
    admin_page = sign_in_as("admin").get(f"/actions/{world['action'].id}")
    link = admin_page.soup.find("a", string="See its trail")["href"]
    assert link == f"/trail/?object_type=action&object_ref={world['action'].id}"
    assert "5 events found" in sign_in_as("admin").get(link).text()


def test_the_trail_page_reads_its_objects_in_a_few_queries(app, db, world, sign_in_as):
    """Object names are loaded for the whole page at once, not one query per event."""
    admin = sign_in_as("admin")
    report = Report(title="Q1 performance report", period=world["period"])
    db.session.add(report)
    db.session.flush()
    for i in range(20):
        record("report_edited", report, actor=world["ad"], data={"sections": ["Summary"]})
        record("update_drafted", world["update"], actor=world["owner"])
    db.session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    from app.extensions import db as _db

    sa.event.listen(_db.engine, "before_cursor_execute", count)
    try:
        page = admin.get("/trail/")
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", count)
    assert page.status == 200 and len(rows(page)) == 50
    assert len(statements) <= 12, statements


def test_verbs_from_other_parts_of_docket_read_well(db, org, people):
    from app.trail.describe import describe

    sam = people["admin"]
    service = org["other_service"]
    service.name = "Roads and Transport"
    db.session.commit()
    events = [
        record("service_renamed", service, actor=sam, data={"changes": {"Name": ["Highways", "Roads and Transport"]}}),
        record("person_deactivated", people["owner"], actor=sam, from_state="active", to_state="deactivated",
               data={"name": "Olu Owner", "email": "owner@example.org"}),
        record("service_frobbed", service, actor=sam),
        record("directorate_created", org["directorate"], actor=None,
               data={"name": "Children, Education and Communities", "director": None}),
        record("committee_mended", org["committee"], actor=sam),
    ]
    db.session.commit()
    sentences = [d.sentence for d in describe(events)]
    assert sentences == [
        "Ada Admin renamed the service Highways to Roads and Transport",
        "Ada Admin deactivated Olu Owner: they can no longer sign in",
        "Ada Admin: service frobbed — Roads and Transport",
        "Docket (system) created the directorate Children, Education and Communities",
        "Ada Admin: committee mended — Children, Education & Communities Policy & Scrutiny Committee",
    ]
    details = describe(events)[0].details
    assert details == [("Name", "Highways → Roads and Transport")]

