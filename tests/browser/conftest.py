"""Browser tests: real Chromium (Debian's package) driven by Playwright for Python, against
Docket served on 127.0.0.1. Every page a test checks (`Visit.check()`) must pass: axe-core
(WCAG 2.2 AA); target size (WCAG 2.5.8: every target 24 by 24 CSS px or spaced as the
criterion allows); the Nu HTML Checker (vnu.jar, the W3C's validator) on the HTML Docket
served; and reflow (WCAG 1.4.10): at a 320 CSS px wide viewport the page does not scroll
sideways.

On a developer's machine without Chromium, or without Java and vnu.jar (`npm ci` installs
vnu.jar into node_modules/), these tests skip with a loud message; under CI (the CI variable
set) a missing Chromium, Java or vnu.jar fails the run instead.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

AXE_SOURCE = (Path(__file__).parent.parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


REPO = Path(__file__).resolve().parent.parent.parent
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REFLOW_WIDTH = 320  # CSS px: WCAG 1.4.10 (the same as 1280 px at 400 % zoom)


def _missing(message: str):
    """Fail under CI, skip loudly on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip("!" * 10 + " " + message + " " + "!" * 10)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium): browser tests cannot run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class Vnu:
    """The Nu HTML Checker, started once per test session as a local HTTP service."""

    def __init__(self, port: int, process: subprocess.Popen, log):
        self.url = f"http://127.0.0.1:{port}/?out=json"
        self.process = process
        self.log = log

    def errors(self, html: str) -> list[str]:
        """Every error vnu finds in the document, as "line N: message"."""
        request = urllib.request.Request(self.url, data=html.encode("utf-8"), method="POST",
                                         headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [f"line {m.get('lastLine', '?')}: {m['message']}" for m in messages
                if m["type"] == "error" or m.get("subType") == "fatal"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def vnu():
    java = shutil.which("java")
    if java is None:
        _missing("Java is not installed (apt-get install default-jre-headless): vnu cannot check the pages")
    if not VNU_JAR.exists():
        _missing(f"vnu.jar is missing ({VNU_JAR}; run `npm ci` in {REPO}): the pages cannot be checked")
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [java, "-Xss8m", "-Xmx1g", "-cp", str(VNU_JAR), "-Dnu.validator.servlet.bind-address=127.0.0.1",
         "nu.validator.servlet.Main", str(port)], stdout=log, stderr=subprocess.STDOUT)
    checker = Vnu(port, process, log)
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                checker.errors("<!DOCTYPE html><html lang=en><title>ready</title>")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"vnu did not start: {log.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.3)
        yield checker
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class AxeViolations(AssertionError):
    pass


class SmallTargets(AssertionError):
    pass


# WCAG 2.2 2.5.8 Target Size (Minimum): every pointer target is at least 24 by 24 CSS px, or
# a 24 px circle centred on it touches no other target (nor another small target's circle).
# Links within text (display: inline) are exempt, as the criterion allows; so are the
# visually hidden (the skip link until it has the focus).
_SMALL_TARGETS = """() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const targets = [];
    for (const el of document.querySelectorAll(selector)) {
        const style = getComputedStyle(el);
        if (el.tagName === 'A' && style.display === 'inline') continue;
        if (style.visibility === 'hidden' || el.closest('details:not([open]) > :not(summary)')) continue;
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;
        targets.push({el, r, cx: r.left + r.width / 2, cy: r.top + r.height / 2,
                      small: r.width < 23.95 || r.height < 23.95});
    }
    const distanceToBox = (x, y, r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
    const problems = [];
    for (const t of targets) {
        if (!t.small) continue;
        const crowded = targets.some(o => o !== t && !o.el.contains(t.el) && !t.el.contains(o.el) &&
            (distanceToBox(t.cx, t.cy, o.r) < 12 || (o.small && Math.hypot(t.cx - o.cx, t.cy - o.cy) < 24)));
        if (crowded) {
            const name = (t.el.innerText || t.el.value || t.el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
            problems.push(`${t.el.tagName.toLowerCase()} "${name}" is ${Math.round(t.r.width * 10) / 10} x ${Math.round(t.r.height * 10) / 10} px`);
        }
    }
    return problems;
}"""


class InvalidHtml(AssertionError):
    pass


class ScrollsSideways(AssertionError):
    pass


# The elements that stick out of a page REFLOW_WIDTH px wide (each one past its parent's right
# edge, outside any container that scrolls by itself), widest first.
_OVERFLOWING = """(width) => {
    const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].map(c => '.' + c).join('')
        + ' "' + (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50) + '"';
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        const right = box.right + window.scrollX;
        if (right <= width + 0.5 || box.width === 0) continue;
        // An absolutely positioned element escapes every scrolling ancestor below its
        // containing block (the nearest positioned ancestor).
        let escapes = ['absolute', 'fixed'].includes(getComputedStyle(el).position), clipped = false;
        const absolute = escapes;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (escapes && getComputedStyle(a).position !== 'static') escapes = false;
            if (!escapes && scrolls(a)) { clipped = true; break; }
        }
        if (clipped) continue;
        const parent = el.parentElement.getBoundingClientRect();
        if (!absolute && box.right <= parent.right + 0.5 && el.parentElement !== document.body) continue;
        found.push([Math.round(right), describe(el)]);
    }
    found.sort((a, b) => b[0] - a[0]);
    return found.slice(0, 5).map(([r, d]) => d + ' reaches ' + r + ' px');
}"""


def _run_axe(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""",
        AXE_TAGS,
    )


class Visit:
    """One person's browser tab. Call `check()` on every page the test reaches: it runs axe
    (and, with JavaScript off, audits the page's HTML in a second, scripting tab)."""

    def __init__(self, browser, base_url: str, javascript: bool, vnu: Vnu):
        self.vnu = vnu
        self.served = None  # the main frame's last page as Docket sent it, until checked
        self.base_url = base_url
        self.javascript = javascript
        self.context = browser.new_context(java_script_enabled=javascript, bypass_csp=True,
                                           base_url=base_url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.navigations = 0
        self.audited = 0
        self.page.on("framenavigated", self._navigated)
        self.page.on("response", self._responded)
        self._audit_context = None

    def _responded(self, response):
        if (response.frame == self.page.main_frame and response.request.is_navigation_request()
                and not 300 <= response.status < 400):
            self.served = response

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.navigations += 1

    def goto(self, path: str):
        self.page.goto(path)
        return self.page

    def check(self):
        """Assert the current page's targets are 24 by 24 CSS px (or spaced), it has no axe
        violations, it is valid HTML (vnu) and it reflows into 320 CSS px without scrolling
        sideways."""
        self.audited = self.navigations
        # Measure the page as a person sees it: after its style sheets have loaded (a click
        # returns once the new page has started, which may be before its CSS applies).
        self.page.wait_for_load_state("load")
        small = self.page.evaluate(_SMALL_TARGETS)
        if small:
            raise SmallTargets(f"targets smaller than 24 by 24 CSS px, too close to others, on {self.page.url}: {small}")
        if self.javascript:
            violations = _run_axe(self.page)
        else:
            violations = self._audit_without_scripts()
        if violations:
            raise AxeViolations(f"axe found problems on {self.page.url}: {violations}")
        self._validate()
        self._check_reflow()
        return self.page

    def _validate(self):
        """vnu on the HTML Docket served for this page; after htmx changed the page without a
        navigation, on the page as it now is (what htmx swapped in is Docket's HTML too)."""
        served, self.served = self.served, None
        if served is not None and "text/html" in (served.header_value("content-type") or ""):
            html, what = served.text(), "the HTML served"
        else:
            html, what = self.page.content(), "the page after scripts changed it"
        errors = self.vnu.errors(html)
        if errors:
            raise InvalidHtml(f"vnu found {len(errors)} error(s) in {what} at {self.page.url}:\n  "
                              + "\n  ".join(errors))

    def _check_reflow(self):
        """WCAG 1.4.10: at 320 CSS px wide the page does not scroll sideways (a wide table
        scrolls inside its own labelled, focusable region instead)."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
        try:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            culprits = self.page.evaluate(_OVERFLOWING, REFLOW_WIDTH) if width > REFLOW_WIDTH else []
        finally:
            self.page.set_viewport_size(size)
        if width > REFLOW_WIDTH:
            raise ScrollsSideways(f"{self.page.url} is {width} px wide at a {REFLOW_WIDTH} px wide viewport "
                                  f"(it must not scroll sideways); widest: {culprits}")

    def _audit_without_scripts(self):
        """Scripts cannot run in a JavaScript-off tab, so serve its exact HTML (scripts
        removed) at the same address in a scripting tab, and run axe there."""
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", self.page.content(), flags=re.S | re.I)
        if self._audit_context is None:
            self._audit_context = self.page.context.browser.new_context(bypass_csp=True)
        audit = self._audit_context.new_page()
        url = self.page.url
        audit.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        audit.goto(url)
        try:
            return _run_axe(audit)
        finally:
            audit.close()

    def close(self):
        unaudited = self.navigations - self.audited
        self.context.close()
        if self._audit_context:
            self._audit_context.close()
        assert unaudited == 0, f"{unaudited} page(s) were visited without an axe check"


@pytest.fixture()
def visit(browser, live_server, vnu, db):
    """visit(javascript=True) -> a fresh browser tab on the live server."""
    opened = []

    def make(javascript: bool = True) -> Visit:
        v = Visit(browser, live_server, javascript, vnu)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()
