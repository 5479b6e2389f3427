"""The deadline-day workload: the last afternoon before the update deadline, against Docket under
gunicorn, for 60 s (bench/run.py --deadline-day; run by bench/run.sh).

A closed loop of simulated people, one HTTP/1.1 keep-alive connection (http.client) and one
signed-in session each, in threads, as wrk's connections are: each sends its next request as
soon as the last one has answered (no thinking time). The default mix of 20 connections:

- 14 action owners: My tasks, open one of their draft updates or indicator values, autosave it
  three times (htmx), save it, and submit it; then the next; when an owner has nothing left to
  submit, the connection carries on as the next owner (signed in before the run);
- 4 Heads of Service (of the owners' services): the sign-off queue, open something waiting,
  sign it off (a refusal because another Head signed it first counts as a 409, not an error),
  My tasks;
- 2 readers: an Assistant Director on the dashboard and a report, a Head of Service on the
  plans of the services above.

Requests ask for compressed responses (`Accept-Encoding: br, gzip`), as browsers do. With
CACHE_REPORT=1 each response says how many kept results it used and how many it worked out
(app/cache.py): the hit rate. Afterwards the database is checked: every submission and
sign-off Docket answered with success is stored, with the text last sent, and on the trail.

Measured honestly, with its limits: the driver is Python, on the same 2 cores as Docket, so a
share of the CPU is the driver's (reported), and a latency includes the time the driver's
thread waited for the GIL after the response arrived (small next to the server's time at
these loads; compare the single-page runs of wrk, which is C).
"""
from __future__ import annotations

import http.client
import json
import random
import re
import statistics
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field

LINK = re.compile(r'href="(/(?:updates|indicator-values)/(\d+))"')
QUEUE_LINK = re.compile(r'href="(/sign-off/(update|value)/(\d+))"')  # an item's own page in the queue
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Stats:
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: dict = field(default_factory=lambda: defaultdict(int))
    kept: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    submitted: dict = field(default_factory=dict)  # path -> the text last sent
    signed_off: dict = field(default_factory=dict)  # path -> who
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Session:
    """One person's keep-alive connection and cookies."""

    def __init__(self, host: str, port: int, stats: Stats):
        self.host, self.port, self.stats = host, port, stats
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, label: str, method: str, path: str, form: dict | None = None, htmx: bool = False,
                measure: bool = True) -> tuple[int, str]:
        headers = {"Accept-Encoding": "br, gzip", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            with self.stats.lock:
                self.stats.errors[label] += 1
            return 0, ""
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                k, _, rest = value.partition("=")
                self.cookies[k] = rest.split(";", 1)[0]
        text = _decode(raw, response.getheader("Content-Encoding"))
        kept = response.getheader("Docket-Kept")
        with self.stats.lock:
            if measure:
                self.stats.latencies[label].append(elapsed)
                self.stats.statuses[label][response.status] += 1
                self.stats.bytes += len(raw)
                if response.status >= 500 or response.status in (400, 403, 404):
                    self.stats.errors[label] += 1
                if kept:
                    hits, misses = (int(part.split("=")[1]) for part in kept.split(", "))
                    self.stats.kept[label][0] += hits
                    self.stats.kept[label][1] += misses
        if m := CSRF.search(text):
            self.csrf = m.group(1)
        return response.status, text

    def sign_in(self, app, email: str) -> None:
        """A signed-in session for this person, made as the sign-in page makes one (with the
        app's own session serializer and the same SECRET_KEY as the server), without the 0.5 s
        of Argon2 a password check costs: the run signs in a hundred people before it starts."""
        self.cookies = session_cookies(app, email)
        status, _ = self.request("sign in", "GET", "/", measure=False)  # and the session's form token
        if status != 200:
            raise RuntimeError(f"the session made for {email} was refused ({status})")


def session_cookies(app, email: str) -> dict[str, str]:
    import sqlalchemy as sa
    from flask import session
    from flask_login import login_user

    from app.extensions import db
    from app.models import User, utcnow

    with app.test_request_context("/"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        session.permanent = True
        login_user(user)
        session["last_seen"] = utcnow().timestamp()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        db.session.remove()
    return {app.config.get("SESSION_COOKIE_NAME", "session"): value}


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding == "br":
        import brotli

        raw = brotli.decompress(raw)
    elif encoding == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    return raw.decode("utf-8", "replace")


def owner_form(page: str) -> dict | None:
    """The fields of the owner's form on an update or value page (None: not editable)."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(page, "html.parser").select_one("main form[data-warn-unsaved]")
    if form is None:
        return None
    data: dict = {}
    for el in form.select("input, textarea, select"):
        name = el.get("name")
        if not name or el.get("type") in ("submit", "file"):
            continue
        if el.name == "textarea":
            data[name] = el.get_text()
        elif el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif el.get("type") in ("radio", "checkbox"):
            if el.has_attr("checked"):
                data.setdefault(name, []).append(el.get("value", "on"))
        else:
            data[name] = el.get("value", "")
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 and k not in ("milestones_done",) else v)
            for k, v in data.items()}


def fill(form: dict, n: int, is_value: bool) -> dict:
    form = dict(form)
    if is_value:
        form["value"] = str(50 + n % 40)
        form["commentary"] = f"Deadline-day figure {n}: checked against the service's own records."
    else:
        form["narrative"] = f"Deadline-day update {n}: delivered as planned, with the partners signed up."
        form["rag"] = "green"
        form.setdefault("percent_complete", "")
        form["percent_complete"] = form["percent_complete"] or "60"
        for name in ("key_actions_remaining", "next_focus"):
            if name in form and not form[name]:
                form[name] = "Evaluate with the partners."
    form.pop("docket_action", None)
    return form


def owner_loop(s: Session, owners, stats: Stats, stop: float, rng: random.Random) -> None:
    items: list[str] = []
    n = 0
    while time.time() < stop:
        if not items:
            try:
                email, items = owners.pop()
            except IndexError:
                items = []
                s.request("My tasks", "GET", "/")  # nothing left to write: reading only
                continue
            s.cookies, s.csrf = dict(email["cookies"]), ""
        s.request("My tasks", "GET", "/")
        path = items[-1]
        is_value = path.startswith("/indicator-values/")
        kind = "indicator value" if is_value else "update"
        status, page = s.request(f"{kind} page", "GET", path)
        form = owner_form(page) if status == 200 else None
        if form is None:
            items.pop()
            continue
        for _ in range(3):
            n += 1
            data = fill(form, n, is_value)
            status, answer = s.request("autosave", "POST", path + "/autosave", {**data, "csrf_token": s.csrf}, htmx=True)
            if m := VERSION.search(answer):
                form["version"] = m.group(1) or m.group(2)
            if time.time() >= stop:
                return
        data = fill(form, n, is_value)
        s.request(f"save {kind}", "POST", path, {**data, "intent": "save", "csrf_token": s.csrf})
        status, page = s.request(f"{kind} page", "GET", path)
        form = owner_form(page) if status == 200 else None
        if form is None:
            items.pop()
            continue
        data = fill(form, n, is_value)
        status, answer = s.request(f"submit {kind}", "POST", path, {**data, "intent": "submit", "csrf_token": s.csrf})
        if status == 302:
            with stats.lock:
                stats.submitted[path] = data["commentary" if is_value else "narrative"]
        items.pop()


def head_loop(s: Session, stats: Stats, stop: float, rng: random.Random, who: str) -> None:
    """Read the queue, open one item's own page (`/sign-off/update/N`, where the decision is) and
    sign it off as the page's form does (without JavaScript: a POST and a redirect), then My tasks."""
    while time.time() < stop:
        status, queue = s.request("Sign-off queue", "GET", "/sign-off")
        links = sorted({(m.group(1), m.group(2), m.group(3)) for m in QUEUE_LINK.finditer(queue)})
        if links:
            path, kind, obj_id = rng.choice(links)
            label = "indicator value" if kind == "value" else "update"
            status, page = s.request(f"queue item, {label} (Head of Service)", "GET", path)
            form = page.split(f'value="{path}/sign-off"', 1)[1] if f'value="{path}/sign-off"' in page else ""
            m = VERSION.search(form)
            if m:
                status, _ = s.request(f"sign off {label}", "POST", path + "/sign-off",
                                      {"version": m.group(1) or m.group(2), "csrf_token": s.csrf})
                if status == 302:
                    with stats.lock:
                        stats.signed_off[f"/{'indicator-values' if kind == 'value' else 'updates'}/{obj_id}"] = who
        s.request("My tasks", "GET", "/")


def reader_loop(s: Session, paths: list[tuple[str, str]], stop: float, rng: random.Random) -> None:
    while time.time() < stop:
        label, path = rng.choice(paths)
        s.request(label, "GET", path)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def plan_workload(app, summary: dict, owners_wanted: int = 120, heads_wanted: int = 4) -> dict:
    """Who takes part, from the database (before the run, not measured): the owners with the
    most draft or returned updates and values in the open period, in the fewest services; the
    Heads of Service of those services; the plans and the report for the readers."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import (Action, Indicator, IndicatorValue, Plan, ProgressUpdate, ReportingPeriod, Role,
                            RoleAssignment, ScopeKind, User)

    with app.app_context():
        period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.state == "open")
                                   .order_by(ReportingPeriod.ends_on.desc()).limit(1))
        editable = ("draft", "returned")
        updates = db.session.execute(
            sa.select(User.email, ProgressUpdate.id, Plan.service_id, Plan.id)
            .join(Action, Action.id == ProgressUpdate.action_id).join(Plan, Plan.id == Action.plan_id)
            .join(User, User.id == Action.owner_id)
            .where(ProgressUpdate.period_id == period.id, ProgressUpdate.state.in_(editable))
            .order_by(Plan.service_id, User.email, ProgressUpdate.id)).all()
        values = db.session.execute(
            sa.select(User.email, IndicatorValue.id, Plan.service_id, Plan.id)
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id).join(Plan, Plan.id == Indicator.plan_id)
            .join(User, User.id == Indicator.owner_id)
            .where(IndicatorValue.period_id == period.id, IndicatorValue.state.in_(editable))
            .order_by(Plan.service_id, User.email, IndicatorValue.id)).all()
        work: dict[str, list[str]] = defaultdict(list)
        services: dict[str, int] = {}
        plans: set[int] = set()
        for email, obj_id, service_id, plan_id in updates:
            work[email].append(f"/updates/{obj_id}")
            services.setdefault(email, service_id)
        for email, obj_id, service_id, plan_id in values:
            work[email].append(f"/indicator-values/{obj_id}")
            services.setdefault(email, service_id)
        heads_of = db.session.execute(
            sa.select(RoleAssignment.service_id, User.email).join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == Role.HEAD_OF_SERVICE, RoleAssignment.scope_kind == ScopeKind.SERVICE)
            .order_by(RoleAssignment.service_id, User.id)).all()
        heads: dict[int, str] = {}
        for service_id, email in heads_of:
            heads.setdefault(service_id, email)
        # The owners of the first services, until there are enough (Heads of Service own a few
        # actions too: they are left to sign off).
        chosen, chosen_services = [], []
        for email in sorted(work, key=lambda e: (services[e], e)):
            if email in heads.values():
                continue
            if services[email] not in chosen_services:
                if len(chosen_services) >= heads_wanted and len(chosen) >= owners_wanted:
                    break
                chosen_services.append(services[email])
            chosen.append(email)
        # The reading Head of Service reads the plans of their own service.
        plans = [p for (p,) in db.session.execute(sa.select(Plan.id).where(Plan.service_id == chosen_services[0])
                                                  .order_by(Plan.id))] if chosen_services else []
    return {"owners": [(e, list(reversed(work[e]))) for e in chosen[:owners_wanted]],
            "heads": [heads[s] for s in chosen_services[:heads_wanted] if s in heads],
            "plans": plans, "services": chosen_services}


def run(base: str, app, summary: dict, seconds: float = 60, owners: int = 14, heads: int = 4, readers: int = 2,
        cpu=None, log=print) -> dict:
    """The workload against Docket at `base` (http://127.0.0.1:PORT); `cpu()` gives (Docket's
    CPU seconds, the database server's) so that CPU per request can be worked out."""
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    plan = plan_workload(app, summary, owners_wanted=max(owners * 20, 40), heads_wanted=max(heads, 1))
    stats = Stats()
    log(f"  deadline day: signing in {len(plan['owners'])} owners and {len(plan['heads'])} Heads of Service "
        f"(services {plan['services']}); {sum(len(w) for _, w in plan['owners'])} drafts to write")
    if not plan["owners"] or not plan["heads"]:
        raise RuntimeError("the data set has no open period with drafts to write: generate it again")
    pool = [({"cookies": session_cookies(app, email), "csrf": ""}, items) for email, items in plan["owners"]]
    pool.reverse()
    shared = _Pool(pool)
    rng = random.Random(2026)
    threads, sessions = [], []
    stop_at = [0.0]

    def start(target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        threads.append(t)

    for k in range(owners):
        s = Session(host, port, stats)
        sessions.append(s)
        start(lambda s=s, k=k: owner_loop(s, shared, stats, stop_at[0], random.Random(k)))
    for k in range(heads):
        s = Session(host, port, stats)
        email = plan["heads"][k % len(plan["heads"])]
        s.sign_in(app, email)
        sessions.append(s)
        start(lambda s=s, k=k, email=email: head_loop(s, stats, stop_at[0], random.Random(100 + k), email))
    reading = [[("Dashboard", "/dashboard"), ("Report page", f"/reports/{summary['report_id']}")],
               [("Plan page", f"/plans/{p}") for p in plan["plans"]] or [("Plan page", "/plans/1")]]
    reader_people = [summary["people"]["assistant_director"], plan["heads"][0] if plan["heads"] else
                     summary["people"]["head_of_service"]]
    for k in range(readers):
        s = Session(host, port, stats)
        s.sign_in(app, reader_people[k % 2])
        sessions.append(s)
        start(lambda s=s, k=k: reader_loop(s, reading[k % 2], stop_at[0], random.Random(200 + k)))
    before = cpu() if cpu else (0.0, 0.0)
    import os

    own_before = os.times()
    started = time.perf_counter()
    stop_at[0] = time.time() + seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - started
    after = cpu() if cpu else (0.0, 0.0)
    own_after = os.times()
    for s in sessions:
        s.conn.close()
    requests = sum(len(v) for v in stats.latencies.values())
    pages = {}
    for label, values in sorted(stats.latencies.items()):
        hits, misses = stats.kept.get(label, (0, 0))
        pages[label] = {"requests": len(values), "p50_ms": round(1000 * percentile(values, 50), 1),
                        "p95_ms": round(1000 * percentile(values, 95), 1),
                        "p99_ms": round(1000 * percentile(values, 99), 1),
                        "mean_ms": round(1000 * statistics.fmean(values), 1),
                        "statuses": dict(stats.statuses[label]), "errors": stats.errors.get(label, 0),
                        "kept_hits": hits, "kept_misses": misses}
    hits = sum(h for h, _ in stats.kept.values())
    misses = sum(m for _, m in stats.kept.values())
    result = {
        "seconds": round(elapsed, 1), "connections": {"owners": owners, "heads": heads, "readers": readers},
        "requests": requests, "rps": round(requests / elapsed, 1), "pages": pages,
        "errors": sum(stats.errors.values()),
        "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None, "kept_hits": hits,
        "kept_misses": misses, "submitted": len(stats.submitted), "signed_off": len(stats.signed_off),
        "server_cpu_ms_per_request": round(1000 * (after[0] - before[0]) / max(requests, 1), 2),
        "database_cpu_ms_per_request": round(1000 * (after[1] - before[1]) / max(requests, 1), 2),
        "driver_cpu_cores": round((own_after.user - own_before.user + own_after.system - own_before.system) / elapsed, 2),
        "bytes_per_response": round(stats.bytes / max(requests, 1)),
    }
    result["writes"] = check_writes(app, stats)
    return result


class _Pool:
    def __init__(self, items):
        self.items, self.lock = items, threading.Lock()

    def pop(self):
        with self.lock:
            return self.items.pop()


def check_writes(app, stats: Stats) -> dict:
    """Every submission and sign-off Docket said it stored is stored, with the text last sent,
    and on the trail; and the trail still verifies."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import IndicatorValue, ProgressUpdate, TrailEvent
    from app.trail.service import verify

    lost = []
    with app.app_context():
        for path, text in stats.submitted.items():
            kind, obj_id = path.strip("/").split("/")
            model = IndicatorValue if kind == "indicator-values" else ProgressUpdate
            obj = db.session.get(model, int(obj_id))
            stored = obj.commentary if model is IndicatorValue else obj.narrative
            if obj.state.value not in ("submitted", "signed_off") or stored != text:
                lost.append({"path": path, "state": obj.state.value, "stored": stored, "sent": text})
        for path in stats.signed_off:
            kind, obj_id = path.strip("/").split("/")
            model = IndicatorValue if kind == "indicator-values" else ProgressUpdate
            obj = db.session.get(model, int(obj_id))
            verb = ("value" if model is IndicatorValue else "update") + "_signed_off"
            on_trail = db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent).where(
                TrailEvent.verb == verb, TrailEvent.object_id == obj.id))
            if obj.state.value != "signed_off" or not on_trail:
                lost.append({"path": path, "state": obj.state.value, "signed_off_events": on_trail})
        checked, problem = verify()
    return {"submissions_checked": len(stats.submitted), "sign_offs_checked": len(stats.signed_off),
            "lost": lost[:10], "lost_count": len(lost), "trail_events_verified": checked,
            "trail_problem": str(problem) if problem else None}


def markdown(result: dict, title: str) -> str:
    lines = [f"Deadline day ({title}): {result['seconds']:g} s, {sum(result['connections'].values())} connections "
             f"({result['connections']['owners']} owners, {result['connections']['heads']} Heads of Service, "
             f"{result['connections']['readers']} readers), {result['requests']:,} requests ({result['rps']:g}/s), "
             f"errors {result['errors']}, hit rate {result['hit_rate']}, CPU "
             f"{result['server_cpu_ms_per_request']:g} ms + {result['database_cpu_ms_per_request']:g} ms db a request, "
             f"driver {result['driver_cpu_cores']:g} cores.", "",
             "| Page | requests | p50 ms | p95 ms | p99 ms | statuses | errors | kept hits / misses |",
             "|---|---|---|---|---|---|---|---|"]
    for label, p in result["pages"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(p["statuses"].items()))
        lines.append(f"| {label} | {p['requests']} | {p['p50_ms']:g} | {p['p95_ms']:g} | {p['p99_ms']:g} | "
                     f"{statuses} | {p['errors']} | {p['kept_hits']} / {p['kept_misses']} |")
    w = result["writes"]
    lines += ["", f"Writes checked afterwards: {w['submissions_checked']} submissions and {w['sign_offs_checked']} "
                  f"sign-offs, {w['lost_count']} lost; the trail ({w['trail_events_verified']} events) "
                  f"{'verifies' if not w['trail_problem'] else 'FAILS: ' + w['trail_problem']}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps({"usage": "bench/run.py --deadline-day"}))
