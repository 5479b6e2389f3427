"""Browser tests: real Chromium (Debian's package) driven by Playwright for Python, against
Docket served on 127.0.0.1, with axe-core run on every page a test visits.

On a developer's machine without Chromium these tests skip with a loud message; under CI
(the CI variable set) a missing Chromium fails the run instead.
"""
import os
import re
import shutil
import threading
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


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium): browser tests cannot run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("!" * 10 + " " + message + " " + "!" * 10)
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


class AxeViolations(AssertionError):
    pass


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

    def __init__(self, browser, base_url: str, javascript: bool):
        self.base_url = base_url
        self.javascript = javascript
        self.context = browser.new_context(java_script_enabled=javascript, bypass_csp=True,
                                           base_url=base_url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.navigations = 0
        self.audited = 0
        self.page.on("framenavigated", self._navigated)
        self._audit_context = None

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.navigations += 1

    def goto(self, path: str):
        self.page.goto(path)
        return self.page

    def check(self):
        """Assert the current page has no axe violations."""
        if self.javascript:
            violations = _run_axe(self.page)
        else:
            violations = self._audit_without_scripts()
        self.audited = self.navigations
        if violations:
            raise AxeViolations(f"axe found problems on {self.page.url}: {violations}")
        return self.page

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
def visit(browser, live_server, db):
    """visit(javascript=True) -> a fresh browser tab on the live server."""
    opened = []

    def make(javascript: bool = True) -> Visit:
        v = Visit(browser, live_server, javascript)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()
