"""Import into a plan (upload or paste → preview → confirm) and export from it.

The upload or paste is kept on the server between the preview and the confirmation, under
a random token tied to the plan and the person; on confirmation it is read and checked
again from those bytes (never from anything the browser sends back), and the import is
refused if the plan changed after the preview. A Word document's text, as read from the
bytes at the upload, is kept beside them, so that checking again and confirming do not
parse the document's XML again.
"""
import json
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.models import Plan
from app.permissions import permission_required
from app.plans import bp, transfer
from app.plans.transfer import KINDS, MAX_BYTES, StalePreview, TransferError
from app.plans.transfer.options import from_form, hidden_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
KEEP_SECONDS = 24 * 60 * 60


# --- the upload, kept between preview and confirm ---------------------------------------------

def _storage() -> Path:
    root = current_app.config.get("STORAGE_DIR") or current_app.instance_path
    path = Path(root) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(folder: Path) -> None:
    """Forget uploads nobody confirmed within a day."""
    cutoff = time.time() - KEEP_SECONDS
    for item in folder.glob("*.json"):
        try:
            if item.stat().st_mtime < cutoff:
                item.unlink(missing_ok=True)
                item.with_suffix(".data").unlink(missing_ok=True)
                item.with_suffix(".word").unlink(missing_ok=True)
        except OSError:
            pass


def _store(plan: Plan, source: str, filename: str | None, kind: str | None, data: bytes,
           kept: dict | None = None) -> str:
    """Keep the upload; and a Word document as read (`kept["word"]`), so that checking it again
    and confirming it do not parse the document again (performance, issue 17)."""
    folder = _storage()
    _sweep(folder)
    token = secrets.token_urlsafe(24)  # 32 characters
    (folder / f"{token}.data").write_bytes(data)
    if kept and kept.get("word") is not None:
        from app.plans.transfer.word import kept_text

        (folder / f"{token}.word").write_text(kept_text(kept["word"]), encoding="utf-8")
    (folder / f"{token}.json").write_text(json.dumps({
        "plan_id": plan.id, "user_id": current_user.id, "source": source, "filename": filename, "kind": kind,
        "stored_at": time.time(),
    }))
    return token


def _load(token: str, plan: Plan) -> dict | None:
    """The stored upload, if the token is one of this person's for this plan and still fresh."""
    if not TOKEN.match(token or ""):
        return None
    folder = _storage()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("plan_id") != plan.id or meta.get("user_id") != current_user.id:
        return None
    if time.time() - meta.get("stored_at", 0) > KEEP_SECONDS:
        return None
    kept = {}
    try:
        from app.plans.transfer.word import from_kept

        kept["word"] = from_kept((folder / f"{token}.word").read_text(encoding="utf-8"))
    except OSError:
        pass  # not a Word document, or kept before documents were: read from the bytes
    return {**meta, "data": data, "token": token, "kept": kept}


def _discard(token: str) -> None:
    folder = _storage()
    for suffix in (".json", ".data", ".word"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def _read(stored: dict, options=None) -> transfer.ReadResult:
    if stored["source"] == "paste":
        return transfer.read_paste(stored["data"].decode("utf-8"), stored.get("kind"), options)
    return transfer.read_upload(stored.get("filename") or "", stored["data"], stored.get("kind"), options,
                                kept=stored.get("kept"))


def _choices_for(pv: transfer.Preview) -> dict:
    """What the preview's choices offer: the fields, Docket's people, the reporting periods."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import User
    from app.plans.transfer.current import periods
    from app.plans.transfer.mapping import FIELDS

    needs_people = bool(pv.unknown)
    people = db.session.execute(sa.select(User.id, User.name, User.job_title).where(User.active.is_(True))
                                .order_by(User.name)).all() if needs_people else []
    return {"fields": list(FIELDS.items()), "people": people, "person_options": _person_options(people),
            "periods": periods() if any(r.baseline for t in pv.tables for r in t.rows) else [],
            "hidden": hidden_fields(pv.options) if pv.options else []}


def _person_options(people) -> Callable:
    """The <option>s of Docket's people, written once for the page (a council has thousands of
    people, and the page has a list of them for each person the file names who is not in
    Docket); `options(choice)` marks the one chosen, "user:<id>", as selected."""
    from markupsafe import Markup, escape

    html = "".join(f'<option value="user:{p.id}">{escape(p.name)}'
                   f'{" (" + escape(p.job_title) + ")" if p.job_title else ""}</option>' for p in people)

    def options(choice: str | None) -> Markup:
        if choice and choice.startswith("user:") and choice[5:].isdigit():
            html_chosen = html.replace(f'<option value="{choice}">', f'<option value="{choice}" selected>', 1)
            return Markup(html_chosen)
        return Markup(html)

    return options


# --- pages ---------------------------------------------------------------------------------

def _kind_arg(value) -> str | None:
    return value if value in KINDS else None


def _start_page(plan: Plan, errors: dict | None = None, paste: str = "", kind: str | None = None, status=200):
    errors = errors or {}
    return render_template(
        "plans/import_start.html", plan=plan, errors=errors, paste=paste, kind=kind,
        page_has_errors=bool(errors), max_rows=transfer.MAX_ROWS,
    ), status


def _preview_page(plan: Plan, pv: transfer.Preview, stored: dict, *, stale: str | None = None, status=200):
    paste = stored["data"].decode("utf-8", errors="replace") if stored["source"] == "paste" else ""
    return render_template(
        "plans/import_preview.html", plan=plan, pv=pv, token=stored["token"], source=stored["source"],
        filename=stored.get("filename"), paste=paste, kind=stored.get("kind"), errors={}, stale=stale,
        page_has_errors=not pv.ok, max_rows=transfer.MAX_ROWS, choices=_choices_for(pv),
    ), status


@bp.route("/plans/<int:plan_id>/import")
@permission_required("import_plan", Plan)
def import_start(plan):
    return _start_page(plan)


@bp.route("/plans/<int:plan_id>/import/template.xlsx")
@permission_required("import_plan", Plan)
def import_template(plan):
    return _download(transfer.template_xlsx(plan), XLSX, transfer.filename(plan, "-template.xlsx"))


@bp.route("/plans/<int:plan_id>/import/preview", methods=["POST"])
@permission_required("import_plan", Plan)
def import_preview(plan):
    options = from_form(request.form)
    if request.form.get("token") and request.form.get("source") not in ("paste", "file"):
        # the officer's choices (columns, people, references, period) for the file already checked
        stored = _load(request.form.get("token", ""), plan)
        if stored is None:
            return _start_page(plan, {"file": "That import was checked more than a day ago, or has been saved. "
                                              "Choose the file again."}, status=400)
        try:
            result = _read(stored, options)
        except TransferError as exc:
            return _start_page(plan, {"file" if stored["source"] == "file" else "paste": str(exc)}, status=400)
        pv = transfer.preview(plan, result, options=options)
        return _preview_page(plan, pv, stored, status=200 if pv.ok else 400)
    source = "paste" if request.form.get("source") == "paste" else "file"
    kind = _kind_arg(request.form.get("kind"))
    kept: dict = {}
    if source == "paste":
        text = request.form.get("paste", "")
        try:
            result = transfer.read_paste(text, kind)
        except TransferError as exc:
            kept = text if len(text) <= MAX_BYTES else ""  # too big to send back
            return _start_page(plan, {"paste": str(exc)}, paste=kept, kind=kind, status=400)
        data, filename = text.encode("utf-8"), None
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _start_page(plan, {"file": "Choose a file to upload"}, status=400)
        data = upload.stream.read(MAX_BYTES + 1)
        filename = Path(upload.filename).name[:200]
        if len(data) > MAX_BYTES:
            return _start_page(plan, {"file": "The file is larger than 10 MB. Split it, or save just the sheets "
                                              "to import in a new workbook."}, status=413)
        try:
            result = transfer.read_upload(filename, data, kind, kept=kept)
        except TransferError as exc:
            return _start_page(plan, {"file": str(exc)}, status=400)
    pv = transfer.preview(plan, result, options=options)
    token = _store(plan, source, filename, kind, data, kept)
    stored = {"source": source, "filename": filename, "kind": kind, "data": data, "token": token}
    return _preview_page(plan, pv, stored)


@bp.route("/plans/<int:plan_id>/import/confirm", methods=["POST"])
@permission_required("import_plan", Plan)
def import_confirm(plan):
    stored = _load(request.form.get("token", ""), plan)
    if stored is None:
        flash("That import has already been saved, or was checked more than a day ago. Check it again before "
              "saving it.", "info")
        return redirect(url_for("plans.import_start", plan_id=plan.id))
    options = from_form(request.form)
    try:
        result = _read(stored, options)
    except TransferError as exc:  # only if the rules changed since the preview
        _discard(stored["token"])
        return _start_page(plan, {"file" if stored["source"] == "file" else "paste": str(exc)}, status=400)
    pv = transfer.preview(plan, result, options=options)
    if not pv.ok:
        return _preview_page(plan, pv, stored, status=400)
    if pv.fingerprint != request.form.get("fingerprint"):
        return _preview_page(plan, pv, stored, status=409, stale=transfer.STALE_MESSAGE)
    source = stored.get("filename") or "pasted table"
    try:
        outcome = transfer.apply(plan, pv, current_user, source=source)
    except StalePreview as exc:
        return _preview_page(plan, transfer.preview(plan, result, options=options), stored, status=409,
                             stale=str(exc))
    except TransferError as exc:  # a person or the current position refused as it was stored
        return _preview_page(plan, transfer.preview(plan, result, options=options), stored, status=409,
                             stale=str(exc))
    _discard(stored["token"])
    flash(outcome.sentence(), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


# --- export --------------------------------------------------------------------------------

def _download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",  # a plan names people: keep it out of shared caches
    })


@bp.route("/plans/<int:plan_id>/export.<fmt>")
@permission_required("view_plan", Plan)
def export(plan, fmt):
    if fmt == "xlsx":
        return _download(transfer.export_xlsx(plan), XLSX, transfer.filename(plan, ".xlsx"))
    if fmt == "csv":
        kind = request.args.get("kind", "actions")
        if kind not in KINDS:
            abort(404)
        return _download(transfer.export_csv(plan, kind), "text/csv", transfer.filename(plan, f"-{kind}.csv"))
    abort(404)
