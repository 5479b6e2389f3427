"""Hostile input on every form (issue "Hostile input").

Hypothesis sends every form very long text, empty and whitespace-only answers, unicode (right
to left, emoji, combining marks, control characters), markup, script and template payloads,
SQL metacharacters, impossible dates, bad ids (0, -1, 2**63, "abc", other people's objects),
wrong answers for selects and radios, and missing or wrong CSRF tokens. For every submission:

- never a 5xx; the status says what happened (302/303 saved, 400 refused, 409 stale, 403/404);
- every HTML page that comes back shows the payload as text: no element or attribute of it
  became markup (tests/hostile/checks.py says exactly what is looked for);
- a refused submission stores nothing: the rows are compared before and after;
- a saved value is shown back, as text, where people read it.

Exports and PDFs are checked with fixed payloads (they are slow to build). Uploads of
attachments are covered in tests/test_updates.py; the agenda document and import uploads are here.

The module counts what it sends: test_zz_at_least_ten_thousand_submissions asserts the total.

Known bugs have their own failing tests (the "refused_not_a_500" and similar tests near the end);
their triggers are kept out of the property tests (see the comments in tests/hostile/payloads.py)
so that the property tests go on finding other problems.
"""
import io
import itertools
import json
import logging
import os
import re
import tempfile
import time
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (unicode tables) in a home directory: the system's temporary one,
# rather than a .hypothesis/ folder in the project.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "docket-hypothesis"))

from tests.hostile import payloads as P  # noqa: E402
from tests.hostile.checks import (Scan, check_markers_shown, check_page, check_shown, diff,  # noqa: E402
                                  fingerprint, injected, norm, overlong, raw_markup, row, snapshot)
from tests.hostile.world import OTHER_TOKEN, SUBMISSIONS, Actor, build  # noqa: E402

# HOSTILE_SCALE=0.1 runs a tenth of every property test's examples (a quick look while developing);
# the count test then expects a tenth of the submissions. The default, 1, is what the issue asks.
SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))
MIN_SUBMISSIONS = int(10_000 * min(SCALE, 1))
SERIAL = itertools.count(1)
REFUSED = (400, 403, 404, 405, 409, 413)

# Ids too big for the database are a known 500 (P.TOO_BIG_IDS): P.bad_id() leaves them out.
safe_bad_id = P.bad_id()


def hostile(examples: int):
    # No shrinking: a shrink re-sends hundreds of requests and can take minutes, and the failure
    # messages say what was sent. No example database: nothing is written outside tests/.
    return settings(max_examples=max(1, round(examples * SCALE)), deadline=None, database=None, print_blob=True,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example,
                                           HealthCheck.filter_too_much])


class _LastError(logging.Handler):
    """Keeps the traceback the app logged for its last 500, for the failure message."""

    text = ""

    def emit(self, record):
        _LastError.text = logging.Formatter().format(record)[-3000:]


@pytest.fixture(scope="module", autouse=True)
def _keep_tracebacks(app):
    handler = _LastError(level=logging.ERROR)
    app.logger.addHandler(handler)
    yield
    app.logger.removeHandler(handler)


CPU_SECONDS: dict = {}


@pytest.fixture(autouse=True)
def _cpu_time(request):
    """CPU seconds per test, printed by the last test (wall time suffers when the machine is shared)."""
    started = time.process_time()
    yield
    CPU_SECONDS[request.node.name] = time.process_time() - started


@pytest.fixture()
def world(db, org, people, make_user):
    return build(db, org, people, make_user)


@pytest.fixture()
def actors(app, world, people):
    """actors("hos") -> that person, signed in once for the whole test; actors(None) -> anonymous."""
    cache = {}

    def get(who):
        if who not in cache:
            cache[who] = Actor(app, people[who].email if who else None)
            if "token" not in OTHER_TOKEN:
                OTHER_TOKEN["token"] = Actor(app, None).token
        return cache[who]

    return get


def no_5xx(response, where):
    if response.status_code >= 500:
        pytest.fail(f"{where}: {response.status_code}. The app logged:\n{_LastError.text}", pytrace=False)


def checked(response, where, allow=frozenset()) -> Scan | None:
    """Every HTML answer passes the escaping checks."""
    no_5xx(response, where)
    if response.mimetype == "text/html":
        return check_page(response.get_data(as_text=True), where, allow)
    return None


def get_page(actor, url, where=None) -> Scan:
    response = actor.get(url)
    page = checked(response, where or f"GET {url}")
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return page


def attempt(db, actor, url, data, *, tables, allowed, where, whole_db=True, **kw):
    """Send one hostile submission: no 5xx, an expected status, the page escaped, and nothing
    stored if it was refused: the rows of `tables` are the same, and so is every table of the
    database (by its fingerprint: counts, last ids, last change times)."""
    before = snapshot(db, tables), fingerprint(db) if whole_db else {}
    response = actor.post(url, data, **kw)
    page = checked(response, where)
    assert response.status_code in allowed, f"{where}: status {response.status_code}, expected one of {allowed}"
    if response.status_code in REFUSED:
        changed = diff(before[0], snapshot(db, tables)) + diff(before[1], fingerprint(db) if whole_db else {})
        assert not changed, f"{where}: refused ({response.status_code}) but stored: {changed}"
    return response, page


def version_of(db, table, oid):
    return row(db, table, oid)["version"]


versions = st.sampled_from(["current"] * 7 + ["stale", "garbage", "missing", "huge"])


def with_version(data: dict, kind: str, current: int) -> dict:
    value = {"current": str(current), "stale": str(current - 1), "garbage": "abc", "huge": str(2 ** 64),
             "missing": None}[kind]
    data = dict(data)
    if value is not None:
        data["version"] = value
    return data


def clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def newest(db, table, **where):
    t = db.metadata.tables[table]
    stmt = sa.select(sa.func.max(t.c.id))
    for k, v in where.items():
        stmt = stmt.where(t.c[k] == v)
    with db.engine.connect() as conn:
        return conn.execute(stmt).scalar()


def execute(db, sql, **params):
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def as_int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def assert_fits(db, tables, where):
    problems = overlong(db, tables)
    assert not problems, f"{where}: {problems}"


# --- the checks are real ---------------------------------------------------------------------------

def test_the_escaping_checks_catch_every_payload_unescaped():
    """If a payload reached a page raw, the checks would say so (so their passing means something)."""
    for p in P.HTML:
        if p in ("&lt;script&gt;", "&amp;", "&#60;b&#62;", "-->"):
            continue
        html = f"<html><body><p>{p}</p></body></html>"
        assert injected(Scan(html)) + raw_markup(html), p
    # ...and a payload that came out as anything but itself is not "shown as text".
    for p in ("&lt;script&gt;", "&amp;", "&#60;b&#62;"):
        with pytest.raises(AssertionError):
            check_shown(Scan(f"<p>{p}</p>"), p, "an entity left unescaped")
    with pytest.raises(AssertionError, match="49 is on the page"):
        check_shown(Scan("<p>49</p>"), "{{7*7}}", "a template payload run")
    with pytest.raises(AssertionError):
        check_page('<p><img src=x onerror=alert(1)></p>', "a page with an unescaped payload")


def test_a_real_page_passes_the_checks(world, actors):
    for who, url in (("hos", f"/plans/{world['plan']}"), ("owner", f"/updates/{world['update']}"),
                     ("clerk", f"/meetings/{world['meeting']}/agenda"), ("hos", f"/reports/{world['report']}"),
                     ("clerk", f"/committees/{world['committee']}/work-plan"), ("owner", "/notifications/")):
        page = get_page(actors(who), url)
        assert page.count("script") >= 1 and page.count("form") >= 1 and page.count("h1") == 1


# --- signing in ------------------------------------------------------------------------------------

sign_in_forms = st.fixed_dictionaries({
    "email": st.one_of(P.hostile_text(), st.sampled_from(["owner@example.org", "OWNER@example.org ", "admin@example.org"]),
                       P.short_text.map(lambda s: s + "@example.org")),
    "password": P.hostile_text(),
    "next": st.one_of(st.none(), st.sampled_from(P.URLS), P.short_text),
})


@hostile(300)
@given(form=sign_in_forms, in_query=st.booleans())
def test_sign_in(db, world, actors, form, in_query):
    anon = actors(None)
    url = "/sign-in" + (f"?next={quote(form['next'], safe='')}" if in_query and form["next"] else "")
    data = clean({"email": form["email"], "password": form["password"],
                  "next": None if in_query else form["next"]})
    # A refused sign-in records the failure (throttling, the trail): only the people must not change.
    response, page = attempt(db, anon, url, data, tables=["user_account", "role_assignment"], allowed=(400, 401),
                             where="POST /sign-in", whole_db=False)
    email = form["email"]
    if email and len(email) <= 254:
        assert email in page.attribute_values("value"), "the typed email is not kept in its box, as typed"


@hostile(80)
@given(target=st.one_of(st.sampled_from(P.URLS), P.short_text, st.sampled_from(["/plans/", "/\\evil.example",
                                                                                 "/%2F/evil.example", " //evil"])))
def test_sign_in_goes_on_only_to_a_page_of_docket(app, db, world, target):
    anon = Actor(app, None)
    response = anon.post(f"/sign-in?next={quote(target, safe='')}", {"email": "owner@example.org",
                                                                      "password": "correct horse battery"})
    no_5xx(response, "POST /sign-in with next")
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//"), \
        f"sign-in sent the person to {location!r}"
    assert "\\" not in location


# --- plan details ----------------------------------------------------------------------------------

PLAN_TEXT = ("title", "period_label", "plan_holder_title", "director_title", "cabinet_member", "description",
             "operating_context", "priorities")
PLAN_BASE = {"title": "Service Improvement Plan", "period_label": "2019/20", "plan_holder_title": "Ann Holder",
             "director_title": "Dee Director", "cabinet_member": "Cllr Cabinet", "last_updated_on": ["11", "7", "2018"],
             "staff_ftes": "12.5", "net_revenue_budget": "20590000", "description": "Vision.",
             "operating_context": "Context.", "priorities": "Priorities.", "status": "live"}
plan_forms = P.mixed(PLAN_BASE, {
    **{name: P.any_text() for name in PLAN_TEXT},
    "last_updated_on": P.date_boxes(), "staff_ftes": P.number_text, "net_revenue_budget": P.number_text,
    "status": P.choice(["draft", "live", "archived"]),
})


@hostile(300)
@given(form=plan_forms, version=versions, missing=st.sets(st.sampled_from(list(PLAN_TEXT) + ["status"]), max_size=1))
def test_plan_details(db, world, actors, form, version, missing):
    hos, pid = actors("hos"), world["plan"]
    data = with_version({k: v for k, v in form.items() if k not in missing}, version, version_of(db, "plan", pid))
    response, page = attempt(db, hos, f"/plans/{pid}/edit", data, tables=["plan", "trail_event"],
                             allowed=(302, 400, 409), where="POST plan edit")
    if response.status_code == 409:
        assert "Your changes have not been saved" in page.text
    if response.status_code != 302:
        return
    saved = row(db, "plan", pid)
    for name in PLAN_TEXT:
        if name in data:
            assert (saved[name] or "") == data[name], f"{name} stored as {saved[name]!r:.80}, sent {data[name]!r:.80}"
    assert_fits(db, ["plan"], "plan edit")
    page = get_page(hos, f"/plans/{pid}", "plan page")
    for name in PLAN_TEXT:
        if data.get(name, "").strip():
            check_shown(page, data[name], f"plan page, {name}")


# --- priority themes -------------------------------------------------------------------------------

@hostile(200)
@given(title=P.any_text(), new=st.booleans(), version=versions)
def test_priority_themes(db, world, actors, title, new, version):
    hos, pid, tid = actors("hos"), world["plan"], world["theme"]
    if new:
        url, data = f"/plans/{pid}/themes/new", {"title": title}
    else:
        url, data = f"/themes/{tid}/edit", with_version({"title": title}, version, version_of(db, "priority_theme", tid))
    response, page = attempt(db, hos, url, data, tables=["priority_theme", "trail_event"], allowed=(302, 400, 409),
                             where=f"POST {url}")
    if response.status_code != 302:
        return
    if new:
        created = newest(db, "priority_theme", plan_id=pid)
        assert row(db, "priority_theme", created)["title"] == title
        page = get_page(hos, f"/plans/{pid}/edit", "plan edit page (themes)")
        if title.strip():
            check_shown(page, title, "plan edit page, new theme")
        execute(db, "DELETE FROM priority_theme WHERE id = :id", id=created)
    else:
        page = get_page(hos, f"/actions/{world['action']}", "action page (its theme)")
        if title.strip():
            check_shown(page, title, "action page, theme")


# --- actions ---------------------------------------------------------------------------------------

ACTION_BASE = {"reference": "CSS900", "title": "Do the thing", "action_type": "", "type_note": "", "owner_id": "",
               "due_on": ["31", "3", "2020"], "rag": "", "status": "live"}


def action_forms(world):
    return P.mixed(ACTION_BASE, {
        # A blank reference is a known 500 the second time (test_a_blank_reference_is_refused_not_a_500).
        "reference": P.nonblank(P.any_text(long_ok=False)),
        "theme_id": P.choice(["", str(world["theme"]), str(world["other_theme"])]),
        "title": P.any_text(),
        "action_type": P.choice(["", "business_as_usual", "medium_project", "major_project"]),
        "statutory": P.choice(["y", "", "on"]),
        "type_note": P.any_text(long_ok=False),
        "owner_id": P.choice(["", str(world["user_owner"]), str(world["other_owner"]), str(world["user_nobody"])]),
        "due_on": P.date_boxes(),
        "rag": P.choice(["", "red", "amber", "green", "complete", "not_started"]),
        "status": P.choice(["live", "complete", "withdrawn"]),
    }, max_fields=4)


@hostile(350)
@given(data=st.data(), new=st.booleans(), version=versions)
def test_actions(db, world, actors, data, new, version):
    hos, pid, aid = actors("hos"), world["plan"], world["action"]
    form = data.draw(action_forms(world), "form")
    if new:
        # A fresh reference each time: a repeated one with capitals outside A-Z is a known 500
        # (test_a_repeated_reference_with_accented_capitals_is_refused_not_a_500).
        form["reference"] = f"N{next(SERIAL)} {form['reference']}"
        url = f"/plans/{pid}/actions/new"
    else:
        url = f"/actions/{aid}/edit"
        form = with_version(form, version, version_of(db, "action", aid))
    response, page = attempt(db, hos, url, form, tables=["action", "trail_event"], allowed=(302, 400, 409),
                             where=f"POST {url}")
    if response.status_code != 302:
        return
    target = newest(db, "action", plan_id=pid) if new else aid
    saved = row(db, "action", target)
    assert saved["theme_id"] in (None, world["theme"]), "an action was filed under another plan's theme"
    assert saved["plan_id"] == pid
    assert_fits(db, ["action"], url)
    page = get_page(hos, f"/actions/{target}", "action page")
    for name in ("reference", "title", "type_note"):
        if (form.get(name) or "").strip():
            check_shown(page, form[name], f"action page, {name}")
    if new:
        execute(db, "DELETE FROM action WHERE id = :id", id=target)


# --- milestones ------------------------------------------------------------------------------------

MILESTONE_BASE = {"text": "Half done", "due_on": ["30", "9", "2019"], "lead": "Lee Lead", "done": ""}


@hostile(200)
@given(form=P.mixed(MILESTONE_BASE, {"text": P.any_text(), "due_on": P.date_boxes(),
                                     "lead": P.any_text(long_ok=False), "done": P.choice(["y", ""])}),
       new=st.booleans(), version=versions)
def test_milestones(db, world, actors, form, new, version):
    hos, aid, mid = actors("hos"), world["action"], world["milestone"]
    if new:
        url = f"/actions/{aid}/milestones/new"
    else:
        url = f"/milestones/{mid}/edit"
        form = with_version(form, version, version_of(db, "milestone", mid))
    response, page = attempt(db, hos, url, form, tables=["milestone", "trail_event"], allowed=(302, 400, 409),
                             where=f"POST {url}")
    if response.status_code != 302:
        return
    target = newest(db, "milestone", action_id=aid) if new else mid
    assert row(db, "milestone", target)["action_id"] == aid
    assert_fits(db, ["milestone"], url)
    page = get_page(hos, f"/actions/{aid}", "action page (milestones)")
    for name in ("text", "lead"):
        if form[name].strip():
            check_shown(page, form[name], f"action page, milestone {name}")
    if new:
        execute(db, "DELETE FROM milestone WHERE id = :id", id=target)


# --- risks -----------------------------------------------------------------------------------------

RISK_BASE = {"reference": "R100", "description": "It might not happen", "rag": "", "mitigations": "", "owner_id": ""}


def risk_forms(world):
    return P.mixed(RISK_BASE, {
        "reference": P.nonblank(P.any_text(long_ok=False)),  # blank: a known 500, see test_actions
        "description": P.any_text(), "mitigations": P.any_text(),
        "rag": P.choice(["", "red", "amber", "green", "complete"]),
        "owner_id": P.choice(["", str(world["user_owner"]), str(world["other_owner"])]),
    })


@hostile(200)
@given(data=st.data(), new=st.booleans(), version=versions)
def test_risks(db, world, actors, data, new, version):
    hos, pid, rid = actors("hos"), world["plan"], world["risk"]
    form = data.draw(risk_forms(world), "form")
    if new:
        form["reference"] = f"N{next(SERIAL)} {form['reference']}"  # fresh: see test_actions
        url = f"/plans/{pid}/risks/new"
    else:
        url = f"/risks/{rid}/edit"
        form = with_version(form, version, version_of(db, "risk", rid))
    response, page = attempt(db, hos, url, form, tables=["risk", "trail_event"], allowed=(302, 400, 409),
                             where=f"POST {url}")
    if response.status_code != 302:
        return
    target = newest(db, "risk", plan_id=pid) if new else rid
    saved = row(db, "risk", target)
    assert saved["plan_id"] == pid and saved["rag"] in (None, "red", "amber", "green")
    assert_fits(db, ["risk"], url)
    page = get_page(hos, f"/plans/{pid}", "plan page (risks)")
    for name in ("reference", "description", "mitigations"):
        if form[name].strip():
            check_shown(page, form[name], f"plan page, risk {name}")
    if new:
        execute(db, "DELETE FROM risk WHERE id = :id", id=target)


# --- indicators ------------------------------------------------------------------------------------

INDICATOR_BASE = {"reference": "", "description": "How many", "group_name": "", "frequency": "quarterly",
                  "polarity": "neutral", "unit": "number", "target": "", "target_rationale": "", "owner_id": "",
                  "direction": "", "include": "y"}


def indicator_forms(world):
    return P.mixed(INDICATOR_BASE, {
        "reference": P.any_text(long_ok=False), "description": P.any_text(), "group_name": P.any_text(long_ok=False),
        # An empty frequency or unit is a known 500 (test_an_indicator_without_a_frequency_or_unit_...).
        "frequency": P.choice(["monthly", "quarterly", "six_monthly", "annual"]).filter(bool),
        "polarity": P.choice(["up_is_good", "up_is_bad", "neutral"]),
        "unit": P.choice(["number", "percentage", "count", "currency"]).filter(bool), "target": P.number_text,
        "target_rationale": P.any_text(), "owner_id": P.choice(["", str(world["user_owner"]), str(world["other_owner"])]),
        "direction": P.choice(["", "good", "bad", "neutral"]), "include": P.choice(["y", ""]),
    }, max_fields=4)


@hostile(250)
@given(data=st.data(), new=st.booleans(), version=versions)
def test_indicators(db, world, actors, data, new, version):
    hos, pid, iid = actors("hos"), world["plan"], world["indicator"]
    form = data.draw(indicator_forms(world), "form")
    if new:
        url = f"/plans/{pid}/indicators/new"
    else:
        url = f"/indicators/{iid}/edit"
        form = with_version(form, version, version_of(db, "indicator", iid))
    response, page = attempt(db, hos, url, form, tables=["indicator", "trail_event"], allowed=(302, 400, 409),
                             where=f"POST {url}")
    if response.status_code != 302:
        return
    target = newest(db, "indicator", plan_id=pid) if new else iid
    assert row(db, "indicator", target)["plan_id"] == pid
    assert_fits(db, ["indicator"], url)
    page = get_page(hos, f"/plans/{pid}", "plan page (indicators)")
    for name in ("reference", "description", "group_name"):
        if form[name].strip():
            check_shown(page, form[name], f"plan page, indicator {name}")
    if new:
        execute(db, "DELETE FROM indicator WHERE id = :id", id=target)


# --- import: paste, preview, confirm ---------------------------------------------------------------

HEADINGS = {
    "actions": ["Reference ID", "Priority Theme", "Action", "Business As Usual or Major Project", "Accountable officer",
                "Completed by date", "Milestones / Deliverables"],
    "risks": ["Reference ID", "Risk", "Rating (RAG)", "Actions to Mitigate and Correct", "Responsible Officer"],
    "indicators": ["Reference ID", "Indicator Description", "Polarity", "Latest Direction of Travel",
                   "Responsible Officer", "Include", "Group", "Unit", "Target", "Collection Frequency"],
}
cell = st.one_of(st.sampled_from(P.SPECIAL), P.short_text, st.just(""), st.sampled_from(["Red", "Y", "Neutral",
                                                                                         "31/03/2020", "Olu Owner"]))


@st.composite
def pasted_tables(draw):
    kind = draw(st.sampled_from(sorted(HEADINGS)))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return kind, draw(P.hostile_text())  # not a table at all
    rows = ["\t".join(HEADINGS[kind])]
    for n in range(draw(st.integers(1, 4))):
        cells = [draw(cell).replace("\t", " ").replace("\n", " ").replace("\r", " ").replace('"', "'")
                 for _ in HEADINGS[kind]]
        cells[0] = f"IMP{n}-" + cells[0][:20]  # a reference, unique in the table
        rows.append("\t".join(cells))
    return kind, "\n".join(rows)


@hostile(200)
@given(table=pasted_tables(), kind_arg=P.choice(["", "actions", "risks", "indicators"]), confirm=st.booleans(),
       fingerprint=st.sampled_from(["right", "wrong", "missing"]))
def test_import_paste_preview_and_confirm(db, world, actors, table, kind_arg, confirm, fingerprint):
    hos, pid = actors("hos"), world["plan"]
    kind, text = table
    tables = ["action", "risk", "indicator", "milestone", "priority_theme", "trail_event"]
    response, page = attempt(db, hos, f"/plans/{pid}/import/preview", {"source": "paste", "paste": text,
                                                                      "kind": kind_arg},
                             tables=tables, allowed=(200, 400), where="POST import preview")
    if response.status_code != 200:
        return
    # The preview stored nothing (attempt checked); the cells it shows are text.
    for marker in P.MARKERS:
        if marker in text and len(text) < 5000:
            assert norm(marker) in page.text, f"import preview: {marker!r} is not shown as text"
    html = response.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]*)"', html)
    if token is None or not confirm:
        return  # a preview with problems offers no confirmation
    found = re.search(r'name="fingerprint" value="([^"]*)"', html).group(1)
    data = {"token": token.group(1), "fingerprint": {"right": found, "wrong": "0" * 64, "missing": None}[fingerprint]}
    response, page = attempt(db, hos, f"/plans/{pid}/import/confirm", clean(data), tables=tables,
                             allowed=(302, 400, 409) if fingerprint == "right" else (409,),
                             where="POST import confirm")
    if response.status_code == 302:
        assert_fits(db, ["action", "risk", "indicator", "milestone", "priority_theme"], "import")
        get_page(hos, f"/plans/{pid}", "plan page after an import")
        t = db.metadata.tables["action"]
        with db.engine.connect() as conn:
            imported = [r for r, in conn.execute(sa.select(t.c.id).where(t.c.reference.like("IMP%")))]
        for aid in imported:
            get_page(hos, f"/actions/{aid}", "action page after an import")
        for created in ("action", "risk", "indicator"):  # milestones and results go with them
            execute(db, f"DELETE FROM {created} WHERE reference LIKE 'IMP%'")
        execute(db, "DELETE FROM priority_theme WHERE plan_id = :p AND id != :t", p=pid, t=world["theme"])


@hostile(100)
@given(token=st.one_of(P.hostile_text(long_ok=False), st.sampled_from(["A" * 32, "../" * 11, "a" * 31 + "\x00"])),
       fingerprint=P.hostile_text(long_ok=False))
def test_import_confirm_with_a_token_that_is_not_one(db, world, actors, token, fingerprint):
    hos, pid = actors("hos"), world["plan"]
    attempt(db, hos, f"/plans/{pid}/import/confirm", {"token": token, "fingerprint": fingerprint},
            tables=["action", "risk", "indicator", "trail_event"], allowed=(302,), where="POST import confirm")


def test_import_upload_of_a_workbook_that_is_not_one_says_so(db, world, actors):
    hos, pid = actors("hos"), world["plan"]
    for name, content in (("plan.xlsx", b"this is not a zip file at all"), ("<img src=x onerror=alert(1)>.xlsx",
                                                                            b"<script>alert(1)</script>")):
        response, page = attempt(db, hos, f"/plans/{pid}/import/preview",
                                 {"source": "file", "file": (io.BytesIO(content), name)},
                                 tables=["action", "risk", "indicator"], allowed=(400,), where="import upload")
        assert f"{name} is not an Excel workbook" in page.text


def test_import_upload_of_eleven_megabytes_is_refused_with_a_message(db, world, actors):
    hos, pid = actors("hos"), world["plan"]
    response, page = attempt(db, hos, f"/plans/{pid}/import/preview",
                             {"source": "file", "file": (io.BytesIO(b"a,b\n" + b"x" * (11 * 1024 * 1024)), "big.csv")},
                             tables=["action", "risk", "indicator"], allowed=(413,), where="import upload 11 MB")
    assert "larger than 10 MB" in page.text
    # Beyond the request limit (12 MB) the error page says the same, plainly.
    response, page = attempt(db, hos, f"/plans/{pid}/import/preview",
                             {"source": "file", "file": (io.BytesIO(b"x" * (13 * 1024 * 1024)), "bigger.csv")},
                             tables=["action"], allowed=(413,), where="import upload 13 MB")
    assert "too large" in page.text


# --- progress updates and indicator values ---------------------------------------------------------

UPDATE_BASE = {"narrative": "Progress was made.", "rag": "green", "percent_complete": "50",
               "key_actions_remaining": "", "corrective_action": "", "next_focus": "", "intent": "save"}


def update_forms(world):
    return P.mixed(UPDATE_BASE, {
        "narrative": P.any_text(), "key_actions_remaining": P.any_text(), "corrective_action": P.any_text(),
        "next_focus": P.any_text(), "rag": P.choice(["", "red", "amber", "green", "complete", "not_started"]),
        "percent_complete": P.number_text,
        "milestones_done": st.lists(P.choice([str(world["milestone"]), str(world["milestone2"]),
                                              str(world["other_milestone"])]), max_size=3),
        "intent": P.choice(["save", "submit", ""]),
    }, max_fields=4)


def reset_to_draft(db, table, oid):
    execute(db, f"UPDATE {table} SET state = 'draft', submitted_at = NULL, submitted_by_id = NULL WHERE id = :id",
            id=oid)


@hostile(300)
@given(data=st.data(), version=versions)
def test_progress_update_form(db, world, actors, data, version):
    owner, uid = actors("owner"), world["update"]
    form = with_version(data.draw(update_forms(world), "form"), version, version_of(db, "progress_update", uid))
    response, page = attempt(db, owner, f"/updates/{uid}", form, tables=["progress_update", "trail_event",
                                                                          "notification"],
                             allowed=(302, 400, 409), where="POST update")
    if response.status_code != 302:
        return
    saved = row(db, "progress_update", uid)
    done = json.loads(saved["milestones_done"] or "[]")
    assert set(done) <= {world["milestone"], world["milestone2"]}, "another action's milestone was ticked off"
    page = get_page(owner, f"/updates/{uid}", "update page")
    for name in ("narrative", "key_actions_remaining", "corrective_action", "next_focus"):
        if form.get(name, "").strip():
            check_shown(page, form[name], f"update page, {name}")
    if saved["state"] == "submitted":  # the page showed it read-only
        reset_to_draft(db, "progress_update", uid)


@hostile(600)
@given(data=st.data(), version=versions, htmx=st.sampled_from([True] * 9 + [False]))
def test_progress_update_autosave(db, world, actors, data, version, htmx):
    owner, uid = actors("owner"), world["update"]
    form = with_version(data.draw(update_forms(world), "form"), version, version_of(db, "progress_update", uid))
    form.pop("intent", None)
    before = snapshot(db, ["progress_update"]), fingerprint(db)
    response = owner.post(f"/updates/{uid}/autosave", form, htmx=htmx)
    page = checked(response, "POST autosave")
    after = snapshot(db, ["progress_update"]), fingerprint(db)
    if not htmx:
        assert response.status_code == 302
        assert not diff(before[0], after[0]) + diff(before[1], after[1]), "autosave without htmx stored something"
        return
    assert response.status_code == 200
    if "Saved at" not in page.text:
        assert not diff(before[0], after[0]) + diff(before[1], after[1]), "autosave said not saved, but stored"
    elif form.get("narrative", "").strip():
        assert (row(db, "progress_update", uid)["narrative"] or "") == form["narrative"].strip()


VALUE_BASE = {"value": "12", "commentary": "", "intent": "save"}


@hostile(250)
@given(form=P.mixed(VALUE_BASE, {"value": P.number_text, "commentary": P.any_text(),
                                 "intent": P.choice(["save", "submit"])}), version=versions)
def test_indicator_value_form(db, world, actors, form, version):
    owner, vid = actors("owner"), world["value"]
    form = with_version(form, version, version_of(db, "indicator_value", vid))
    response, page = attempt(db, owner, f"/indicator-values/{vid}", form,
                             tables=["indicator_value", "trail_event", "notification"], allowed=(302, 400, 409),
                             where="POST indicator value")
    if response.status_code != 302:
        return
    page = get_page(owner, f"/indicator-values/{vid}", "indicator value page")
    if form["commentary"].strip():
        check_shown(page, form["commentary"], "indicator value page, commentary")
    if row(db, "indicator_value", vid)["state"] == "submitted":
        reset_to_draft(db, "indicator_value", vid)


@hostile(250)
@given(comment=P.any_text(), kind=st.sampled_from(["update", "value"]), step=st.sampled_from(["return", "reopen"]),
       version=versions)
def test_return_and_reopen_comments(db, world, actors, comment, kind, step, version):
    hos, owner = actors("hos"), actors("owner")
    table, oid, base = (("progress_update", world["update"], "/updates") if kind == "update"
                        else ("indicator_value", world["value"], "/indicator-values"))
    state = "submitted" if step == "return" else "signed_off"
    execute(db, f"UPDATE {table} SET state = :state, submitted_by_id = :owner, return_comment = NULL WHERE id = :id",
            state=state, owner=world["user_owner"], id=oid)
    field = "comment" if step == "return" else "reason"
    form = with_version({field: comment}, version, version_of(db, table, oid))
    url = f"{base}/{oid}/{step}"
    response, page = attempt(db, hos, url, form, tables=[table, "trail_event", "notification"],
                             allowed=(302, 400, 409), where=f"POST {url}")
    if response.status_code == 400:
        assert not comment.strip() or len(comment) > 5000, "a comment was refused"
    if response.status_code != 302:
        return
    saved = row(db, table, oid)
    assert saved["state"] == "returned" and saved["return_comment"] == comment.strip()
    page = get_page(owner, f"{base}/{oid}", "the owner's page, returned")
    check_shown(page, comment, f"{kind} page, the {field}")
    if step == "return":
        page = get_page(owner, "/notifications/", "the owner's notifications")
        check_markers_shown(page, comment, P.MARKERS, "notifications, the comment")


# --- reports ---------------------------------------------------------------------------------------

def report_forms(world):
    return st.fixed_dictionaries({
        "title": P.any_text(),
        "plan_ids": st.lists(P.choice([str(world["plan"]), str(world["other_plan"])]), max_size=3),
        "period_id": P.choice(["", str(world["period"])]),
        "author_id": P.choice([str(world["user_hos"]), str(world["user_owner"]), str(world["other_owner"])]),
        # The form's one-time token (a report is created once per form); each example's report is
        # deleted after it, so one token serves them all.
        "form_token": st.just("hostile-new-report-form-token-0123456789"),
    })


@hostile(150)
@given(data=st.data())
def test_new_report(db, world, actors, data):
    hos = actors("hos")
    form = data.draw(report_forms(world), "form")
    response, page = attempt(db, hos, "/reports/new", form, tables=["report", "report_plan", "trail_event"],
                             allowed=(302, 400), where="POST /reports/new")
    if response.status_code != 302:
        return
    rid = newest(db, "report")
    with db.engine.connect() as conn:
        plans = {p for p, in conn.execute(sa.text("SELECT plan_id FROM report_plan WHERE report_id = :r"), {"r": rid})}
    assert plans == {world["plan"]}, "a report was made on a plan outside the person's services"
    assert_fits(db, ["report"], "new report")
    page = get_page(hos, f"/reports/{rid}", "report page")
    check_shown(page, form["title"].strip()[:300], "report page, title")
    execute(db, "DELETE FROM report WHERE id = :id", id=rid)


SECTION_FIELDS = ["summary", "background", "progress", "consultation", "council_plan", "recommendations", "reason",
                  "implications_financial", "implications_hr", "implications_equalities", "implications_legal",
                  "implications_crime_and_disorder", "implications_it", "implications_property", "implications_other",
                  "wards_affected", "annexes", "abbreviations"]
SECTION_BASE = {name: "" for name in SECTION_FIELDS} | {"summary": "Summary.", "recommendations": "Note it."}


@hostile(250)
@given(form=P.mixed(SECTION_BASE, {name: P.any_text() for name in SECTION_FIELDS}, max_fields=4), version=versions,
       htmx=st.sampled_from([False] * 4 + [True]))
def test_report_sections(db, world, actors, form, version, htmx):
    hos, rid = actors("hos"), world["report"]
    form = with_version(form, version, version_of(db, "report", rid))
    response, page = attempt(db, hos, f"/reports/{rid}/edit", form, tables=["report", "report_version", "trail_event"],
                             allowed=(200, 302, 400, 409) if htmx else (302, 400, 409), where="POST report edit",
                             htmx=htmx)
    if response.status_code == 400:
        from app.reports import content as C

        from app.forms import text_problem  # one-line boxes refuse line breaks, all boxes control characters

        assert (C.length_problems({k: v for k, v in form.items() if k in C.EDITABLE}, {})
                or any(text_problem(form[k], k, one_line=k == "wards_affected") for k in C.EDITABLE if k in form)
                ), "a report edit was refused"
    saved = json.loads(row(db, "report", rid)["content"])
    if response.status_code not in (200, 302) or any(saved.get(k) != form[k] for k in SECTION_FIELDS):
        return  # not saved (refused, or a stale version answered by htmx)
    page = get_page(hos, f"/reports/{rid}", "report page")
    for name in SECTION_FIELDS:
        if name != "abbreviations":
            check_markers_shown(page, form[name], P.MARKERS, f"report page, {name}")


@hostile(150)
@given(comment=P.any_text(), version=versions)
def test_report_return_comment(db, world, actors, comment, version):
    ad, hos, rid = actors("ad"), actors("hos"), world["report"]
    execute(db, "UPDATE report SET state = 'submitted' WHERE id = :id", id=rid)
    form = with_version({"comment": comment}, version, version_of(db, "report", rid))
    response, page = attempt(db, ad, f"/reports/{rid}/return", form, tables=["report", "trail_event", "notification"],
                             allowed=(302, 400, 409), where="POST report return")
    if response.status_code == 400:
        assert not comment.strip(), "a comment was refused"
        assert "Enter a comment" in page.text
    if response.status_code != 302:
        return
    assert row(db, "report", rid)["state"] == "returned"
    page = get_page(hos, f"/reports/{rid}", "report page, returned")
    check_shown(page, comment, "report page trail, the comment")
    page = get_page(hos, "/notifications/", "the author's notifications")
    check_markers_shown(page, comment, P.MARKERS, "notifications, the comment")


# --- committees, meetings, agendas, work plans ----------------------------------------------------

times = st.one_of(st.sampled_from(["5.30pm", "17:30", "5:30 pm", "", "25:00", "12.60pm", "0am", "13pm", "٥pm",
                                   "99999999999999999999", "5.30p.m.", " 9 ", "noon"]), P.short_text)
COMMITTEE_BASE = {"name": "Children, Education & Communities Policy & Scrutiny Committee", "members": "",
                  "clerk_name": "Cleo Clerk", "clerk_telephone": "01904 551088", "clerk_email": "cleo@example.org",
                  "default_venue": "West Offices", "default_time": "5.30pm"}


@hostile(200)
@given(form=P.mixed(COMMITTEE_BASE, {
    # A name of only spaces is a known 500 (test_a_required_answer_of_only_spaces_is_refused[committee-name]).
    "name": P.nonblank(P.any_text(), "C"), "members": P.any_text(long_ok=False), "clerk_name": P.any_text(),
    "clerk_telephone": P.any_text(long_ok=False), "clerk_email": P.any_text(), "default_venue": P.any_text(),
    "default_time": times}))
def test_committee_details(db, world, actors, form):
    clerk, cid = actors("clerk"), world["committee"]
    response, page = attempt(db, clerk, f"/committees/{cid}/edit", form,
                             tables=["committee", "committee_member", "trail_event"], allowed=(302, 400),
                             where="POST committee edit")
    if response.status_code != 302:
        return
    assert_fits(db, ["committee", "committee_member"], "committee edit")
    page = get_page(clerk, f"/committees/{cid}", "committee page")
    for name in ("name", "clerk_name", "clerk_telephone", "clerk_email", "default_venue"):
        if form[name].strip():
            check_shown(page, form[name], f"committee page, {name}")
    check_markers_shown(page, form["members"], P.MARKERS, "committee page, members")


# Meetings before 1978 are a known 500 on their agenda page (test_a_meeting_before_1978_...), and a
# meeting in 9999 makes it take seconds (test_a_meeting_in_9999_...): kept out of this test.
meeting_years = st.one_of(st.integers(1979, 2100).map(str), st.sampled_from(["0", "0000", "20l9", "abcd", "10000",
                                                                             "２０１９", "2019 ", "-2019"]))


@st.composite
def meeting_dates(draw):
    boxes = draw(P.date_boxes())
    if len(boxes) == 3:
        boxes[2] = draw(meeting_years)
    return boxes


@hostile(200)
@given(meets_on=meeting_dates(), starts_at=times, venue=P.any_text())
def test_new_meeting(db, world, actors, meets_on, starts_at, venue):
    clerk, cid = actors("clerk"), world["committee"]
    response, page = attempt(db, clerk, f"/committees/{cid}/meetings/new",
                             {"meets_on": meets_on, "starts_at": starts_at, "venue": venue},
                             tables=["meeting", "trail_event"], allowed=(302, 400), where="POST new meeting")
    if response.status_code != 302:
        return
    mid = newest(db, "meeting", committee_id=cid)
    assert_fits(db, ["meeting"], "new meeting")
    page = get_page(clerk, f"/committees/{cid}", "committee page")
    if venue.strip():
        check_shown(page, venue, "committee page, venue")
    get_page(clerk, f"/meetings/{mid}/agenda", "the new meeting's agenda page")
    execute(db, "DELETE FROM meeting WHERE id = :id", id=mid)


@hostile(250)
@given(title=P.any_text(), purpose=P.any_text(), to_follow=st.one_of(st.just(""), P.any_text()))
def test_agenda_other_items(db, world, actors, title, purpose, to_follow):
    clerk, mid = actors("clerk"), world["meeting"]
    response, page = attempt(db, clerk, f"/meetings/{mid}/agenda/items",
                             {"title": title, "item_purpose": purpose, "to_follow_reason": to_follow,
                              "version": version_of(db, "meeting", mid)},
                             tables=["agenda_item", "trail_event"], allowed=(303, 400), where="POST agenda item")
    if response.status_code == 400:
        assert not title.strip(), "an item with a title was refused"
        if len(title) < 1000:
            assert title in page.attribute_values("value"), "the typed title is not kept"
        return
    item = newest(db, "agenda_item", meeting_id=mid)
    saved = row(db, "agenda_item", item)
    assert saved["title"] == title.strip()[:300]
    page = get_page(clerk, f"/meetings/{mid}/agenda", "agenda page")
    check_shown(page, saved["title"], "agenda page, title")
    if purpose.strip() and len(purpose.strip()) <= 220:
        check_shown(page, purpose, "agenda page, purpose")
    if to_follow.strip():
        check_shown(page, to_follow, "agenda page, reason papers are to follow")
    response, _ = attempt(db, clerk, f"/meetings/{mid}/agenda/items/{item}/remove",
                          {"version": version_of(db, "meeting", mid)}, tables=["agenda_item"], allowed=(303,),
                          where="POST remove agenda item")


@hostile(150)
@given(data=st.data(), purpose=P.any_text())
def test_agenda_report_items(db, world, actors, data, purpose):
    clerk, mid = actors("clerk"), world["meeting"]
    report_id = data.draw(st.one_of(st.sampled_from([str(world["approved_report"]), str(world["report"]),
                                                     str(world["other_report"])]), safe_bad_id,
                                    st.sampled_from(P.SPECIAL)), "report_id")
    response, page = attempt(db, clerk, f"/meetings/{mid}/agenda/reports",
                             {"report_id": report_id, "purpose": purpose, "version": version_of(db, "meeting", mid)},
                             tables=["agenda_item", "report", "trail_event"], allowed=(303, 400),
                             where="POST agenda report")
    if response.status_code != 303:
        return
    assert as_int(report_id) == world["approved_report"], f"report {report_id!r} went on the agenda"
    item = newest(db, "agenda_item", meeting_id=mid)
    page = get_page(clerk, f"/meetings/{mid}/agenda", "agenda page")
    if purpose.strip() and len(purpose.strip()) <= 220:
        check_shown(page, purpose, "agenda page, report purpose")
    attempt(db, clerk, f"/meetings/{mid}/agenda/items/{item}/remove", {"version": version_of(db, "meeting", mid)},
            tables=["agenda_item"], allowed=(303,), where="POST remove agenda item")


@hostile(150)
@given(data=st.data(), direction=P.choice(["up", "down"]))
def test_agenda_move(db, world, actors, data, direction):
    clerk = actors("clerk")
    item = data.draw(st.sampled_from(world["agenda_items"] + [world["other_agenda_item"]]), "item")
    other = item == world["other_agenda_item"]
    allowed = (403,) if other else ((303, 400) if direction in ("up", "down") else (400,))
    mid = world["other_meeting"] if other else world["meeting"]
    attempt(db, clerk, f"/meetings/{mid}/agenda/items/{item}/move",
            {"direction": direction, "version": version_of(db, "meeting", mid)},
            tables=["agenda_item", "trail_event"], allowed=allowed, where="POST move agenda item")


@hostile(300)
@given(data=st.data(), step=st.sampled_from(["add", "add", "move", "link"]))
def test_work_plan(db, world, actors, data, step):
    clerk, cid, entry = actors("clerk"), world["committee"], world["entry"]
    meeting_ids = [str(world["meeting"]), str(world["meeting2"]), str(world["other_meeting"])]
    tables = ["work_plan_entry", "trail_event"]
    if step == "add":
        # Text longer than its column is a known problem (test_work_plan_text_longer_than_its_column_...):
        # report owner and expected report are kept within their columns here.
        form = {"meeting_id": data.draw(P.choice(meeting_ids), "meeting_id"), "title": data.draw(P.any_text(), "title"),
                "report_owner": data.draw(P.any_text(long_ok=False).map(lambda s: s[:200]), "owner"),
                "expected_report": data.draw(P.any_text(long_ok=False).map(lambda s: s[:300]), "expected"),
                "year": data.draw(P.choice(["2019-20", "2020-21"]), "year")}
        response, page = attempt(db, clerk, f"/committees/{cid}/work-plan", form, tables=tables, allowed=(303, 400),
                                 where="POST add work plan entry")
        if response.status_code != 303:
            return
        assert as_int(form["meeting_id"]) in (world["meeting"], world["meeting2"]) and form["title"].strip()
        created = newest(db, "work_plan_entry", committee_id=cid)
        assert_fits(db, ["work_plan_entry"], "add work plan entry")
        page = get_page(clerk, response.headers["Location"], "work plan page")
        check_shown(page, form["title"].strip()[:300], "work plan, title")
        for name in ("report_owner", "expected_report"):
            if form[name].strip():
                check_shown(page, form[name], f"work plan, {name}")
        attempt(db, clerk, f"/committees/{cid}/work-plan/{created}/remove",
                {"version": version_of(db, "work_plan_entry", created)}, tables=["work_plan_entry"], allowed=(303,),
                where="POST remove work plan entry")
    elif step == "move":
        meeting = data.draw(st.one_of(st.sampled_from(meeting_ids), safe_bad_id), "meeting_id")
        response, page = attempt(db, clerk, f"/committees/{cid}/work-plan/{entry}/move",
                                 {"meeting_id": meeting, "version": version_of(db, "work_plan_entry", entry)}, tables=tables,
                                 allowed=(303, 400), where="POST move work plan entry")
        if response.status_code == 303:
            assert row(db, "work_plan_entry", entry)["meeting_id"] in (world["meeting"], world["meeting2"])
    else:
        report = data.draw(st.one_of(st.sampled_from([str(world["approved_report"]), str(world["report"]), ""]),
                                     safe_bad_id), "report_id")
        response, page = attempt(db, clerk, f"/committees/{cid}/work-plan/{entry}/report",
                                 {"report_id": report, "version": version_of(db, "work_plan_entry", entry)}, tables=tables,
                                 allowed=(303, 404), where="POST link work plan report")
        if response.status_code == 303:
            get_page(clerk, f"/committees/{cid}/work-plan", "work plan page")


# --- reporting periods, delegation, notifications, the sign-off queue -----------------------------

@hostile(200)
@given(name=P.any_text(), dates=st.lists(st.one_of(P.date_boxes(), P.real_date_boxes()), min_size=4, max_size=4))
def test_new_reporting_period(db, world, actors, name, dates):
    admin = actors("admin")
    form = {"name": name, "starts_on": dates[0], "ends_on": dates[1], "update_deadline": dates[2],
            "signoff_deadline": dates[3]}
    response, page = attempt(db, admin, "/periods/new", form, tables=["reporting_period", "trail_event"],
                             allowed=(302, 400), where="POST new period")
    if response.status_code != 302:
        return
    created = newest(db, "reporting_period")
    saved = row(db, "reporting_period", created)
    assert saved["starts_on"] < saved["ends_on"] <= saved["update_deadline"] <= saved["signoff_deadline"]
    assert_fits(db, ["reporting_period"], "new period")
    page = get_page(admin, "/periods/", "periods page")
    if name.strip():
        check_shown(page, name, "periods page, name")
    execute(db, "DELETE FROM reporting_period WHERE id = :id", id=created)


@hostile(200)
@given(data=st.data(), starts=st.one_of(P.date_boxes(), P.real_date_boxes()),
       ends=st.one_of(P.date_boxes(), P.real_date_boxes()))
def test_delegation(db, world, actors, data, starts, ends):
    hos = actors("hos")
    deputy = data.draw(P.choice(["", str(world["user_nobody"]), str(world["user_owner"]), str(world["user_hos"])]),
                       "deputy")
    response, page = attempt(db, hos, "/delegation", {"deputy_id": deputy, "starts_on": starts, "ends_on": ends},
                             tables=["delegation", "trail_event"], allowed=(302, 400), where="POST delegation")
    if response.status_code != 302:
        return
    created = newest(db, "delegation")
    saved = row(db, "delegation", created)
    assert saved["deputy_id"] != world["user_hos"] and saved["head_id"] == world["user_hos"]
    assert saved["starts_on"] <= saved["ends_on"]
    get_page(hos, "/delegation", "delegation page")
    execute(db, "DELETE FROM delegation WHERE id = :id", id=created)


@hostile(400)
@given(data=st.data(), page_arg=st.one_of(st.none(), safe_bad_id, P.short_text), everything=st.booleans())
def test_notifications_mark_read(db, world, actors, data, page_arg, everything):
    owner = actors("owner")
    note = data.draw(st.sampled_from([world["owner_note"], world["owner_note2"], world["ad_note"]]), "note")
    url = "/notifications/read-all" if everything else f"/notifications/{note}/read"
    mine = everything or note != world["ad_note"]
    response, page = attempt(db, owner, url, clean({"page": page_arg}), tables=["notification"] if not mine else [],
                             allowed=(302,) if mine else (404,), where=f"POST {url}")
    if response.status_code == 302:
        assert row(db, "notification", world["ad_note"])["read_at"] is None, "someone else's notification was read"
        get_page(owner, response.headers["Location"], "notifications page")
        execute(db, "UPDATE notification SET read_at = NULL")


sign_off_tokens = st.lists(st.one_of(
    st.builds(lambda k, i, v: f"{k}:{i}:{v}", P.choice(["update", "value"]), safe_bad_id, safe_bad_id),
    P.hostile_text(long_ok=False)), max_size=5)


@hostile(300)
@given(tokens=sign_off_tokens)
def test_sign_off_queue_selection(db, world, actors, tokens):
    hos = actors("hos")
    attempt(db, hos, "/sign-off", {"selected": tokens}, tables=["progress_update", "indicator_value", "trail_event"],
            allowed=(302,), where="POST /sign-off")
    get_page(hos, "/sign-off", "sign-off queue")


# --- missing or wrong CSRF tokens: refused, nothing stored, on every form --------------------------

def csrf_targets(w):
    """(who, url, a plausible form) for every form: each would be accepted with the right token."""
    return [
        (None, "/sign-in", {"email": "owner@example.org", "password": "correct horse battery"}),
        ("hos", f"/plans/{w['plan']}/edit", {"title": "New title", "status": "live"}),
        ("hos", f"/plans/{w['plan']}/themes/new", {"title": "A theme"}),
        ("hos", f"/themes/{w['theme']}/edit", {"title": "A theme"}),
        ("hos", f"/plans/{w['plan']}/actions/new", {"reference": "X1", "title": "x", "status": "live"}),
        ("hos", f"/actions/{w['action']}/edit", {"reference": "X1", "title": "x", "status": "live"}),
        ("hos", f"/actions/{w['action']}/milestones/new", {"text": "x"}),
        ("hos", f"/milestones/{w['milestone']}/edit", {"text": "x"}),
        ("hos", f"/plans/{w['plan']}/risks/new", {"reference": "X1", "description": "x"}),
        ("hos", f"/risks/{w['risk']}/edit", {"reference": "X1", "description": "x"}),
        ("hos", f"/plans/{w['plan']}/indicators/new", {"description": "x", "polarity": "neutral",
                                                       "frequency": "quarterly", "unit": "number"}),
        ("hos", f"/indicators/{w['indicator']}/edit", {"description": "x", "polarity": "neutral",
                                                       "frequency": "quarterly", "unit": "number"}),
        ("hos", f"/plans/{w['plan']}/import/preview", {"source": "paste", "paste": "Reference ID\tAction\nZ1\tx"}),
        ("hos", f"/plans/{w['plan']}/import/confirm", {"token": "A" * 32, "fingerprint": "x"}),
        ("owner", f"/updates/{w['update']}", {"narrative": "x", "intent": "save"}),
        ("owner", f"/updates/{w['update']}/autosave", {"narrative": "x"}),
        ("owner", f"/indicator-values/{w['value']}", {"value": "3", "intent": "save"}),
        ("owner", f"/updates/{w['update']}/attachments", {"file": (b"%PDF-1.4 x", "a.pdf")}),
        ("owner", f"/attachments/{w['attachment']}/delete", {}),
        ("hos", f"/updates/{w['update']}/return", {"comment": "x"}),
        ("hos", f"/updates/{w['update']}/reopen", {"reason": "x"}),
        ("hos", f"/updates/{w['update']}/sign-off", {}),
        ("owner", f"/updates/{w['update']}/withdraw", {}),
        ("hos", "/sign-off", {"selected": f"update:{w['update']}:1"}),
        ("admin", "/periods/new", {"name": "Q9", "starts_on": ["1", "1", "2020"], "ends_on": ["2", "2", "2020"],
                                   "update_deadline": ["3", "3", "2020"], "signoff_deadline": ["4", "4", "2020"]}),
        ("admin", f"/periods/{w['period']}/open", {}),
        ("hos", "/delegation", {"deputy_id": str(w["user_nobody"]), "starts_on": ["1", "1", "2020"],
                                "ends_on": ["2", "1", "2020"]}),
        ("hos", f"/delegation/{w['delegation']}/end", {}),
        ("hos", "/reports/new", {"title": "x", "plan_ids": str(w["plan"]), "period_id": str(w["period"])}),
        ("hos", f"/reports/{w['report']}/edit", {"summary": "x"}),
        ("hos", f"/reports/{w['report']}/compile", {}),
        ("hos", f"/reports/{w['report']}/submit", {}),
        ("ad", f"/reports/{w['report']}/approve", {}),
        ("ad", f"/reports/{w['report']}/return", {"comment": "x"}),
        ("clerk", f"/committees/{w['committee']}/edit", {"name": "A committee"}),
        ("clerk", f"/committees/{w['committee']}/meetings/new", {"meets_on": ["1", "12", "2019"]}),
        ("clerk", f"/meetings/{w['meeting2']}/agenda/start", {}),
        ("clerk", f"/meetings/{w['meeting']}/agenda/items", {"title": "x"}),
        ("clerk", f"/meetings/{w['meeting']}/agenda/reports", {"report_id": str(w["approved_report"])}),
        ("clerk", f"/meetings/{w['meeting']}/agenda/items/{w['agenda_items'][1]}/move", {"direction": "up"}),
        ("clerk", f"/meetings/{w['meeting']}/agenda/items/{w['agenda_items'][1]}/remove", {}),
        ("clerk", f"/meetings/{w['meeting']}/documents", {"kind": "minutes", "document": (b"%PDF-1.4 x", "m.pdf")}),
        ("clerk", f"/meetings/{w['meeting']}/publish", {"late_reason": "x"}),
        ("clerk", f"/committees/{w['committee']}/work-plan", {"meeting_id": str(w["meeting"]), "title": "x"}),
        ("clerk", f"/committees/{w['committee']}/work-plan/{w['entry']}/move", {"meeting_id": str(w["meeting2"])}),
        ("clerk", f"/committees/{w['committee']}/work-plan/{w['entry']}/report", {"report_id": str(w["approved_report"])}),
        ("clerk", f"/committees/{w['committee']}/work-plan/{w['entry']}/remove", {}),
        ("owner", f"/notifications/{w['owner_note']}/read", {}),
        ("owner", "/notifications/read-all", {}),
        # organisation, committees and settings (issue 12)
        ("admin", "/admin/directorates/new", {"name": "Resources"}),
        ("admin", f"/admin/directorates/{w['directorate']}/edit", {"name": "Resources", "version": "1"}),
        ("admin", f"/admin/directorates/{w['directorate']}/retire", {"version": "1"}),
        ("admin", "/admin/services/new", {"name": "Libraries", "directorate_id": str(w["directorate"])}),
        ("admin", f"/admin/services/{w['other_service']}/edit", {"name": "Roads", "version": "1"}),
        ("admin", f"/admin/services/{w['other_service']}/retire", {"version": "1"}),
        ("admin", "/admin/committees/new", {"name": "Audit and Governance Committee"}),
        ("admin", f"/admin/committees/{w['other_committee']}/retire", {}),
        ("admin", "/admin/settings", {"council_name": "Borsetshire County Council"}),
        # plans set-up, roll-over and periods (issue 12)
        ("admin", "/plans/new", {"title": "A plan", "period_label": "2019/20"}),
        ("admin", f"/plans/{w['other_plan']}/roll-over", {"title": "A plan", "period_label": "2030/31"}),
        ("admin", f"/plans/{w['other_plan']}/archive", {}),
        ("admin", f"/periods/{w['period']}/close", {}),
        # people and passwords (issue 12)
        ("admin", "/people/new", {"name": "Pat Kay", "email": "pat.kay@example.org"}),
        ("admin", f"/people/{w['user_owner']}/edit", {"name": "x", "email": "owner@example.org"}),
        ("admin", f"/people/{w['user_nobody']}/roles", {"role": "administrator"}),
        ("admin", f"/people/{w['user_hos']}/roles/1/revoke", {}),
        ("admin", f"/people/{w['user_nobody']}/set-password-link", {}),
        ("admin", f"/people/{w['user_nobody']}/deactivate", {}),
        ("admin", f"/people/{w['user_nobody']}/reactivate", {}),
        ("admin", f"/people/{w['user_owner']}/reassign", {"to": str(w["user_nobody"])}),
        ("admin", "/people/import", {"file": (b"Name,Email\r\nAnn Lee,ann.lee@example.org\r\n", "people.csv")}),
        ("admin", "/people/import/confirm", {"content": "TmFtZSxFbWFpbAo=", "fingerprint": "x"}),
        ("hos", "/account/password", {"current": "correct horse battery", "password": "lantern otter meadow",
                                      "confirm": "lantern otter meadow"}),
        (None, "/set-password/not-a-real-token", {"password": "lantern otter meadow",
                                                  "confirm": "lantern otter meadow"}),
        # plan import in the council's own shape (issue 13)
        # plan fields, current position and export (issue 13)
        # committee papers (issue 14)
        ("owner", "/reports/papers/new", {"title": "x", "form_token": "A" * 32}),
        ("owner", "/reports/papers/upload", {"title": "x", "form_token": "A" * 32, "file": (b"%PDF-1.4 x", "p.pdf")}),
        ("hos", f"/reports/{w['report']}/annexes", {"annex_title": "x", "annex_file": (b"%PDF-1.4 x", "a.pdf")}),
        ("hos", f"/reports/{w['report']}/annexes/1/remove", {}),
        ("clerk", f"/meetings/{w['meeting']}/papers/chase", {"entry_id": str(w["entry"])}),
        # exempt items, councillors and public agendas (issue 14)
        ("clerk", f"/meetings/{w['meeting']}/agenda/items/{w['agenda_items'][1]}/exempt",
         {"exempt_paragraph": "3", "version": "1"}),
        ("clerk", f"/meetings/{w['meeting']}/confidential/readers", {"reader": str(w["user_nobody"]), "version": "1"}),
        ("clerk", f"/meetings/{w['meeting']}/confidential/readers/{w['user_nobody']}/remove", {"version": "1"}),
        # the clerk's editing tools and the pack (issue 14)
        ("clerk", f"/meetings/{w['meeting']}/edit", {"meets_on": ["1", "12", "2019"]}),
        ("clerk", f"/meetings/{w['meeting']}/cancel", {"reason": "No business"}),
        ("clerk", f"/meetings/{w['meeting']}/agenda/items/{w['agenda_items'][1]}/edit", {"title": "x"}),
        ("clerk", f"/meetings/{w['meeting']}/documents/1/replace", {"document": (b"%PDF-1.4 x", "m.pdf")}),
        ("clerk", f"/meetings/{w['meeting']}/documents/1/remove", {}),
        # the owner's quarter (issue 16)
        ("owner", f"/periods/{w['period']}/my-values", {"intent": "save"}),
        # sign-off, approval, dashboard and reports (issue 16)
        ("hos", f"/sign-off/update/{w['update']}/sign-off", {"version": "1"}),
        ("hos", f"/sign-off/update/{w['update']}/return", {"version": "1", "comment": "x"}),
        ("hos", f"/indicators/{w['indicator']}/owner", {"owner_id": str(w["user_owner"]), "version": "1"}),
        # performance (issue 17)
        ("owner", "/sign-out", {}),
    ]



def test_every_form_is_in_the_csrf_list(app, world):
    """The CSRF test below covers every POST route of the app."""
    covered = set()
    adapter = app.url_map.bind("localhost")
    for _, url, _ in csrf_targets(world):
        endpoint, _ = adapter.match(url, method="POST")
        covered.add(endpoint)
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts - covered == set()


@hostile(2500)
@given(data=st.data(), csrf=st.one_of(st.sampled_from(["missing", "wrong", "other"]), P.hostile_text(long_ok=False)),
       extra=st.dictionaries(st.sampled_from(["title", "name", "comment", "narrative", "summary", "version"]),
                             P.hostile_text(long_ok=False), max_size=2))
def test_a_form_without_the_right_csrf_token_is_refused_and_stores_nothing(db, world, actors, data, csrf, extra):
    who, url, form = data.draw(st.sampled_from(csrf_targets(world)), "target")
    form = {**form, **extra}
    form = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in form.items()}
    actor = actors(who)  # signs in (which writes to the trail) before the snapshot
    before = fingerprint(db)
    response = actor.post(url, form, csrf=csrf, htmx=data.draw(st.booleans(), "htmx"))
    page = checked(response, f"POST {url} with csrf={csrf!r:.40}")
    assert response.status_code == 400, f"POST {url} with csrf={csrf!r:.40}: {response.status_code}"
    assert "your session had expired or the page was out of date" in page.text
    assert not diff(before, fingerprint(db)), f"POST {url} with a bad CSRF token stored something"


# --- bad ids in the address: other people's objects, and ids that are not there ---------------------

def id_routes(w):
    """(who, url template, ids that are theirs, other people's) for routes that name an object."""
    return [
        ("hos", "/plans/{}/edit", w["plan"], w["other_plan"]),
        ("hos", "/themes/{}/edit", w["theme"], w["other_theme"]),
        ("hos", "/actions/{}/edit", w["action"], w["other_action"]),
        ("hos", "/plans/{}/actions/new", w["plan"], w["other_plan"]),
        ("hos", "/milestones/{}/edit", w["milestone"], w["other_milestone"]),
        ("hos", "/risks/{}/edit", w["risk"], w["other_risk"]),
        ("hos", "/indicators/{}/edit", w["indicator"], w["other_indicator"]),
        ("hos", "/plans/{}/import/preview", w["plan"], w["other_plan"]),
        ("owner", "/updates/{}", w["update"], w["other_update"]),
        ("owner", "/updates/{}/autosave", w["update"], w["other_update"]),
        ("owner", "/indicator-values/{}", w["value"], w["other_value"]),
        ("owner", "/updates/{}/attachments", w["update"], w["other_update"]),
        ("hos", "/updates/{}/return", w["update"], w["other_update"]),
        ("hos", "/indicator-values/{}/reopen", w["value"], w["other_value"]),
        ("hos", "/reports/{}/edit", w["report"], w["other_report"]),
        ("ad", "/reports/{}/return", w["report"], w["other_report"]),
        ("clerk", "/committees/{}/edit", w["committee"], w["other_committee"]),
        ("clerk", "/meetings/{}/agenda/items", w["meeting"], w["other_meeting"]),
        ("clerk", "/meetings/%d/agenda/items/{}/move" % w["meeting"], w["agenda_item"], w["other_agenda_item"]),
        ("clerk", "/committees/%d/work-plan/{}/move" % w["committee"], w["entry"], w["other_entry"]),
        ("owner", "/notifications/{}/read", w["owner_note"], w["ad_note"]),
        ("hos", "/delegation/{}/end", w["delegation"], None),
    ]


@hostile(1500)
@given(data=st.data(), form=st.dictionaries(st.sampled_from(["title", "comment", "narrative", "name", "direction"]),
                                            P.hostile_text(long_ok=False), max_size=2))
def test_an_address_naming_someone_elses_object_or_none_is_refused(db, world, actors, data, form):
    who, template, _, theirs = data.draw(st.sampled_from(id_routes(world)), "route")
    bad = data.draw(st.one_of(st.just(str(theirs)) if theirs else st.nothing(),
                              st.sampled_from(["0", "999999", str(2 ** 31 - 1), "-1", "abc", "1.0", "%20"]),
                              st.integers(10 ** 6, 2 ** 31 - 1).map(str)), "id")
    url = template.format(bad)
    attempt(db, actors(who), url, form, tables=[], allowed=(403, 404, 405), where=f"POST {url}")


# --- uploads: the agenda's documents --------------------------------------------------------------

@hostile(100)
@given(content=st.one_of(st.sampled_from([b"", b"<script>alert(1)</script>", b"PK\x03\x04 not a zip",
                                          b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole", b"%PDF-1.4 /JavaScript (x)",
                                          b"GIF89a"]), st.binary(max_size=200)),
       name=st.one_of(st.sampled_from(["minutes.pdf", "minutes.docx", '"><img src=x onerror=alert(1)>.pdf',
                                       "../../etc/passwd", ""]), P.short_text),
       kind=P.choice(["minutes", "annex"]), item=st.one_of(st.none(), safe_bad_id))
def test_an_agenda_document_that_is_not_a_pdf_is_refused(db, world, actors, content, name, kind, item):
    clerk, mid = actors("clerk"), world["meeting"]
    form = clean({"document": (io.BytesIO(content), name), "kind": kind, "agenda_item_id": item,
                  "version": version_of(db, "meeting", mid)})
    response, page = attempt(db, clerk, f"/meetings/{mid}/documents", form, tables=["meeting_document", "trail_event"],
                             allowed=(400, 303), where="POST agenda document")
    if response.status_code == 303:
        assert content.startswith(b"%PDF-") and kind in ("minutes", "annex")
        execute(db, "DELETE FROM meeting_document")
    elif kind in ("minutes", "annex"):
        assert "There is a problem" in page.text, "a refused document gets a page saying why"


# --- exports and PDFs: fixed payloads ------------------------------------------------------------------

FORMULAS = ["=1+1", "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1",
            "=cmd|' /C calc'!A0"]
PDF_PAYLOADS = ["<script>alert(1)</script>", "<b>not bold</b>", "{{7*7}}", "' OR 1=1 --", "&amp; &lt;", "\"><i>x</i>"]


def _with_formulas(db, world, actors):
    hos, pid = actors("hos"), world["plan"]
    for n, f in enumerate(FORMULAS):
        line = f.replace("\t", "")  # a one-line box refuses a tab (app/forms.py); a text area keeps it
        r = hos.post(f"/plans/{pid}/actions/new", {"reference": f"F{n}", "title": f, "type_note": line,
                                                   "status": "live"})
        assert r.status_code == 302
        r = hos.post(f"/plans/{pid}/risks/new", {"reference": f"FR{n}", "description": f, "mitigations": f})
        assert r.status_code == 302
        r = hos.post(f"/plans/{pid}/indicators/new", {"reference": f"FI{n}", "description": f, "group_name": line,
                                                      "polarity": "neutral", "frequency": "quarterly", "unit": "number"})
        assert r.status_code == 302
    aid = newest(db, "action", plan_id=pid)
    r = hos.post(f"/actions/{aid}/milestones/new", {"text": "=1+2"})
    assert r.status_code == 302
    return hos, pid


def test_the_plan_export_neutralises_formulas(db, world, actors):
    import openpyxl

    hos, pid = _with_formulas(db, world, actors)
    response = hos.get(f"/plans/{pid}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    seen = 0
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for c in cells:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str) and c.value.lstrip("'") in FORMULAS + ["=1+2"]:
                    assert c.value.startswith("'"), f"{sheet.title}!{c.coordinate} = {c.value!r}"
                    seen += 1
    assert seen >= len(FORMULAS) * 4, f"only {seen} formula payloads found in the export"
    for kind in ("actions", "risks", "indicators"):
        response = hos.get(f"/plans/{pid}/export.csv?kind={kind}")
        assert response.status_code == 200
        import csv

        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        found = [value for r in rows[1:] for value in r if value.lstrip("'") in FORMULAS]
        assert found and all(v.startswith("'") for v in found), f"{kind}.csv: {found}"
        assert not [v for r in rows[1:] for v in r if v[:1] in ("=", "+", "@") or v[:2] == "\t="]


def test_the_work_plan_export_neutralises_formulas(db, world, actors):
    import openpyxl

    clerk, cid = actors("clerk"), world["committee"]
    for n, f in enumerate(FORMULAS):  # an item is planned for a meeting once: each title differs
        r = clerk.post(f"/committees/{cid}/work-plan", {"meeting_id": str(world["meeting"]), "title": f + f" x{n}",
                                                        "report_owner": f, "expected_report": f})
        assert r.status_code == 303
    book = openpyxl.load_workbook(io.BytesIO(clerk.get(f"/committees/{cid}/work-plan.xlsx?year=2019-20").get_data()))
    values = [c.value for r in book.active.iter_rows() for c in r if isinstance(c.value, str)]
    assert all(c.data_type != "f" for r in book.active.iter_rows() for c in r)
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")], values


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_pdf_shows_payloads_as_text(db, world, actors):
    hos, rid = actors("hos"), world["report"]
    sections = {name: "" for name in SECTION_FIELDS}
    sections.update({"summary": PDF_PAYLOADS[0], "background": PDF_PAYLOADS[1], "progress": PDF_PAYLOADS[2],
                     "recommendations": PDF_PAYLOADS[3], "reason": PDF_PAYLOADS[4], "wards_affected": PDF_PAYLOADS[5],
                     "implications_legal": "<u>underlined?</u>", "annexes": "<a href='javascript:alert(1)'>A</a>"})
    r = hos.post(f"/reports/{rid}/edit", {**sections, "version": version_of(db, "report", rid)})
    assert r.status_code == 302
    execute(db, "UPDATE report SET title = :t WHERE id = :id", t="<h1>Title</h1> {{7*7}}", id=rid)
    response = hos.get(f"/reports/{rid}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.get_data())
    for payload in PDF_PAYLOADS + ["<u>underlined?</u>", "<ahref='javascript:alert(1)'>A</a>", "<h1>Title</h1>{{7*7}}"]:
        assert "".join(payload.split()) in text, f"the report PDF does not show {payload!r} as typed"


def test_the_agenda_pack_pdf_shows_payloads_as_text(db, world, actors):
    clerk, hos, ad = actors("clerk"), actors("hos"), actors("ad")
    mid, cid = world["meeting"], world["committee"]
    r = clerk.post(f"/committees/{cid}/edit", {"name": "Scrutiny <b>Committee</b>", "members":
                   "Cllr <script>alert(1)</script> (Chair)\nCllr <b>Bold</b>", "clerk_name": "{{7*7}}",
                   "default_venue": "&amp; Hall"})
    assert r.status_code == 302
    r = clerk.post(f"/meetings/{mid}/agenda/items", {"title": "<i>Italic</i> item", "item_purpose": "To <b>note</b>.",
                                                   "to_follow_reason": "<script>late</script>",
                                                   "version": version_of(db, "meeting", mid)})
    assert r.status_code == 303
    execute(db, "UPDATE meeting SET venue = :v WHERE id = :id", v="&amp; Hall", id=mid)
    rid = world["approved_report"]
    execute(db, "UPDATE report SET title = :t WHERE id = :id", t="Report <em>{{7*7}}</em>", id=rid)
    r = clerk.post(f"/meetings/{mid}/agenda/reports", {"report_id": str(rid), "purpose": "<b>Purpose</b>",
                                                     "version": version_of(db, "meeting", mid)})
    assert r.status_code == 303
    r = clerk.post(f"/meetings/{mid}/publish", {"late_reason": "<script>alert('late')</script>",
                                              "version": version_of(db, "meeting", mid), "without_minutes": "yes"})
    no_5xx(r, "publish")
    assert r.status_code == 303, r.status_code
    page = get_page(clerk, f"/meetings/{mid}", "published meeting page")
    for payload in ("<i>Italic</i> item", "To <b>note</b>.", "Report <em>{{7*7}}</em>"):
        check_shown(page, payload, "published agenda page")
    response = clerk.get(f"/meetings/{mid}/pack-1.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.get_data())
    # Members are printed by surname ("Councillors Taylor (Chair) and Webb"): one-word names here.
    for payload in ("Scrutiny <b>Committee</b>", "<script>alert(1)</script>", "<b>Bold</b>", "{{7*7}}",
                    "&amp; Hall", "<i>Italic</i> item", "To <b>note</b>.", "<script>late</script>",
                    "Report <em>{{7*7}}</em>", "<b>Purpose</b>"):
        assert "".join(payload.split()) in text, f"the agenda pack does not show {payload!r} as typed"


# --- known bugs: each has its failing test here -----------------------------------------------------

# Each form is otherwise invalid, so that it is shown again with the date as typed.
DATE_FORMS = [
    ("hos", "/plans/{plan}/edit", {"title": "", "status": "live"}, "last_updated_on"),
    ("hos", "/plans/{plan}/actions/new", {"reference": "D1", "title": "", "status": "live"}, "due_on"),
    ("hos", "/actions/{action}/milestones/new", {"text": ""}, "due_on"),
    ("admin", "/periods/new", {"name": ""}, "starts_on"),
    ("hos", "/delegation", {"deputy_id": ""}, "starts_on"),
    ("clerk", "/committees/{committee}/meetings/new", {"starts_at": "99:99"}, "meets_on"),
]
DATE_IDS = ["plan-last_updated_on", "action-due_on", "milestone-due_on", "period-starts_on", "delegation-starts_on",
            "meeting-meets_on"]


@pytest.mark.parametrize("who,url,form,field", DATE_FORMS, ids=DATE_IDS)
def test_a_date_sent_with_four_boxes_is_refused_not_a_500(db, world, actors, who, url, form, field):
    """A crafted request with four values for a three-box date: the form is shown again (400).
    Today: 500, `ValueError: too many values to unpack` in govuk_frontend_wtf GovDateInput.map_gov_params,
    because app/forms.py UKDateField.process_formdata keeps all the values in raw_data."""
    url = url.format(**world.ids)
    attempt(db, actors(who), url, {**form, field: ["1", "2", "2019", "4"]}, tables=[], allowed=(400,),
            where=f"POST {url} with four date boxes")


@pytest.mark.parametrize("who,url,form,field", DATE_FORMS, ids=DATE_IDS)
def test_a_day_or_month_too_big_for_the_computer_is_refused_not_a_500(db, world, actors, who, url, form, field):
    """Day 99999999999999999999: "must be a real date" (400). Today: 500, `OverflowError: Python int too
    large to convert to C long` from date() in app/forms.py UKDateField.process_formdata (only
    ValueError is caught)."""
    url = url.format(**world.ids)
    attempt(db, actors(who), url, {**form, field: ["9" * 20, "1", "2019"]}, tables=[], allowed=(400,),
            where=f"POST {url} with a huge day")


NUMBER_FORMS = [
    ("hos", "/plans/{plan}/edit", {"title": "x", "status": "live"}, "staff_ftes"),
    ("hos", "/plans/{plan}/indicators/new", {"description": "x", "polarity": "neutral", "frequency": "quarterly",
                                             "unit": "number"}, "target"),
    ("owner", "/updates/{update}", {"intent": "save"}, "percent_complete"),
    ("owner", "/indicator-values/{value}", {"intent": "save"}, "value"),
]


@pytest.mark.parametrize("who,url,form,field", NUMBER_FORMS, ids=[f[3] for f in NUMBER_FORMS])
def test_a_number_with_a_huge_exponent_is_refused_not_a_500(db, world, actors, who, url, form, field):
    """"1e999999999" is a number too big to store: refused (400) like "1e13". Today: 500,
    `decimal.Overflow` from abs(value) in app/forms.py NumberField.process_formdata."""
    url = url.format(**world.ids)
    attempt(db, actors(who), url, {**form, field: "1e999999999"}, tables=[], allowed=(400,),
            where=f"POST {url} with {field}=1e999999999")


@pytest.mark.parametrize("field,value", [("frequency", None), ("frequency", ""), ("unit", None), ("unit", "")],
                         ids=["no-frequency", "empty-frequency", "no-unit", "empty-unit"])
def test_an_indicator_without_a_frequency_or_unit_is_refused_not_a_500(db, world, actors, field, value):
    """A crafted request without the collection frequency (or unit), or with it empty: "Choose ..." (400).
    Today: 500, `ValueError: None is not a valid Frequency` (or '') from Frequency(values["frequency"])
    in app/plans/editing.py _convert_indicator: those two selects have no InputRequired."""
    pid = world["plan"]
    form = clean({"description": "x", "polarity": "neutral", "frequency": "quarterly", "unit": "number",
                  field: value})
    if value is None:
        form.pop(field, None)
    attempt(db, actors("hos"), f"/plans/{pid}/indicators/new", form, tables=["indicator", "trail_event"],
            allowed=(400,), where=f"POST new indicator with {field}={value!r}")


SPACES_IN_CHOICES = [
    ("hos", "/plans/{plan}/actions/new", {"reference": "Q1", "title": "x", "status": "live"}, "action_type", "action"),
    ("hos", "/plans/{plan}/actions/new", {"reference": "Q2", "title": "x", "status": "live"}, "rag", "action"),
    ("hos", "/plans/{plan}/risks/new", {"reference": "Q3", "description": "x"}, "rag", "risk"),
    ("hos", "/plans/{plan}/indicators/new", {"description": "x", "polarity": "neutral", "frequency": "quarterly",
                                             "unit": "number"}, "direction", "indicator"),
    ("hos", "/reports/new", {"title": "x", "plan_ids": "{plan}", "period_id": "{period}", "author_id": "{user_hos}",
                             "form_token": "hostile-new-report-form-token-0123456789"}, "period_id", "report"),
    ("hos", "/reports/new", {"title": "x", "plan_ids": "{plan}", "period_id": "{period}", "author_id": "{user_hos}",
                             "form_token": "hostile-new-report-form-token-0123456789"}, "author_id", "report"),
    ("owner", "/updates/{update}", {"narrative": "x", "intent": "save"}, "rag", "progress_update"),
    ("owner", "/updates/{update}/autosave", {"narrative": "x"}, "rag", "progress_update"),
]


@pytest.mark.parametrize("who,url,form,field,table", SPACES_IN_CHOICES,
                         ids=[f"{r[4]}-{r[3]}" + ("-autosave" if "autosave" in r[1] else "") for r in SPACES_IN_CHOICES])
def test_an_optional_choice_answered_with_spaces_is_refused_not_a_500(db, world, actors, who, url, form, field, table):
    """A crafted " " for an optional select or radio: "Choose ... from the list" (400; autosave: "Not
    saved yet"), or taken as no answer. Today: 500, `ValueError: ' ' is not a valid ActionType` (Rag,
    Direction; `invalid literal for int()` for the report's period and author). WTForms' Optional()
    sees only spaces, clears the error _PlainChoice.pre_validate raised (app/forms.py), and the
    route then converts " "."""
    url = url.format(**world.ids)
    form = {k: v.format(**world.ids) for k, v in form.items()}
    htmx = url.endswith("/autosave")
    attempt(db, actors(who), url, {**form, field: " "}, tables=[table, "trail_event"],
            allowed=(200,) if htmx else (302, 400), where=f"POST {url} with {field}=' '", htmx=htmx)


@pytest.mark.parametrize("kind,url,form", [
    ("action", "/plans/{plan}/actions/new", {"title": "An action", "status": "live"}),
    ("risk", "/plans/{plan}/risks/new", {"description": "A risk"}),
    ("indicator", "/plans/{plan}/indicators/new", {"description": "x", "polarity": "neutral", "frequency": "quarterly",
                                                   "unit": "number"}),
], ids=["action", "risk", "indicator"])
def test_a_repeated_reference_with_accented_capitals_is_refused_not_a_500(db, world, actors, kind, url, form):
    """A reference already in the plan is refused: "There is already ... with the reference É1" (400),
    whatever its letters. Today the check (app/plans/service.py check_unique_reference) compares SQL
    lower(reference) with Python's reference.lower(); SQLite's lower() changes only A-Z, so "É1" never
    matches itself: the second action or risk is a 500 (`IntegrityError: UNIQUE constraint failed`),
    and the second indicator is saved with the same reference."""
    url = url.format(**world.ids)
    hos = actors("hos")
    attempt(db, hos, url, {**form, "reference": "É1"}, tables=[kind], allowed=(302,), where=f"POST {url} É1")
    attempt(db, hos, url, {**form, "reference": "É1"}, tables=[kind, "trail_event"], allowed=(400,),
            where=f"POST {url} É1 again")


@pytest.mark.parametrize("kind,url,form", [
    ("action", "/plans/{plan}/actions/new", {"reference": " ", "title": "An action", "status": "live"}),
    ("risk", "/plans/{plan}/risks/new", {"reference": " ", "description": "A risk"}),
])
def test_a_blank_reference_is_refused_not_a_500(db, world, actors, kind, url, form):
    """A reference of spaces is no reference: "Enter a reference ID" (400), every time. Today the
    first is saved with the reference "" (InputRequired accepts spaces; the route strips them after),
    and the second is a 500: `IntegrityError: UNIQUE constraint failed: {kind}.plan_id, {kind}.reference`."""
    url = url.format(**world.ids)
    hos = actors("hos")
    for attempt_number in (1, 2):
        attempt(db, hos, url, form, tables=[kind, "trail_event"], allowed=(400,),
                where=f"POST {url} with a blank reference, attempt {attempt_number}")


BIG_ID_ROUTES = [
    ("clerk", "/meetings/{meeting}/agenda/reports", {"report_id": "{big}"}, (400,)),
    ("clerk", "/committees/{committee}/work-plan", {"meeting_id": "{big}", "title": "x"}, (400,)),
    ("clerk", "/committees/{committee}/work-plan/{entry}/move", {"meeting_id": "{big}"}, (400,)),
    ("clerk", "/committees/{committee}/work-plan/{entry}/report", {"report_id": "{big}"}, (404,)),
    ("clerk", "/meetings/{meeting}/documents", {"kind": "annex", "agenda_item_id": "{big}",
                                               "document": (b"%PDF-1.4 x", "a.pdf")}, (400,)),
    ("hos", "/sign-off", {"selected": "update:{big}:1"}, (302,)),
    ("hos", "/plans/{big}/edit", {"title": "x"}, (404,)),
    ("owner", "/updates/{big}", {"narrative": "x"}, (404,)),
    ("owner", "/notifications/{big}/read", {}, (404,)),
    ("clerk", "/meetings/{meeting}/agenda/items/{big}/move", {"direction": "up"}, (404,)),
]
# 2**31 is too big for PostgreSQL's integer columns (SQLite's hold it); 2**63 for both.
BIG_IDS = {"2-to-the-31": 2 ** 31, "2-to-the-63": 2 ** 63}


@pytest.mark.parametrize("big", list(BIG_IDS.values()), ids=list(BIG_IDS))
@pytest.mark.parametrize("who,url,form,allowed", BIG_ID_ROUTES, ids=[r[1] for r in BIG_ID_ROUTES])
def test_an_id_too_big_for_the_database_is_not_found_not_a_500(db, world, actors, who, url, form, allowed, big):
    """An id too big for the database names nothing: refused like any other id that is not there.
    Today: 500. SQLite: `OverflowError: Python int too large to convert to SQLite INTEGER` (2**63);
    PostgreSQL: `DataError: integer out of range` (2**31), from db.session.get. In the address,
    Werkzeug's int converter accepts any size; in a form, request.form.get(type=int) does."""
    url = url.format(big=big, **world.ids)
    form = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v.format(big=big) for k, v in form.items()}
    attempt(db, actors(who), url, form, tables=[], allowed=allowed, where=f"POST {url}")


@pytest.mark.parametrize("big", list(BIG_IDS.values()), ids=list(BIG_IDS))
def test_an_id_too_big_for_the_database_in_a_page_address_is_not_found_not_a_500(world, actors, big):
    response = actors("hos").get(f"/plans/{big}")
    no_5xx(response, f"GET /plans/{big}")
    assert response.status_code == 404


@pytest.mark.parametrize("day", [["1", "1", "1900"], ["2", "1", "1978"]], ids=["1900", "2-jan-1978"])
def test_a_meeting_before_1978_is_refused_or_its_agenda_works(db, world, actors, day):
    """A meeting the bank-holiday rules cannot place is refused (400) or works. Today it is saved,
    and then its agenda page and "Start the agenda" are 500s: `ValueError: Bank holidays are only
    worked out from 1978 onwards` from app/meetings/dates.py _holidays."""
    clerk, cid = actors("clerk"), world["committee"]
    response, _ = attempt(db, clerk, f"/committees/{cid}/meetings/new", {"meets_on": day}, tables=["meeting"],
                          allowed=(302, 400), where="POST new meeting")
    if response.status_code == 302:
        mid = newest(db, "meeting", committee_id=cid)
        get_page(clerk, f"/meetings/{mid}/agenda", "the agenda page of a meeting before 1978")
        no_5xx(clerk.post(f"/meetings/{mid}/agenda/start", {}), "start the agenda of a meeting before 1978")


def test_a_meeting_in_9999_is_refused_or_its_agenda_page_is_quick(db, world, actors):
    """Today a meeting on 31/12/9999 is saved and its agenda page takes seconds: it counts every
    working day from today to the meeting (app/meetings/dates.py clear_working_days)."""
    clerk, cid = actors("clerk"), world["committee"]
    response, _ = attempt(db, clerk, f"/committees/{cid}/meetings/new", {"meets_on": ["31", "12", "9999"]},
                          tables=["meeting"], allowed=(302, 400), where="POST new meeting in 9999")
    if response.status_code == 302:
        mid = newest(db, "meeting", committee_id=cid)
        started = time.perf_counter()
        get_page(clerk, f"/meetings/{mid}/agenda", "the agenda page of a meeting in 9999")
        assert time.perf_counter() - started < 2, "the agenda page of a meeting in 9999 took more than 2 seconds"


NUL_FORMS = [
    (None, "/sign-in", {"email": "owner\x00@example.org", "password": "x"}, "sign_in_failure", "email"),
    ("hos", "/plans/{plan}/edit", {"title": "Plan\x00", "status": "live"}, "plan", "title"),
    ("hos", "/plans/{plan}/themes/new", {"title": "Theme\x00"}, "priority_theme", "title"),
    ("hos", "/actions/{action}/milestones/new", {"text": "Milestone\x00"}, "milestone", "text"),
    ("owner", "/updates/{update}", {"narrative": "Progress\x00", "intent": "save"}, "progress_update", "narrative"),
    ("clerk", "/meetings/{meeting}/agenda/items", {"title": "Item\x00"}, "agenda_item", "title"),
    ("clerk", "/committees/{committee}/work-plan", {"meeting_id": "{meeting}", "title": "Entry\x00"},
     "work_plan_entry", "title"),
    ("clerk", "/committees/{committee}/edit", {"name": "Committee\x00"}, "committee", "name"),
]


@pytest.mark.parametrize("who,url,form,table,column", NUL_FORMS, ids=[f"{r[3]}-{r[4]}" for r in NUL_FORMS])
def test_text_with_a_nul_character_is_never_stored_with_it(db, world, actors, who, url, form, table, column):
    """A NUL character (0x00) is refused, or dropped, before it reaches the database. PostgreSQL, which
    Docket runs on, refuses it in a text column: today every form is a 500 there (`DataError: PostgreSQL
    text fields cannot contain NUL (0x00) bytes`; on the sign-in page, for anyone, signed in or not).
    SQLite stores it, which is what this test sees when run on SQLite."""
    url = url.format(**world.ids)
    form = {k: v.format(**world.ids) if "{" in v else v for k, v in form.items()}
    response = actors(who).post(url, form)
    no_5xx(response, f"POST {url} with a NUL character")
    t = db.metadata.tables[table]
    with db.engine.connect() as conn:
        stored = [v for v, in conn.execute(sa.select(t.c[column])) if v and "\x00" in v]
    assert not stored, f"{table}.{column} was stored with a NUL character: {stored[0]!r}"


@pytest.mark.parametrize("field,column", [("report_owner", 200), ("expected_report", 300)])
def test_work_plan_text_longer_than_its_column_is_refused_or_cut(db, world, actors, field, column):
    """The work plan's report owner (200 characters) and expected report (300) have no length check:
    SQLite stores 1,000 characters; PostgreSQL, which Docket runs on, refuses the write: a 500."""
    clerk, cid = actors("clerk"), world["committee"]
    response, _ = attempt(db, clerk, f"/committees/{cid}/work-plan",
                          {"meeting_id": str(world["meeting"]), "title": "x", field: "y" * 1000},
                          tables=["work_plan_entry"], allowed=(303, 400), where=f"POST work plan with a long {field}")
    assert_fits(db, ["work_plan_entry"], f"work plan {field}")


def test_a_work_plan_entry_cannot_be_linked_to_a_report_outside_the_committee(db, world, actors):
    """Another directorate's report (here a draft) is not this committee's to plan: linking it is
    refused, as the agenda refuses it ("is not a report for this committee"). Today the clerk's POST
    /work-plan/<entry>/report with its id is accepted (303): app/meetings/workplan.py link_report checks
    nothing, and the report's title and state then show on the work plan, which every signed-in
    person may read."""
    clerk, owner = actors("clerk"), actors("owner")
    attempt(db, clerk, f"/committees/{world['committee']}/work-plan/{world['entry']}/report",
            {"report_id": str(world["other_report"]), "version": version_of(db, "work_plan_entry", world["entry"])},
            tables=["work_plan_entry"], allowed=(400, 403, 404), where="POST link another committee's report")
    page = get_page(owner, f"/committees/{world['committee']}/work-plan", "work plan, as an action owner")
    assert "Highways progress" not in page.text


REQUIRED_TEXT = [
    ("hos", "/plans/{plan}/edit", {"status": "live"}, "title", "plan"),
    ("hos", "/plans/{plan}/themes/new", {}, "title", "priority_theme"),
    ("hos", "/plans/{plan}/actions/new", {"reference": "W1", "status": "live"}, "title", "action"),
    ("hos", "/actions/{action}/milestones/new", {}, "text", "milestone"),
    ("hos", "/plans/{plan}/risks/new", {"reference": "W2"}, "description", "risk"),
    ("hos", "/plans/{plan}/indicators/new", {"polarity": "neutral"}, "description", "indicator"),
    ("clerk", "/committees/{committee}/edit", {}, "name", "committee"),
    ("admin", "/periods/new", {"starts_on": ["1", "1", "2020"], "ends_on": ["31", "3", "2020"],
                               "update_deadline": ["14", "4", "2020"], "signoff_deadline": ["21", "4", "2020"]},
     "name", "reporting_period"),
    ("clerk", "/meetings/{meeting}/agenda/items", {}, "title", "agenda_item"),
    ("clerk", "/committees/{committee}/work-plan", {"meeting_id": "{meeting}"}, "title", "work_plan_entry"),
    ("hos", "/reports/new", {"plan_ids": "{plan}", "period_id": "{period}"}, "title", "report"),
]


@pytest.mark.parametrize("who,url,form,field,table", REQUIRED_TEXT, ids=[f"{r[4]}-{r[3]}" for r in REQUIRED_TEXT])
def test_a_required_answer_of_only_spaces_is_refused(db, world, actors, who, url, form, field, table):
    """"Enter the ..." applies to an answer of spaces, tabs and line breaks as to an empty one (400).
    Today InputRequired lets spaces through on most forms, and the plan, theme, action, milestone,
    risk, indicator and period are saved blank; the committee's name is stripped to None and the
    save is a 500 (`IntegrityError: NOT NULL constraint failed: committee.name`). The agenda item,
    work plan entry and report refuse it already."""
    url = url.format(**world.ids)
    form = {k: v.format(**world.ids) if isinstance(v, str) else v for k, v in form.items()}
    attempt(db, actors(who), url, {**form, field: " \t\n\u00a0 "}, tables=[table, "trail_event"], allowed=(400,),
            where=f"POST {url} with {field} of only spaces")


# --- the count -------------------------------------------------------------------------------------------

def test_zz_at_least_ten_thousand_submissions():
    """Every POST above went through Actor.post, which counts it (tests/hostile/world.py)."""
    total = sum(SUBMISSIONS.values())
    breakdown = ", ".join(f"{name}: {n}" for name, n in SUBMISSIONS.most_common())
    print(f"\n{total} hostile submissions: {breakdown}")
    print(f"CPU seconds: {sum(CPU_SECONDS.values()):.0f} in all; " + ", ".join(
        f"{name}: {t:.1f}" for name, t in sorted(CPU_SECONDS.items(), key=lambda kv: -kv[1])[:12]))
    assert total >= MIN_SUBMISSIONS, f"only {total} submissions: {breakdown}"
