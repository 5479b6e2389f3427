"""Shared pieces of the load and fault scripts: a throw-away PostgreSQL server, gunicorn,
a small HTTP client that behaves like a browser without JavaScript, and the simulated people.

Everything here talks to 127.0.0.1 only. Nothing here is imported by Docket itself.
"""
from __future__ import annotations

import dataclasses
import glob
import html
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"  # the only address any script here sends traffic to
DEMO_PASSWORD = "docket-demo-2019"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there, else a free port below 32768 chosen by trying."""
    for port in [preferred] + list(range(preferred + 1, min(preferred + 200, 32767))):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port near {preferred}")


# --- PostgreSQL ---------------------------------------------------------------------------

def pg_bin() -> Path:
    """The newest /usr/lib/postgresql/*/bin, as .ci/run finds it."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(x) for x in re.findall(r"\d+", d)])
    if not dirs or not os.access(Path(dirs[-1]) / "initdb", os.X_OK):
        raise SystemExit("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql")
    return Path(dirs[-1])


class Postgres:
    """A throw-away server on 127.0.0.1:`port`, run as the postgres user when we are root."""

    def __init__(self, port: int, fsync: bool = True):
        self.bin = pg_bin()
        self.port = port
        self.fsync = fsync
        self.dir = Path(tempfile.mkdtemp(prefix="docket-load-pg."))
        self.data = self.dir / "data"
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args, check=True, quiet=True):
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.DEVNULL if quiet else None
        return subprocess.run(cmd, check=check, stdout=out, stderr=subprocess.PIPE if quiet else None, text=True)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> float:
        """Start and wait until it accepts connections; returns the seconds it took."""
        t = time.monotonic()
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c max_connections=200"
        if not self.fsync:
            opts += " -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "-o", opts, "start")
        return time.monotonic() - t

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", HOST, "-p", str(self.port), "-U", "postgres", name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{name}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Docket's environment and commands -------------------------------------------------------

def docket_env(database_url: str, secret_key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKET_DEV", "FLASK_DEBUG", "MAIL_SERVER")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secret_key, FLASK_APP="wsgi", PYTHONUNBUFFERED="1")
    env.setdefault("TRAIL_KEY", "docket-load-test-trail-key-not-secret")  # required outside development
    return env


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(VENV / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def prepare_database(env: dict, setup_args: list[str]) -> dict:
    """Migrate, load the demo, add the people and work the load needs. Returns setup's JSON."""
    t = time.monotonic()
    flask(env, "db", "upgrade")
    flask(env, "demo", "--year", "2019", "--no-activity")  # the seed as written: setup_data opens its periods
    out = subprocess.run([str(VENV / "python"), str(ROOT / "scripts" / "load" / "setup_data.py"), *setup_args],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"setup_data.py failed:\n{out.stdout}\n{out.stderr}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"Database ready in {time.monotonic() - t:.1f} s: {data['summary']}")
    return data


class Gunicorn:
    """gunicorn serving wsgi:app on 127.0.0.1:`port`, in its own process group."""

    def __init__(self, env: dict, port: int, workers: int = 4, log_path: Path | None = None):
        self.env, self.port, self.workers = env, port, workers
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="docket-gunicorn.", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> float:
        t = time.monotonic()
        logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(VENV / "gunicorn"), "--workers", str(self.workers), "--bind", f"{HOST}:{self.port}",
             "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
        )
        logf.close()
        self.starts += 1
        while time.monotonic() - t < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            try:
                status, _, _ = raw_request("GET", self.port, "/accessibility", timeout=5)
                if status == 200:
                    return time.monotonic() - t
            except TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        return pids

    def kill9(self) -> int:
        """kill -9 the master and every worker at once (the whole process group)."""
        if self.proc is None:
            return 0
        n = len(self.pids())
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        # The workers are the master's children; wait until they are gone too.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.proc = None
        return n

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


# --- HTTP ----------------------------------------------------------------------------------

class TransportError(Exception):
    """No HTTP response. `sent` says whether the request may have reached the server."""

    def __init__(self, message: str, sent: bool):
        super().__init__(message)
        self.sent = sent


def raw_request(method: str, port: int, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 120):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        try:
            conn.connect()
        except OSError as exc:  # refused: nothing reached the server
            raise TransportError(f"connect: {exc}", sent=False) from None
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", sent=True) from None
        return resp.status, resp.headers, data.decode("utf-8", "replace")
    finally:
        conn.close()


@dataclass
class Result:
    method: str
    path: str
    endpoint: str  # a label for the summary, such as "GET update" or "POST sign-off"
    status: int | None  # None: no response (connection refused, reset or timed out)
    started: float
    ended: float
    body: str = ""
    location: str | None = None
    error: str | None = None
    sent: bool = True


class Stats:
    """Every request's outcome, shared by all simulated people."""

    def __init__(self, keep_bodies: bool = False):
        self.lock = threading.Lock()
        self.by_endpoint: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.results: list[Result] = []
        self.keep_results = keep_bodies
        self.problems: list[str] = []
        self.tracebacks = 0
        self.server_errors = 0

    def add(self, r: Result) -> None:
        with self.lock:
            if r.status is not None:
                key = str(r.status)
            else:
                key = "no response" if r.sent else "refused"  # refused: the server was down, nothing sent
            self.by_endpoint[r.endpoint][key] += 1
            if r.sent:
                self.latencies[r.endpoint].append(r.ended - r.started)
            if r.status is not None and r.status >= 500:
                self.server_errors += 1
                if len(self.problems) < 20:
                    self.problems.append(f"{r.status} on {r.method} {r.path}: {snippet(r.body)}")
            if "Traceback (most recent call last)" in r.body:
                self.tracebacks += 1
            if self.keep_results:
                if r.status in (200, 302):  # keep memory small: only other answers' bodies are read later
                    r = dataclasses.replace(r, body="")
                self.results.append(r)

    def problem(self, message: str) -> None:
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(message)

    def total(self) -> Counter:
        out = Counter()
        for c in self.by_endpoint.values():
            out.update(c)
        return out

    def table(self) -> str:
        lines = [f"{'request':<24}{'count':>7}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  statuses"]
        for ep in sorted(self.by_endpoint):
            c = self.by_endpoint[ep]
            lat = sorted(self.latencies[ep]) or [0.0]
            p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(c.items()))
            lines.append(f"{ep:<24}{sum(c.values()):>7}{p(0.5):>8.0f}{p(0.95):>8.0f}{lat[-1] * 1000:>8.0f}  {statuses}")
        return "\n".join(lines)


def snippet(body: str) -> str:
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    text = title.group(1) if title else body[:160]
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:160]


class Browser:
    """One person's browser: a session cookie, forms sent as a browser sends them, no redirects
    followed automatically (a 302 after a POST is how Docket says "done")."""

    def __init__(self, port: int, stats: Stats):
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.in_flight: str | None = None  # "POST /updates/5" while a request is on its way
        self.csrf = ""  # a CSRF token for this session, from the first page after signing in
        self.last_failed = False

    def _cookie_header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _take_cookies(self, headers) -> None:
        for raw in headers.get_all("Set-Cookie") or []:
            pair = raw.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if not value or "expires=thu, 01 jan 1970" in raw.lower() or "max-age=0" in raw.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def request(self, method: str, path: str, endpoint: str, form: dict | None = None) -> Result:
        headers = {"Host": f"{HOST}:{self.port}", "Accept": "text/html", **self._cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        self.in_flight = f"{method} {path}"
        try:
            status, resp_headers, text = raw_request(method, self.port, path, body, headers)
        except TransportError as exc:
            r = Result(method, path, endpoint, None, started, time.monotonic(), error=str(exc), sent=exc.sent)
            self.stats.add(r)
            self.last_failed = True
            return r
        finally:
            self.in_flight = None
        self.last_failed = status >= 500
        self._take_cookies(resp_headers)
        location = resp_headers.get("Location")
        r = Result(method, path, endpoint, status, started, time.monotonic(), text, location)
        self.stats.add(r)
        return r

    def get(self, path: str, endpoint: str) -> Result:
        return self.request("GET", path, endpoint)

    def post(self, path: str, endpoint: str, form: dict) -> Result:
        return self.request("POST", path, endpoint, form)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD, attempts: int = 30) -> bool:
        for _ in range(attempts):
            page = self.get("/sign-in", "GET sign-in")
            token = csrf_token(page.body) if page.status == 200 else None
            if token:
                r = self.post("/sign-in", "POST sign-in", {"csrf_token": token, "email": email, "password": password})
                if r.status == 302:
                    home = self.get("/", "GET home (sign-in)")
                    self.csrf = csrf_token(home.body) or ""
                    return True
                if r.status is not None and r.status < 500:
                    raise RuntimeError(f"could not sign in as {email}: {r.status} {snippet(r.body)}")
            time.sleep(0.5)
        return False


# --- reading pages --------------------------------------------------------------------------

def csrf_token(body: str) -> str | None:
    m = re.search(r'name="csrf-token" content="([^"]+)"', body) or re.search(
        r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', body)
    return m.group(1) if m else None


def form_after(body: str, action: str) -> str | None:
    """The HTML of the first form posting to `action`."""
    m = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', body, re.S)
    return m.group(1) if m else None


def hidden(form_html: str | None, name: str) -> str | None:
    if form_html is None:
        return None
    for tag in re.findall(r"<input[^>]*>", form_html):
        if re.search(r'name="' + re.escape(name) + '"', tag):
            m = re.search(r'value="([^"]*)"', tag)
            return html.unescape(m.group(1)) if m else ""
    return None


def textarea(body: str, name: str) -> str | None:
    m = re.search(r'<textarea[^>]*name="' + re.escape(name) + r'"[^>]*>(.*?)</textarea>', body, re.S)
    return html.unescape(m.group(1)) if m else None


# --- what the server accepted -----------------------------------------------------------------

@dataclass
class Write:
    """One write sent. outcome: "accepted" (302), "refused" (409: someone acted first, told
    plainly), "invalid" (400), "unknown" (no response: it may or may not have happened),
    "unavailable" (503: the database went away mid-request, so it may or may not have been
    stored), "not sent" (connection refused), or "error" (anything else)."""

    kind: str  # save | submit | sign_off | return | approve | report_return | report_submit
    object_type: str  # progress_update | report
    object_id: int
    actor: str  # e-mail address
    sent_version: int
    marker: str | None
    started: float
    ended: float = 0.0
    outcome: str = ""
    status: int | None = None


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.writes: list[Write] = []

    def add(self, w: Write, r: Result) -> Write:
        w.ended, w.status = r.ended, r.status
        if r.status is None:
            w.outcome = "unknown" if r.sent else "not sent"
        elif r.status == 302:
            w.outcome = "accepted"
        elif r.status == 409:
            w.outcome = "refused"
        elif r.status == 400:
            w.outcome = "invalid"
        elif r.status == 503:
            w.outcome = "unavailable"  # the database went away: it may or may not have been stored
        else:
            w.outcome = "error"
        with self.lock:
            self.writes.append(w)
        return w

    def counts(self) -> Counter:
        return Counter(w.outcome for w in self.writes)

    def by_kind(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for w in self.writes:
            out[w.kind][w.outcome] += 1
        return out


# --- the simulated people -------------------------------------------------------------------

class Person(threading.Thread):
    """A signed-in person who works until `stop` is set. Subclasses do one step at a time."""

    def __init__(self, email: str, port: int, stats: Stats, ledger: Ledger, world: dict, stop: threading.Event,
                 think: tuple[float, float], run_id: str, seed: int):
        super().__init__(daemon=True, name=email)
        self.email, self.stats, self.ledger, self.world, self.stop_event = email, stats, ledger, world, stop
        self.browser = Browser(port, stats)
        self.think = think
        self.run_id = run_id
        self.rng = random.Random(seed)
        self.signed_in = threading.Event()
        self.steps = 0
        self.failed: str | None = None

    def marker(self) -> str:
        return f"LOAD-{self.run_id}-{uuid.uuid4().hex[:12]}"

    def pause(self) -> None:
        lo, hi = self.think
        if hi > 0:
            self.stop_event.wait(self.rng.uniform(lo, hi))

    def run(self) -> None:
        try:
            if not self.browser.sign_in(self.email):
                self.failed = "could not sign in"
                return
            self.signed_in.set()
            self.start_gate.wait()
            while not self.stop_event.is_set():
                self.step()
                self.steps += 1
                if self.browser.last_failed:  # the server is down: try again shortly, as a person would
                    self.stop_event.wait(0.2)
                self.pause()
        except Exception as exc:  # noqa: BLE001 - report, do not hide
            self.failed = f"{type(exc).__name__}: {exc}"
            self.stats.problem(f"{self.email} stopped: {self.failed}")
        finally:
            self.signed_in.set()

    start_gate = threading.Event()

    def step(self) -> None:
        raise NotImplementedError

    def record(self, w: Write, r: Result) -> Write:
        return self.ledger.add(w, r)


class Owner(Person):
    """An action owner: reads home and the plan, opens their updates, saves drafts (often)
    and submits (sometimes), each with a unique marker in the narrative."""

    submit_share = 0.3

    def __init__(self, *a, updates: list[int], **kw):
        super().__init__(*a, **kw)
        self.updates = updates
        self.last_saved: dict[int, str] = {}  # update id -> the marker of the last accepted write

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.10:
            self.browser.get("/", "GET home")
            return
        if roll < 0.18:
            self.browser.get(f"/plans/{self.world['plan_id']}", "GET plan")
            return
        uid = self.rng.choice(self.updates)
        page = self.browser.get(f"/updates/{uid}", "GET update")
        if page.status != 200:
            return
        narrative = textarea(page.body, "narrative")
        if narrative is None:  # submitted or signed off: nothing to write
            return
        expected = self.last_saved.get(uid)
        if expected and expected not in narrative:
            self.stats.problem(f"read-after-write: update {uid} does not show {expected} saved by {self.email}")
        form_html = form_after(page.body, f"/updates/{uid}")
        version = hidden(form_html, "version")
        token = hidden(form_html, "csrf_token")
        if not version or not token:
            self.stats.problem(f"update {uid}: form without version or CSRF token")
            return
        self.pause()
        marker = self.marker()
        submit = self.rng.random() < self.submit_share
        rag = self.rng.choice(["green", "green", "amber"])
        form = {
            "csrf_token": token, "version": version, "intent": "submit" if submit else "save",
            "narrative": f"Progress this quarter: casework audit and training on track. {marker}",
            "rag": rag, "percent_complete": str(self.rng.randint(10, 90)),
            "key_actions_remaining": "Complete the remaining audits.",
            "corrective_action": "Extra agency staff for six weeks." if rag == "amber" else "",
            "next_focus": "Embed the new practice standards.",
        }
        w = Write("submit" if submit else "save", "progress_update", uid, self.email, int(version), marker,
                  time.monotonic())
        r = self.browser.post(f"/updates/{uid}", "POST update " + ("submit" if submit else "save"), form)
        self.record(w, r)
        if r.status == 302:
            self.last_saved[uid] = marker
        elif r.status is None or r.status >= 500:
            self.last_saved.pop(uid, None)  # unknown: it may or may not have been stored


class Head(Person):
    """A Head of Service: reads the sign-off queue, opens an update, signs it off or returns it
    with a comment; now and then resubmits a report the Assistant Director returned."""

    return_share = 0.25

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.08:
            self.browser.get("/", "GET home")
            return
        if roll < 0.16:
            self.resubmit_report()
            return
        queue = self.browser.get("/sign-off", "GET sign-off queue")
        if queue.status != 200:
            return
        items = re.findall(r'value="update:(\d+):(\d+)"', queue.body)
        if not items:
            return
        uid, version = self.rng.choice(items)
        token = csrf_token(queue.body)
        if self.rng.random() < 0.3:  # read it in full first
            self.browser.get(f"/updates/{uid}", "GET update")
        self.pause()
        if self.rng.random() < self.return_share:
            marker = self.marker()
            w = Write("return", "progress_update", int(uid), self.email, int(version), marker, time.monotonic())
            r = self.browser.post(f"/updates/{uid}/return", "POST return", {
                "csrf_token": token, "version": version, "from": "queue",
                "comment": f"Please say what the audit found. {marker}"})
        else:
            w = Write("sign_off", "progress_update", int(uid), self.email, int(version), None, time.monotonic())
            r = self.browser.post(f"/updates/{uid}/sign-off", "POST sign-off",
                                  {"csrf_token": token, "version": version, "from": "queue"})
        self.record(w, r)

    def resubmit_report(self) -> None:
        rid = self.rng.choice(self.world["reports"])
        page = self.browser.get(f"/reports/{rid}", "GET report")
        form_html = form_after(page.body, f"/reports/{rid}/submit") if page.status == 200 else None
        if form_html is None:
            return
        version = hidden(form_html, "version")
        w = Write("report_submit", "report", rid, self.email, int(version), None, time.monotonic())
        r = self.browser.post(f"/reports/{rid}/submit", "POST report submit",
                              {"csrf_token": hidden(form_html, "csrf_token"), "version": version})
        self.record(w, r)


class Director(Person):
    """The Assistant Director: reads the reports list and reports, approves (or returns) them."""

    return_share = 0.2

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.15:
            self.browser.get("/reports/", "GET reports")
            return
        if roll < 0.22:
            self.browser.get("/", "GET home")
            return
        rid = self.rng.choice(self.world["reports"])
        page = self.browser.get(f"/reports/{rid}", "GET report")
        form_html = form_after(page.body, f"/reports/{rid}/approve") if page.status == 200 else None
        if form_html is None:
            return
        version = hidden(form_html, "version")
        token = hidden(form_html, "csrf_token")
        self.pause()
        if self.rng.random() < self.return_share:
            marker = self.marker()
            w = Write("report_return", "report", rid, self.email, int(version), marker, time.monotonic())
            r = self.browser.post(f"/reports/{rid}/return", "POST report return", {
                "csrf_token": token, "version": version, "comment": f"Add the budget position. {marker}"})
        else:
            w = Write("approve", "report", rid, self.email, int(version), None, time.monotonic())
            r = self.browser.post(f"/reports/{rid}/approve", "POST report approve",
                                  {"csrf_token": token, "version": version})
        self.record(w, r)


class Reader(Person):
    """Someone who only reads: home, the plan, the reports, the trail."""

    def step(self) -> None:
        path, label = self.rng.choice([
            ("/", "GET home"), (f"/plans/{self.world['plan_id']}", "GET plan"), ("/reports/", "GET reports"),
            (f"/reports/{self.rng.choice(self.world['reports'])}", "GET report"), ("/trail/", "GET trail"),
            ("/plans/", "GET plans"),
        ])
        self.browser.get(path, label)


def cast(world: dict, users: int, port: int, stats: Stats, ledger: Ledger, stop: threading.Event,
         think: tuple[float, float], run_id: str, mix: dict | None = None) -> list[Person]:
    """`users` people in the real mix: about 2/3 action owners, 1/5 Heads of Service, the rest
    Assistant Directors and readers."""
    mix = mix or {}
    heads_n = mix.get("heads", max(1, round(users * 0.2)))
    directors_n = mix.get("directors", max(1, round(users * 0.08)))
    readers_n = mix.get("readers", max(0, round(users * 0.04)))
    owners_n = mix.get("owners", users - heads_n - directors_n - readers_n)
    if owners_n > len(world["owners"]) or heads_n > len(world["heads"]) or directors_n > len(world["directors"]):
        raise SystemExit("setup_data.py made too few people for this many users: raise --owners/--heads/--directors")
    common = dict(port=port, stats=stats, ledger=ledger, world=world, stop=stop, think=think, run_id=run_id)
    people: list[Person] = []
    seed = int.from_bytes(run_id.encode(), "big") % 100000
    for i, o in enumerate(world["owners"][:owners_n]):
        people.append(Owner(o["email"], updates=o["updates"], seed=seed + i, **common))
    for i, email in enumerate(world["heads"][:heads_n]):
        people.append(Head(email, seed=seed + 1000 + i, **common))
    for i, email in enumerate(world["directors"][:directors_n]):
        people.append(Director(email, seed=seed + 2000 + i, **common))
    for i, email in enumerate(world["readers"][:readers_n]):
        people.append(Reader(email, seed=seed + 3000 + i, **common))
    return people


def sign_everyone_in(people: list[Person], timeout: float = 300) -> float:
    t = time.monotonic()
    Person.start_gate.clear()
    for p in people:
        p.start()
    for p in people:
        p.signed_in.wait(max(1, timeout - (time.monotonic() - t)))
    failed = [f"{p.email} ({p.failed})" for p in people if p.failed]
    if failed:
        raise SystemExit(f"Could not sign in: {failed}")
    return time.monotonic() - t


def new_run_id() -> str:
    return time.strftime("%m%d%H%M%S") + secrets.token_hex(2)


def print_writes(ledger: Ledger) -> None:
    for kind, c in sorted(ledger.by_kind().items()):
        print(f"  {kind:<15}" + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))


def python() -> str:
    return str(VENV / "python") if (VENV / "python").exists() else sys.executable


# --- a whole rig: PostgreSQL, a prepared database, gunicorn -----------------------------------

class Rig:
    """PostgreSQL on 127.0.0.1, a database with the demo and the load's people, gunicorn."""

    def __init__(self, name: str, pg_port: int, app_port: int, workers: int, setup_args: list[str], keep: bool = False):
        self.name, self.workers, self.setup_args, self.keep = name, workers, setup_args, keep
        self.pg = Postgres(free_port(pg_port))
        self.app_port = free_port(app_port)
        self.work = Path(tempfile.mkdtemp(prefix=f"docket-{name}."))
        self.env = docket_env(self.pg.url("docket_load"), secrets.token_hex(32))
        self.gunicorn = Gunicorn(self.env, self.app_port, workers, self.work / "gunicorn.log")
        self.world: dict = {}

    def __enter__(self) -> "Rig":
        try:
            self.pg.init()
            self.pg.start()
            self.pg.createdb("docket_load")
            log(f"PostgreSQL {self.pg.bin.parent.name} on {HOST}:{self.pg.port} ({self.pg.dir})")
            self.world = prepare_database(self.env, self.setup_args)
            self.checks("snapshot", str(self.work / "snapshot.json"))
            took = self.gunicorn.start()
            log(f"gunicorn with {self.workers} workers on {HOST}:{self.app_port} answered in {took:.1f} s "
                f"(log: {self.gunicorn.log_path})")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.gunicorn.stop()
        if self.keep:
            log(f"Kept: PostgreSQL data in {self.pg.dir}, logs in {self.work}")
            self.pg.stop("fast")
        else:
            self.pg.destroy()

    def finish(self, ok: bool) -> None:
        """Remove the logs and ledger after a pass (unless --keep); point at them after a failure."""
        if ok and not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"gunicorn's log, the snapshot and the ledger of writes: {self.work}")

    def checks(self, *args: str) -> str:
        out = subprocess.run([python(), str(ROOT / "scripts" / "load" / "checks.py"), *args], cwd=ROOT,
                             env=self.env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"checks.py {args[0]} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def verify(self, ledger: Ledger) -> dict:
        """The database checks, then `flask trail verify` as an operator would run it."""
        from dataclasses import asdict

        path = self.work / "ledger.json"
        path.write_text(json.dumps([asdict(w) for w in ledger.writes]))
        result = json.loads(self.checks("verify", str(self.work / "snapshot.json"), str(path)).strip().splitlines()[-1])
        trail = flask(self.env, "trail", "verify", check=False)
        result["flask_trail_verify"] = (trail.stdout + trail.stderr).strip()
        result["flask_trail_verify_ok"] = trail.returncode == 0
        if trail.returncode != 0:
            result["failures"].append(f"flask trail verify exited {trail.returncode}: {result['flask_trail_verify']}")
        return result


def report_verification(v: dict) -> None:
    print(f"Accepted writes checked in the database: {v['accepted_writes_checked']} "
          f"({', '.join(f'{k}: {n}' for k, n in sorted(v['accepted_by_kind'].items()))})")
    if v["unknown_writes"]:
        print(f"Writes with no answer or a 503: {v['unknown_writes']}; of these {v['unknown_writes_stored']} were "
              f"stored whole (committed before the failure) and {v['unknown_writes'] - v['unknown_writes_stored']} "
              "not at all (rolled back)")
    print(f"Updates and reports whose state was checked against their trail: {v['objects_checked']}")
    print(f"flask trail verify: {v['flask_trail_verify']}")
    if v["failures"]:
        print(f"FAILURES ({len(v['failures'])}):")
        for f in v["failures"][:40]:
            print(f"  - {f}")


# --- races: several people (or tabs) writing the same thing at the same moment -----------------

def race_bursts(world: dict, port: int, stats: Stats, ledger: Ledger, run_id: str, saves: int = 12,
                signoffs: int = 8, approvals: int = 6, width: int = 4) -> dict:
    """Bursts of same-moment writes on one object, each released together by a barrier:
    `width` tabs of one owner saving the same version of an update; several Heads of Service
    signing off the same update; several Assistant Directors approving the same report. In
    each burst exactly one write may win (302); every other must be refused plainly (409);
    none may fail (5xx). Returns the tally and the bursts that broke the rule."""
    rng = random.Random(run_id)
    bad: list[str] = []
    tally = Counter()

    def signed_in(email: str) -> Browser:
        b = Browser(port, stats)
        if not b.sign_in(email):
            raise RuntimeError(f"could not sign in as {email}")
        return b

    def tab(of: Browser) -> Browser:
        b = Browser(port, stats)
        b.cookies = dict(of.cookies)
        return b

    def burst(label: str, sends: list) -> None:
        """sends: (browser, path, endpoint, form, Write) for each racer."""
        barrier = threading.Barrier(len(sends))
        results: list = [None] * len(sends)

        def go(i, b, path, endpoint, form):
            barrier.wait()
            results[i] = b.post(path, endpoint, form)

        threads = [threading.Thread(target=go, args=(i, b, p, e, f)) for i, (b, p, e, f, _) in enumerate(sends)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes = Counter()
        for (_, _, _, _, w), r in zip(sends, results):
            outcomes[ledger.add(w, r).outcome] += 1
        tally["bursts"] += 1
        tally.update({f"{k}": v for k, v in outcomes.items()})
        if outcomes["accepted"] == 1 and outcomes["refused"] == len(sends) - 1:
            tally["one winner"] += 1
        else:
            bad.append(f"{label}: {dict(outcomes)} (statuses {[r.status for r in results]})")

    def marker() -> str:
        return f"LOAD-{run_id}-{uuid.uuid4().hex[:12]}"

    # 1. One owner, several tabs, the same version of the same update.
    owners = world["owners"][-3:]
    done = 0
    for o in owners:
        b = signed_in(o["email"])
        for uid in rng.sample(o["updates"], len(o["updates"])):
            if done >= saves:
                break
            page = b.get(f"/updates/{uid}", "GET update")
            form_html = form_after(page.body, f"/updates/{uid}") if page.status == 200 else None
            if form_html is None or textarea(page.body, "narrative") is None:
                continue
            version, token = hidden(form_html, "version"), hidden(form_html, "csrf_token")
            sends = []
            for _ in range(width):
                m = marker()
                form = {"csrf_token": token, "version": version, "intent": "save", "rag": "green",
                        "narrative": f"Saved from one of several tabs at once. {m}", "percent_complete": "40"}
                sends.append((tab(b), f"/updates/{uid}", "POST update save (race)", form,
                              Write("save", "progress_update", uid, o["email"], int(version), m, time.monotonic())))
            burst(f"{width} tabs saving update {uid} at version {version}", sends)
            done += 1

    # 2. Several Heads of Service signing off the same update.
    heads = [signed_in(e) for e in world["heads"][:3]]
    queue = heads[0].get("/sign-off", "GET sign-off queue")
    items = re.findall(r'value="update:(\d+):(\d+)"', queue.body)
    rng.shuffle(items)
    for uid, version in items[:signoffs]:
        sends = [(h, f"/updates/{uid}/sign-off", "POST sign-off (race)",
                  {"csrf_token": h.csrf, "version": version},
                  Write("sign_off", "progress_update", int(uid), email, int(version), None, time.monotonic()))
                 for h, email in zip(heads, world["heads"][:3])]
        burst(f"{len(heads)} Heads signing off update {uid}", sends)

    # 3. Several Assistant Directors approving the same report.
    directors = [signed_in(e) for e in world["directors"][:3]]
    n = 0
    for rid in rng.sample(world["reports"], len(world["reports"])):
        if n >= approvals:
            break
        page = directors[0].get(f"/reports/{rid}", "GET report")
        form_html = form_after(page.body, f"/reports/{rid}/approve") if page.status == 200 else None
        if form_html is None:
            continue
        version = hidden(form_html, "version")
        sends = [(d, f"/reports/{rid}/approve", "POST approve (race)", {"csrf_token": d.csrf, "version": version},
                  Write("approve", "report", rid, email, int(version), None, time.monotonic()))
                 for d, email in zip(directors, world["directors"][:3])]
        burst(f"{len(directors)} Assistant Directors approving report {rid}", sends)
        n += 1
    return {"tally": dict(tally), "bad": bad}
