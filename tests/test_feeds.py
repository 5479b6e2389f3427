"""iCalendar feeds (RFC 5545, written by hand) and open data (OParl-shaped JSON) of published
meetings (issue 14)."""
import hashlib
from datetime import date, datetime, time, timezone

import pytest

from app.models import utcnow
from app.public import ical
from tests.public_helpers import approved_paper, published_meeting


@pytest.fixture()
def meetings(db, org):
    committee = org["committee"]
    paper = approved_paper(committee, "Local Area Teams - Update", "The teams are working well")
    secret = approved_paper(committee, "Staffing restructure", "Named post holders to be made redundant")
    summer = published_meeting(committee, date(2019, 7, 23), [
        {"title": "Local Area Teams - Update", "report": paper, "pages": (3, 9)},
        {"title": "Staffing restructure", "report": secret, "exempt_paragraph": 1},
    ], starts_at=time(17, 30), venue="The Thornton Room, West Offices, Station Rise, York YO1 6GA")
    winter = published_meeting(committee, date(2019, 12, 3), [{"title": "Work Plan", "standing": "work_plan"}])
    return dict(committee=committee, paper=paper, secret=secret, summer=summer, winter=winter)


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_escaping_and_folding_follow_rfc_5545():
    assert ical.escape("Room 1, West Offices; York\\North\nsecond") == "Room 1\\, West Offices\\; York\\\\North\\nsecond"
    line = "DESCRIPTION:" + "é" * 100  # two octets each: never split inside one
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_meeting_is_an_event_in_utc_with_its_place_and_address():
    body = ical.calendar("Test", [ical.Event(uid="meeting-1@example.org", summary="Scrutiny, Committee",
                                              starts_on=date(2019, 7, 23), starts_at=time(17, 30),
                                              location="West Offices", url="http://x.test/public/meetings/1")],
                         now=datetime(2019, 7, 1, 9, 0, tzinfo=timezone.utc))
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and lines[-2] == "END:VCALENDAR"
    assert "DTSTART:20190723T163000Z" in lines  # 5.30pm in London in summer is 4.30pm UTC
    assert "DTEND:20190723T183000Z" in lines
    assert "DTSTAMP:20190701T090000Z" in lines and "UID:meeting-1@example.org" in lines
    assert "SUMMARY:Scrutiny\\, Committee" in lines and "STATUS:CONFIRMED" in lines


def test_the_feed_of_all_meetings(client, meetings):
    response = client.c.get("/public/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = unfold(body)
    assert lines.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20190723T163000Z" in lines
    assert "DTSTART;VALUE=DATE:20191203" in lines and "DTEND;VALUE=DATE:20191204" in lines  # no time: a day
    assert "LOCATION:The Thornton Room\\, West Offices\\, Station Rise\\, York YO1 6GA" in lines
    assert f"URL:http://localhost/public/meetings/{meetings['summer'].id}" in lines
    assert "Staffing" not in body


def test_the_committee_feed_has_its_meetings_only(client, meetings, db):
    from app.models import Committee

    other = Committee(name="Economy and Place")
    db.session.add(other)
    db.session.commit()
    published_meeting(other, date(2019, 8, 1), [{"title": "Roads"}])
    body = client.c.get(f"/public/committees/{meetings['committee'].id}/calendar.ics").get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 2 and "20190801" not in body
    other_body = client.c.get(f"/public/committees/{other.id}/calendar.ics").get_data(as_text=True)
    assert other_body.count("BEGIN:VEVENT") == 1 and "SUMMARY:Economy and Place" in other_body
    assert client.c.get("/public/committees/99999/calendar.ics").status_code == 404


def test_a_cancelled_meeting_is_cancelled_in_the_feed(client, meetings, db):
    meeting = meetings["winter"]
    meeting.cancelled_at = utcnow()
    db.session.commit()
    lines = unfold(client.c.get("/public/calendar.ics").get_data(as_text=True))
    assert "STATUS:CANCELLED" in lines and "STATUS:CONFIRMED" in lines


def test_open_data_meeting_list(client, meetings):
    data = client.c.get("/public/api/meetings").get_json()
    assert data["pagination"] == {"totalElements": 2, "elementsPerPage": 50, "currentPage": 1, "totalPages": 1}
    names = [m["name"] for m in data["data"]]
    assert names == [f"{meetings['committee'].name}, 3 December 2019", f"{meetings['committee'].name}, 23 July 2019"]
    assert all(m["type"] == "https://schema.oparl.org/1.1/Meeting" for m in data["data"])
    assert client.c.get("/public/api/meetings?page=0").status_code == 400


def test_open_data_meeting_with_items_and_files(client, meetings):
    summer = meetings["summer"]
    data = client.c.get(f"/public/api/meetings/{summer.id}").get_json()
    assert data["id"] == f"http://localhost/public/api/meetings/{summer.id}"
    assert data["start"] == "2019-07-23T17:30:00+01:00" and data["cancelled"] is False
    assert data["location"]["description"].startswith("The Thornton Room")
    assert data["web"] == f"http://localhost/public/meetings/{summer.id}"
    assert data["invitation"]["mimeType"] == "application/pdf"
    first, exempt = data["agendaItem"]
    assert first["type"] == "https://schema.oparl.org/1.1/AgendaItem"
    assert (first["number"], first["name"], first["public"], first["x-pages"]) == (
        "1", "Local Area Teams - Update", True, "Pages 3 - 9")
    (paper,) = first["auxiliaryFile"]
    assert paper["type"] == "https://schema.oparl.org/1.1/File" and paper["mimeType"] == "application/pdf"
    assert paper["name"] == "Local Area Teams - Update"
    download = client.c.get(paper["accessUrl"].replace("http://localhost", ""))
    assert download.status_code == 200
    assert paper["size"] == len(download.data)
    assert paper["sha256Checksum"] == hashlib.sha256(download.data).hexdigest()
    assert exempt == {"id": exempt["id"], "type": "https://schema.oparl.org/1.1/AgendaItem",
                      "meeting": data["id"], "number": "2", "order": 2, "name": "Staffing restructure",
                      "public": False, "x-exemptParagraph": 1,
                      "x-exempt": "Exempt information: paragraph 1 of Schedule 12A to the Local Government Act 1972"}


def test_open_data_has_no_drafts_and_no_exempt_text(client, meetings, db):
    from app.models import Meeting

    draft = Meeting(committee_id=meetings["committee"].id, meets_on=date(2019, 9, 24), municipal_year="2019-20")
    db.session.add(draft)
    db.session.commit()
    assert client.c.get(f"/public/api/meetings/{draft.id}").status_code == 404
    body = client.c.get("/public/api/meetings").get_data(as_text=True)
    assert "redundant" not in body and f"paper-{meetings['secret'].id}" not in body
