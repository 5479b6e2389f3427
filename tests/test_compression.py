"""Pages, style sheets and scripts are sent compressed; static files are kept by browsers for a
year under names that change when they do (app/security.py)."""
import gzip
import re
import zlib
from pathlib import Path
from types import SimpleNamespace

import brotli

from app import security

ROOT = Path(__file__).resolve().parent.parent


def _static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_compressed_when_the_browser_accepts_it(app, client):
    plain = app.test_client().get("/sign-in")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    br = app.test_client().get("/sign-in", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    body = brotli.decompress(br.data).decode()
    assert "Sign in" in body and len(br.data) < len(plain.data) / 2
    gz = app.test_client().get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert "Sign in" in gzip.decompress(gz.data).decode()
    assert br.headers["Cache-Control"] == "no-store"  # pages are still never kept by shared caches


def test_a_signed_in_page_is_compressed_too(sign_in_as):
    owner = sign_in_as("owner")
    response = owner.c.get("/", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert "My tasks" in brotli.decompress(response.data).decode()


def test_style_sheets_and_scripts_are_compressed(app, client):
    page = app.test_client().get("/sign-in").get_data(as_text=True)
    links = _static_links(page)
    css = next(link for link in links if link.split("?")[0].endswith("govuk-frontend.min.css"))
    js = next(link for link in links if link.split("?")[0].endswith("htmx.min.js"))
    for link in (css, js):
        original = (ROOT / link.split("?")[0].lstrip("/")).read_bytes()
        response = app.test_client().get(link, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.status_code == 200
        encoding = response.headers["Content-Encoding"]
        data = response.get_data()
        unpacked = brotli.decompress(data) if encoding == "br" else zlib.decompress(data)
        assert unpacked == original and len(data) < len(original) / 2
        response.close()


def test_static_files_are_named_by_their_content_and_kept_for_a_year(app, client):
    page = app.test_client().get("/sign-in").get_data(as_text=True)
    links = _static_links(page)
    assert links and all("?v=" in link for link in links)  # every one: style sheets, scripts, icon
    link = next(link for link in links if "docket.css" in link)
    version = link.split("?v=")[1]
    assert version == security.static_version(app, "css/docket.css")
    kept = app.test_client().get(link)
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    kept.close()
    stale = app.test_client().get(link.split("?")[0] + "?v=000000000000")  # an old name
    assert stale.headers["Cache-Control"] == "public, max-age=3600"
    stale.close()
    bare = app.test_client().get(link.split("?")[0])  # as a style sheet names its fonts
    assert bare.headers["Cache-Control"] == "public, max-age=3600"
    bare.close()


def test_a_changed_file_gets_a_new_name(tmp_path):
    fake = SimpleNamespace(static_folder=str(tmp_path))
    target = tmp_path / "site.css"
    target.write_text("body { color: black }")
    first = security.static_version(fake, "site.css")
    assert first == security.static_version(fake, "site.css")
    target.write_text("body { color: navy }")
    import os

    os.utime(target, (1, 1))  # a new modification time, as any edit or deployment gives
    assert security.static_version(fake, "site.css") != first
    assert security.static_version(fake, "missing.css") is None
