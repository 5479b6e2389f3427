"""The public agenda page in a few queries whatever the agenda holds (issue 17), listing every
file anyone may download: a paper with the annexes its approved version lists (not an annex
added since), the minutes of the previous meeting and an item's own annexes; and the People
list in three queries for its people, with their roles and how they sign in."""
import hashlib
import json
from datetime import date, time

from sqlalchemy import event

from app.models import MeetingDocument, ReportAnnex, ReportVersion
from tests import pdf_samples
from tests.public_helpers import approved_paper, minutes_url, published_meeting

NEXT_YEAR = date.today().year + 1


def _count_queries(app, client, url) -> tuple[int, object]:
    from app.extensions import db

    seen = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status == 200
    return len(seen), page


def _annex(db, report, letter, title, position, content_type="application/pdf", filename=None):
    data = pdf_samples.a_pdf(f"annex {letter}")
    annex = ReportAnnex(report_id=report.id, letter=letter, position=position, title=title,
                        filename=filename or f"annex-{letter.lower()}.pdf", content_type=content_type,
                        sha256=hashlib.sha256(data + letter.encode()).hexdigest(), size=len(data), data=data)
    db.session.add(annex)
    db.session.flush()
    return annex


def _meeting_document(db, meeting, item, title, position):
    data = pdf_samples.a_pdf(title)
    doc = MeetingDocument(meeting_id=meeting.id, agenda_item_id=item.id, kind="annex", filename=f"{title}.pdf",
                          title=title, sha256=hashlib.sha256(data).hexdigest(), data=data, position=position)
    db.session.add(doc)
    db.session.flush()
    return doc


def _agenda(committee, meets_on, papers):
    items = [{"title": "Minutes", "standing": "minutes"}]
    items += [{"title": p.title, "report": p, "purpose": f"About {p.title}", "pages": (3 + n, 4 + n)}
              for n, p in enumerate(papers)]
    return published_meeting(committee, meets_on, items, starts_at=time(17, 30))


def test_the_agenda_lists_papers_annexes_as_approved_minutes_and_item_annexes(app, db, client, org, people):
    committee = org["committee"]
    paper = approved_paper(committee, "Local Area Teams - Update", "The teams are working well")
    excel = _annex(db, paper, "A", "Improvement Board Dashboard", 1,
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "dashboard.xlsx")
    pdf = _annex(db, paper, "B", "Case studies", 2)
    later = _annex(db, paper, "C", "Added after approval", 3)
    version = db.session.query(ReportVersion).filter_by(report_id=paper.id).one()
    version.content = json.dumps({"annex_list": [{"letter": a.letter, "title": a.title, "sha256": a.sha256}
                                                 for a in (excel, pdf)]})
    db.session.commit()
    meeting = _agenda(committee, date(NEXT_YEAR, 3, 10), [paper])
    minutes = minutes_url(meeting)
    item = next(i for i in meeting.agenda_items if i.report_id == paper.id)
    first = _meeting_document(db, meeting, item, "Map of the areas", 2)
    second = _meeting_document(db, meeting, item, "Survey results", 1)
    db.session.commit()

    page = client.get(f"/public/meetings/{meeting.id}")
    links = [(a["href"], a.get_text(" ", strip=True)) for a in page.soup.select(".docket-agenda__files a")]
    base = f"/public/meetings/{meeting.id}/files"
    assert links == [
        (minutes, "Minutes of the previous meeting (item 1)"),
        (f"{base}/paper-{paper.id}", "Local Area Teams - Update (item 2)"),
        (f"{base}/report-annex-{excel.id}", "Annex A: Improvement Board Dashboard (item 2)"),
        (f"{base}/report-annex-{pdf.id}", "Annex B: Case studies (item 2)"),
        (f"{base}/annex-{second.id}", "Survey results (item 2)"),
        (f"{base}/annex-{first.id}", "Map of the areas (item 2)"),
    ]
    kinds = [s.get_text() for s in page.soup.select(".docket-agenda__files li > span.govuk-body-s")]
    assert kinds == ["(PDF)", "(PDF)", "(XLSX)", "(PDF)", "(PDF)", "(PDF)"]
    assert f"report-annex-{later.id}" not in page.soup.decode()  # not in the approved version: not public
    # each listed file downloads; the annex added after approval does not
    for href, _ in links:
        assert client.c.get(href).status_code == 200, href
    assert client.c.get(f"{base}/report-annex-{later.id}").status_code == 404


def test_the_agenda_page_costs_the_same_queries_for_a_short_and_a_long_agenda(app, db, client, org, people):
    committee = org["committee"]

    def meeting_with(n, meets_on):
        papers = [approved_paper(committee, f"Paper {meets_on.month}-{k}", "The text") for k in range(n)]
        for paper in papers:
            annex = _annex(db, paper, "A", "Dashboard", 1)
            version = db.session.query(ReportVersion).filter_by(report_id=paper.id).one()
            version.content = json.dumps({"annex_list": [{"letter": "A", "sha256": annex.sha256}]})
        db.session.commit()
        meeting = _agenda(committee, meets_on, papers)
        minutes_url(meeting)
        for item in meeting.agenda_items:
            _meeting_document(db, meeting, item, f"Annex to {item.title}", 1)
        db.session.commit()
        return meeting

    short = meeting_with(1, date(NEXT_YEAR, 3, 10))
    long = meeting_with(8, date(NEXT_YEAR, 4, 14))
    db.session.expire_all()
    client.get("/public/")  # what every page reads once (the council's settings) is read before counting
    few, _ = _count_queries(app, client, f"/public/meetings/{short.id}")
    many, page = _count_queries(app, client, f"/public/meetings/{long.id}")
    assert few == many
    assert many <= 12
    # the minutes, each paper with its annex, each item's own annex
    assert len(page.soup.select(".docket-agenda__files a")) == 1 + 8 * 2 + 9


def test_the_people_list_costs_the_same_queries_for_few_and_many_roles(app, db, org, people, sign_in_as, make_user):
    from app.models import Role, ScopeKind

    admin = sign_in_as("admin")
    admin.get("/people/")  # what every page reads once after a change (the council's settings) is read first
    few, _ = _count_queries(app, admin, "/people/")
    from app.users.service import grant_role

    extra = [make_user(f"extra{n}@example.org", f"Extra Person {n:02d}", Role.ACTION_OWNER, ScopeKind.SERVICE,
                       org["service"]) for n in range(12)]
    grant_role(extra[7], Role.CLERK, ScopeKind.COMMITTEE, org["committee"])
    db.session.commit()
    admin.get("/people/")
    many, page = _count_queries(app, admin, "/people/")
    assert few == many
    row = next(r for r in page.soup.select("tbody tr") if "Extra Person 07" in r.get_text())
    cells = [c.get_text(" ", strip=True) for c in row.select("th, td")]
    assert cells == ["Extra Person 07", "", "extra7@example.org",
                     f"Action owner ({org['service'].name}) Committee clerk ({org['committee'].name})", "Password"]
    assert row.select_one("th a")["href"] == f"/people/{extra[7].id}"
    admin_row = next(r for r in page.soup.select("tbody tr") if "Ada Admin" in r.get_text())
    assert "Administrator (everything)" in admin_row.get_text()
