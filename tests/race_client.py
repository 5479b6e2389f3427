"""Real concurrency for tests: Docket served by a threaded werkzeug server on 127.0.0.1, and
HTTP clients that each keep their own session (cookies), as separate browsers would.

    with serving(app) as base:
        people = [Browser(base) for _ in range(10)]
        for p in people: p.sign_in("hos@example.org")
        results = at_once([lambda p=p: p.post("/delegation", {...}) for p in people])
"""
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

from tests.conftest import TEST_PASSWORD
from tests.racing import _NoRedirect, serving  # noqa: F401 (serving is used from here by the tests)


class Reply:
    def __init__(self, status: int, body: str, location: str | None):
        self.status, self.body, self.location = status, body, location

    def text(self) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.body))


class Browser:
    """One person's browser: its own cookies, so its own session and form token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def _open(self, request) -> Reply:
        try:
            with self.opener.open(request, timeout=120) as response:
                return Reply(response.status, response.read().decode(), response.headers.get("Location"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(errors="replace"), error.headers.get("Location"))

    def get(self, path: str) -> Reply:
        return self._open(urllib.request.Request(self.base + path))

    def token(self) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.get("/accessibility").body).group(1)

    def post(self, path: str, data: dict, token: str | None = None) -> Reply:
        fields = dict(data)
        fields.setdefault("csrf_token", token or self.token())
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def post_file(self, path: str, name: str, data: bytes, token: str) -> Reply:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._open(request)

    def sign_in(self, email: str) -> None:
        reply = self.post("/sign-in", {"email": email, "password": TEST_PASSWORD})
        assert reply.status == 302, f"could not sign in as {email}: {reply.status}"


def at_once(calls, timeout: float = 120) -> list:
    """Run each call in its own thread, all released together by a barrier; their results
    (or the exception each raised) in order."""
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results = [None] * len(calls)

    def run(n, call):
        barrier.wait()
        try:
            results[n] = call()
        except Exception as exc:  # reported by the caller's assertions
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
