"""Attachments to progress updates: PDF, Word and Excel files, checked by what they contain
(not by their name), kept in the database so that every app server can serve them."""
import hashlib
import io
import re
import secrets
import zipfile

import sqlalchemy as sa
from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from app.concurrency import Refused, guarded
from app.extensions import db
from app.models import Attachment, AttachmentContent, ProgressUpdate, UpdateState
from app.permissions import can, permission_required
from app.trail import record
from app.updates import bp
from app.updates.pdf_check import problem_in_pdf

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 100 * 1024 * 1024  # a Word or Excel file that unpacks to more than this is refused

KINDS = {
    "pdf": ("application/pdf", {".pdf"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "doc": ("application/msword", {".doc"}),
    "xls": ("application/vnd.ms-excel", {".xls"}),
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class AttachmentRefused(ValueError):
    pass


def sniff(data: bytes, filename: str) -> str:
    """The kind of file by its content; refuses anything else, or a name that disagrees."""
    name = filename.lower()
    ext = name[name.rfind("."):] if "." in name else ""
    if not data:
        raise AttachmentRefused("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused("The selected file must be smaller than 10 MB")
    kind = None
    if data.startswith(b"%PDF-"):
        problem = problem_in_pdf(data)  # parsed, every object: see app/updates/pdf_check.py
        if problem:
            raise AttachmentRefused(problem)
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                    raise AttachmentRefused("The selected file unpacks to more than 100 MB, so it cannot be attached")
        except zipfile.BadZipFile:
            raise AttachmentRefused("The selected file is damaged and cannot be opened") from None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            kind = "docx"
        elif "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            kind = "xlsx"
    elif data.startswith(OLE2):
        kind = "xls" if ext == ".xls" else "doc" if ext == ".doc" else None
    if kind is None:
        raise AttachmentRefused("The selected file must be a PDF, Word or Excel file")
    if ext not in KINDS[kind][1]:
        raise AttachmentRefused(f"The selected file is a {kind.upper()} file but its name ends {ext or 'with no type'}: "
                                f"rename it to end {sorted(KINDS[kind][1])[0]}")
    return kind


def _safe_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()]", "_", base).strip(" .") or "attachment"
    return base[:200]


def add_attachment(update: ProgressUpdate, filename: str, data: bytes, actor) -> Attachment:
    kind = sniff(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    # The same file once per update (app/concurrency.py, rule 1): a double-click, or the same
    # file chosen again under another name, is refused. The unique constraint on (update,
    # sha256) decides a race; this look first only names the copy already there.
    there = db.session.scalar(sa.select(Attachment).where(Attachment.update_id == update.id,
                                                          Attachment.sha256 == digest))
    if there is not None:
        raise Refused(f"This file is already attached, as {there.filename}")
    attachment = Attachment(update=update, filename=_safe_name(filename), content_type=KINDS[kind][0],
                            size_bytes=len(data), sha256=digest,
                            storage_key=secrets.token_hex(16), uploaded_by_id=actor.id)
    with guarded("This file is already attached: it was attached a moment ago"):
        db.session.add(attachment)
    db.session.add(AttachmentContent(attachment_id=attachment.id, data=data))
    record("attachment_added", update, actor=actor, data={"filename": attachment.filename, "sha256": attachment.sha256})
    db.session.commit()
    return attachment


@bp.route("/updates/<int:progress_update_id>/attachments", methods=["POST"])
@permission_required("edit_update", ProgressUpdate)
def upload(progress_update):
    back = url_for("updates.show", kind="update", obj_id=progress_update.id) + "#attachments"
    if progress_update.state not in (UpdateState.DRAFT, UpdateState.RETURNED):
        flash("Files can be attached only while the update is a draft or returned.", "info")
        return redirect(back)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("Select a file to attach.", "info")
        return redirect(back)
    data = file.read(MAX_BYTES + 1)
    try:
        attachment = add_attachment(progress_update, file.filename, data, current_user._get_current_object())
    except (AttachmentRefused, Refused) as exc:
        db.session.rollback()
        flash(f"{file.filename} was not attached: {exc}.", "info")
        return redirect(back)
    flash(f"{attachment.filename} was attached.", "success")
    return redirect(back)


@bp.route("/attachments/<int:attachment_id>")
def download(attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if not can(current_user, "view_update", attachment.update):
        abort(403)
    content = db.session.query(AttachmentContent).filter_by(attachment_id=attachment.id).one()
    return send_file(io.BytesIO(content.data), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
def delete(attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    update = attachment.update
    if not can(current_user, "edit_update", update):
        abort(403)
    if update.state not in (UpdateState.DRAFT, UpdateState.RETURNED):
        flash("Files can be removed only while the update is a draft or returned.", "info")
    else:
        record("attachment_removed", update, data={"filename": attachment.filename})
        db.session.delete(attachment)
        db.session.commit()
        flash(f"{attachment.filename} was removed.", "success")
    return redirect(url_for("updates.show", kind="update", obj_id=update.id) + "#attachments")
