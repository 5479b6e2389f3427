"""The agenda builder, publishing and the work plan: safe to double-click and to race (issue 11).

Races are real: Docket is served by werkzeug's threaded server on 127.0.0.1, twenty clerks of
the committee are each signed in with their own session, each loads the agenda page (its
CSRF token and the meeting's version, as their browser would) and all post at the same moment
behind a barrier. Exactly one wins (303); nineteen are refused (409) with a message naming the
winner; exactly one thing, and one trail event, is stored. The double-click tests send the
same form twice, one after the other, as a browser does.
"""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.meetings import service
from app.models import AgendaItem, AgendaPack, Report, ReportState, Role, ScopeKind, TrailEvent, WorkPlanEntry
from tests import racing
from tests.conftest import TEST_PASSWORD

PEOPLE = 20


@pytest.fixture()
def clerks(org, make_user):
    return [make_user(f"clerk{n}@example.org", f"Clerk Number {n}", Role.CLERK, ScopeKind.COMMITTEE, org["committee"])
            for n in range(1, PEOPLE + 1)]


@pytest.fixture()
def browsers(app, clerks):
    with racing.serving(app) as base:
        signed_in = []
        for clerk in clerks:
            browser = racing.Browser(base)
            browser.sign_in(clerk.email, TEST_PASSWORD)
            signed_in.append(browser)
        yield signed_in


def _one_winner_nineteen_refusals(answers, clerks):
    statuses = racing.tally(answers)
    odd = [(a.status, racing.refusal_text(a.text) or a.text[:400]) for a in answers if a.status not in (303, 409)]
    assert statuses == {303: 1, 409: PEOPLE - 1}, (statuses, odd)
    winner = clerks[next(n for n, a in enumerate(answers) if a.status == 303)]
    for answer in answers:
        if answer.status == 409:
            said = racing.refusal_text(answer.text)
            assert winner.name in said and "nothing was changed" in said.lower(), said


@pytest.mark.parametrize("scenario", racing.SCENARIOS, ids=[s.name for s in racing.SCENARIOS])
def test_twenty_at_once_one_wins_and_nineteen_are_told_who_acted(app, db, org, clerks, browsers, scenario):
    answers, seconds, stored = racing.run_scenario(app, browsers, scenario, org["committee"].id, clerks[0].id, 60)
    _one_winner_nineteen_refusals(answers, clerks)
    assert all(count == 1 for count in stored.values()), stored


# --- double-clicks: the same form twice -----------------------------------------------------------

@pytest.fixture()
def agenda(db, org, people):
    meeting = racing.new_meeting(org["committee"], 60)
    return meeting


def _version(clerk, meeting) -> str:
    return clerk.get(f"/meetings/{meeting.id}/agenda").soup.select_one("input[name=version]")["value"]


def _events(db, verb) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent).where(TrailEvent.verb == verb))


def _items(db, meeting, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)
                             .where(AgendaItem.meeting_id == meeting.id, *where))


def test_a_double_clicked_start_makes_one_set_of_standing_items(db, agenda, sign_in_as):
    clerk = sign_in_as("clerk")
    form = {"version": _version(clerk, agenda)}
    assert clerk.post(f"/meetings/{agenda.id}/agenda/start", form).status == 303
    again = clerk.post(f"/meetings/{agenda.id}/agenda/start", form)
    assert again.status == 409
    assert again.error_summary()[0].startswith("Cleo Clerk started this agenda on ")
    assert "Nothing was changed" in again.error_summary()[0]
    assert _items(db, agenda) == 5 and _events(db, "agenda_started") == 1


def test_a_double_clicked_report_goes_on_the_agenda_once(db, agenda, people, sign_in_as):
    service.start_agenda(agenda, people["clerk"])
    report = racing.approved_report(agenda.committee, people["clerk"], "Children's Social Care progress")
    clerk = sign_in_as("clerk")
    form = {"report_id": report.id, "purpose": "To note progress.", "version": _version(clerk, agenda)}
    assert clerk.post(f"/meetings/{agenda.id}/agenda/reports", form).status == 303
    again = clerk.post(f"/meetings/{agenda.id}/agenda/reports", form)
    assert again.status == 409
    assert again.error_summary()[0].startswith("Cleo Clerk added to this agenda on ")
    # The agenda is shown as it is now: the report on it once, and the forms carry its new version.
    rows = [r.select_one("td strong").get_text() for r in again.soup.select("#agenda-items tbody tr")]
    assert rows.count("4. Children's Social Care progress") == 1 and len(rows) == 6
    assert again.soup.select_one("#version-item")["value"] == str(db.session.scalar(
        sa.select(type(agenda).version).where(type(agenda).id == agenda.id)))
    assert _items(db, agenda, AgendaItem.report_id == report.id) == 1 and _events(db, "agenda_item_added") == 1


def test_the_database_refuses_a_report_twice_on_one_agenda_and_a_second_set_of_standing_items(db, agenda, people):
    from sqlalchemy.exc import IntegrityError

    service.start_agenda(agenda, people["clerk"])
    report = racing.approved_report(agenda.committee, people["clerk"], "Children's Social Care progress")
    service.add_report_item(agenda, report, people["clerk"])
    for duplicate in (AgendaItem(meeting_id=agenda.id, title="Again", report_id=report.id),
                      AgendaItem(meeting_id=agenda.id, title="Minutes", standing="minutes")):
        db.session.add(duplicate)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_double_clicked_other_item_is_added_once_and_the_title_is_kept(db, agenda, people, sign_in_as):
    service.start_agenda(agenda, people["clerk"])
    clerk = sign_in_as("clerk")
    form = {"title": "Cultural Entitlement for Young People", "item_purpose": "An update.",
            "version": _version(clerk, agenda)}
    assert clerk.post(f"/meetings/{agenda.id}/agenda/items", form).status == 303
    again = clerk.post(f"/meetings/{agenda.id}/agenda/items", form)
    assert again.status == 409 and "Cleo Clerk added to this agenda on " in again.error_summary()[0]
    assert again.soup.select_one("#title")["value"] == "Cultural Entitlement for Young People"
    assert _items(db, agenda, AgendaItem.title == "Cultural Entitlement for Young People") == 1


def test_a_double_clicked_move_moves_once(db, agenda, people, sign_in_as):
    service.start_agenda(agenda, people["clerk"])
    service.add_other_item(agenda, "Local Area Teams - Update", None, people["clerk"])
    item = service.add_other_item(agenda, "Cultural Entitlement for Young People", None, people["clerk"])
    clerk = sign_in_as("clerk")
    form = {"direction": "up", "version": _version(clerk, agenda)}
    url = f"/meetings/{agenda.id}/agenda/items/{item.id}/move"
    assert clerk.post(url, form).status == 303
    again = clerk.post(url, form)
    assert again.status == 409 and again.error_summary()[0].startswith("Cleo Clerk moved an item on this agenda on ")
    db.session.expire_all()
    titles = [i.title for i in service.items_of(agenda)]
    assert titles[3:5] == ["Cultural Entitlement for Young People", "Local Area Teams - Update"]
    assert _events(db, "agenda_item_moved") == 1


def test_a_double_clicked_remove_is_refused_by_name_not_page_not_found(db, agenda, people, sign_in_as):
    service.start_agenda(agenda, people["clerk"])
    item = service.add_other_item(agenda, "Cultural Entitlement for Young People", None, people["clerk"])
    clerk = sign_in_as("clerk")
    form = {"version": _version(clerk, agenda)}
    url = f"/meetings/{agenda.id}/agenda/items/{item.id}/remove"
    assert clerk.post(url, form).status == 303
    again = clerk.post(url, form)
    assert again.status == 409
    assert again.error_summary()[0].startswith("Cleo Clerk removed an item from this agenda on ")
    assert _events(db, "agenda_item_removed") == 1
    # An item that was never on this agenda is simply not found.
    assert clerk.post(f"/meetings/{agenda.id}/agenda/items/{2**31 - 1}/remove",
                      {"version": _version(clerk, agenda)}).status == 404


def test_a_change_without_the_agenda_version_is_refused(db, agenda, sign_in_as):
    clerk = sign_in_as("clerk")
    page = clerk.post(f"/meetings/{agenda.id}/agenda/start", {})
    assert page.status == 409 and "Nothing was changed" in page.error_summary()[0]
    assert _items(db, agenda) == 0


def test_a_double_clicked_publish_makes_one_version(db, agenda, people, sign_in_as):
    service.add_other_item(agenda, "Cultural Entitlement for Young People", None, people["clerk"])
    clerk = sign_in_as("clerk")
    form = {"version": _version(clerk, agenda)}
    assert clerk.post(f"/meetings/{agenda.id}/publish", form).status == 303
    again = clerk.post(f"/meetings/{agenda.id}/publish", form)
    assert again.status == 409 and again.error_summary()[0].startswith("Cleo Clerk published this agenda on ")
    packs = db.session.scalars(sa.select(AgendaPack).where(AgendaPack.meeting_id == agenda.id)).all()
    assert [p.number for p in packs] == [1] and _events(db, "agenda_published") == 1


def test_a_stale_publish_is_refused_before_the_pack_is_built(db, agenda, people, monkeypatch):
    """The version is checked before the slow build: a refused publish builds nothing."""
    from app.concurrency import Refused
    from app.meetings import pack

    service.add_other_item(agenda, "Cultural Entitlement for Young People", None, people["clerk"])
    seen = agenda.version
    service.add_other_item(agenda, "Local Area Teams - Update", None, people["clerk"])
    built = []
    real = pack.build_pack
    monkeypatch.setattr(pack, "build_pack", lambda *a, **k: built.append(1) or real(*a, **k))
    with pytest.raises(Refused, match="Cleo Clerk added to this agenda on .* Nothing was changed"):
        service.publish(agenda, people["clerk"], version=seen)
    assert built == [] and db.session.scalar(sa.select(sa.func.count()).select_from(AgendaPack)) == 0


def test_a_double_clicked_minutes_upload_is_stored_once(db, agenda, people, sign_in_as):
    from app.models import MeetingDocument

    service.start_agenda(agenda, people["clerk"])
    clerk = sign_in_as("clerk")
    version = _version(clerk, agenda)
    pdf = racing.minimal_pdf()
    for status in (303, 409):
        page = clerk.post(f"/meetings/{agenda.id}/documents", {
            "kind": "minutes", "agenda_item_id": "", "version": version,
            "document": (io.BytesIO(pdf), "minutes.pdf")}, content_type="multipart/form-data")
        assert page.status == status
    assert "Cleo Clerk added to this agenda on " in page.error_summary()[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingDocument)) == 1


# --- the work plan ---------------------------------------------------------------------------------

@pytest.fixture()
def plan(db, org):
    meeting = racing.new_meeting(org["committee"], 60)
    later = racing.new_meeting(org["committee"], 90)
    entry = WorkPlanEntry(committee_id=org["committee"].id, meeting_id=meeting.id,
                          municipal_year=meeting.municipal_year, title="Local Area Teams Audit Update", position=1)
    db.session.add(entry)
    db.session.commit()
    return {"committee": org["committee"], "meeting": meeting, "later": later, "entry": entry}


def _entry_version(clerk, plan, entry_id) -> str:
    page = clerk.get(f"/committees/{plan['committee'].id}/work-plan?year={plan['meeting'].municipal_year}")
    return page.soup.select_one(f"#entry-{entry_id} input[name=version]")["value"]


def _entries(db, title) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WorkPlanEntry).where(WorkPlanEntry.title == title))


def test_a_double_clicked_work_plan_add_plans_the_item_once(db, plan, sign_in_as):
    clerk = sign_in_as("clerk")
    form = {"meeting_id": plan["meeting"].id, "title": "Cultural Leaders Update", "report_owner": "Jo Whitfield",
            "year": plan["meeting"].municipal_year}
    assert clerk.post(f"/committees/{plan['committee'].id}/work-plan", form).status == 303
    again = clerk.post(f"/committees/{plan['committee'].id}/work-plan", form)
    assert again.status == 409
    said = again.field_error("title")
    assert said.startswith("“Cultural Leaders Update” is already on the work plan for ")
    assert "Cleo Clerk added “Cultural Leaders Update” on " in said
    assert again.soup.select_one("#report_owner")["value"] == "Jo Whitfield"
    assert _entries(db, "Cultural Leaders Update") == 1 and _events(db, "work_plan_item_added") == 1


@pytest.mark.parametrize("step", ["move", "report", "remove"])
def test_a_double_clicked_work_plan_change_is_made_once(db, plan, people, sign_in_as, step):
    report = racing.approved_report(plan["committee"], people["clerk"], "Local Area Teams audit")
    clerk = sign_in_as("clerk")
    entry = plan["entry"]
    form = {"version": _entry_version(clerk, plan, entry.id), "meeting_id": plan["later"].id, "report_id": report.id}
    url = f"/committees/{plan['committee'].id}/work-plan/{entry.id}/{step}"
    assert clerk.post(url, form).status == 303
    again = clerk.post(url, form)
    assert again.status == 409
    did = {"move": "moved", "report": "changed the report linked to", "remove": "removed"}[step]
    assert again.error_summary()[0].startswith(f"Cleo Clerk {did} “Local Area Teams Audit Update” on ")
    verb = {"move": "work_plan_item_moved", "report": "work_plan_item_linked", "remove": "work_plan_item_removed"}[step]
    assert _events(db, verb) == 1


def test_a_work_plan_item_of_another_committee_is_not_found_even_once_removed(app, db, plan, people, make_user):
    from app.meetings import workplan
    from app.models import Committee
    from tests.conftest import Client

    other = Committee(name="Health and Adult Social Care Policy and Scrutiny Committee")
    db.session.add(other)
    db.session.commit()
    make_user("other.clerk@example.org", "Olive Other", Role.CLERK, ScopeKind.COMMITTEE, other)
    entry_id = plan["entry"].id
    workplan.remove_entry(plan["entry"], people["clerk"])
    olive = Client(app)
    assert olive.sign_in("other.clerk@example.org").status == 302
    page = olive.post(f"/committees/{other.id}/work-plan/{entry_id}/remove", {"version": "1"})
    assert page.status == 404  # nothing of the other committee's removed item is told


def _work_plan_race(app, db, plan, clerks, browsers, step):
    committee = plan["committee"]
    year = plan["meeting"].municipal_year
    forms = []
    for b in browsers:
        page = b.get(f"/committees/{committee.id}/work-plan?year={year}")
        form = {"csrf_token": racing.csrf_token(page.text), "meeting_id": str(plan["later"].id),
                "title": "Cultural Leaders Update", "year": year}
        if step != "add":
            form["version"] = racing.form_value(page.text, "version", within=f'id="entry-{plan["entry"].id}"')
        forms.append(form)
    path = (f"/committees/{committee.id}/work-plan" if step == "add"
            else f"/committees/{committee.id}/work-plan/{plan['entry'].id}/{step}")
    answers, _ = racing.race(browsers, path, forms)
    return answers


@pytest.mark.parametrize("step", ["add", "move", "remove"])
def test_twenty_work_plan_changes_at_once_one_wins(app, db, plan, clerks, browsers, step):
    answers = _work_plan_race(app, db, plan, clerks, browsers, step)
    statuses = racing.tally(answers)
    assert statuses == {303: 1, 409: PEOPLE - 1}, statuses
    winner = clerks[next(n for n, a in enumerate(answers) if a.status == 303)]
    for answer in answers:
        if answer.status == 409:
            assert winner.name in racing.refusal_text(answer.text), racing.refusal_text(answer.text)
    db.session.expire_all()
    verb = {"add": "work_plan_item_added", "move": "work_plan_item_moved", "remove": "work_plan_item_removed"}[step]
    assert _events(db, verb) == 1
    if step == "add":
        assert _entries(db, "Cultural Leaders Update") == 1


# --- a draft report on the work plan is the author's business ----------------------------------------

def test_a_draft_report_on_the_work_plan_is_shown_only_in_the_clerks_working_view(app, db, plan, people, sign_in_as):
    draft = Report(title="Confidential draft on Local Area Teams", committee_id=plan["committee"].id,
                   author_id=people["hos"].id, state=ReportState.DRAFT, content="{}")
    db.session.add(draft)
    db.session.flush()
    plan["entry"].report_id = draft.id
    db.session.commit()
    url = f"/committees/{plan['committee'].id}/work-plan?year={plan['meeting'].municipal_year}"
    for who in ("owner", "nobody", "hos"):
        page = sign_in_as(who).get(url)
        row = page.soup.select_one(f"#entry-{plan['entry'].id}").get_text(" ", strip=True)
        assert "Confidential draft" not in row and "Draft" not in row, who
        assert "Not yet approved" in row
    clerk = sign_in_as("clerk")
    row = clerk.get(url).soup.select_one(f"#entry-{plan['entry'].id}").get_text(" ", strip=True)
    assert "Confidential draft on Local Area Teams" in row and "Draft" in row
    # The export is for everyone: no draft's title or state, for the clerk either.
    for who in ("owner", "clerk"):
        data = sign_in_as(who).c.get(url.replace("work-plan?", "work-plan.xlsx?")).data
        cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row if c]
        assert not any("Confidential draft" in str(c) or c == "Draft" for c in cells), who
        assert "Not yet approved" in cells
    # Once approved, everyone sees it.
    draft.state = ReportState.APPROVED
    db.session.commit()
    row = sign_in_as("owner").get(url).soup.select_one(f"#entry-{plan['entry'].id}").get_text(" ", strip=True)
    assert "Confidential draft on Local Area Teams" in row and "Approved" in row
