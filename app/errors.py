"""Error pages in the same style as every other page, and never a traceback."""
from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from app.extensions import db

MESSAGES = {
    400: ("There was a problem with your request", "Docket could not understand what was sent. Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should have access, ask your Docket administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."),
    405: ("That cannot be done here", "Go back and use the buttons on the page."),
    413: ("The file is too large", "Go back and choose a smaller file."),
    500: ("Sorry, there is a problem with Docket", "Try again later. Nothing you had already saved has been lost."),
    503: ("Sorry, Docket is unavailable", "Docket cannot reach its database just now. Try again in a few minutes: nothing you had already saved has been lost."),
}


WROTE = "docket_wrote"  # set in a session's info once it has written anything


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context):
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def render_error(status: int, detail: str | None = None):
    title, body = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    return render_template("errors/error.html", title=title, body=detail or body, status=status), status


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "This form could not be sent because your session had expired or the page was out of date. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        from app.settings import remember_council_name

        db.session.rollback()
        # The page must not need the database. Rendering any template asks Flask-Login for
        # current_user; if the person was not loaded yet, that queries the database again,
        # fails inside this handler, and the person gets a bare 500 instead of this page.
        g._login_user = app.login_manager.anonymous_user()
        if "docket_settings" not in g and "docket_council_name" not in g:
            remember_council_name(None)  # the page shows the configured name rather than ask the database
        app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, error)
        return render_error(503)

    @app.before_request
    def note_the_method():
        g.docket_safe_method = request.method in ("GET", "HEAD")

    @app.teardown_appcontext
    def close_database_session(exc):
        """End the request's transaction before Flask-SQLAlchemy's own teardown does (teardowns
        run last-registered first). If the database went away after the page was built, the
        ROLLBACK fails; that must not turn a finished page into a bare 500 from the server."""
        try:
            session = db.session()
            if (exc is None and g.get("docket_safe_method") and session.in_transaction()
                    and not (session.info.get(WROTE) or session.new or session.dirty or session.deleted)):
                # A request that wrote nothing ends with COMMIT rather than ROLLBACK: the same
                # for the data, but psycopg discards the connection's prepared statements on
                # every ROLLBACK, and PostgreSQL would plan every query of every page afresh.
                session.commit()
            db.session.remove()
        except DBAPIError as error:
            db.session.registry.clear()  # the connection was invalidated; the pool reconnects
            app.logger.error("Database connection lost while ending a request: %s", error)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def value_out_of_range(error):
        """A number (an id, say) too large for the database: the request was wrong, not Docket."""
        db.session.rollback()
        return render_error(400, "A number in what was sent is too large. Go back and check it.")

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
