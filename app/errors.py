"""Error pages in the same style as every other page, and never a traceback."""
from flask import render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
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
        db.session.rollback()
        app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, error)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
