"""Issue 14: the clerk's editing tools. Edit and reschedule a meeting (old -> new on the trail),
cancel it (a notice on its page; it cannot be published), edit any item's title and purpose
(standing items too), remove an item after being told what goes with it, replace or remove a
PDF, and a warning before publishing without the previous meeting's minutes. Stale pages are
refused (409); bad input is shown beside its field (400)."""
import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.meetings import editing, service
from app.models import AgendaItem, AgendaPack, MeetingDocument, TrailEvent
from tests import racing
from tests.test_pack import pdf_of


def events(db, verb):
    rows = db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()
    return [r.data if isinstance(r.data, dict) else json.loads(r.data) for r in rows]


def test_rescheduling_a_meeting_records_the_old_and_new_date(db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    clerk = sign_in_as("clerk")
    page = clerk.get(f"/meetings/{meeting.id}/edit")
    assert page.status == 200
    new = meeting.meets_on + timedelta(days=7)
    done = clerk.post(f"/meetings/{meeting.id}/edit", {
        "version": meeting.version, "meets_on": [str(new.day), str(new.month), str(new.year)],
        "starts_at": "5.30pm", "venue": "West Offices"}, token_from=f"/meetings/{meeting.id}/edit")
    assert done.status == 303, done.text()[:3000]
    db.session.refresh(meeting)
    assert meeting.meets_on == new and meeting.venue == "West Offices"
    [data] = events(db, "meeting_rescheduled")
    assert list(data["changes"]) == ["Date", "Time", "Venue"]
    assert data["changes"]["Date"][1].endswith(f"{new.day} {new:%B %Y}")
    # The same page again (its version is old now) is refused, not applied twice.
    again = clerk.post(f"/meetings/{meeting.id}/edit", {
        "version": meeting.version - 1, "meets_on": ["1", "1", str(new.year + 1)]},
        token_from=f"/meetings/{meeting.id}/edit")
    assert again.status == 409 and "Cleo Clerk" in again.text()
    bad = clerk.post(f"/meetings/{meeting.id}/edit", {"version": meeting.version, "meets_on": ["31", "2", "2027"]},
                     token_from=f"/meetings/{meeting.id}/edit")
    assert bad.status == 400 and "There is a problem" in bad.text()


def test_a_cancelled_meeting_says_so_and_cannot_be_published(app, db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    service.add_other_item(meeting, "Library Services Review", None, people["clerk"])
    clerk = sign_in_as("clerk")
    empty = clerk.post(f"/meetings/{meeting.id}/cancel", {"version": meeting.version, "reason": " "},
                       token_from=f"/meetings/{meeting.id}/cancel")
    assert empty.status == 400 and "Give the reason" in empty.text()
    done = clerk.post(f"/meetings/{meeting.id}/cancel", {"version": meeting.version,
                                                        "reason": "There is no business to transact."},
                      token_from=f"/meetings/{meeting.id}/cancel")
    assert done.status == 303
    page = clerk.get(f"/meetings/{meeting.id}")
    assert "This meeting was cancelled" in page.text() and "There is no business to transact." in page.text()
    assert events(db, "meeting_cancelled")[0]["reason"] == "There is no business to transact."
    db.session.refresh(meeting)
    refused = clerk.post(f"/meetings/{meeting.id}/publish", {"version": meeting.version},
                         token_from=f"/meetings/{meeting.id}/agenda")
    assert refused.status == 400 and "cancelled" in refused.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaPack)) == 0


def test_any_item_can_be_reworded_standing_items_too(db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, people["clerk"])
    declarations = next(i for i in service.items_of(meeting) if i.standing == "declarations")
    clerk = sign_in_as("clerk")
    url = f"/meetings/{meeting.id}/agenda/items/{declarations.id}/edit"
    assert "standing item" in clerk.get(url).text()
    done = clerk.post(url, {"version": meeting.version, "title": "Declarations of Interests",
                            "purpose": "Members are asked to declare:\n- any interests"}, token_from=url)
    assert done.status == 303
    db.session.refresh(declarations)
    assert declarations.title == "Declarations of Interests"
    [data] = events(db, "agenda_item_edited")
    assert data["changes"]["Title"] == ["Declarations of Interest", "Declarations of Interests"]
    blank = clerk.post(url, {"version": meeting.version + 1, "title": " ", "purpose": ""}, token_from=url)
    assert blank.status == 400 and "Enter the item's title" in blank.text()


def test_removing_an_item_asks_first_and_says_what_goes_with_it(db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    item = service.add_other_item(meeting, "Local Area Teams", None, people["clerk"])
    service.add_document(meeting, "annex", item, "audit.pdf", pdf_of("AUDIT", 1), people["clerk"],
                         title="Annex A: Audit findings")
    clerk = sign_in_as("clerk")
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}/remove"
    item_id = item.id
    ask = clerk.get(url)
    assert ask.status == 200
    assert "Remove “Local Area Teams” from the agenda?" in ask.text()
    assert "The annex “Annex A: Audit findings” (audit.pdf) is removed with it." in ask.text()
    assert db.session.get(AgendaItem, item.id) is not None  # asking removes nothing
    # The agenda's own Remove button asks the same question, at the agenda's address.
    agenda = f"/meetings/{meeting.id}/agenda"
    asked = clerk.post(agenda, {"docket_action": url, "version": meeting.version, "ask": "yes"}, token_from=agenda)
    assert asked.status == 200 and "The annex “Annex A: Audit findings” (audit.pdf) is removed with it." in asked.text()
    assert asked.soup.select_one(f'main form input[name="docket_action"][value="{url}"]') is not None
    assert db.session.get(AgendaItem, item.id) is not None
    done = clerk.post(url, {"version": meeting.version}, token_from=url)
    assert done.status == 303
    db.session.expire_all()
    assert db.session.get(AgendaItem, item_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingDocument)) == 0
    [data] = events(db, "agenda_item_removed")
    assert data["annexes"] == ["Annex A: Audit findings"]


def test_a_pdf_can_be_replaced_or_removed(db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    item = service.add_other_item(meeting, "Local Area Teams", None, people["clerk"])
    doc = service.add_document(meeting, "annex", item, "old.pdf", pdf_of("OLD", 1), people["clerk"])
    clerk = sign_in_as("clerk")
    url = f"/meetings/{meeting.id}/documents/{doc.id}/replace"
    import io

    done = clerk.post(url, {"version": meeting.version, "title": "Annex A: New findings",
                            "document": (io.BytesIO(pdf_of("NEW", 1)), "new.pdf")}, token_from=url,
                      content_type="multipart/form-data")
    assert done.status == 303
    db.session.refresh(doc)
    assert doc.filename == "new.pdf" and doc.title == "Annex A: New findings"
    assert events(db, "meeting_document_replaced")[0]["changes"]["File"] == ["old.pdf", "new.pdf"]
    not_pdf = clerk.post(url, {"version": meeting.version + 1,
                               "document": (io.BytesIO(b"hello"), "notes.txt")}, token_from=url,
                         content_type="multipart/form-data")
    assert not_pdf.status == 400 and "must be a PDF" in not_pdf.text()
    remove = f"/meetings/{meeting.id}/documents/{doc.id}/remove"
    doc_id = doc.id
    assert "Remove “Annex A: New findings”?" in clerk.get(remove).text()
    stale = clerk.post(remove, {"version": 1}, token_from=remove)
    assert stale.status == 409
    assert clerk.post(remove, {"version": meeting.version + 1}, token_from=remove).status == 303
    db.session.expire_all()
    assert db.session.get(MeetingDocument, doc_id) is None
    assert events(db, "meeting_document_removed")[0]["filename"] == "new.pdf"


def test_publishing_without_the_minutes_asks_first(app, db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, people["clerk"])
    assert editing.minutes_missing(meeting)
    clerk = sign_in_as("clerk")
    agenda = f"/meetings/{meeting.id}/agenda"
    ask = clerk.post(f"/meetings/{meeting.id}/publish", {"version": meeting.version}, token_from=agenda)
    assert ask.status == 200 and "Publish without the minutes?" in ask.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaPack)) == 0
    done = clerk.post(f"/meetings/{meeting.id}/publish", {"version": meeting.version, "without_minutes": "yes"},
                      token_from=agenda)
    assert done.status == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaPack)) == 1


def test_the_agenda_builder_lists_annexes_by_title_not_none(db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    item = service.add_other_item(meeting, "Local Area Teams", None, people["clerk"])
    service.add_document(meeting, "annex", item, "a.pdf", pdf_of("A", 1), people["clerk"], title="Annex A: Data")
    page = sign_in_as("clerk").get(f"/meetings/{meeting.id}/agenda")
    row = page.soup.select_one(f"#item-{item.id}").get_text(" ", strip=True)
    assert "Annex A: Data" in row and "None" not in row


def test_the_html_agenda_spaces_page_ranges_and_lists_bullets(app, db, org, people, sign_in_as):
    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, people["clerk"])
    service.add_document(meeting, "minutes", None, "minutes.pdf", pdf_of("MINUTES", 3), people["clerk"])
    with app.test_request_context():
        service.publish(meeting, people["clerk"], today=date.today())
    page = sign_in_as("clerk").get(f"/meetings/{meeting.id}")
    text = page.soup.select_one(".docket-agenda").get_text(" ", strip=False)
    assert "Minutes (Pages" in " ".join(text.split())
    bullets = [li.get_text(strip=True) for li in page.soup.select(".docket-agenda ul li")]
    assert "any disclosable pecuniary interests" in bullets
    assert "- any" not in page.text()


def test_front_sheet_conventions_are_settings(app, db, people, sign_in_as):
    from app.settings import front_sheet_texts

    admin = sign_in_as("admin")
    page = admin.get("/admin/settings")
    assert page.status == 200
    assert page.soup.select_one("select#front_sheet_officer_title") is not None
    form = {field["name"]: field.get("value", "") for field in page.soup.select("form input[name], form textarea")
            if field.get("name") != "csrf_token"}
    form.update({t["name"]: t.get_text() for t in page.soup.select("form textarea")})
    form.update({"front_sheet_numbered": "no", "front_sheet_officer_title": "Democratic Services Officer",
                 "front_sheet_languages": "Gellir darparu'r wybodaeth hon yn Gymraeg."})
    saved = admin.post("/admin/settings", form, token_from="/admin/settings")
    assert saved.status == 302
    with app.test_request_context():
        texts = front_sheet_texts()
    assert texts["front_sheet_numbered"] == "no"
    assert texts["front_sheet_officer_title"] == "Democratic Services Officer"
    [data] = events(db, "settings_edited")
    assert data["changes"]["Agenda front sheet: the officer's title"] == ["Democracy Officer",
                                                                          "Democratic Services Officer"]
    bad = admin.post("/admin/settings", dict(form, front_sheet_officer_title="Clerk"), token_from="/admin/settings")
    assert bad.status == 400
