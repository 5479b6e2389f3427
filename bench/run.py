"""Measure Docket against the benchmark targets on generated "large council" data sets.

    .venv/bin/python bench/run.py --scales 1,10            # SQLite files made by bench/generate.py
    .venv/bin/python bench/run.py --scales 0.1,1 --postgres # a throw-away PostgreSQL server

For the pages (My tasks, a plan, the sign-off queue, a report, the agenda builder, the
dashboard), signed in as the person who uses each:

- SQL queries per page at every scale, counted in-process (Flask test client on the same
  database, a SQLAlchemy `before_cursor_execute` listener);
- p50/p95/p99 latency and throughput at 20 concurrent connections against Docket under
  gunicorn on 127.0.0.1 (`gunicorn --workers 4`, as the README deploys it), with `wrk`, at the
  first scale; the CPU time the gunicorn workers used per request;
- the ceiling: the same gunicorn settings serving each page's final HTML from memory with a
  bare Flask route (bench/ceiling.py), measured in the same run, page by page, interleaved;

and the time to build a 100-page agenda pack (`build_pack`) and to preview a 1,000-row import;
and, last, the deadline-day workload (bench/load.py) with results kept and with nothing kept.
With --postgres and DATABASE_URL=postgresql://… the data sets go on that server (generated if
bench/data/pg-<scale>x.json is missing); BENCH_PG_PID=<its postmaster's pid> counts its CPU.
Writes bench/results/results.json and bench/results/results.md (the table for
docs/benchmarks.md), and with --profile a pyinstrument profile of each page.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, timezone
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
VENV_BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ANONYMOUS = "anonymous"  # a page read by someone not signed in
# (key, title, who, path) — who is a key of the generator summary's "people", or ANONYMOUS.
PAGES = [
    ("my_tasks", "My tasks", "head_of_service", "/"),
    ("plan", "Plan page", "head_of_service", "/plans/{plan_id}"),
    ("sign_off", "Sign-off queue", "head_of_service", "/sign-off"),
    ("report", "Report page", "assistant_director", "/reports/{report_id}"),
    ("agenda", "Agenda builder", "clerk", "/meetings/{agenda_meeting_id}/agenda"),
    ("dashboard", "Dashboard", "assistant_director", "/dashboard"),
    ("people", "People list", "admin", "/people/"),
    # Signed out, as the public reads it: a published meeting's agenda (set up by `prepare`).
    ("public_meeting", "Public meeting page", ANONYMOUS, "/public/meetings/{public_meeting_id}"),
    # A Head of Service uploads a 100-row Word plan and sees the preview (a POST: UPLOADS).
    ("import_preview", "Import preview, 100-row Word plan", "head_of_service", "/plans/{plan_id}/import/preview"),
]
# Counted too (queries only): My tasks for the other people who use it most.
# Load-tested too, for reference (no target): the lightest page a signed-in person sees.
REFERENCE_PAGES = [("notifications", "Notifications (reference)", "head_of_service", "/notifications/")]
EXTRA_PAGES = [
    ("my_tasks_ad", "My tasks (Assistant Director)", "assistant_director", "/"),
    ("my_tasks_clerk", "My tasks (clerk)", "clerk", "/"),
]
TARGETS = {"p95_ms": 100, "cpu_ms": 5.0, "queries": 12, "throughput_ratio": 0.5, "pack_s": 3.0, "import_s": 2.0}
# The README's deployment, one worker a core (--workers changes it); the same for Docket and the ceiling.
GUNICORN_ARGS = ["--workers", str(os.cpu_count() or 2)]
SECRET_KEY = "docket-benchmark-not-secret"
TRAIL_KEY = "docket-benchmark-trail-key-not-secret"  # bench/generate.py keys its trail with it too


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def page_path(template: str, summary: dict) -> str:
    return template.format(**summary)


# --- databases -----------------------------------------------------------------------------------

def scale_name(scale: float) -> str:
    return f"{scale:g}x"


def sqlite_url(scale: float) -> str:
    return f"sqlite:///{DATA / f'docket-{scale_name(scale)}.db'}"


def summary_path(url: str, scale: float) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):] + ".json")
    return DATA / f"pg-{scale_name(scale)}.json"


def generate(url: str, scale: float) -> dict:
    path = summary_path(url, scale)
    log(f"generating the {scale_name(scale)} data set into {url.split('@')[-1]}")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", str(scale), "--database-url", url,
                    "--summary", str(path)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    summary = json.loads(path.read_text())
    log(f"  generated in {time.perf_counter() - started:.0f} s ({summary['counts']['progress_update']:,} updates)")
    return summary


class Postgres:
    """A throw-away PostgreSQL server, started as .ci/run starts one."""

    def __init__(self, port: int):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                                  if x.isdigit()])
        if not bins:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or give DATABASE_URL")
        self.bin = bins[-1]
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="docket-bench-pg."))
        self.root = os.geteuid() == 0

    def _run(self, *args, **kw):
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)

    def start(self) -> str:
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def create(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def pids(self) -> list[int]:
        """The postmaster and its children (one backend a connection)."""
        with contextlib.suppress(OSError, ValueError):
            master = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
            return [master] + children_of(master)
        return []

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def create_database(server_url: str, name: str) -> None:
    """CREATE DATABASE on a PostgreSQL server given by DATABASE_URL, unless it is there."""
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://" + server_url.split("://", 1)[1] + "/postgres",
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


# --- in-process: queries per page, profiles, the pack, the import ----------------------------------

def make_app(url: str, storage: str):
    from app import create_app

    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]

    return create_app({"SECRET_KEY": SECRET_KEY, "TRAIL_KEY": TRAIL_KEY, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                       "STORAGE_DIR": storage})


def _word_plan_upload(app, summary: dict) -> tuple[dict, dict]:
    headings, rows = import_rows(app, summary, total=100)
    return {"source": "file"}, {"file": ("plan.docx", word_plan(headings, rows))}


# Pages that are a form posted with a file: key -> (app, summary) -> (fields, {field: (name, bytes)}).
UPLOADS = {"import_preview": _word_plan_upload}
_upload_cache: dict[tuple[str, int], tuple[dict, dict]] = {}


def upload_for(key: str, app, summary: dict) -> tuple[dict, dict] | None:
    if key not in UPLOADS:
        return None
    cache_key = (key, id(summary))
    if cache_key not in _upload_cache:
        _upload_cache[cache_key] = UPLOADS[key](app, summary)
    return _upload_cache[cache_key]


def client_open(client, path: str, upload):
    """GET the page, or POST its upload as the browser's form does (multipart)."""
    if upload is None:
        return client.get(path)
    fields, files = upload
    data = dict(fields)
    data.update({name: (io.BytesIO(content), filename) for name, (filename, content) in files.items()})
    return client.post(path, data=data, content_type="multipart/form-data")


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "docket-bench-" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f'Content-Type: application/octet-stream\r\n\r\n'.encode())
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def prepare(app, summary: dict, path: Path) -> dict:
    """What the generated data set lacks for the pages measured: a published agenda for the
    public meeting page. The clerk publishes the past meeting with the most agenda items through
    Docket itself (a real pack, as a council's would be), once; its id is kept in the summary."""
    from app.extensions import db
    from app.meetings.publishing import publish
    from app.models import AgendaItem, AgendaPack, Meeting, User

    if summary.get("public_meeting_id"):
        return summary
    with app.test_request_context("/"):
        meeting_id = db.session.scalar(
            db.select(AgendaItem.meeting_id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.meets_on < datetime.now().date(), Meeting.id != summary["agenda_meeting_id"])
            .group_by(AgendaItem.meeting_id).order_by(db.func.count().desc(), AgendaItem.meeting_id).limit(1))
        if not db.session.scalar(db.select(AgendaPack.id).where(AgendaPack.meeting_id == meeting_id).limit(1)):
            clerk = db.session.scalar(db.select(User).where(User.email == summary["people"]["clerk"]))
            log(f"  publishing meeting {meeting_id}'s agenda for the public meeting page")
            publish(db.session.get(Meeting, meeting_id), clerk, late_reason="Published by the benchmark.")
            db.session.commit()
    summary["public_meeting_id"] = meeting_id
    path.write_text(json.dumps(summary, indent=2))
    return summary


def signed_in_client(app, summary: dict, who: str):
    client = app.test_client()
    if who == ANONYMOUS:
        return client
    response = client.post("/sign-in", data={"email": summary["people"][who], "password": summary["password"]})
    if response.status_code != 302:
        raise RuntimeError(f"signing in as {summary['people'][who]} failed: {response.status_code}")
    return client


def count_queries(app, summary: dict) -> dict:
    """Queries for each page's first view, which works everything out (as the first view after
    any change does), and for its second, which finds what app/cache.py kept."""
    from sqlalchemy import event

    from app.extensions import db

    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    from app import cache

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    out = {}
    try:
        for key, title, who, template in PAGES + REFERENCE_PAGES + EXTRA_PAGES:
            client = signed_in_client(app, summary, who)
            path = page_path(template, summary)
            upload = upload_for(key, app, summary)  # made (and its queries run) before counting
            cache.results.clear()  # the first view works everything out, as after any change
            statements.clear()
            first = client_open(client, path, upload)
            first_queries = len(statements)
            statements.clear()
            started = time.perf_counter()
            response = client_open(client, path, upload)
            elapsed = time.perf_counter() - started
            shapes = Counter(re.sub(r"\s+", " ", s)[:120] for s in statements)
            out[key] = {"path": path, "status": response.status_code, "first_status": first.status_code,
                        "queries": len(statements), "queries_first": first_queries, "bytes": len(response.data), "ms_in_process": round(elapsed * 1000, 1),
                        "repeated": [[n, s] for s, n in shapes.most_common(3) if n > 1]}
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return out


CATEGORIES = [  # (name, path fragments) in the order they are tried
    ("templates (Jinja, markupsafe)", ("/templates/", "jinja2", "markupsafe", "govuk_frontend")),
    ("database (SQLAlchemy, driver)", ("sqlalchemy", "sqlite3", "psycopg")),
    ("Flask, Werkzeug, session, login", ("flask", "werkzeug", "itsdangerous", "flask_login", "flask_wtf")),
    ("Docket's own code", ("/app/",)),
]


def categorise(profiler) -> dict[str, float]:
    """Share of a profile's time by where it was spent: templates, the database layer, Flask, Docket."""
    totals: dict[str, float] = {}

    def walk(frame, path):
        if frame.file_path and not frame.file_path.startswith("<"):
            path = frame.file_path  # built-ins and [self] count where they were called from
        if frame.total_self_time:
            name = next((n for n, parts in CATEGORIES if any(p in (path or "") for p in parts)), "other")
            totals[name] = totals.get(name, 0) + frame.total_self_time
        for child in frame.children:
            walk(child, path)

    root = profiler.last_session.root_frame()
    walk(root, None)
    whole = sum(totals.values()) or 1
    return {name: round(100 * t / whole) for name, t in sorted(totals.items(), key=lambda kv: -kv[1])}


def profile_pages(app, summary: dict, keys: list[str]) -> list[str]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        log("  pyinstrument is not installed: .venv/bin/pip install pyinstrument")
        return []
    written = []
    for key, title, who, template in PAGES:
        if keys and key not in keys:
            continue
        client = signed_in_client(app, summary, who)
        path = page_path(template, summary)
        upload = upload_for(key, app, summary)
        client_open(client, path, upload)
        # With nothing kept (CACHE_ENTRIES=0): the profile shows the work of a page.
        kept, app.config["CACHE_ENTRIES"] = app.config["CACHE_ENTRIES"], 0
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(20):
            client_open(client, path, upload)
        profiler.stop()
        app.config["CACHE_ENTRIES"] = kept
        target = RESULTS / f"profile-{key}.txt"
        shares = categorise(profiler)
        target.write_text("Time by layer: " + ", ".join(f"{n} {v}%" for n, v in shares.items()) + "\n"
                          + profiler.output_text(unicode=True, color=False, show_all=False))
        written.append({"page": key, "file": str(target.relative_to(ROOT)), "layers_percent": shares})
    return written


def _simple_pdf(marker: str, pages: int) -> bytes:
    from weasyprint import CSS, HTML

    body = "".join(f'<h1 style="break-before: page">{marker}</h1><p>Page {k} of {marker}.</p>' for k in range(1, pages + 1))
    return HTML(string=f"<html lang='en-GB'><body>{body}</body></html>").write_pdf(
        stylesheets=[CSS(string="@page { size: A4; margin: 20mm } h1:first-child { break-before: auto }")])


def _profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        log("  pyinstrument is not installed: .venv/bin/pip install pyinstrument")
        return None
    return Profiler(interval=0.001)


def _write_profile(profiler, name: str) -> str:
    target = RESULTS / f"profile-{name}.txt"
    target.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return str(target.relative_to(ROOT))


def pack_benchmark(app, summary: dict, runs: int = 3, target_pages: int = 100, profile: bool = False) -> dict:
    """Time build_pack over a 100-page agenda: the generated meeting's agenda with real report
    PDFs (rendered from the approved versions, as publish does, before the timing starts)."""
    import sqlalchemy as sa
    from pypdf import PdfReader

    from app.extensions import db
    from app.meetings.pack import PackItem, PackMeeting, build_pack
    from app.meetings.workplan import work_plan_pdf
    from app.models import Meeting, Report, ReportState
    from app.reports.pdf import render_pdf

    with app.test_request_context():
        meeting = db.session.get(Meeting, summary["agenda_meeting_id"])
        committee = meeting.committee
        started = time.perf_counter()
        reports = db.session.scalars(sa.select(Report).where(Report.state == ReportState.APPROVED)
                                     .order_by(Report.id).limit(8)).all()
        report_pdfs = []
        pages_so_far = 0
        for report in reports:
            version = [v for v in report.versions if v.approved_at][-1]
            pdf = render_pdf(report, json.loads(version.content), version, running_numbers=False)
            report_pdfs.append((report.title, pdf))
            pages_so_far += len(PdfReader(io.BytesIO(pdf)).pages)
            if pages_so_far >= target_pages - 30:
                break
        work_plan = work_plan_pdf(committee, meeting.municipal_year)
        rendered = time.perf_counter() - started
        minutes = _simple_pdf("Minutes", 6)

        def items(annex_pages: int) -> list[PackItem]:
            out = [PackItem(1, "Declarations of Interest", None, None, standing="declarations"),
                   PackItem(2, "Minutes", "To approve and sign the minutes of the last meeting.", minutes,
                            standing="minutes"),
                   PackItem(3, "Public Participation", None, None, standing="public_participation")]
            for n, (title, pdf) in enumerate(report_pdfs, start=4):
                annexes = [("Annex A: Performance data", _annex(2))] if n == 4 else []
                out.append(PackItem(n, title, "To note progress on the plan.", pdf, annexes=annexes))
            n = len(out) + 1
            out.append(PackItem(n, "Work Plan", "To consider the committee's work plan.", work_plan, standing="work_plan"))
            # The last papers, sized so the pack comes to 100 pages (papers start on odd pages,
            # so the pack's length is even only when the last papers' length is).
            out.append(PackItem(n + 1, "Annual performance report", "To note the council's annual performance data.",
                                _annex(annex_pages) if annex_pages else None))
            out.append(PackItem(n + 2, "Urgent Business", None, None, standing="urgent_business"))
            return out

        annex_cache: dict[int, bytes] = {}

        def _annex(pages: int) -> bytes:
            if pages not in annex_cache:
                annex_cache[pages] = _simple_pdf("Performance data", pages)
            return annex_cache[pages]

        pack_meeting = PackMeeting(
            council_name=app.config["COUNCIL_NAME"], committee_name=committee.name,
            members=[(m.name, m.role.value) for m in committee.members], meets_on=meeting.meets_on,
            starts_at=meeting.starts_at, venue=meeting.venue, clerk_name=committee.clerk_name,
            clerk_telephone=committee.clerk_telephone, clerk_email=committee.clerk_email)
        # Size the last papers so the pack is 100 pages: try the arithmetic's answer and its
        # neighbours (blank pages shift it), keep the one that gives 100 (or the nearest above).
        counts = {0: build_pack(pack_meeting, items(0)).page_count}
        annex = max(target_pages - counts[0], 0)
        for candidate in (annex, annex - 1, annex + 1, annex - 2, annex + 2):
            if candidate > 0 and candidate not in counts:
                counts[candidate] = build_pack(pack_meeting, items(candidate)).page_count
        exact = [a for a, n in counts.items() if n == target_pages]
        above = sorted((n, a) for a, n in counts.items() if n >= target_pages)
        annex = exact[0] if exact else (above[0][1] if above else max(counts))
        log(f"  pack length by annex pages: {dict(sorted(counts.items()))}; using {annex}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = build_pack(pack_meeting, items(annex))
            times.append(time.perf_counter() - started)
        profiled = None
        if profile and (profiler := _profiler()):
            profiler.start()
            build_pack(pack_meeting, items(annex))
            profiler.stop()
            profiled = _write_profile(profiler, "pack")
    return {"profile": profiled, "pages": result.page_count, "items": len(items(annex)), "report_pdfs": len(report_pdfs),
            "seconds": [round(t, 2) for t in times], "median_s": round(statistics.median(times), 2),
            "inputs_rendered_s": round(rendered, 2), "pdf_bytes": len(result.pdf)}


def import_rows(app, summary: dict, total: int = 1000, changed: int = 10) -> tuple[list[str], list[list[str]]]:
    """A 1,000-row actions sheet for the plan: its 100 actions (`changed` of them re-titled),
    then new actions owned by people named by e-mail, in the plan's own themes."""
    from app.extensions import db
    from app.models import Plan
    from app.plans import transfer

    with app.app_context():
        plan = db.session.get(Plan, summary["plan_id"])
        state = transfer.PlanState.load(plan)
        rows = [[("" if v is None else str(v)) for v in row] for row in transfer.export_rows("actions", state)]
        for row in rows[:changed]:
            row[2] = row[2] + " (revised)"
        themes = [t.title for t in state.themes]
        owners = sorted({a.owner.email for a in state.actions if a.owner})
        n = len(rows)
        while len(rows) < total:
            n += 1
            rows.append([f"NEW-{n:04d}", themes[n % len(themes)], f"Deliver improvement {n} across the service",
                         ["Business as usual", "Medium project", "Major project"][n % 3], owners[n % len(owners)],
                         f"{1 + n % 28:02d}/{1 + n % 12:02d}/2027",
                         "- Scope agreed with partners\n- Delivered and evaluated"])
        return transfer.headings("actions"), rows


def word_plan(headings: list[str], rows: list[list[str]]) -> bytes:
    """The same rows as a council writes them in Word: a heading per theme, then that theme's
    table in its own columns ("No.", "Action", "Lead officer", "By when", "Milestones"), the
    reference left out and the number written in the action's cell."""
    import docx

    column = {h: i for i, h in enumerate(headings)}
    themes: dict[str, list[list[str]]] = {}
    for row in rows:
        themes.setdefault(row[column["Priority Theme"]], []).append(row)
    document = docx.Document()
    for letter, (theme, theme_rows) in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", themes.items()):
        document.add_heading(f"{letter}. {theme}", level=2)
        table = document.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, ("Action", "Lead officer", "By when", "Milestones")):
            cell.text = text
        for n, row in enumerate(theme_rows, 1):
            cells = table.add_row().cells
            cells[0].text = f"{n}. {row[column['Action']]}"
            cells[1].text = row[column["Accountable officer"]] if "Accountable officer" in column else ""
            cells[2].text = row[column["Completed by date"]] if "Completed by date" in column else ""
            cells[3].text = row[column["Milestones / Deliverables"]]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def import_benchmark(app, summary: dict, runs: int = 3, profile: bool = False) -> dict:
    from app.extensions import db
    from app.models import Plan
    from app.plans import transfer

    headings, rows = import_rows(app, summary)
    with app.app_context():
        xlsx = transfer._workbook([("Actions", headings, rows)], guidance=False)
    out_csv = io.StringIO()
    csv.writer(out_csv).writerows([headings] + rows)
    files = {"xlsx": ("actions.xlsx", xlsx), "csv": ("actions.csv", out_csv.getvalue().encode("utf-8")),
             "docx": ("plan.docx", word_plan(headings, rows))}
    result = {"rows": len(rows)}
    client = signed_in_client(app, summary, "head_of_service")
    for kind, (name, data) in files.items():
        with app.app_context():
            plan = db.session.get(Plan, summary["plan_id"])
            started = time.perf_counter()
            read = transfer.read_upload(name, data)
            read_s = time.perf_counter() - started
            started = time.perf_counter()
            pv = transfer.preview(plan, read)
            preview_s = time.perf_counter() - started
            counts = dict(pv.counts)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post(f"/plans/{summary['plan_id']}/import/preview",
                                   data={"source": "file", "file": (io.BytesIO(data), name)},
                                   content_type="multipart/form-data")
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"import preview answered {response.status_code}")
        if profile and kind == "xlsx" and (profiler := _profiler()):
            profiler.start()
            client.post(f"/plans/{summary['plan_id']}/import/preview",
                        data={"source": "file", "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
            profiler.stop()
            result["profile"] = _write_profile(profiler, "import-xlsx")
        result[kind] = {"bytes": len(data), "read_s": round(read_s, 2), "preview_s": round(preview_s, 2),
                        "request_s": [round(t, 2) for t in times], "median_s": round(statistics.median(times), 2),
                        "counts": counts, "page_bytes": len(response.data)}
    return result


# --- over HTTP: gunicorn and wrk -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


class Gunicorn:
    def __init__(self, app_spec: str, env: dict, extra: list[str] | None = None, name: str = "docket"):
        self.port = free_port()
        self.name = name
        self.log = RESULTS / f"gunicorn-{name}{RUN_SUFFIX}.log"
        cmd = [str(VENV_BIN / "gunicorn"), *GUNICORN_ARGS, "--bind", f"127.0.0.1:{self.port}",
               "--error-logfile", str(self.log), *(extra or []), app_spec]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, path: str = "/", timeout: float = 240) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited: see {self.log}")
            try:
                urllib.request.urlopen(self.base + path, timeout=5).read()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer within {timeout} s")

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_sign_in(base: str, email: str, password: str) -> tuple[str, "urllib.request.OpenerDirector"]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in", timeout=30).read().decode()
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if not m:
        raise RuntimeError("no CSRF token on the sign-in page")
    data = urllib.parse.urlencode({"csrf_token": m.group(1), "email": email, "password": password}).encode()
    response = opener.open(base + "/sign-in", data=data, timeout=60)
    if response.geturl().rstrip("/").endswith("/sign-in"):
        raise RuntimeError(f"signing in as {email} over HTTP failed")
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookies, opener


def wrk(url: str, cookie: str | None, seconds: float, connections: int, threads: int = 2,
        post: dict | None = None) -> dict:
    """`post`: send every request as this POST ({"body_file", "content_type", "csrf"}), for a page
    that is the answer to a form (the import preview)."""
    script = BENCH / "wrk_report.lua"
    if post:
        script = Path(tempfile.mkstemp(prefix="docket-bench-wrk.", suffix=".lua")[1])
        script.write_text(
            f'local f = io.open("{post["body_file"]}", "rb")\nwrk.method = "POST"\nwrk.body = f:read("*all")\n'
            f'f:close()\nwrk.headers["Content-Type"] = "{post["content_type"]}"\n'
            + (f'wrk.headers["X-CSRFToken"] = "{post["csrf"]}"\n' if post.get("csrf") else "")
            + (BENCH / "wrk_report.lua").read_text())
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
           "-s", str(script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        if post:
            script.unlink(missing_ok=True)
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line[len("WRK_JSON "):])
    seconds_run = data["duration_us"] / 1e6
    lat = data["latency_us"]
    return {"requests": data["requests"], "rps": round(data["requests"] / seconds_run, 1),
            "p50_ms": round(lat["p50"] / 1000, 1), "p90_ms": round(lat["p90"] / 1000, 1),
            "p95_ms": round(lat["p95"] / 1000, 1), "p99_ms": round(lat["p99"] / 1000, 1),
            "max_ms": round(lat["max"] / 1000, 1), "bytes_per_response": round(data["bytes"] / max(data["requests"], 1)),
            "errors": data["errors"]}


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


RUN_SUFFIX = ""  # "-postgres" for a PostgreSQL run: its own gunicorn logs and captured pages
DATABASE_PIDS = lambda: []  # noqa: E731 - set to Postgres.pids when the benchmark runs its own server


def measured(server: Gunicorn, url: str, cookie: str | None, seconds: float, connections: int, warmup: float,
             post: dict | None = None) -> dict:
    """One wrk run, with the CPU the server's workers used per request, and the CPU that other
    processes on the machine (not the server, not wrk) used meanwhile: the benchmark shares
    the machine, and that share is the error bar on the latencies."""
    if warmup:
        wrk(url, cookie, warmup, connections, post=post)
    pids, db_pids = server.workers(), DATABASE_PIDS()
    before, load_before = cpu_seconds(pids), os.getloadavg()[0]
    db_before = cpu_seconds(db_pids)
    busy_before, children_before = busy_seconds(), os.times()
    started = time.perf_counter()
    result = wrk(url, cookie, seconds, connections, post=post)
    elapsed = time.perf_counter() - started
    used = cpu_seconds(pids) - before
    db_used = cpu_seconds(db_pids) - db_before
    children = os.times()
    wrk_cpu = (children.children_user - children_before.children_user
               + children.children_system - children_before.children_system)
    others = busy_seconds() - busy_before - used - wrk_cpu - db_used
    result["server_cpu_ms_per_request"] = round(1000 * used / max(result["requests"], 1), 2)
    if db_pids:
        result["database_cpu_ms_per_request"] = round(1000 * db_used / max(result["requests"], 1), 2)
    result["wrk_cpu_cores"] = round(wrk_cpu / elapsed, 2)
    result["other_cpu_cores"] = round(max(others, 0) / elapsed, 2)
    result["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def http_upload(base: str, opener, key: str, app, summary: dict) -> dict | None:
    """For a page that answers an upload: the body, written to a file for wrk, and the session's
    form token (Flask-WTF reads it from the X-CSRFToken header as from the form)."""
    upload = upload_for(key, app, summary) if app is not None else None
    if upload is None:
        return None
    page = opener.open(base + "/", timeout=60).read().decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    body, content_type = multipart(*upload)
    body_file = RESULTS / f"upload-{key}{RUN_SUFFIX}.bin"
    body_file.write_bytes(body)
    return {"body_file": str(body_file), "content_type": content_type, "csrf": token}


def http_open(opener, url: str, post: dict | None):
    if post is None:
        return opener.open(url, timeout=120)
    request = urllib.request.Request(url, data=Path(post["body_file"]).read_bytes(), method="POST", headers={
        "Content-Type": post["content_type"], "X-CSRFToken": post["csrf"]})
    return opener.open(request, timeout=120)


def load_test(url: str, summary: dict, args, app=None) -> dict:
    """Docket and the ceiling, page by page, interleaved (so both see the same machine). `app`
    (in-process, on the same database) builds the files of the pages that answer an upload."""
    pages_dir = RESULTS / f"pages{RUN_SUFFIX}"  # SQLite and PostgreSQL runs can go side by side
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages_dir.mkdir(parents=True)
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "TRAIL_KEY": TRAIL_KEY, "DOCKET_DEV": "", "FLASK_DEBUG": ""}
    docket = Gunicorn("wsgi:app", env, name="docket")
    ceiling = None
    results = {}
    try:
        docket.wait("/sign-in")
        sessions, posts = {}, {}
        for key, title, who, template in PAGES + REFERENCE_PAGES:
            if args.pages and key not in args.pages:
                continue
            if who not in sessions:
                sessions[who] = ((None, urllib.request.build_opener()) if who == ANONYMOUS else
                                 http_sign_in(docket.base, summary["people"][who], summary["password"]))
            cookie, opener = sessions[who]
            posts[key] = http_upload(docket.base, opener, key, app, summary)
            response = http_open(opener, docket.base + page_path(template, summary), posts[key])
            body = response.read()
            if response.status != 200 or response.geturl() != docket.base + page_path(template, summary):
                raise RuntimeError(f"{title}: {response.status} at {response.geturl()}")
            (pages_dir / f"{key}.html").write_bytes(body)
            results[key] = {"page_bytes": len(body)}
        ceiling = Gunicorn("ceiling:app", {"BENCH_CEILING_DIR": str(pages_dir)}, ["--pythonpath", str(BENCH)],
                           name="ceiling")
        ceiling.wait("/" + next(iter(results)))
        for key, title, who, template in PAGES + REFERENCE_PAGES:
            if key not in results:
                continue
            cookie, _ = sessions[who]
            log(f"  {title}: Docket")
            d = measured(docket, docket.base + page_path(template, summary), cookie, args.duration,
                         args.connections, args.warmup, post=posts[key])
            log(f"    {d['rps']} req/s, p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, "
                f"{d['server_cpu_ms_per_request']} ms CPU/request; other processes used {d['other_cpu_cores']} cores")
            log(f"  {title}: ceiling")
            c = measured(ceiling, f"{ceiling.base}/{key}", None, args.duration, args.connections, args.warmup,
                         post=posts[key] and {**posts[key], "csrf": None})
            log(f"    {c['rps']} req/s, p95 {c['p95_ms']} ms")
            problems = []
            if any(d["errors"].values()):
                problems.append(f"errors {d['errors']}")
            if abs(d["bytes_per_response"] - results[key]["page_bytes"]) > 0.1 * results[key]["page_bytes"] + 2000:
                problems.append("responses were not the page (signed out?)")
            results[key].update({"docket": d, "ceiling": c, "ratio": round(d["rps"] / c["rps"], 3) if c["rps"] else None,
                                 "problems": problems})
    finally:
        docket.stop()
        if ceiling:
            ceiling.stop()
    if args.uncached:
        # Every request works its page out: what the first view after a change costs (no result
        # kept, CACHE_ENTRIES=0), measured the same way.
        docket = Gunicorn("wsgi:app", {**env, "CACHE_ENTRIES": "0"}, name="docket-uncached")
        try:
            docket.wait("/sign-in")
            sessions = {}
            for key, title, who, template in PAGES + REFERENCE_PAGES:
                if key not in results:
                    continue
                if who not in sessions:
                    sessions[who] = ((None, urllib.request.build_opener()) if who == ANONYMOUS else
                                     http_sign_in(docket.base, summary["people"][who], summary["password"]))
                cookie, opener = sessions[who]
                log(f"  {title}: Docket, nothing kept")
                u = measured(docket, docket.base + page_path(template, summary), cookie, args.duration,
                             args.connections, args.warmup,
                             post=http_upload(docket.base, opener, key, app, summary))
                log(f"    {u['rps']} req/s, p50 {u['p50_ms']} ms, p95 {u['p95_ms']} ms, "
                    f"{u['server_cpu_ms_per_request']} ms CPU/request")
                if any(u["errors"].values()):
                    results[key]["problems"].append(f"errors with nothing kept {u['errors']}")
                results[key]["uncached"] = u
        finally:
            docket.stop()
    return results


# --- the deadline-day workload (bench/load.py) ----------------------------------------------------

def copy_database(url: str, summary: dict, scale: float, name: str) -> str:
    """A copy of the data set for a run that writes: a SQLite file copied with SQLite's backup,
    or a PostgreSQL database made from the data set's as a template."""
    if url.startswith("sqlite:///"):
        import sqlite3

        source = Path(url[len("sqlite:///"):])
        target = source.with_name(f"{source.stem}-{name}.db")
        for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            old.unlink(missing_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return f"sqlite:///{target}"
    import sqlalchemy as sa

    base, template = url.rsplit("/", 1)
    copy = f"{template}_{name}"
    engine = sa.create_engine("postgresql+psycopg://" + base.split("://", 1)[1] + "/postgres",
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{copy}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"'))
    engine.dispose()
    return f"{base}/{copy}"


def drop_copy(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            old.unlink(missing_ok=True)
        return
    import sqlalchemy as sa

    base, name = url.rsplit("/", 1)
    engine = sa.create_engine("postgresql+psycopg://" + base.split("://", 1)[1] + "/postgres",
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def deadline_day(url: str, summary: dict, scale: float, args) -> dict:
    """bench/load.py's workload for --deadline-seconds against gunicorn, with results kept (as
    Docket runs) and, unless --no-uncached, with nothing kept; each on its own copy of the data."""
    import load

    env = {"SECRET_KEY": SECRET_KEY, "TRAIL_KEY": TRAIL_KEY, "DOCKET_DEV": "", "FLASK_DEBUG": "", "CACHE_REPORT": "1"}
    variants = [("kept", {})] + ([("nothing kept", {"CACHE_ENTRIES": "0"})] if args.uncached else [])
    out = {}
    for name, extra in variants:
        copy = copy_database(url, summary, scale, "deadline")
        storage = tempfile.mkdtemp(prefix="docket-bench-storage.")
        app = make_app(copy, storage)
        docket = Gunicorn("wsgi:app", {**env, **extra, "DATABASE_URL": copy}, name=f"docket-deadline-{name.replace(' ', '-')}")
        try:
            docket.wait("/sign-in")
            log(f"  deadline day, {name}: {args.deadline_seconds:g} s")
            busy_before = busy_seconds()
            result = load.run(docket.base, app, summary, seconds=args.deadline_seconds,
                              cpu=lambda: (cpu_seconds(docket.workers()), cpu_seconds(DATABASE_PIDS())), log=log)
            result["machine_busy_cores"] = round((busy_seconds() - busy_before) / result["seconds"], 2)
            result["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
        finally:
            docket.stop()
        from app.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_copy(copy)
        shutil.rmtree(storage, ignore_errors=True)
        log(f"    {result['rps']} req/s, errors {result['errors']}, hit rate {result['hit_rate']}, "
            f"{result['server_cpu_ms_per_request']} ms CPU/request; writes lost {result['writes']['lost_count']}")
        out[name] = result
    return out


# --- the report ------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(results: dict) -> str:
    scales = results["scales"]
    primary = scales[0]
    lines = [f"Machine: {results['machine']['cpus']} CPUs ({results['machine']['cpu']}), "
             f"{results['machine']['backend']}, {results['when']}.", ""]
    load = results.get("load")
    q = results["queries"]

    def queries(scale, key):
        r = q[scale][key]
        return f"{r.get('queries_first', r['queries'])} / {r['queries']}"

    head = ["Page", *(f"queries {s} (first / kept)" for s in scales)]
    if load:
        head += ["p50 ms", "p95 ms", "p99 ms", "req/s", "ceiling req/s", "ratio", "CPU ms/req",
                 "nothing kept: p50 ms", "p95 ms", "req/s", "CPU ms/req", "others' CPU"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))

    def cpu(d):
        return f"{d['server_cpu_ms_per_request']:g}" + (
            f" + {d['database_cpu_ms_per_request']:g} db" if "database_cpu_ms_per_request" in d else "")

    for key, title, who, template in PAGES + REFERENCE_PAGES + EXTRA_PAGES:
        if key not in q[primary]:
            continue
        row = [title] + [queries(s, key) for s in scales]
        if load and key in load:
            d, c, u = load[key]["docket"], load[key]["ceiling"], load[key].get("uncached")
            row += [f"{d['p50_ms']:g}", f"{d['p95_ms']:g}", f"{d['p99_ms']:g}", f"{d['rps']:g}", f"{c['rps']:g}",
                    f"{load[key]['ratio']:.2f}", cpu(d)]
            row += ([f"{u['p50_ms']:g}", f"{u['p95_ms']:g}", f"{u['rps']:g}", cpu(u)] if u else [""] * 4)
            row += [f"{d['other_cpu_cores']:g}"]
        elif load:
            row += [""] * 12
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Queries: the first view works everything out (as the first view after any change does); "
                  "the second finds what app/cache.py kept. Load: 20 connections for "
                  f"{results['duration_s']:g} s a run; the first figures are with results kept (the steady "
                  "state), the \"nothing kept\" ones with CACHE_ENTRIES=0, so that every request works its page "
                  "out. CPU ms/req: CPU time of the gunicorn workers per request (+ the PostgreSQL server's, when "
                  "the benchmark runs its own). Others' CPU: cores used by other processes on the machine (not "
                  "Docket, its database or wrk) during the Docket run." if load else ""]
    lines.append("")
    lines.append("| Target | Result | |")
    lines.append("|---|---|---|")
    for key, title, who, template in PAGES:
        if key not in q[primary]:
            continue
        firsts = [q[s][key].get("queries_first", q[s][key]["queries"]) for s in scales]
        kept = [q[s][key]["queries"] for s in scales]
        ok = max(firsts + kept) <= TARGETS["queries"] and len(set(firsts)) == 1 and len(set(kept)) == 1
        lines.append(f"| {title}: ≤ {TARGETS['queries']} queries, equal at {' and '.join(scales)} | "
                     f"first {' / '.join(map(str, firsts))}; kept {' / '.join(map(str, kept))} | {verdict(ok)} |")
        if load and key in load:
            d, u = load[key]["docket"], load[key].get("uncached")

            def p95(run):  # a run in which no request completed has no p95, and misses
                return (f"{run['p95_ms']:g} ms" if run["requests"] else "no request completed",
                        bool(run["requests"]) and run["p95_ms"] <= TARGETS["p95_ms"])

            def cpu_total(run):
                return run["server_cpu_ms_per_request"] + run.get("database_cpu_ms_per_request", 0)

            lines.append(f"| {title}: p95 ≤ {TARGETS['p95_ms']} ms at {results['connections']} connections | "
                         f"{p95(d)[0]} | {verdict(p95(d)[1])} |")
            if u:
                lines.append(f"| {title}: the same with nothing kept | {p95(u)[0]} | {verdict(p95(u)[1])} |")
                lines.append(f"| {title}: ≤ {TARGETS['cpu_ms']:g} ms of CPU a request (app + database), nothing "
                             f"kept | {cpu_total(u):.2f} ms | {verdict(cpu_total(u) <= TARGETS['cpu_ms'])} |")
            lines.append(f"| {title}: throughput ≥ half the ceiling | {load[key]['ratio']:.2f} | "
                         f"{verdict(load[key]['ratio'] >= TARGETS['throughput_ratio'])} |")
    if results.get("pack"):
        p = results["pack"]
        lines.append(f"| Agenda pack of {p['pages']} pages (build_pack) ≤ {TARGETS['pack_s']:g} s | "
                     f"{p['median_s']:g} s | {verdict(p['median_s'] <= TARGETS['pack_s'])} |")
    if results.get("import"):
        for kind in ("xlsx", "csv", "docx"):
            i = results["import"][kind]
            lines.append(f"| Import preview of {results['import']['rows']:,} rows ({kind}, whole request) ≤ "
                         f"{TARGETS['import_s']:g} s | {i['median_s']:g} s | {verdict(i['median_s'] <= TARGETS['import_s'])} |")
    if results.get("deadline_day"):
        import load

        for name, result in results["deadline_day"].items():
            lines += ["", load.markdown(result, f"{results['machine']['backend']}, {primary}, {name}")]
    return "\n".join(lines) + "\n"


def machine(backend: str) -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        m = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = m.group(1).strip() if m else cpu
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "backend": backend,
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def main(argv=None) -> dict:
    global DATABASE_PIDS, RUN_SUFFIX
    parser = argparse.ArgumentParser(description="Measure Docket against the benchmark targets.")
    parser.add_argument("--scales", default="1,10",
                        help="data set scales, comma-separated; the load test runs on the first (default 1,10)")
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL: DATABASE_URL's server if it is a postgresql:// URL, else a throw-away one")
    parser.add_argument("--generate", action="store_true", help="(re)generate the data sets first")
    parser.add_argument("--duration", type=float, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up before each run (default 2)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--pages", default="", help="only these pages (keys: " + ", ".join(p[0] for p in PAGES) + ")")
    parser.add_argument("--skip", default="",
                        help="skip parts: load, pack, import, deadline (comma-separated)")
    parser.add_argument("--profile", action="store_true", help="write a pyinstrument profile of each page")
    parser.add_argument("--deadline-seconds", type=float, default=60,
                        help="seconds of the deadline-day workload (bench/load.py; default 60)")
    parser.add_argument("--no-uncached", dest="uncached", action="store_false",
                        help="skip the second load run with nothing kept (CACHE_ENTRIES=0)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers for Docket and the ceiling alike (default: as the README deploys, "
                             + GUNICORN_ARGS[1] + ")")
    parser.add_argument("--out", default=None,
                        help="results file (default bench/results/results.json, or results-postgres.json)")
    args = parser.parse_args(argv)
    args.out = args.out or str(RESULTS / ("results-postgres.json" if args.postgres else "results.json"))
    args.pages = [p for p in args.pages.split(",") if p]
    if args.workers:
        GUNICORN_ARGS[1] = str(args.workers)
    RUN_SUFFIX = "-postgres" if args.postgres else ""
    skip = {s for s in args.skip.split(",") if s}
    scales = [float(s) for s in args.scales.split(",") if s]
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)  # a fresh clone has neither
    if "load" not in skip and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (or --skip load)")

    pg = None
    urls = {}
    started = time.perf_counter()
    try:
        if args.postgres:
            base = os.environ.get("DATABASE_URL", "")
            if os.environ.get("BENCH_PG_PID", "").isdigit():
                # A server of one's own given by DATABASE_URL: its postmaster, so that its CPU is counted.
                DATABASE_PIDS = lambda: [int(os.environ["BENCH_PG_PID"])] + children_of(  # noqa: E731
                    int(os.environ["BENCH_PG_PID"]))
            if not base.startswith(("postgresql://", "postgres://")):
                pg = Postgres(free_port())
                base = pg.start()
                DATABASE_PIDS = pg.pids
                log(f"started a throw-away PostgreSQL server in {pg.dir}")
                args.generate = True
            base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
            for scale in scales:
                name = f"docket_bench_{scale_name(scale).replace('.', '_')}"
                if pg:
                    pg.create(name)
                else:
                    create_database(base, name)
                urls[scale] = f"{base}/{name}"
        else:
            urls = {scale: sqlite_url(scale) for scale in scales}
        summaries = {}
        for scale, url in urls.items():
            path = summary_path(url, scale)
            if args.generate or not path.exists():
                summaries[scale] = generate(url, scale)
            else:
                summaries[scale] = json.loads(path.read_text())
        results = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                   "machine": machine("PostgreSQL" if args.postgres else "SQLite"),
                   "scales": [scale_name(s) for s in scales], "connections": args.connections,
                   "duration_s": args.duration, "gunicorn": " ".join(GUNICORN_ARGS),
                   "data": {scale_name(s): {"counts": summaries[s]["counts"], "generate_s": summaries[s]["seconds"],
                                            "bytes": summaries[s].get("bytes")} for s in scales},
                   "queries": {}, "targets": TARGETS}
        storage = tempfile.mkdtemp(prefix="docket-bench-storage.")
        apps = {}
        for scale, url in urls.items():
            log(f"queries per page at {scale_name(scale)}")
            apps[scale] = make_app(url, storage)
            summaries[scale] = prepare(apps[scale], summaries[scale], summary_path(url, scale))
            results["queries"][scale_name(scale)] = count_queries(apps[scale], summaries[scale])
            for key, r in results["queries"][scale_name(scale)].items():
                log(f"  {key}: {r['queries']} queries, {r['ms_in_process']} ms in-process, status {r['status']}")
        primary = scales[0]
        if args.profile:
            log("profiling the pages (pyinstrument)")
            results["profiles"] = profile_pages(apps[primary], summaries[primary], args.pages)
        if "load" not in skip:
            log(f"load test at {scale_name(primary)}: {args.connections} connections, {args.duration:g} s a run")
            results["load"] = load_test(urls[primary], summaries[primary], args, app=apps[primary])
        if "pack" not in skip:
            log("agenda pack")
            results["pack"] = pack_benchmark(apps[primary], summaries[primary], profile=args.profile)
            log(f"  {results['pack']['pages']} pages in {results['pack']['median_s']} s (median of "
                f"{results['pack']['seconds']})")
        if "import" not in skip:
            log("import preview")
            results["import"] = import_benchmark(apps[primary], summaries[primary], profile=args.profile)
            for kind in ("xlsx", "csv", "docx"):
                i = results["import"][kind]
                log(f"  {kind}: {i['median_s']} s a request (read {i['read_s']} s, preview {i['preview_s']} s), "
                    f"{i['counts']}")
        shutil.rmtree(storage, ignore_errors=True)
        if "deadline" not in skip:
            log(f"deadline day at {scale_name(primary)}")
            from app.extensions import db

            for a in apps.values():  # a PostgreSQL template must have no connections
                with a.app_context():
                    db.session.remove()
                    db.engine.dispose()
            results["deadline_day"] = deadline_day(urls[primary], summaries[primary], primary, args)
    finally:
        if pg:
            pg.stop()
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - started)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    table = markdown(results)
    Path(args.out).with_suffix(".md").write_text(table)
    print()
    print(table)
    log(f"done in {results['seconds']} s: {args.out}")
    return results


if __name__ == "__main__":
    main()
