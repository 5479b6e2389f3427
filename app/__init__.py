"""Docket: service improvement plans from progress update to committee."""
import logging

from collections import ChainMap
from functools import cached_property

from flask import Flask, Request, redirect, request, url_for
from flask.templating import Environment as FlaskEnvironment
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from app import config as config_module
from app.extensions import csrf, db, login_manager, migrate

ROOT = __file__.rsplit("/app/", 1)[0]


class DocketRequest(Request):
    """Form and query values with NUL characters removed: no database can store them, and
    nobody types them. Which values had one is kept (`nul_removed`), so that a text box can
    refuse it beside the field (app/forms.py) rather than change what was sent unseen. A
    url-encoded form is decoded in memory bounded by its size (app/formdata.py)."""

    from app.formdata import BoundedFormParser as form_data_parser_class

    @cached_property
    def nul_removed(self) -> set:
        return set()

    def _clean(self, values):
        cleaned = []
        for k, v in values.items(multi=True):
            if isinstance(v, str) and "\x00" in v:
                self.nul_removed.add(k)
                v = v.replace("\x00", "")
            cleaned.append((k, v))
        return ImmutableMultiDict(cleaned)

    @cached_property
    def form(self):
        return self._clean(super().form)

    @cached_property
    def args(self):
        return self._clean(super().args)


class BoundedIntConverter(IntegerConverter):
    """An id in a URL: larger than a database integer is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(overrides: dict | None = None) -> Flask:
    Flask.request_class = DocketRequest
    app = Flask(
        __name__,
        template_folder=f"{ROOT}/templates",
        static_folder=f"{ROOT}/static",
        instance_path=f"{ROOT}/instance",
    )
    app.jinja_environment = DocketEnvironment  # before the environment is made (register_templates)
    app.config.from_mapping(config_module.load(app.instance_path, overrides))
    app.url_map.converters["int"] = BoundedIntConverter
    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_cli(app)
    register_proxy(app)
    logging.basicConfig(level=logging.INFO)
    return app


class _TemplateGlobals(ChainMap):
    """A template's globals (its own, then the environment's), as Jinja keeps them, with one
    change: `keys()` answers a set. Jinja asks `context keys - template.globals.keys()` for every
    `{% from … import … %}` of every render (dozens a page, with GOV.UK's macros); over a
    ChainMap's key view that is one Python-level look-up per key, which cost a page about as much
    as the rest of its template. A set difference is one C call."""

    def keys(self):
        return set().union(*self.maps)


class DocketEnvironment(FlaskEnvironment):
    def make_globals(self, d):
        return _TemplateGlobals(d or {}, self.globals)


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    # GOV.UK's own, for a Docket template that wraps one of them (app/htmx.py)
                    "govuk_frontend_jinja_original": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)
    from app import filters

    filters.register(app)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=f"{ROOT}/migrations", render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.permissions import load_with_scope

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            id_part, token = user_id.split(":", 1)
            user = load_with_scope(int(id_part))
        except (ValueError, TypeError):
            return None
        if user is None or user.session_token != token or not user.active:
            return None
        return user


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    """SQLite: write-ahead log, enforced foreign keys, wait rather than fail on a lock, and a
    larger page cache.

    PostgreSQL: no parallel query. Docket's queries are small and follow indexes; starting
    parallel workers for one took longer than the query (the dashboard's timeliness query went
    from 2.7 ms to 12.6 ms when the planner chose it), and on a small server the workers take
    the cores other requests need (docs/benchmarks.md)."""
    module = type(dbapi_connection).__module__
    if "psycopg" in module:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.autocommit = autocommit
        return
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A page cache of up to 32 MiB a connection (SQLite's default is 2 MiB): the dashboard's
    # look-up of a directorate's 800 updates went from 4.1 to 0.9 ms once they stayed in it.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from app.auth import bp as auth_bp
    from app.main import bp as main_bp
    from app.meetings import bp as meetings_bp
    from app.notifications.routes import bp as notifications_bp
    from app.plans import bp as plans_bp
    from app.reports import bp as reports_bp
    from app.updates import bp as updates_bp
    from app.trail.routes import bp as trail_bp
    from app.users.routes import bp as users_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(updates_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(trail_bp)
    # --- organisation, committees and settings (issue 12) ---
    from app import settings
    from app.organisation.routes import bp as organisation_bp

    app.register_blueprint(organisation_bp)
    settings.register(app)
    # --- directory sign-in (issue 15) ---
    from app.auth import oidc
    from app.auth.oidc_routes import bp as oidc_bp

    oidc.check_config(app.config)
    app.register_blueprint(oidc_bp)
    # --- plan import in the council's own shape (issue 13) ---
    # --- plan fields, current position and export (issue 13) ---
    # --- committee papers (issue 14) ---
    # --- exempt items, councillors and public agendas (issue 14) ---
    from app.public import bp as public_bp, councillors_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(councillors_bp)
    # --- the clerk's editing tools and the pack (issue 14) ---
    # --- the owner's quarter (issue 16) ---
    # --- sign-off, approval, dashboard and reports (issue 16) ---
    # --- performance (issue 17) ---


def register_request_hooks(app: Flask) -> None:
    from app import htmx, navigation, notifications, security
    from app.auth.routes import enforce_idle_timeout

    @app.before_request
    def require_sign_in():
        """Secure by default: every page needs a signed-in person unless marked public."""
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.sign_in", next=target))
        return None

    app.before_request(enforce_idle_timeout)
    htmx.register(app)  # its form dispatch goes first, before the form-token check
    security.register(app)
    security.register_compression(app)  # performance (issue 17): compression, static cache lifetimes
    from app import cache

    cache.init_app(app)
    navigation.register(app)
    notifications.register(app)

    @app.after_request
    def vary_on_htmx(response):
        response.vary.add("HX-Request")
        return response


def register_error_handlers(app: Flask) -> None:
    from app import errors

    errors.register(app)


def register_cli(app: Flask) -> None:
    from app.demo.cli import demo_command
    from app.notifications.cli import notifications_cli, reminders_cli
    from app.backup import backup_command
    from app.plans.cli import plans_cli
    from app.trail.cli import trail_cli
    from app.users.cli import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(trail_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(plans_cli)
    app.cli.add_command(backup_command)
    # --- organisation, committees and settings (issue 12) ---
    from app.organisation.cli import committees_cli, directorates_cli, services_cli

    app.cli.add_command(directorates_cli)
    app.cli.add_command(services_cli)
    app.cli.add_command(committees_cli)
    # --- plan import in the council's own shape (issue 13) ---
    # --- plan fields, current position and export (issue 13) ---
    # --- committee papers (issue 14) ---
    # --- exempt items, councillors and public agendas (issue 14) ---
    from app.public.cli import councillors_cli

    app.cli.add_command(councillors_cli)
    # --- the clerk's editing tools and the pack (issue 14) ---
    # --- the owner's quarter (issue 16) ---
    # --- sign-off, approval, dashboard and reports (issue 16) ---
    # --- performance (issue 17) ---


def register_proxy(app: Flask) -> None:
    hops = app.config.get("PROXY_FIX") or 0
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
