"""Security headers on every response; compression; long cache lifetimes for static files.

Pages, style sheets and scripts are compressed (brotli or gzip, as the browser asks) by
Flask-Compress, unless `COMPRESS_RESPONSES=0` says a reverse proxy does it. Every link to a
static file (`url_for('static', ...)`) carries `?v=` and the first 12 hex digits of the file's
SHA-256, so its address changes when the file does; a request with the current `v` is told
to keep the file for a year (`immutable`), any other for an hour.
"""
import hashlib
import os

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


STATIC_MAX_AGE = 365 * 24 * 3600
UNVERSIONED_MAX_AGE = 3600
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "image/svg+xml"]
_hashes: dict[str, tuple[float, str]] = {}


def static_version(app, filename: str) -> str | None:
    """The first 12 hex digits of a static file's SHA-256 (worked out again when it changes)."""
    path = os.path.join(app.static_folder, filename)
    known = _hashes.get(path)
    if known is not None and not getattr(app, "debug", True):
        return known[1]  # in production a deployment restarts the server: no need to look again
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    if known is None or known[0] != mtime:
        with open(path, "rb") as f:
            known = (mtime, hashlib.sha256(f.read()).hexdigest()[:12])
        _hashes[path] = known
    return known[1]


def register_compression(app):
    if os.environ.get("COMPRESS_RESPONSES", "1").strip().lower() in ("0", "off", "no", "false"):
        app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    from flask_compress import Compress

    Compress(app)


def register(app):
    from flask import request

    @app.url_defaults
    def version_static_files(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":
            # Pages show personal and unpublished information: never keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            versioned = request.args.get("v") and request.args["v"] == static_version(app, filename)
            response.headers["Cache-Control"] = (f"public, max-age={STATIC_MAX_AGE}, immutable" if versioned
                                                 else f"public, max-age={UNVERSIONED_MAX_AGE}")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
