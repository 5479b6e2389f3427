"""Committee reports made safe to repeat, race and publish (issue 11): the working list stays
off the published report, an approved version's PDF is built once, render time is bounded,
clerks read their own committees' reports, and no report step happens twice."""
import hashlib
import http.cookiejar
import io
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from app.models import (
    Action,
    Committee,
    Plan,
    ProgressUpdate,
    Rag,
    Report,
    ReportingPeriod,
    ReportState,
    ReportVersion,
    Role,
    ScopeKind,
    TrailEvent,
)
from app.reports import content as C
from app.reports import pdf as report_pdf
from app.reports import service
from app.updates import service as updates
from tests.conftest import TEST_PASSWORD

TITLE = "Children's Specialist Services: progress in Q1 2019/20"
LEFT_OUT = "Recruit foster carers for teenagers"


@pytest.fixture()
def world(db, org, people, make_user):
    """A plan with two actions in the directorate's service: one signed off for the period, one
    (with no owner) still a draft. The committee scrutinises the directorate; another
    committee, with its own clerk, scrutinises another directorate."""
    org["committee"].directorate = org["directorate"]
    other = Committee(name="Economy and Place Policy and Scrutiny Committee",
                      directorate=org["other_service"].directorate)
    db.session.add(other)
    db.session.commit()
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    done = Action(plan=plan, reference="CSS001", title="Reduce the number of children in care", owner=people["owner"])
    draft = Action(plan=plan, reference="CSS002", title=LEFT_OUT, owner=None)
    period = ReportingPeriod(name="Q1 2019/20", starts_on=date(2019, 4, 1), ends_on=date(2019, 6, 30),
                             update_deadline=date(2019, 7, 14), signoff_deadline=date(2019, 7, 21))
    db.session.add_all([plan, done, draft, period])
    db.session.commit()
    updates.open_period(period, people["admin"])
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == done.id))
    updates.submit(update, {"narrative": "Fewer children came into care.", "rag": Rag.GREEN}, update.version,
                   people["owner"])
    updates.sign_off(update, update.version, people["hos"])
    other_clerk = make_user("place.clerk@example.org", "Pat Place", Role.CLERK, ScopeKind.COMMITTEE, other)
    return dict(people, plan=plan, period=period, other_committee=other, other_clerk=other_clerk)


def _report(db, world, **kw) -> Report:
    return service.create_report(TITLE, [world["plan"]], world["period"], world["hos"], **kw)


def _submitted(db, world) -> Report:
    report = _report(db, world)
    service.save_sections(report, {"summary": "Progress in Q1.", "recommendations": "Members note it."},
                          report.version, world["hos"])
    service.submit(report, report.version, world["hos"])
    return report


def _approved(db, world) -> Report:
    report = _submitted(db, world)
    service.approve(report, report.version, world["ad"])
    return report


def _pdf_lines(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pdf_text(data: bytes) -> str:
    """The PDF's text as a reader reads it: table cells wrap, so whitespace is one space."""
    return re.sub(r"\s+", " ", _pdf_lines(data))


def _client(app, email):
    from tests.conftest import Client

    c = Client(app)
    assert c.sign_in(email).status == 302
    return c


def _version(db, rid) -> int:
    db.session.expire_all()
    return db.session.get(Report, rid).version


def _verbs(db, rid) -> list[str]:
    return db.session.scalars(sa.select(TrailEvent.verb).where(TrailEvent.object_type == "report",
                                                               TrailEvent.object_id == rid)
                              .order_by(TrailEvent.seq)).all()


# --- the working list is never in the published report ---------------------------------------

def test_not_signed_off_list_is_on_the_working_page_only_never_in_the_approved_report(app, db, world, sign_in_as):
    report = _approved(db, world)
    rid = report.id
    frozen = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == rid))
    assert "not_signed_off" not in json.loads(frozen.content)["compiled"]
    assert LEFT_OUT not in frozen.content
    assert frozen.content_hash == C.content_hash(json.loads(frozen.content))

    clerk = sign_in_as("clerk")
    page = clerk.get(f"/reports/{rid}")
    assert page.status == 200
    assert "Not yet signed off" not in page.text() and LEFT_OUT not in page.text()
    for url in (f"/reports/{rid}/report.pdf", f"/reports/{rid}/report.pdf?version=1"):
        response = clerk.c.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = _pdf_text(response.data)
        assert "Reduce the number of children in care" in text  # the body is there …
        assert "Not yet signed off" not in text and LEFT_OUT not in text and "no owner" not in text  # … the list not

    for who in ("hos", "ad"):  # the author (and Head of Service), and the approver
        page = sign_in_as(who).get(f"/reports/{rid}")
        working = page.soup.select_one("#not-signed-off")
        assert working is not None, who
        assert f"CSS002 {LEFT_OUT} (no owner): draft" in working.find_next("ul").get_text(" ", strip=True)
        assert working.find_parent(class_="docket-report-frame") is None  # beside the report, not in it
    assert "Not yet signed off" not in sign_in_as("hos").c.get(f"/reports/{rid}/report.pdf").data.decode("latin-1")


def test_a_drafts_pdf_carries_no_working_list_either(app, db, world, sign_in_as):
    report = _report(db, world)
    text = _pdf_text(sign_in_as("hos").c.get(f"/reports/{report.id}/report.pdf").data)
    assert "Reduce the number of children in care" in text and LEFT_OUT not in text


# --- an approved version's PDF: built once, kept, served as kept -------------------------------

def test_an_approved_versions_pdf_is_built_at_approval_and_never_rendered_again(app, db, world, sign_in_as):
    report = _submitted(db, world)
    before = report_pdf.renders
    service.approve(report, report.version, world["ad"])
    assert report_pdf.renders == before + 1  # built once, at approval
    frozen = db.session.scalar(sa.select(ReportVersion).where(ReportVersion.report_id == report.id))
    assert frozen.pdf.startswith(b"%PDF") and frozen.pdf_sha256 == hashlib.sha256(frozen.pdf).hexdigest()
    assert "Report Approved ✓" in _pdf_text(frozen.pdf)

    clerk = sign_in_as("clerk")
    served = [clerk.c.get(f"/reports/{report.id}/report.pdf?version=1").data,
              clerk.c.get(f"/reports/{report.id}/report.pdf?version=1").data,
              clerk.c.get(f"/reports/{report.id}/report.pdf").data]  # the approved report's PDF is version 1's
    assert report_pdf.renders == before + 1  # not rendered again
    assert {hashlib.sha256(b).hexdigest() for b in served} == {frozen.pdf_sha256}


def test_a_version_approved_before_pdfs_were_kept_is_built_on_its_first_request_then_kept(app, db, world, sign_in_as):
    report = _approved(db, world)
    with db.engine.begin() as conn:  # as a version approved before migration 0008 is
        conn.execute(sa.text("UPDATE report_version SET pdf = NULL, pdf_sha256 = NULL"))
    hos = sign_in_as("hos")
    before = report_pdf.renders
    first = hos.c.get(f"/reports/{report.id}/report.pdf?version=1").data
    second = hos.c.get(f"/reports/{report.id}/report.pdf?version=1").data
    assert report_pdf.renders == before + 1 and first == second
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReportVersion.pdf_sha256)) == hashlib.sha256(first).hexdigest()


# --- render time bounded at its causes -----------------------------------------------------------

def test_a_section_over_its_limit_is_refused_beside_the_field_and_nothing_is_stored(app, db, world, sign_in_as):
    report = _report(db, world)
    hos = sign_in_as("hos")
    words = ("The service will review placement sufficiency and report to members. " * 300)[:C.SECTION_LIMIT + 1]
    page = hos.post(f"/reports/{report.id}/edit", {"version": report.version, "summary": words,
                                                   "recommendations": "Note it."})
    assert page.status == 400
    assert page.field_error("summary") == f"Summary must be 15,000 characters or fewer; it has {len(words):,}"
    assert "Summary must be 15,000 characters or fewer" in " ".join(page.error_summary())
    assert page.soup.select_one("textarea#summary").get_text() == words  # what was typed is kept
    db.session.expire_all()
    assert words not in db.session.get(Report, report.id).content and _verbs(db, report.id) == ["report_created"]


def test_the_whole_report_has_a_limit_too(app, db, world, sign_in_as):
    report = _report(db, world)
    hos = sign_in_as("hos")
    text = ("Paragraph of progress. " * 700)[:C.SECTION_LIMIT]
    form = {"version": report.version, "recommendations": "Note it."}
    form.update({key: text for key in ("summary", "background", "progress", "consultation", "council_plan")})
    page = hos.post(f"/reports/{report.id}/edit", form)
    assert page.status == 400
    errors = [page.field_error(k) for k in C.EDITABLE if page.field_error(k)]
    assert len(errors) == 1 and errors[0].startswith(f"The report's sections come to {5 * len(text) + 8:,} "
                                                     "characters: the most is 60,000")
    db.session.expire_all()
    assert text not in db.session.get(Report, report.id).content


def test_a_long_unbroken_word_wraps_inside_the_page_and_is_all_there(app, db, world, sign_in_as):
    report = _report(db, world)
    address = "https://www.york.gov.uk/downloads/" + "placement-sufficiency-strategy-" * 40 + "2019.pdf"
    service.save_sections(report, {"background": f"The strategy is at {address} for members."}, report.version,
                          world["hos"])
    text = _pdf_lines(sign_in_as("hos").c.get(f"/reports/{report.id}/report.pdf").data)
    lines = [line for line in text.splitlines() if "placement-sufficiency" in line]
    assert len(lines) > 5 and max(len(line) for line in lines) < 120  # wrapped, not run off the page
    assert address in "".join(lines).replace("\u200b", "")  # every character is there


# --- access: a clerk reads their own committees' reports and what is published --------------------

def test_a_clerk_of_another_committee_cannot_read_an_approved_report_without_a_committee(app, db, world, sign_in_as):
    report = _approved(db, world)
    assert report.committee_id is None
    urls = [f"/reports/{report.id}", f"/reports/{report.id}/report.pdf", f"/reports/{report.id}/compare"]
    own = sign_in_as("clerk")  # clerk of the committee that scrutinises the report's directorate
    assert [own.c.get(u).status_code for u in urls] == [200, 200, 200]
    other = _client(app, "place.clerk@example.org")
    assert [other.c.get(u).status_code for u in urls] == [403, 403, 403]
    assert report.title not in other.get("/reports/").text()

    report = db.session.get(Report, report.id)
    report.state = ReportState.PUBLISHED  # what a published agenda pack does
    db.session.commit()
    assert [other.c.get(u).status_code for u in urls] == [200, 200, 200]


def test_a_clerk_reads_an_approved_report_named_for_their_committee(app, db, world, sign_in_as):
    report = _submitted(db, world)
    report.committee_id = world["other_committee"].id
    db.session.commit()
    service.approve(report, report.version, world["ad"])
    assert _client(app, "place.clerk@example.org").c.get(f"/reports/{report.id}").status_code == 200
    assert sign_in_as("clerk").c.get(f"/reports/{report.id}").status_code == 403


# --- creating a report: once per form ---------------------------------------------------------------

def _new_report_form(page) -> dict:
    form = page.soup.select_one("main form")
    data = {}
    for field in form.select("input, select"):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen.get("value", "")
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field["value"]
        else:
            data[name] = field.get("value", "")
    data["title"] = TITLE
    data["period_id"] = form.select_one("#period_id option[value]:not([value=''])")["value"]
    return data


def test_a_double_clicked_create_makes_one_report_and_says_so(app, db, world, sign_in_as):
    hos = sign_in_as("hos")
    form = _new_report_form(hos.get("/reports/new"))
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", form["form_token"])
    first = hos.post("/reports/new", form, token_from="/reports/new")
    second = hos.post("/reports/new", form, token_from="/reports/new")
    assert first.status == 302
    assert second.status == 409
    assert "This form was already sent: Hari Head created the report “" + TITLE + "” on" in second.text()
    assert "No second report was created." in second.text()
    rid = db.session.scalar(sa.select(Report.id))
    assert second.soup.select_one(f".govuk-error-summary a[href='/reports/{rid}']") is not None
    assert second.soup.select_one("#title")["value"] == TITLE  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1
    assert _verbs(db, rid) == ["report_created"]


def test_a_create_without_the_forms_token_is_refused_and_makes_nothing(app, db, world, sign_in_as):
    hos = sign_in_as("hos")
    form = _new_report_form(hos.get("/reports/new"))
    del form["form_token"]
    page = hos.post("/reports/new", form, token_from="/reports/new")
    assert page.status == 409 and "This form was out of date, so nothing was created." in page.text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", page.soup.select_one("#form_token")["value"])  # a fresh one to retry
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


class _Session:
    """One person's browser against the live server: its own cookies, its own CSRF token."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def get(self, path) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path, data) -> tuple[int, str]:
        token = re.search(r'name="csrf-token" content="([^"]+)"', self.get("/accessibility")).group(1)
        body = urllib.parse.urlencode(dict(data, csrf_token=token), doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture()
def live(app, db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_same_create_sent_at_once_from_ten_sessions_makes_one_report(app, db, world, live, sign_in_as):
    form = _new_report_form(sign_in_as("hos").get("/reports/new"))
    form["plan_ids"] = [str(world["plan"].id)]
    sessions = []
    for _ in range(10):
        s = _Session(live)
        assert s.post("/sign-in", {"email": "hos@example.org", "password": TEST_PASSWORD})[0] == 302
        sessions.append(s)
    barrier = threading.Barrier(len(sessions), timeout=120)
    outcomes = []

    def send(s):
        barrier.wait()
        outcomes.append(s.post("/reports/new", form))

    threads = [threading.Thread(target=send, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [302] + [409] * 9, statuses
    for status, body in outcomes:
        if status == 409:
            assert "No second report was created." in body or "Nothing was created" in body, body[:2000]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(TrailEvent.id)).where(TrailEvent.verb == "report_created")) == 1


# --- the report's other steps: a repeat or a race is refused, never done twice ----------------------

def test_each_step_sent_twice_is_done_once_and_the_second_is_refused_with_who_and_when(app, db, world, sign_in_as):
    hos, ad = sign_in_as("hos"), sign_in_as("ad")
    rid = _report(db, world).id
    sections = {"summary": "Progress in Q1.", "recommendations": "Members note it."}

    def twice(client, path, data):
        data = dict(data, version=_version(db, rid))
        return client.post(path, data), client.post(path, data)

    steps = [
        (hos, "edit", sections, "saved"),
        (hos, "compile", {}, "compiled again"),
        (hos, "submit", {}, "submitted"),
        (ad, "return", {"comment": "Add the placement figures."}, "returned"),
        (hos, "submit", {}, "submitted"),
        (ad, "approve", {}, "approved"),
    ]
    for client, step, data, doing in steps:
        first, second = twice(client, f"/reports/{rid}/{step}", data)
        assert first.status == 302, (step, first.text()[:300])
        assert second.status == 409, (step, second.status)
        assert re.search(r"The report changed after you opened it: (Hari Head|Alex Director) \w[\w ]* it on \d+ \w+ "
                         rf"\d{{4}} at [\d:]+[ap]m\. It was not {doing};", second.text()), second.text()[:500]
    assert _verbs(db, rid) == ["report_created", "report_edited", "report_compiled", "report_submitted",
                               "report_returned", "report_resubmitted", "report_approved"]
    assert db.session.scalar(sa.select(sa.func.count(ReportVersion.id))) == 1


@pytest.mark.parametrize("step", ["edit", "compile", "submit", "approve", "return"])
def test_a_step_without_the_reports_version_is_refused(app, db, world, sign_in_as, step):
    report = _submitted(db, world) if step in ("approve", "return") else _report(db, world)
    who = sign_in_as("ad" if step in ("approve", "return") else "hos")
    data = {"summary": "Changed.", "recommendations": "Note it.", "comment": "Look again."}
    page = who.post(f"/reports/{report.id}/{step}", data)
    assert page.status == 409 and "The report changed after you opened it" in page.text()
    db.session.expire_all()
    assert db.session.get(Report, report.id).version == report.version  # nothing was done
    if step == "return":
        assert page.soup.select_one("textarea#comment").get_text() == "Look again."  # what was typed is kept
    if step == "edit":
        assert page.soup.select_one("textarea#summary").get_text() == "Changed."


def test_three_approvals_at_once_give_one_version_and_two_refusals(app, db, world):
    report = _submitted(db, world)
    rid, version, ad_id = report.id, report.version, world["ad"].id
    db.session.commit()
    barrier = threading.Barrier(3, timeout=120)
    outcomes = []

    def approve():
        with app.test_request_context():
            from app.extensions import db as tdb
            from app.models import User

            try:
                ad, obj = tdb.session.get(User, ad_id), tdb.session.get(Report, rid)
                _ = obj.plans, obj.versions
                tdb.session.commit()
                barrier.wait()
                service.approve(obj, version, ad)
                outcomes.append("ok")
            except service.ReportError as exc:
                outcomes.append(str(exc))
            except Exception as exc:  # reported by the assertion below
                outcomes.append(f"unexpected {exc!r}")
            finally:
                tdb.session.remove()

    threads = [threading.Thread(target=approve) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert all("Alex Director approved it on" in o for o in outcomes if o != "ok"), outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ReportVersion.id))) == 1
    assert _verbs(db, rid).count("report_approved") == 1
