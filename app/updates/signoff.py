"""The sign-off queue: submitted updates and values for the Head of Service's services, read
in place and signed off one at a time or several at once."""
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app import cache
from app.extensions import db
from app.htmx import wants_partial
from app.models import IndicatorValue, ProgressUpdate
from app.permissions import can, permission_required
from app.updates import bp, service
from app.updates.effects import sign_off_effects
from app.updates.queries import sign_off_queue

MODELS = {"update": ProgressUpdate, "value": IndicatorValue}


@dataclass(frozen=True)
class Queue:
    waiting: int
    tables: Markup  # rendered; the form and its token are rendered around them each time


@bp.route("/sign-off", methods=["GET"])
@permission_required("view_sign_off_queue")
def queue():
    """The queue, kept until anything is recorded on the trail (app/cache.py)."""
    user = current_user._get_current_object()

    def make():
        updates, values = sign_off_queue(user)
        effects = sign_off_effects(list(updates) + list(values))
        return Queue(len(updates) + len(values),
                     Markup(render_template("updates/_queue_tables.html", updates=updates, values=values,
                                            effects=effects)))

    return render_template("updates/queue.html", queue=cache.results.get(("sign-off queue", user.id), make))


@bp.route("/sign-off/<kind>/<int:obj_id>", methods=["GET"])
@permission_required("view_sign_off_queue")
def queue_detail(kind, obj_id):
    """The update expanded in place in the queue (htmx); without JavaScript, its own page."""
    model = MODELS.get(kind)
    obj = db.session.get(model, obj_id) if model else None
    if obj is None:
        abort(404)
    if not can(current_user, "sign_off_update", obj):
        abort(403)
    if not wants_partial():
        return redirect(url_for("updates.show", kind=kind, obj_id=obj.id))
    return render_template("updates/_queue_detail.html", obj=obj, kind=kind)


@bp.route("/sign-off", methods=["POST"])
@permission_required("view_sign_off_queue")
def sign_off_selected():
    """Sign off every ticked update. Each is its own transition: one refused (someone acted
    first) does not stop the others, and the person is told which and why."""
    chosen = request.form.getlist("selected")
    if not chosen:
        flash("Tick the updates you want to sign off.", "info")
        return redirect(url_for("updates.queue"))
    done, refused = [], []
    for token in chosen[:500]:
        try:
            kind, obj_id, version = token.split(":")
            model = MODELS[kind]
            if not 0 < int(obj_id) < 2**31 or not 0 < int(version) < 2**31:
                raise ValueError("out of range")
            obj = db.session.get(model, int(obj_id))
            version = int(version)
        except (ValueError, KeyError):
            refused.append("An item could not be read; reload the page and try again.")
            continue
        if obj is None or not can(current_user, "sign_off_update", obj):
            refused.append("An item you cannot sign off was skipped.")
            continue
        try:
            service.sign_off(obj, version, current_user)
            done.append(service.title_of(obj))
        except service.TransitionError as exc:
            db.session.rollback()
            refused.append(f"{service.title_of(obj)}: {exc}")
    if done:
        flash(f"Signed off {len(done)}: {', '.join(done)}.", "success")
    for message in refused:
        flash(message, "info")
    return redirect(url_for("updates.queue"))
