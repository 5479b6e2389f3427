"""The page shell, security headers, migrations and the users CLI."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.models import Role, RoleAssignment, ScopeKind, TrailEvent, User
from tests.conftest import TEST_PASSWORD


def test_models_and_migrations_agree(app, db):
    """The equivalent of `flask db check`, on whichever database the tests run against."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_security_headers_on_every_page(client):
    response = client.c.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_session_cookie_is_httponly_and_samesite(client, people):
    page = client.sign_in("hos@example.org")
    cookie = page.response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_scripts_or_styles_in_pages(sign_in_as):
    """The CSP forbids them, so a page that had one would break: check the markup has none."""
    page = sign_in_as("admin").get("/")
    for script in page.soup.find_all("script"):
        assert script.get("src"), f"inline script: {script}"
    assert not page.soup.find_all(style=True)
    assert not page.soup.find_all("style")


def test_page_shell_has_skip_link_navigation_and_footer(sign_in_as):
    page = sign_in_as("admin").get("/")
    skip = page.soup.select_one("a.govuk-skip-link")
    assert skip["href"] == "#main-content" and page.soup.find(id="main-content")
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__list a")]
    assert nav == ["Home", "Plans", "Reports", "Dashboard", "Committees", "Notifications", "Administration"]
    assert page.soup.select_one("footer a[href='/accessibility']")
    assert page.soup.find("meta", attrs={"name": "csrf-token"})["content"]


def test_navigation_follows_roles(sign_in_as):
    page = sign_in_as("owner").get("/")
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__list a")]
    assert nav == ["Home", "Plans", "Committees", "Notifications"]


def test_each_person_sees_a_home_page_that_fits_their_roles(sign_in_as):
    expectations = {
        "admin": "manage people and their roles",
        "ad": "approve or return committee reports for Children, Education and Communities",
        "hos": "sign off or return progress updates for Children's Specialist Services",
        "owner": "write progress updates for your actions in Children's Specialist Services",
        "clerk": "build agendas and publish agenda packs for Children, Education & Communities Policy",
        "nobody": "ask your Docket administrator to give you a role",
    }
    for who, sentence in expectations.items():
        assert sentence in sign_in_as(who).get("/").text(), who


def test_not_found_and_forbidden_pages_in_house_style(sign_in_as):
    client = sign_in_as("owner")
    missing = client.c.get("/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)
    forbidden = client.c.get("/trail/")
    assert forbidden.status_code == 403
    assert "You do not have permission to see this page" in forbidden.get_data(as_text=True)


def test_unexpected_error_gives_the_500_page_not_a_traceback(sign_in_as, monkeypatch):
    client = sign_in_as("hos")

    def broken(user):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr("app.main.routes.home_for", broken)
    response = client.c.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with Docket" in body
    assert "something unexpected" not in body and "Traceback" not in body


# --- flask users ----------------------------------------------------------------------

def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_grant_list(app, db, org):
    result = cli(app, "users", "create", "Pat.Kay@Example.org", "--name", "Pat Kay",
                 "--job-title", "Head of RAA", "--password", TEST_PASSWORD)
    assert result.exit_code == 0, result.output
    result = cli(app, "users", "grant", "pat.kay@example.org", "head_of_service",
                 "--service", "Children's Specialist Services")
    assert result.exit_code == 0, result.output
    result = cli(app, "users", "grant", "pat.kay@example.org", "clerk", "--committee", str(org["committee"].id))
    assert result.exit_code == 0, result.output
    listing = cli(app, "users", "list").output
    assert "pat.kay@example.org  Pat Kay — Head of RAA" in listing
    assert "Head of Service: Children's Specialist Services" in listing
    assert "Committee clerk: Children, Education & Communities Policy & Scrutiny Committee" in listing
    verbs = db.session.scalars(sa.select(TrailEvent.verb).order_by(TrailEvent.seq)).all()
    assert verbs == ["user_created", "role_granted", "role_granted"]


def test_users_cli_refuses_bad_input_in_plain_english(app, db, org, people):
    cases = [
        (["users", "create", "not-an-email", "--name", "X", "--password", TEST_PASSWORD], "correct format"),
        (["users", "create", "hos@example.org", "--name", "X", "--password", TEST_PASSWORD], "already a person"),
        (["users", "create", "new@example.org", "--name", "X", "--password", "short"], "at least 10 characters"),
        (["users", "grant", "hos@example.org", "head_of_service"], "Say where the Head of Service role applies"),
        (["users", "grant", "hos@example.org", "head_of_service", "--service", "Nope"], "no service called 'Nope'"),
        (["users", "grant", "hos@example.org", "head_of_service", "--committee", "1"], "granted for a service"),
        (["users", "grant", "hos@example.org", "administrator", "--service", "Highways"], "give no scope"),
        (["users", "grant", "ghost@example.org", "administrator"], "no person with the email address"),
    ]
    for args, message in cases:
        result = cli(app, *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)


def test_granting_a_role_twice_changes_nothing(app, db, people):
    before = db.session.scalar(sa.select(sa.func.count(RoleAssignment.id)))
    assert cli(app, "users", "grant", "admin@example.org", "administrator").exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(RoleAssignment.id))) == before


def test_revoke_takes_the_role_away(app, db, people, sign_in_as):
    assert cli(app, "users", "revoke", "admin@example.org", "administrator").exit_code == 0
    assert sign_in_as("admin").c.get("/people/").status_code == 403
    assert db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "role_revoked"))


def test_directorate_scope_reaches_its_services(db, people, org):
    from app.permissions import Scope

    scope = Scope(people["ad"])
    assert org["service"].id in scope.services(Role.ASSISTANT_DIRECTOR)
    assert org["other_service"].id not in scope.services(Role.ASSISTANT_DIRECTOR)
    assert ScopeKind.DIRECTORATE in {a.scope_kind for a in db.session.get(User, people["ad"].id).roles}


def test_unknown_permission_is_an_error_not_an_allow(people):
    import pytest

    from app.permissions import UnknownPermission, can

    with pytest.raises(UnknownPermission):
        can(people["admin"], "launch_missiles")


def test_production_password_hashing_is_memory_hard():
    from argon2 import Type

    from app.auth.passwords import PRODUCTION_HASHER

    assert PRODUCTION_HASHER.type == Type.ID and PRODUCTION_HASHER.memory_cost >= 65536


def test_database_outage_gives_a_503_page(sign_in_as, monkeypatch):
    from sqlalchemy.exc import OperationalError

    client = sign_in_as("hos")

    def unreachable(user):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("app.main.routes.home_for", unreachable)
    response = client.c.get("/")
    assert response.status_code == 503
    assert "Sorry, Docket is unavailable" in response.get_data(as_text=True)


def test_database_connections_get_docket_settings(app, db):
    """SQLite enforces foreign keys and keeps a write-ahead log; PostgreSQL runs no parallel
    query (its workers cost more than Docket's small queries: docs/benchmarks.md)."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() in ("wal", "memory")
            assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}
        else:
            assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
            assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
