"""htmx helpers: a partial only for real htmx requests, never for history restores."""
from flask import request


def wants_partial() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
