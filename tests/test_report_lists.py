"""Reports as the committee and the people writing them read them: lists stay lists (in the
sections, in the tables, in the PDF), the focus for the next period is in the report, the chief
officer is named from the start, the author list offers the service's officers, comparing one
version says there is nothing to compare, and the clerk has Reports in the menu."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.models import Action, Plan, ProgressUpdate, Rag, Report, ReportingPeriod
from app.reports import content as C
from app.reports import service as reports
from app.updates import service


@pytest.fixture()
def signed(db, org, people):
    """One action whose update is signed off, with bullets typed straight after a line of text."""
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="CSS001", title="Recruit foster carers", owner=people["owner"])
    today = date.today()
    period = ReportingPeriod(name="Q1 2026/27", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, action, period])
    db.session.commit()
    service.open_period(period, people["admin"])
    update = db.session.scalar(sa.select(ProgressUpdate))
    service.submit(update, {
        "narrative": "The campaign ran in May.", "rag": Rag.GREEN,
        "key_actions_remaining": "Still to do:\n- approve two carers\n- train the panel",
        "next_focus": "Launch the winter campaign\n- with the radio advert",
    }, update.version, people["owner"])
    service.sign_off(update, update.version, people["hos"])
    report = reports.create_report("Progress in Q1", [plan], period, people["hos"])
    return dict(people, plan=plan, period=period, report=report)


def test_lines_starting_with_a_dash_after_text_are_a_list():
    found = C.blocks("We will:\n- recruit two carers\n- train the panel\nThen report back.")
    assert [(b.kind, b.items) for b in found] == [
        ("para", ["We will:"]), ("list", ["recruit two carers", "train the panel"]), ("para", ["Then report back."])]
    assert [(b.kind, b.items) for b in C.blocks("One line\nwrapped")] == [("para", ["One line wrapped"])]


def test_the_report_shows_lists_as_lists_in_sections_and_tables(db, signed, sign_in_as):
    report = signed["report"]
    reports.save_sections(report, {"summary": "This report asks Members to:\n- note the progress\n- agree the plan"},
                          report.version, signed["hos"])
    page = sign_in_as("hos").get(f"/reports/{report.id}")
    summary = page.soup.select_one("#section-summary")
    items = [li.get_text(strip=True) for li in summary.find_next("ul").select("li")]
    assert items == ["note the progress", "agree the plan"]
    assert "1. This report asks Members to:" in summary.find_next("p").get_text(" ", strip=True)
    table = page.soup.select_one("[aria-label='Progress on every action, by priority theme'] table")
    cell = table.select("tbody tr")[-1].select("td")[-1]
    assert cell.select_one("p").get_text(strip=True) == "Still to do:"
    assert [li.get_text(strip=True) for li in cell.select("li")] == ["approve two carers", "train the panel"]


def test_the_focus_for_the_next_period_is_in_the_report(db, signed, sign_in_as):
    page = sign_in_as("hos").get(f"/reports/{signed['report'].id}")
    heading = page.soup.select_one("#next-focus")
    assert heading.get_text(strip=True) == "Focus for the next period"
    row = page.soup.select_one("[aria-label='Focus for the next period'] tbody tr")
    assert row.select("td")[0].get_text(strip=True) == "CSS001"
    assert "Launch the winter campaign" in row.get_text(" ", strip=True)
    assert [li.get_text(strip=True) for li in row.select("li")] == ["with the radio advert"]


def test_the_pdf_keeps_the_lists_and_the_focus(db, signed, sign_in_as):
    from pypdf import PdfReader

    response = sign_in_as("hos").c.get(f"/reports/{signed['report'].id}/report.pdf")
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    lines = [line.strip() for line in text.splitlines()]
    assert "Focus for the next period" in text and "Launch the winter campaign" in text
    # Each bullet on its own line (a list item; its marker is not in the PDF's text), not run
    # into "Still to do:".
    assert "approve two carers" in lines and "train the panel" in lines and "with the radio advert" in lines
    assert not any("Still to do: approve" in line for line in lines)


def test_the_chief_officer_is_named_from_the_start(db, signed, sign_in_as):
    report = db.session.get(Report, signed["report"].id)
    assert report.chief_officer_id == signed["ad"].id
    page = sign_in_as("hos").get(f"/reports/{report.id}")
    contact = page.soup.select_one("[aria-label='Contact details'] tbody").get_text(" ", strip=True)
    assert "Alex Director" in contact and "Not yet approved" in contact
    assert "To be confirmed" not in contact


def test_the_author_list_offers_the_services_officers(db, signed, sign_in_as, make_user):
    make_user("stranger@example.org", "Sid Stranger")
    page = sign_in_as("hos").get("/reports/new")
    names = [o.get_text(strip=True).split(" (")[0] for o in page.soup.select("#author_id option")]
    assert set(names) == {"Alex Director", "Hari Head", "Olu Owner"}
    assert "Sid Stranger" not in names and "Nia Nobody" not in names and "Cleo Clerk" not in names


def test_comparing_a_report_with_one_version_says_there_is_nothing_to_compare(db, signed, sign_in_as):
    report = signed["report"]
    reports.save_sections(report, {"summary": "Progress in Q1.", "recommendations": "Note it."}, report.version,
                          signed["hos"])
    reports.submit(report, report.version, signed["hos"])
    reports.approve(report, report.version, signed["ad"])
    page = sign_in_as("hos").get(f"/reports/{report.id}/compare")
    assert "There is nothing to compare yet: this report has one version, version 1, approved." in page.text()
    assert not page.soup.select("table") and "##" not in page.text()
    # Once it is changed, version 1 is compared with the draft, with headings and no markers.
    reports.save_sections(report, {"summary": "Progress in Q1 and after."}, report.version, signed["hos"])
    page = sign_in_as("hos").get(f"/reports/{report.id}/compare")
    assert "Version 1 compared with Version 2 (draft)" in str(page.soup.select_one("caption"))
    assert "##" not in page.text()
    assert any(s.get_text(strip=True) == "Summary" for s in page.soup.select("td .govuk-\\!-font-weight-bold"))


def test_the_clerk_has_reports_in_the_menu(db, signed, sign_in_as):
    def menu(who):
        page = sign_in_as(who).get("/")
        return [a.get_text(strip=True) for a in page.soup.select("header nav a, .govuk-service-navigation a")]

    assert "Reports" in menu("clerk")
    assert "Reports" in menu("ad") and "Reports" in menu("hos")
    assert "Reports" not in menu("nobody")
    page = sign_in_as("clerk").get("/reports/")
    assert page.status == 200 and "The approved reports for your committees" in page.text()
