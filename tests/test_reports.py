"""Committee reports: compiled from what is signed off, written, approved, versioned, printed."""
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    IndicatorValue,
    Plan,
    ProgressUpdate,
    Rag,
    Report,
    ReportingPeriod,
    ReportState,
    Role,
    ScopeKind,
    TrailEvent,
    UpdateState,
    User,
)
from app.reports import content as C
from app.reports import service
from app.updates import service as updates
from tests.conftest import Client

DEMO_PASSWORD = "docket-demo-2019"


def person(db, email) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def sign_off_everything(db, period, except_refs=(), rags=None):
    """Write, submit and sign off every update and value in the period, as their owners and
    the Head of Service would."""
    hos = person(db, "marcus.bell@docket.example")
    rags = rags or {}
    for u in db.session.scalars(sa.select(ProgressUpdate).where(ProgressUpdate.period_id == period.id)).all():
        if u.action.reference in except_refs:
            continue
        rag = rags.get(u.action.reference, Rag.GREEN)
        owner = u.action.owner
        updates.submit(u, {"narrative": f"Progress on {u.action.reference}", "rag": rag,
                           "corrective_action": "Recovery plan agreed" if rag in (Rag.RED, Rag.AMBER) else None,
                           "key_actions_remaining": "Keep going"}, u.version, owner)
        updates.sign_off(u, u.version, hos)
    for v in db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.period_id == period.id)).all()[:5]:
        owner = v.indicator.owner or hos
        if owner.id == hos.id:
            continue
        updates.submit(v, {"value": 50, "commentary": "As expected"}, v.version, owner)
        updates.sign_off(v, v.version, hos)


@pytest.fixture()
def demo_period(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    updates.open_period(period, person(db, "admin@docket.example"))
    return period


@pytest.fixture()
def signed_period(db, demo_period):
    sign_off_everything(db, demo_period, except_refs=("CSS012",), rags={"CSS003": Rag.RED, "CSS006": Rag.AMBER})
    return demo_period


def demo_client(app, email):
    c = Client(app)
    assert c.post("/sign-in", {"email": email, "password": DEMO_PASSWORD}).status == 302
    return c


HOS, AD, ADMIN, OWNER = ("marcus.bell@docket.example", "jo.whitfield@docket.example", "admin@docket.example",
                         "hannah.pryce@docket.example")


def create(db, period, author_email=HOS):
    plan = db.session.scalar(sa.select(Plan))
    return service.create_report("Children's Specialist Services: progress in Q1 2019/20", [plan], period,
                                 person(db, HOS), author=person(db, author_email))


def test_compiled_body_has_exceptions_first_and_lists_what_is_not_signed_off(db, signed_period):
    report = create(db, signed_period)
    data = service.get_content(report)
    compiled = data["compiled"]
    assert [r["reference"] for r in compiled["exceptions"]] == ["CSS003", "CSS006"]
    assert compiled["exceptions"][0]["corrective_action"] == "Recovery plan agreed"
    refs = [r["reference"] for r in compiled["actions"]]
    assert "CSS012" not in refs and len(refs) == 8
    assert [r["reference"] for r in compiled["not_signed_off"] if r["kind"] == "update"] == ["CSS012"]
    counts = {c["label"]: c["count"] for c in compiled["rag_counts"]}
    assert counts == {"Red": 1, "Amber": 1, "Green": 6, "Complete": 0, "Not started": 0}
    assert compiled["indicators"] and all(r["value_text"] == "50" for r in compiled["indicators"])


def test_not_signed_off_never_appears_in_the_body(app, db, signed_period):
    report = create(db, signed_period)
    page = demo_client(app, HOS).get(f"/reports/{report.id}")
    body_rows = [tr.get_text(" ", strip=True) for tr in page.soup.select("#actions ~ table tbody tr")]
    assert not any(row.startswith("CSS012") for row in body_rows)
    assert "CSS012 When service moves between AD portfolios" in page.soup.select_one("#not-signed-off").find_next("ul").get_text()


def test_full_approval_cycle_with_versions_and_comparison(app, db, signed_period):
    hos, ad = demo_client(app, HOS), demo_client(app, AD)
    report = create(db, signed_period)
    rid = report.id

    edit = hos.get(f"/reports/{rid}/edit")
    data = {f.get("name"): (f.get_text() if f.name == "textarea" else f.get("value", ""))
            for f in edit.soup.select("main form [name]") if f.get("name")}
    data["summary"] = "This report sets out progress in Q1.\n\nIt asks Members to note it."
    data["recommendations"] = "Members are asked to note the progress."
    data["reason"] = "To keep the committee up to date."
    assert hos.post(f"/reports/{rid}/edit", data).status == 302
    db.session.expire_all()
    assert hos.post(f"/reports/{rid}/submit", {"version": db.session.get(Report, rid).version}).status == 302

    # Returned with a comment (required), then edited and resubmitted.
    db.session.expire_all()
    v = db.session.get(Report, rid).version
    page = ad.post(f"/reports/{rid}/return", {"version": v, "comment": ""})
    assert page.status == 400 and "Enter a comment saying what needs to change" in page.text()
    assert ad.post(f"/reports/{rid}/return", {"version": v, "comment": "Add the placement figures"}).status == 302
    data["background"] = "Placement figures are in the scorecard."
    data["version"] = str(db.session.get(Report, rid).version + 0)
    db.session.expire_all()
    data["version"] = str(db.session.get(Report, rid).version)
    assert hos.post(f"/reports/{rid}/edit", data).status == 302
    db.session.expire_all()
    assert hos.post(f"/reports/{rid}/submit", {"version": db.session.get(Report, rid).version}).status == 302
    db.session.expire_all()
    assert ad.post(f"/reports/{rid}/approve", {"version": db.session.get(Report, rid).version}).status == 302

    page = hos.get(f"/reports/{rid}")
    assert "Report Approved ✓" in page.text()
    assert date.today().strftime("%-d %B %Y") in page.text()
    db.session.expire_all()
    report = db.session.get(Report, rid)
    assert report.state == ReportState.APPROVED and len(report.versions) == 1
    frozen = report.versions[0]
    assert frozen.content_hash == C.content_hash(json.loads(frozen.content))

    # An edit after approval starts version 2, which needs approval again.
    data["summary"] = "This report sets out progress in Q1 and the recovery plans."
    data["version"] = str(report.version)
    assert hos.post(f"/reports/{rid}/edit", data).status == 302
    db.session.expire_all()
    report = db.session.get(Report, rid)
    assert report.state == ReportState.DRAFT and report.version_number == 2
    assert json.loads(report.versions[0].content)["summary"].startswith("This report sets out progress in Q1.")
    compare = hos.get(f"/reports/{rid}/compare?a=1")
    removed = [d.get_text(" ", strip=True) for d in compare.soup.select("del")]
    added = [i.get_text(" ", strip=True) for i in compare.soup.select("ins")]
    assert any("1. This report sets out progress in Q1." in r for r in removed)
    assert any("and the recovery plans" in a for a in added)
    verbs = db.session.scalars(sa.select(TrailEvent.verb).where(TrailEvent.object_type == "report")
                               .order_by(TrailEvent.seq)).all()
    assert verbs == ["report_created", "report_edited", "report_submitted", "report_returned", "report_edited",
                     "report_resubmitted", "report_approved", "report_new_version", "report_edited"]


def _submitted(db, period, author=HOS):
    report = create(db, period, author)
    service.save_sections(report, {"summary": "Summary.", "recommendations": "Note it."}, report.version,
                          person(db, HOS))
    service.submit(report, report.version, person(db, HOS))
    return report


def test_author_cannot_approve_their_own_report(db, signed_period):
    report = _submitted(db, signed_period, author=AD)
    with pytest.raises(service.NotAllowed, match="another Assistant Director must approve it"):
        service.approve(report, report.version, person(db, AD))


def test_assistant_director_outside_scope_cannot_approve(app, db, signed_period, make_user):
    from app.models import Directorate

    elsewhere = Directorate(name="Place")
    db.session.add(elsewhere)
    db.session.commit()
    outsider = make_user("place.ad@example.org", "Pat Place", Role.ASSISTANT_DIRECTOR, ScopeKind.DIRECTORATE, elsewhere)
    report = _submitted(db, signed_period)
    with pytest.raises(service.NotAllowed):
        service.approve(report, report.version, outsider)
    from tests.conftest import TEST_PASSWORD

    c = Client(app)
    c.post("/sign-in", {"email": "place.ad@example.org", "password": TEST_PASSWORD})
    assert c.post(f"/reports/{report.id}/approve", {"version": report.version}, token_from="/").status == 403
    assert c.c.get(f"/reports/{report.id}").status_code == 403


def test_nobody_approves_a_report_that_changed_under_them(db, signed_period):
    report = _submitted(db, signed_period)
    seen = report.version
    service.return_report(report, "One more thing", report.version, person(db, AD))
    service.save_sections(report, {"summary": "Changed after the AD looked"}, report.version, person(db, HOS))
    service.submit(report, report.version, person(db, HOS))
    with pytest.raises(service.StaleReport, match="changed after you opened it"):
        service.approve(report, seen, person(db, AD))
    assert db.session.get(Report, report.id).versions == []


def test_owner_cannot_see_or_edit_a_draft_report(app, db, signed_period):
    report = create(db, signed_period)
    owner = demo_client(app, OWNER)
    assert owner.c.get(f"/reports/{report.id}").status_code == 403
    assert owner.c.get(f"/reports/{report.id}/edit").status_code == 403
    assert owner.post(f"/reports/{report.id}/submit", {"version": report.version}, token_from="/").status == 403


def test_typed_markup_is_shown_as_text(app, db, signed_period):
    report = create(db, signed_period)
    service.save_sections(report, {"summary": "<script>alert(1)</script> & <b>bold</b>"}, report.version,
                          person(db, HOS))
    page = demo_client(app, HOS).get(f"/reports/{report.id}")
    assert page.soup.find("script", string=lambda s: s and "alert(1)" in s) is None
    assert "<script>alert(1)</script> & <b>bold</b>" in page.text()


def test_paragraphs_number_themselves_through_the_report():
    data = C.blank_content()
    data.update({"summary": "One.\n\nTwo.", "background": "- a bullet\n- another\n\nThree.",
                 "recommendations": "Four."})
    numbers = [(b.number, b.items[0]) for _, _, blocks in C.numbered_sections(data) for b in blocks if b.kind == "para"]
    assert numbers == [(1, "One."), (2, "Two."), (3, "Three."), (4, "Four.")]


def test_the_pdf_has_sections_in_order_numbered_paragraphs_page_numbers_and_bookmarks(app, db, signed_period):
    from pypdf import PdfReader

    report = _submitted(db, signed_period)
    service.save_sections  # noqa: B018
    service.approve(report, report.version, person(db, AD))
    response = demo_client(app, HOS).c.get(f"/reports/{report.id}/report.pdf?version=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    outline = [item.title for item in _flatten(reader.outline)]
    expected = ["Summary", "Progress", "Recommendations", "Implications", "Contact Details", "Wards Affected"]
    positions = [outline.index(h) for h in expected]
    assert positions == sorted(positions), outline
    assert outline[0] == report.title
    assert "1. Summary." in text.replace("1.  ", "1. ")
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Report Approved ✓" in text


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_dashboard_shows_the_rag_mix_and_what_waits(app, db, demo_period):
    sign_off_everything(db, demo_period, except_refs=("CSS011", "CSS012"), rags={"CSS003": Rag.RED})
    page = demo_client(app, AD).get("/dashboard")
    assert page.status == 200
    text = page.text()
    assert "7 of 9 updates signed off" in text
    assert "Tom Ridley : 1 update to write" in text or "Tom Ridley: 1 update to write" in text
    cells = [td.get_text(strip=True) for td in page.soup.select("table tbody tr td")[:5]]
    assert cells == ["1", "0", "6", "0", "0"]


def test_dashboard_timeliness_is_the_median_of_whole_days_after_the_period_ended(app, db, demo_period):
    """Days are counted by the UTC calendar day of each step, on SQLite and PostgreSQL alike; a
    step at 23:30 on the third day after the period ended is three days, not four."""
    from datetime import datetime, time, timedelta, timezone

    sign_off_everything(db, demo_period, except_refs=("CSS011", "CSS012"))
    updates_ = db.session.scalars(sa.select(ProgressUpdate).join(ProgressUpdate.action)
                                  .where(ProgressUpdate.period_id == demo_period.id,
                                         ProgressUpdate.submitted_at.is_not(None))).all()
    assert len(updates_) == 7
    ends = demo_period.ends_on

    def at(days, hour=9, minute=0):
        return datetime.combine(ends + timedelta(days=days), time(hour, minute), tzinfo=timezone.utc)

    submitted = [3, 3, 5, 8, 9, 10, 40]  # median 8
    signed = [10, 12, 12, 20, 21, 22, 23]  # median 20
    for u, s, o in zip(updates_, submitted, signed):
        u.submitted_at, u.signed_off_at = at(s, 23, 30), at(o, 0, 10)
    db.session.commit()
    text = demo_client(app, AD).get("/dashboard").text()
    assert "Period end to submission 8" in " ".join(text.split())
    assert "Period end to sign-off 20" in " ".join(text.split())

    updates_[0].state = UpdateState.SUBMITTED  # an even number signed off: the mean of the middle two
    db.session.commit()
    text = " ".join(demo_client(app, AD).get("/dashboard").text().split())
    assert "Period end to sign-off 20.5" in text


def test_median_of_counted_values_agrees_with_statistics_median():
    from collections import Counter
    from statistics import median

    from app.reports.dashboard import _median

    for values in ([1], [1, 2], [5, 1, 3], [2, 2, 2, 9], [0, -3, 7, 7, 7, 100], list(range(31))):
        assert _median(Counter(values)) == median(values), values
    assert _median(Counter()) is None


def test_dashboard_figures_are_kept_until_anything_is_recorded_on_the_trail(app, db, demo_period):
    """The figures are worked out once and kept (app/cache.py) until the next trail event: a
    sign-off shows on the very next view of the dashboard."""
    from app import cache

    sign_off_everything(db, demo_period, except_refs=("CSS011", "CSS012"))
    client = demo_client(app, AD)
    hits, misses = cache.results.hits, cache.results.misses
    assert "7 of 9 updates signed off" in client.get("/dashboard").text()
    assert "7 of 9 updates signed off" in client.get("/dashboard").text()
    assert (cache.results.hits - hits, cache.results.misses - misses) == (1, 1)

    u = db.session.scalar(sa.select(ProgressUpdate).join(ProgressUpdate.action)
                          .where(ProgressUpdate.period_id == demo_period.id, Action.reference == "CSS011"))
    updates.submit(u, {"narrative": "Done", "rag": Rag.GREEN, "key_actions_remaining": "None"}, u.version, u.action.owner)
    text = client.get("/dashboard").text()
    assert "7 of 9 updates signed off" in text and "1 update to sign off" in text
    updates.sign_off(u, u.version, person(db, HOS))
    assert "8 of 9 updates signed off" in client.get("/dashboard").text()
