"""Committee papers (issue 14): written in Docket or uploaded (Word, PDF), with titled annexes,
through the same approval as compiled reports, onto an agenda only once approved; the clerk's
view of each meeting's papers, and chasing the author."""
import hashlib
import io
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.meetings.dates import municipal_year
from app.models import (Meeting, Notification, Report, ReportKind, ReportState, Role, ScopeKind, TrailEvent,
                        WorkPlanEntry)
from app.reports import papers
from tests.pdf_samples import a_pdf

TOKEN = "t" * 32


@pytest.fixture()
def meeting(db, org):
    when = date.today() + timedelta(days=40)
    m = Meeting(committee=org["committee"], meets_on=when, municipal_year=municipal_year(when))
    db.session.add(m)
    db.session.commit()
    return m


def text_pdf(text: str) -> bytes:
    """A one-page PDF with `text` on it."""
    from weasyprint import HTML

    return HTML(string=f"<html lang='en-GB'><title>{text}</title><p>{text}</p></html>").write_pdf()


def events(db, verb):
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()


def token(n=0):
    return f"{TOKEN}{n:04d}"


def write(c, org, meeting, title="Youth Offer Strategy: progress", n=0, **extra):
    data = {"title": title, "service_id": org["service"].id, "meeting_id": meeting.id, "form_token": token(n)}
    data.update(extra)
    return c.post("/reports/papers/new", data, token_from="/reports/papers/new")


def paper_called(db, title) -> Report:
    db.session.expire_all()
    return db.session.scalar(sa.select(Report).where(Report.title == title))


def fill(c, report, **sections):
    values = {"summary": "This paper sets out the Youth Offer Strategy.\n\nIt asks the committee to note it.",
              "background": "The strategy was agreed in 2018.", "progress": "Three options were considered.",
              "recommendations": "- Note the strategy\n- Receive a report in March", "reason": "To keep the committee informed."}
    values.update(sections)
    values["version"] = report.version
    return c.post(f"/reports/{report.id}/edit", values, token_from=f"/reports/{report.id}/edit")


def post_on(c, report, action, data=None):
    data = dict(data or {})
    data.setdefault("version", report.version)
    return c.post(f"/reports/{report.id}/{action}", data, token_from=f"/reports/{report.id}")


def test_an_officer_writes_a_paper_in_the_councils_format(app, db, org, people, meeting, sign_in_as):
    entry = WorkPlanEntry(committee=org["committee"], meeting=meeting, municipal_year=meeting.municipal_year,
                          title="Youth Offer Strategy: progress")
    db.session.add(entry)
    db.session.commit()
    owner = sign_in_as("owner")  # an action owner in the service: any officer with a role there
    page = owner.get("/reports/papers/new")
    assert page.status == 200 and page.h1 == "Write a committee paper"
    page = write(owner, org, meeting)
    assert page.status == 303 and page.response.location.endswith("/edit")
    report = paper_called(db, "Youth Offer Strategy: progress")
    assert report.kind == ReportKind.PAPER and report.service_id == org["service"].id
    assert report.meeting_id == meeting.id and report.committee_id == org["committee"].id
    assert db.session.get(WorkPlanEntry, entry.id).report_id == report.id  # the work plan item it answers
    created = events(db, "paper_created")[-1]
    assert json.loads(created.data)["title"] == "Youth Offer Strategy: progress"

    edit = owner.get(f"/reports/{report.id}/edit")
    assert edit.soup.select_one("label[for=progress]").get_text(strip=True) == "Analysis"
    assert fill(owner, report).status == 302
    page = owner.get(f"/reports/{report.id}")
    text = page.text()
    assert "Committee paper, version 1" in text
    assert org["committee"].name in text
    headings = [h.get_text(strip=True) for h in page.soup.select(".docket-report h2")]
    assert headings[:4] == ["Summary", "Background", "Analysis", "Recommendations"]
    assert "Progress" not in headings and "Compile again" not in text
    numbers = [n.get_text(strip=True) for n in page.soup.select(".docket-number")]
    assert numbers == ["1.", "2.", "3.", "4."]  # numbered through the paper, as compiled reports are
    # a second send of the same form makes no second paper
    again = write(owner, org, meeting)
    assert again.status == 409 and "already sent" in again.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1


def test_who_may_write_a_paper_and_for_which_service(app, db, org, people, meeting, sign_in_as):
    assert sign_in_as("nobody").get("/reports/papers/new").status == 403
    owner = sign_in_as("owner")
    page = owner.post("/reports/papers/new", {"title": "Roads", "service_id": org["other_service"].id,
                                              "meeting_id": meeting.id, "form_token": token()},
                      token_from="/reports/papers/new")
    assert page.status == 400  # Highways is not in the list of their services
    assert page.field_error("service_id")
    page = owner.post("/reports/papers/new", {"title": "", "service_id": org["service"].id, "meeting_id": "",
                                              "form_token": token()}, token_from="/reports/papers/new")
    assert page.status == 400
    assert page.field_error("title") == "Enter the paper's title"
    assert page.field_error("meeting_id") == "Choose the meeting the paper is for"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_the_services_ad_or_named_chief_officer_approves_and_the_version_is_frozen(
        app, db, org, people, meeting, make_user, sign_in_as):
    chief = make_user("chief@example.org", "Chris Chief", job_title="Director of Children's Services")
    outsider = make_user("ad2@example.org", "Other Director", Role.ASSISTANT_DIRECTOR, ScopeKind.SERVICE,
                         org["other_service"])
    owner = sign_in_as("owner")
    write(owner, org, meeting)
    report = paper_called(db, "Youth Offer Strategy: progress")
    fill(owner, report)
    report = paper_called(db, report.title)
    assert post_on(owner, report, "submit").status == 302
    report = paper_called(db, report.title)
    assert report.state == ReportState.SUBMITTED
    # the service's Assistant Director was told
    assert db.session.scalar(sa.select(Notification).where(Notification.recipient_id == people["ad"].id,
                                                           Notification.kind == "report_submitted"))
    # an Assistant Director of another service may not approve it; the author may not either
    from tests.conftest import Client

    other = Client(app)
    other.sign_in(outsider.email)
    assert post_on(other, report, "approve").status == 403
    assert post_on(owner, report, "approve").status == 403

    # the AD returns it with a comment; the author resubmits
    ad = sign_in_as("ad")
    assert post_on(ad, report, "return", {"comment": "Say what it costs"}).status == 302
    report = paper_called(db, report.title)
    assert report.state == ReportState.RETURNED
    fill(owner, report, implications_financial="£20,000 from reserves.")
    report = paper_called(db, report.title)
    post_on(owner, report, "submit")

    # the council names a chief officer for the service: they approve it
    svc = db.session.get(type(org["service"]), org["service"].id)
    svc.chief_officer_id = chief.id
    db.session.commit()
    c = Client(app)
    c.sign_in(chief.email)
    report = paper_called(db, report.title)
    assert c.get(f"/reports/{report.id}").status == 200
    assert post_on(c, report, "approve").status == 302
    report = paper_called(db, report.title)
    assert report.state == ReportState.APPROVED
    frozen = report.versions[-1]
    assert frozen.number == 1 and frozen.approved_by_id == chief.id
    assert frozen.content_hash == hashlib.sha256(frozen.content.encode("utf-8")).hexdigest()
    assert events(db, "report_approved")[-1].object_id == report.id
    page = c.get(f"/reports/{report.id}")
    assert "Report Approved ✓" in page.text() and "Chris Chief" in page.text()
    pdf = c.c.get(f"/reports/{report.id}/report.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == frozen.pdf


def test_an_approved_paper_goes_on_its_committees_agenda_and_not_before(app, db, org, people, meeting, sign_in_as):
    from app.meetings import service as agenda

    owner = sign_in_as("owner")
    write(owner, org, meeting)
    report = paper_called(db, "Youth Offer Strategy: progress")
    fill(owner, report)
    report = paper_called(db, report.title)
    post_on(owner, report, "submit")
    meeting = db.session.get(Meeting, meeting.id)
    agenda.start_agenda(meeting, people["clerk"])
    assert [r for r, *_ in agenda.report_choices(meeting.committee, meeting)] == []
    with pytest.raises(agenda.AgendaError, match="not approved"):
        agenda.add_report_item(meeting, paper_called(db, report.title), people["clerk"])
    db.session.rollback()
    post_on(sign_in_as("ad"), paper_called(db, report.title), "approve")
    meeting = db.session.get(Meeting, meeting.id)
    assert [r for r, *_ in agenda.report_choices(meeting.committee, meeting)] == [report.id]
    clerk = sign_in_as("clerk")
    assert clerk.get(f"/reports/{report.id}").status == 200  # the clerk reads the approved paper
    item = agenda.add_report_item(meeting, paper_called(db, report.title), people["clerk"])
    assert item.report_id == report.id


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Children's Social Care Sufficiency", style="Title")
    doc.add_heading("1. Summary", level=1)
    doc.add_paragraph("1.1 This paper sets out how many placements the city needs.")
    doc.add_heading("Background", level=1)
    doc.add_paragraph("Demand rose in 2025.")
    doc.add_paragraph("Fostering households", style="List Bullet")
    doc.add_paragraph("Residential homes", style="List Bullet")
    doc.add_heading("Options", level=1)
    doc.add_paragraph("Two options were looked at.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Option", "Cost"
    table.cell(1, 0).text, table.cell(1, 1).text = "Build two homes", "£4.2m"
    doc.add_heading("Implications", level=1)
    doc.add_paragraph("Financial: The cost is met from the capital programme.")
    doc.add_paragraph("Legal - None.")
    doc.add_heading("Recommendations", level=1)
    doc.add_paragraph("Approve option 1.", style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload(c, org, meeting, filename, data, n=1, **fields):
    values = {"service_id": org["service"].id, "meeting_id": meeting.id, "form_token": token(n),
              "file": (io.BytesIO(data), filename)}
    values.update(fields)
    return c.post("/reports/papers/upload", values, token_from="/reports/papers/upload",
                  content_type="multipart/form-data")


def test_a_word_paper_is_read_into_the_councils_sections(app, db, org, people, meeting, sign_in_as):
    hos = sign_in_as("hos")
    page = upload(hos, org, meeting, "sufficiency.docx", _docx())
    assert page.status == 303, page.text()[:500]
    report = paper_called(db, "Children's Social Care Sufficiency")  # the title from the Word paper
    data = json.loads(report.content)
    assert data["summary"] == "This paper sets out how many placements the city needs."
    assert data["background"] == "Demand rose in 2025.\n\n- Fostering households\n- Residential homes"
    assert data["implications_financial"] == "The cost is met from the capital programme."
    assert data["implications_legal"] == "None."
    assert data["recommendations"] == "- Approve option 1."
    assert data["paper_sections"][0]["heading"] == "Options"
    assert data["source"]["filename"] == "sufficiency.docx"
    assert events(db, "paper_uploaded")[-1].object_id == report.id
    page = hos.get(f"/reports/{report.id}")
    headings = [h.get_text(strip=True) for h in page.soup.select(".docket-report h2")]
    assert headings[:4] == ["Summary", "Background", "Options", "Recommendations"]
    cells = [c.get_text(strip=True) for c in page.soup.select(".docket-report td")]
    assert "Build two homes" in cells and "£4.2m" in cells
    assert "Build two homes" in papers.paper_text(report)
    original = hos.c.get(f"/reports/{report.id}/paper-file")
    assert original.status_code == 200  # served as uploaded
    assert hashlib.sha256(original.data).hexdigest() == report.source_sha256
    # a typed-in PDF of the paper, in the council's format
    assert papers.paper_pdf(report).startswith(b"%PDF-")


def test_a_pdf_paper_needs_its_cover_details_and_is_its_own_pdf(app, db, org, people, meeting, sign_in_as):
    owner = sign_in_as("owner")
    pdf = text_pdf("Highways winter maintenance plan")
    page = upload(owner, org, meeting, "winter.pdf", pdf, title="Winter maintenance")
    assert page.status == 400
    assert page.field_error("summary") == "Enter the paper's summary"
    assert page.field_error("recommendations") == "Enter the paper's recommendations"
    page = upload(owner, org, meeting, "notes.txt", b"hello", title="Winter maintenance")
    assert page.status == 400 and page.field_error("file")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0
    page = upload(owner, org, meeting, "winter.pdf", pdf, n=2, title="Winter maintenance",
                  summary="The gritting plan for this winter.", recommendations="Note the plan.")
    assert page.status == 303
    report = paper_called(db, "Winter maintenance")
    assert papers.paper_pdf(report) == pdf
    assert "Highways winter maintenance plan" in papers.paper_text(report)
    post_on(owner, report, "submit")
    post_on(sign_in_as("ad"), paper_called(db, report.title), "approve")
    report = paper_called(db, report.title)
    assert report.state == ReportState.APPROVED and report.versions[-1].pdf == pdf


def test_annexes_have_titles_and_only_pdf_annexes_go_in_the_pack(app, db, org, people, meeting, sign_in_as):
    owner = sign_in_as("owner")
    write(owner, org, meeting)
    report = paper_called(db, "Youth Offer Strategy: progress")

    def add(title, filename, data, version=None):
        return owner.post(f"/reports/{report.id}/annexes",
                          {"annex_title": title, "annex_file": (io.BytesIO(data), filename),
                           "version": version or paper_called(db, report.title).version},
                          token_from=f"/reports/{report.id}", content_type="multipart/form-data")

    page = add("", "dashboard.pdf", a_pdf("Dashboard"))
    assert page.status == 400
    assert page.field_error("annex_title") == "Enter the annex's title, for example Improvement Board Dashboard"
    assert add("Improvement Board Dashboard", "dashboard-final-v3.pdf", text_pdf("Dashboard figures")).status == 303
    import openpyxl

    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    assert add("Budget", "budget.xlsx", out.getvalue()).status == 303
    stale = add("Late", "late.pdf", a_pdf("Late"), version=1)
    assert stale.status == 409
    report = paper_called(db, report.title)
    assert [a.heading for a in report.annexes] == ["Annex A: Improvement Board Dashboard", "Annex B: Budget"]
    page = owner.get(f"/reports/{report.id}")
    document = page.soup.select_one(".docket-report").get_text(" ", strip=True)
    assert "Annex A: Improvement Board Dashboard" in document and "dashboard-final-v3" not in document
    assert [t for t, _ in papers.annexes_for_pack(report)] == ["Annex A: Improvement Board Dashboard"]
    assert [a.heading for a in papers.other_annexes(report)] == ["Annex B: Budget"]
    assert "Dashboard figures" in papers.paper_text(report)
    got = owner.c.get(f"/reports/{report.id}/annexes/{report.annexes[0].id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF-")
    assert [json.loads(e.data)["annex"] for e in events(db, "report_annex_added")] == [
        "Annex A: Improvement Board Dashboard", "Annex B: Budget"]
    # removing one is on the trail, and the letters of the others stay
    budget = report.annexes[1]
    assert owner.post(f"/reports/{report.id}/annexes/{budget.id}/remove", {"version": report.version},
                      token_from=f"/reports/{report.id}").status == 303
    assert json.loads(events(db, "report_annex_removed")[-1].data) == {"annex": "Annex B: Budget"}
    # someone without the right to edit the paper cannot add one
    assert sign_in_as("clerk").post(f"/reports/{report.id}/annexes", {"annex_title": "X"},
                                    token_from="/accessibility").status == 403


def test_the_clerk_sees_expected_late_and_approved_papers_and_chases_the_author(
        app, db, org, people, make_user, sign_in_as):
    soon = date.today() + timedelta(days=3)  # inside five clear working days: anything unapproved is late
    meeting = Meeting(committee=org["committee"], meets_on=soon, municipal_year=municipal_year(soon))
    db.session.add(meeting)
    db.session.commit()
    for n, title in enumerate(["Youth Offer Strategy: progress", "Schools capital programme", "Work Plan"]):
        db.session.add(WorkPlanEntry(committee=org["committee"], meeting=meeting, municipal_year=meeting.municipal_year,
                                     title=title, report_owner="Assistant Director" if n == 1 else None, position=n))
    db.session.commit()
    owner = sign_in_as("owner")
    write(owner, org, meeting)  # matches the first item
    write(owner, org, meeting, title="An extra paper", n=1)  # not on the work plan
    assert sign_in_as("owner").get(f"/meetings/{meeting.id}/papers").status == 403

    clerk = sign_in_as("clerk")
    page = clerk.get(f"/meetings/{meeting.id}/papers")
    assert page.status == 200 and page.h1.startswith("Papers:")
    rows = {r["id"]: r.get_text(" ", strip=True) for r in page.soup.select("tbody tr")}
    youth = paper_called(db, "Youth Offer Strategy: progress")
    entry = db.session.scalar(sa.select(WorkPlanEntry).where(WorkPlanEntry.title == "Schools capital programme"))
    assert "Draft" in rows[f"report-{youth.id}"] and "Late" in rows[f"report-{youth.id}"]
    assert "Olu Owner" in rows[f"report-{youth.id}"]
    assert "Not started" in rows[f"entry-{entry.id}"]
    assert any("Not on the work plan" in text for text in rows.values())
    assert not any("Work Plan" == text.split(" ")[0] for text in rows.values())
    assert "0 of 3 papers approved; 3 late" in page.text()

    # chase the author of the draft
    sent = clerk.post(f"/meetings/{meeting.id}/papers/chase", {"report_id": youth.id, "person_id": people["owner"].id,
                                                              "message": "Please send it by Friday."},
                      token_from=f"/meetings/{meeting.id}/papers")
    assert sent.status == 303
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "paper_chased"))
    assert note.recipient_id == people["owner"].id and "Youth Offer Strategy: progress" in note.subject
    assert "Please send it by Friday." in note.body
    chased = events(db, "paper_chased")[-1]
    assert json.loads(chased.data)["person"] == "Olu Owner" and chased.object_id == youth.id
    again = clerk.post(f"/meetings/{meeting.id}/papers/chase", {"report_id": youth.id, "person_id": people["owner"].id},
                       token_from=f"/meetings/{meeting.id}/papers")
    assert again.status == 409 and "already reminded" in again.text()
    # a paper nobody has started: the clerk chooses whom to remind
    page = clerk.post(f"/meetings/{meeting.id}/papers/chase", {"entry_id": entry.id, "person_id": ""},
                      token_from=f"/meetings/{meeting.id}/papers")
    assert page.status == 400 and "Choose who to remind" in page.text()
    assert clerk.post(f"/meetings/{meeting.id}/papers/chase", {"entry_id": entry.id, "person_id": people["hos"].id},
                      token_from=f"/meetings/{meeting.id}/papers").status == 303
    note = db.session.scalar(sa.select(Notification).where(Notification.recipient_id == people["hos"].id,
                                                           Notification.kind == "paper_chased"))
    assert note.link == f"/reports/papers/new?entry={entry.id}"
    assert len(events(db, "paper_chased")) == 2
    # the link in the reminder opens the form for that paper
    form = sign_in_as("hos").get(note.link)
    assert form.soup.select_one("#title")["value"] == "Schools capital programme"
    assert "Papers for this meeting" in clerk.get(f"/meetings/{meeting.id}").text()


def test_the_administrator_names_the_chief_officer_for_a_services_papers(app, db, org, people, make_user, sign_in_as):
    from app.models import Service

    chief = make_user("chief@example.org", "Chris Chief", job_title="Director of Children's Services")
    admin = sign_in_as("admin")
    svc = org["service"]
    url = f"/admin/services/{svc.id}/edit"
    page = admin.get(url)
    assert page.soup.select_one("label[for=chief_officer_id]").get_text(strip=True) == "Chief officer for committee papers"
    form = {"name": svc.name, "directorate_id": svc.directorate_id, "assistant_director_id": "",
            "add_head_id": "", "chief_officer_id": chief.id, "version": page.soup.select_one("input[name=version]")["value"]}
    form["heads"] = [str(people["hos"].id)]
    assert admin.post(url, form, token_from=url).status == 302
    db.session.expire_all()
    assert db.session.get(Service, svc.id).chief_officer_id == chief.id
    edited = events(db, "service_edited")[-1]
    assert json.loads(edited.data)["changes"]["Chief officer for committee papers"] == [None, "Chris Chief"]


def test_a_word_paper_too_long_to_lay_out_is_refused_plainly():
    from docx import Document

    from app.reports.word import WordUnreadable, read_docx

    doc = Document()
    for _ in range(13):
        doc.add_paragraph("word " * 2_000)
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(WordUnreadable, match="Save it as a PDF and upload that"):
        read_docx(out.getvalue())
    with pytest.raises(WordUnreadable, match="could not be read as a Word document"):
        read_docx(b"PK\x03\x04 not really a Word file")
