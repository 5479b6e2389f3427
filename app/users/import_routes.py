"""Adding people from a CSV in the browser: upload, preview with each row's problems, confirm.

The preview carries the file itself (base64, in a hidden field) and a fingerprint of what
confirming would do. Confirming reads the file again and is refused (409) if the fingerprint
changed: a second click, or someone else's change in between, stores nothing twice."""
import base64
import binascii
from pathlib import Path

from flask import render_template, request
from flask_login import current_user

from app.concurrency import Refused, guarded
from app.extensions import db
from app.permissions import permission_required
from app.users import people_import
from app.users.routes import bp
from app.users.service import UserError

STALE = ("Something changed since this file was checked (it may already have been imported, perhaps by a second "
         "click). Nothing was stored. Here is the file checked again: look at it, then confirm once more.")


def _start(error: str | None = None, status: int = 200):
    return render_template("users/import.html", error=error, max_rows=people_import.MAX_ROWS), status


def _preview_page(pv, data: bytes, filename: str, status: int = 200, stale: str | None = None, error=None):
    return render_template("users/import_preview.html", pv=pv, content=base64.b64encode(data).decode("ascii"),
                           filename=filename, stale=stale, page_error=error), status


@bp.route("/import", methods=["GET", "POST"])
@permission_required("manage_users")
def import_people():
    if request.method == "GET":
        return _start()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _start("Choose a CSV file to upload", 400)
    data = upload.stream.read(people_import.MAX_BYTES + 1)
    filename = Path(upload.filename).name[:200]
    try:
        _, rows = people_import.read_csv(data)
    except people_import.ImportProblem as exc:
        return _start(str(exc), 400)
    pv = people_import.preview(rows)
    return _preview_page(pv, data, filename, 200 if pv.ok else 400)


@bp.route("/import/confirm", methods=["POST"])
@permission_required("manage_users")
def import_confirm():
    try:
        data = base64.b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    filename = (request.form.get("filename") or "")[:200]
    if not data:
        return _start("Choose a CSV file to upload", 400)
    try:
        _, rows = people_import.read_csv(data)
    except people_import.ImportProblem as exc:
        return _start(str(exc), 400)
    pv = people_import.preview(rows)
    if not pv.ok:
        return _preview_page(pv, data, filename, 400)
    if pv.fingerprint != request.form.get("fingerprint"):
        return _preview_page(pv, data, filename, 409, stale=STALE)
    me = current_user._get_current_object()
    try:
        with guarded(STALE):
            outcome = people_import.apply(pv, me, source=filename or None)
    except UserError as exc:
        db.session.rollback()
        return _preview_page(people_import.preview(rows), data, filename, 409, error=str(exc))
    except Refused:
        return _preview_page(people_import.preview(rows), data, filename, 409, stale=STALE)
    db.session.commit()
    # Shown on the page after the POST, not after a redirect: the links are never put in a cookie.
    return render_template("users/import_done.html", outcome=outcome, filename=filename)
