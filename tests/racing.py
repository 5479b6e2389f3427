"""Real races against Docket: a threaded server on 127.0.0.1 and many people's sessions, each
posting at the same moment behind a barrier. Used by tests/test_agenda_races.py and by
scripts/races/run.py (which prints the table in docs/reliability.md).

Only 127.0.0.1 is ever contacted; every request has a timeout.
"""
import http.cookiejar
import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import make_server

TIMEOUT = 120  # seconds for one request: a publish builds a PDF


@contextmanager
def serving(app):
    """Docket served by werkzeug's threaded server on 127.0.0.1, on a free port."""
    log = logging.getLogger("werkzeug")
    level = log.level
    log.setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        log.setLevel(level)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    text: str
    location: str | None = None


class Browser:
    """One person's browser: their own cookies (so their own session and CSRF token)."""

    def __init__(self, base: str):
        assert base.startswith("http://127.0.0.1:"), base
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _open(self, request) -> Answer:
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read().decode("utf-8", "replace"), exc.headers.get("Location"))

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict) -> Answer:
        body = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST",
                                                 headers={"Referer": self.base + path}))

    def sign_in(self, email: str, password: str) -> None:
        page = self.get("/sign-in")
        answer = self.post("/sign-in", {"email": email, "password": password, "csrf_token": csrf_token(page.text)})
        assert answer.status == 302, f"could not sign in as {email}: {answer.status}"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def form_value(html: str, name: str, within: str | None = None) -> str:
    """The value of the first hidden input called `name` (after the text `within`, if given)."""
    if within is not None:
        html = html[html.index(within):]
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html).group(1)


def race(browsers: list, path: str, forms: list[dict], upload: bool = False) -> tuple[list[Answer], float]:
    """Every browser posts its form to `path` at the same moment (as multipart/form-data if
    `upload`). Returns the answers (in the browsers' order) and the seconds the slowest took."""
    answers: list[Answer | None] = [None] * len(browsers)
    barrier = threading.Barrier(len(browsers))

    def go(n):
        barrier.wait(timeout=60)
        try:
            send = browsers[n].post_multipart if upload else browsers[n].post
            answers[n] = send(path, forms[n])
        except Exception as exc:  # noqa: BLE001 - a dropped connection is an answer too
            answers[n] = Answer(0, f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=go, args=(n,)) for n in range(len(browsers))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 60)
    return answers, time.monotonic() - started


def tally(answers: list[Answer]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for a in answers:
        counts[a.status] = counts.get(a.status, 0) + 1
    return dict(sorted(counts.items()))


# --- the agenda's races -------------------------------------------------------------------------
# Each scenario prepares a fresh meeting (in an app context), names the address everyone posts
# to and the form, and counts what was stored afterwards (what must be exactly one).

def multipart(form: dict) -> tuple[bytes, str]:
    """A multipart/form-data body; a (bytes, filename) value is a file."""
    boundary = "docket-race-boundary"
    parts = []
    for name, value in form.items():
        if isinstance(value, tuple):
            data, filename = value
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post_multipart(self, path: str, form: dict) -> Answer:
    body, kind = multipart(form)
    return self._open(urllib.request.Request(self.base + path, data=body, method="POST",
                                             headers={"Content-Type": kind, "Referer": self.base + path}))


Browser.post_multipart = _post_multipart


def minimal_pdf() -> bytes:
    """A one-page PDF, as the minutes."""
    import io

    from pypdf import PdfWriter

    pdf = PdfWriter()
    pdf.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def new_meeting(committee, days_ahead: int):
    from datetime import date, timedelta

    from app.extensions import db
    from app.meetings.dates import municipal_year
    from app.models import Meeting

    when = date.today() + timedelta(days=days_ahead)
    meeting = Meeting(committee_id=committee.id, meets_on=when, municipal_year=municipal_year(when))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def approved_report(committee, author, title: str):
    from app.extensions import db
    from app.models import Report, ReportState, ReportVersion, utcnow

    report = Report(title=title, committee_id=committee.id, author_id=author.id, state=ReportState.APPROVED,
                    content="{}")
    report.versions.append(ReportVersion(number=1, content="{}", content_hash="0" * 64, approved_at=utcnow(),
                                         approved_by_id=author.id))
    db.session.add(report)
    db.session.commit()
    return report


@dataclass
class Scenario:
    name: str
    prepare: object  # (meeting, clerk) -> (path, form): the agenda built so far, and what is posted
    stored: object  # (meeting) -> the number of things that must be exactly one
    upload: bool = False


def _count(stmt) -> int:
    from app.extensions import db

    return db.session.scalar(stmt)


def _events(meeting, verb: str) -> int:
    import sqlalchemy as sa

    from app.models import TrailEvent

    return _count(sa.select(sa.func.count()).select_from(TrailEvent).where(
        TrailEvent.object_type == "meeting", TrailEvent.object_id == meeting.id, TrailEvent.verb == verb))


def _items(meeting, *where) -> int:
    import sqlalchemy as sa

    from app.models import AgendaItem

    return _count(sa.select(sa.func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting.id, *where))


def _start(meeting, clerk):
    from app.meetings import service

    service.start_agenda(meeting, clerk)


def _other(meeting, clerk, title):
    from app.meetings import service

    return service.add_other_item(meeting, title, None, clerk)


def prepare_start(meeting, clerk):
    return f"/meetings/{meeting.id}/agenda/start", {}


def prepare_add_report(meeting, clerk):
    _start(meeting, clerk)
    report = approved_report(meeting.committee, clerk, f"Progress on the plan, meeting {meeting.id}")
    return f"/meetings/{meeting.id}/agenda/reports", {"report_id": str(report.id), "purpose": "To note progress."}


def prepare_add_item(meeting, clerk):
    _start(meeting, clerk)
    return f"/meetings/{meeting.id}/agenda/items", {"title": "Cultural Entitlement for Young People",
                                                    "item_purpose": "An update."}


def prepare_move(meeting, clerk):
    _start(meeting, clerk)
    _other(meeting, clerk, "Local Area Teams - Update")
    item = _other(meeting, clerk, "Cultural Entitlement for Young People")
    return f"/meetings/{meeting.id}/agenda/items/{item.id}/move", {"direction": "up"}


def prepare_remove(meeting, clerk):
    _start(meeting, clerk)
    item = _other(meeting, clerk, "Cultural Entitlement for Young People")
    return f"/meetings/{meeting.id}/agenda/items/{item.id}/remove", {}


def prepare_upload(meeting, clerk):
    _start(meeting, clerk)
    return f"/meetings/{meeting.id}/documents", {"kind": "minutes", "agenda_item_id": "",
                                                 "document": (minimal_pdf(), "minutes.pdf")}


def prepare_publish(meeting, clerk):
    # A small agenda (one item, no papers), so twenty builds of the pack take seconds.
    _other(meeting, clerk, "Cultural Entitlement for Young People")
    return f"/meetings/{meeting.id}/publish", {}


def stored_start(meeting):
    from app.models import AgendaItem

    return {"sets of standing items": _items(meeting, AgendaItem.standing == "declarations"),
            "events": _events(meeting, "agenda_started")}


def stored_report(meeting):
    from app.models import AgendaItem

    return {"report items": _items(meeting, AgendaItem.report_id.is_not(None)),
            "events": _events(meeting, "agenda_item_added")}


def stored_item(meeting):
    from app.models import AgendaItem

    return {"items": _items(meeting, AgendaItem.title == "Cultural Entitlement for Young People"),
            "events": _events(meeting, "agenda_item_added")}


def stored_move(meeting):
    return {"events": _events(meeting, "agenda_item_moved")}


def stored_remove(meeting):
    from app.models import AgendaItem

    gone = _items(meeting, AgendaItem.title == "Cultural Entitlement for Young People") == 0
    return {"removed": int(gone), "events": _events(meeting, "agenda_item_removed")}


def stored_upload(meeting):
    import sqlalchemy as sa

    from app.models import MeetingDocument

    return {"documents": _count(sa.select(sa.func.count()).select_from(MeetingDocument)
                                .where(MeetingDocument.meeting_id == meeting.id)),
            "events": _events(meeting, "meeting_document_added")}


def stored_publish(meeting):
    import sqlalchemy as sa

    from app.models import AgendaPack

    packs = sa.select(sa.func.count()).select_from(AgendaPack).where(AgendaPack.meeting_id == meeting.id)
    return {"packs": _count(packs),
            "events": _events(meeting, "agenda_published")}


SCENARIOS = [
    Scenario("Start the agenda", prepare_start, stored_start),
    Scenario("Add a report (the same one)", prepare_add_report, stored_report),
    Scenario("Add another item (the same one)", prepare_add_item, stored_item),
    Scenario("Move an item up", prepare_move, stored_move),
    Scenario("Remove an item", prepare_remove, stored_remove),
    Scenario("Add the minutes (PDF)", prepare_upload, stored_upload, upload=True),
    Scenario("Publish the agenda pack", prepare_publish, stored_publish),
]


def run_scenario(app, browsers: list[Browser], scenario: Scenario, committee_id: int, clerk_id: int,
                 days_ahead: int):
    """One round: a fresh meeting, prepared; every browser loads the agenda page (its own CSRF
    token and the meeting's version, as a person's page would) and posts at the same moment.
    Returns (answers, seconds, what was stored)."""
    from app.extensions import db
    from app.models import Committee, User

    with app.app_context():
        committee, clerk = db.session.get(Committee, committee_id), db.session.get(User, clerk_id)
        meeting = new_meeting(committee, days_ahead)
        path, form = scenario.prepare(meeting, clerk)
        meeting_id = meeting.id
        db.session.remove()
    forms = []
    for b in browsers:
        page = b.get(f"/meetings/{meeting_id}/agenda")
        assert page.status == 200, page.status
        forms.append({**form, "csrf_token": csrf_token(page.text), "version": form_value(page.text, "version")})
    answers, seconds = race(browsers, path, forms, upload=scenario.upload)
    with app.app_context():
        from app.models import Meeting

        stored = scenario.stored(db.session.get(Meeting, meeting_id))
        db.session.remove()
    return answers, seconds, stored


def refusal_text(html: str) -> str:
    """The words of the error summary, as a person reads them."""
    from bs4 import BeautifulSoup

    box = BeautifulSoup(html, "html.parser").select_one(".govuk-error-summary")
    return re.sub(r"\s+", " ", box.get_text(" ", strip=True)) if box else ""
