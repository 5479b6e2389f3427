"""Configuration, read from the environment.

Every setting Docket reads is listed here, and in the README's "Configuration" table.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when Docket cannot start because a required setting is missing."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(instance_path: str) -> str:
    """`DATABASE_URL`, or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "docket.db")
    # Heroku-style and plain postgres URLs mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _key(name: str, instance_path: str, development: bool, why: str) -> str:
    """A secret from the environment; in development only, one random key kept in the instance
    folder (`dev-<name>`), so that it survives a restart."""
    key = os.environ.get(name, "").strip()
    if key:
        return key
    if not development:
        raise ConfigError(f"{name} is not set. {why}")
    path = Path(instance_path) / ("dev-" + name.lower().replace("_", "-"))
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _secret_key(instance_path: str, development: bool) -> str:
    return _key("SECRET_KEY", instance_path, development,
                "Set it to a long random string "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))').")


def _trail_key(instance_path: str, development: bool) -> str:
    """The secret that keys the trail's chain (HMAC-SHA256). Kept outside the database, so that
    someone who can change the database cannot write a chain that verifies."""
    return _key("TRAIL_KEY", instance_path, development,
                "Set it to a long random string, different from SECRET_KEY "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))'), and keep "
                "a copy somewhere safe: without it the trail cannot be checked.")


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment (and test overrides)."""
    overrides = overrides or {}
    development = overrides.get("DEVELOPMENT", _bool("DOCKET_DEV") or _bool("FLASK_DEBUG"))
    testing = overrides.get("TESTING", False)
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    idle_minutes = _int("SESSION_IDLE_MINUTES", 30)
    config = {
        "DEVELOPMENT": development,
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance_path, development or testing),
        "SQLALCHEMY_DATABASE_URI": overrides.get("SQLALCHEMY_DATABASE_URI") or database_url(instance_path),
        # Keys the trail's hash chain (app/trail/service.py); never stored in the database.
        "TRAIL_KEY": overrides.get("TRAIL_KEY") or _trail_key(instance_path, development or testing),
        # Sessions: signed cookie, idle timeout enforced server-side too.
        "SESSION_IDLE_MINUTES": idle_minutes,
        # The cookie is sent again only when the session changes (its "last seen" time moves at
        # most once a minute: app/auth/routes.py), so it lasts a little longer than the limit.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=idle_minutes + 2),
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_NAME": "docket_session",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        # CSRF tokens last as long as the session, so a slow form never expires.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # Sign-in throttling (app/auth/throttle.py): this many failures for one e-mail address
        # from one source address in the window refuse that address for that account; this
        # many failures from one source address for any accounts refuse the source.
        "SIGN_IN_MAX_FAILURES": _int("SIGN_IN_MAX_FAILURES", 5),
        "SIGN_IN_MAX_FAILURES_PER_SOURCE": _int("SIGN_IN_MAX_FAILURES_PER_SOURCE", 30),
        "SIGN_IN_WINDOW_MINUTES": _int("SIGN_IN_WINDOW_MINUTES", 15),
        # Behind a reverse proxy that sets X-Forwarded-* (number of proxies).
        "PROXY_FIX": _int("PROXY_FIX", 0),
        # Results kept until anything changes (app/cache.py), per app server process; 0 is off.
        "CACHE_ENTRIES": _int("CACHE_ENTRIES", 512),
        # Uploads: attachments are limited to 10 MB each; this leaves room for the form around them.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 12 * 1024 * 1024,
        # The default for the council's name until an administrator sets it (/admin/settings).
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", "Example Council"),
        # Mail (used by notifications from the progress-update issue onwards).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "docket@localhost"),
        # Sign-in with the council's directory (OpenID Connect, app/auth/oidc.py): off without
        # OIDC_ISSUER. PASSWORD_SIGN_IN: on / admins-only / off (only with OIDC_ISSUER).
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", "").strip(),
        "OIDC_BUTTON_TEXT": os.environ.get("OIDC_BUTTON_TEXT", "").strip() or "Sign in with your council account",
        "OIDC_ALLOWED_DOMAINS": os.environ.get("OIDC_ALLOWED_DOMAINS", ""),
        "OIDC_CREATE_PEOPLE": _bool("OIDC_CREATE_PEOPLE", False),
        "PASSWORD_SIGN_IN": os.environ.get("PASSWORD_SIGN_IN", "on").strip().lower() or "on",
        # Docket's own address, so that links in e-mails are full addresses.
        "BASE_URL": os.environ.get("BASE_URL", "").strip(),
    }
    config.update(overrides)
    # A server database is checked before each use, so that Docket recovers on its own after
    # the server restarts; a SQLite file needs no check (it cost a query a request).
    if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
        server = not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True} if server else {}
    return config
