"""Test fixtures: the app, a database built by the real migrations, a signed-in client per role.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL names a PostgreSQL
database, which is emptied and migrated from scratch at the start of the run.
"""
import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app import create_app
from app.extensions import db as _db
from app.models import GENESIS_HASH, Role, ScopeKind, TrailHead

TEST_PASSWORD = "correct horse battery"

# The trail's key (TRAIL_KEY is required outside development): set in the environment, so that
# every app a test makes, and every server a browser test starts, keys the chain alike.
os.environ.setdefault("TRAIL_KEY", "test-trail-key")


def _database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(Path(tmp_dir) / "test.db")


@pytest.fixture(scope="session")
def app():
    from app.auth import passwords

    passwords.use_fast_hashing_for_tests()
    tmp_dir = tempfile.mkdtemp(prefix="docket-test-")
    url = _database_url(tmp_dir)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": None,
            "STORAGE_DIR": str(Path(tmp_dir) / "storage"),
        }
    )
    with app.app_context():
        if url.startswith("postgresql"):
            with _db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
    yield app


@pytest.fixture()
def db(app):
    """The database, emptied after each test (the migrations ran once for the session)."""
    with app.app_context():
        yield _db
        _db.session.remove()
        tables = [t for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            for table in tables:
                if table.name == "trail_head":
                    conn.execute(table.update().values(last_seq=0, last_hash=GENESIS_HASH))
                else:
                    conn.execute(table.delete())


# --- people ---------------------------------------------------------------------------

@pytest.fixture()
def org(db):
    """A small council: one directorate, two services, a committee."""
    from app.models import Committee, Directorate, Service

    directorate = Directorate(name="Children, Education and Communities")
    other_directorate = Directorate(name="Place")
    service = Service(name="Children's Specialist Services", directorate=directorate)
    other = Service(name="Highways", directorate=other_directorate)
    committee = Committee(name="Children, Education & Communities Policy & Scrutiny Committee")
    db.session.add_all([directorate, other_directorate, service, other, committee])
    db.session.commit()
    return {"directorate": directorate, "service": service, "other_service": other, "committee": committee}


@pytest.fixture()
def make_user(db):
    from app.users.service import create_user, grant_role

    def make(email, name=None, role=None, scope_kind=None, scope=None, job_title=None):
        user = create_user(email, name or email.split("@")[0].title(), TEST_PASSWORD, job_title)
        if role is not None:
            grant_role(user, role, scope_kind or ScopeKind.EVERYTHING, scope)
        db.session.commit()
        return user

    return make


@pytest.fixture()
def people(org, make_user):
    """One person per role, scoped to the first service, directorate and committee."""
    return {
        "admin": make_user("admin@example.org", "Ada Admin", Role.ADMINISTRATOR),
        "ad": make_user("ad@example.org", "Alex Director", Role.ASSISTANT_DIRECTOR,
                        ScopeKind.DIRECTORATE, org["directorate"]),
        "hos": make_user("hos@example.org", "Hari Head", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE, org["service"]),
        "owner": make_user("owner@example.org", "Olu Owner", Role.ACTION_OWNER, ScopeKind.SERVICE, org["service"]),
        "clerk": make_user("clerk@example.org", "Cleo Clerk", Role.CLERK, ScopeKind.COMMITTEE, org["committee"]),
        "nobody": make_user("nobody@example.org", "Nia Nobody"),
    }


# --- clients that read pages as a person would ----------------------------------------

class Page:
    """A parsed HTML response with the checks every page must pass."""

    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        self.soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    @property
    def h1(self) -> str:
        return self.soup.find("h1").get_text(" ", strip=True)

    @property
    def title(self) -> str:
        return self.soup.title.get_text(strip=True)

    def text(self) -> str:
        main = self.soup.find("main") or self.soup
        return re.sub(r"\s+", " ", main.get_text(" ", strip=True))

    def error_summary(self) -> list[str]:
        box = self.soup.select_one(".govuk-error-summary")
        return [a.get_text(strip=True) for a in box.select("a")] if box else []

    def field_error(self, field_id: str) -> str | None:
        err = self.soup.select_one(f"#{field_id}-error")
        return err.get_text(" ", strip=True).replace("Error:", "").strip() if err else None

    def check_structure(self) -> None:
        """One <h1>; a <title> that starts with it; unique ids; an action on every form."""
        h1s = self.soup.find_all("h1")
        assert len(h1s) == 1, f"expected one <h1>, found {len(h1s)}"
        title = self.title
        if title.startswith("Error: "):
            title = title[len("Error: "):]
        assert title.startswith(self.h1), f"title {title!r} does not start with h1 {self.h1!r}"
        ids = [el["id"] for el in self.soup.find_all(id=True)]
        dupes = {i for i in ids if ids.count(i) > 1}
        assert not dupes, f"duplicate ids: {dupes}"
        for form in self.soup.find_all("form"):
            assert form.get("action"), f"form without an action: {str(form)[:120]}"


class _FreshContextClient:
    """Each request runs in its own app context, as in production: without this, a test's
    open app context would be reused and `g` (and the database session) would leak
    from one request to the next."""

    def __init__(self, app):
        self.app = app
        self._client = app.test_client()

    def open(self, *args, **kwargs):
        with self.app.app_context():
            return self._client.open(*args, **kwargs)

    def get(self, *args, **kwargs):
        kwargs["method"] = "GET"
        return self.open(*args, **kwargs)

    def post(self, *args, **kwargs):
        kwargs["method"] = "POST"
        return self.open(*args, **kwargs)

    def session_transaction(self, *args, **kwargs):
        return self._client.session_transaction(*args, **kwargs)


class Client:
    def __init__(self, app):
        self.c = _FreshContextClient(app)

    def get(self, url, **kw) -> Page:
        page = Page(self.c.get(url, **kw))
        if page.status == 200 and page.response.mimetype == "text/html":
            page.check_structure()
        return page

    def csrf_token(self, url="/accessibility") -> str:
        html = self.c.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        return match.group(1)

    def post(self, url, data=None, follow=False, token_from=None, **kw) -> Page:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from or "/accessibility"))
        page = Page(self.c.post(url, data=data, follow_redirects=follow, **kw))
        if page.status in (200, 400, 401, 409, 422) and page.response.mimetype == "text/html":
            page.check_structure()
        return page

    def sign_in(self, email, password=TEST_PASSWORD) -> Page:
        return self.post("/sign-in", {"email": email, "password": password})


@pytest.fixture()
def client(app, db):
    return Client(app)


@pytest.fixture()
def sign_in_as(app, people):
    """sign_in_as("hos") -> a Client signed in as that person."""

    def make(who: str) -> Client:
        c = Client(app)
        page = c.sign_in(people[who].email)
        assert page.status == 302, f"could not sign in as {who}: {page.text()[:200]}"
        return c

    return make
