"""The sign-off queue: submitted updates and values for the Head of Service's services, read
in place and signed off or returned there, one at a time or several at once.

Each item in the queue has its own page (`/sign-off/<kind>/<id>`) with the decision on it, so
the queue works without JavaScript; with it, the same address opens the item inside the queue
(htmx) and the decision is taken there. After a decision the next item waiting opens: in place
(htmx, with the focus on it) or as its own page."""
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.extensions import db
from app.htmx import wants_partial
from app.models import IndicatorValue, ProgressUpdate, UpdateState
from app.permissions import can, permission_required
from app.updates import bp, service
from app.updates.effects import queue_effects, sign_off_effects
from app.updates.queries import sign_off_queue

MODELS = {"update": ProgressUpdate, "value": IndicatorValue}


@dataclass(frozen=True)
class Queue:
    waiting: int
    tables: Markup  # rendered; the form and its token are rendered around them each time
    unowned: int = 0  # indicators in the person's services with no owner (app/updates/unowned.py)
    all_selected: bool = False


def _slot(kind: str, obj_id: int) -> str:
    """The empty place in the queue's tables where an item opens (templates/updates/_queue_tables.html)."""
    return f'<div id="detail-{kind}-{obj_id}" class="docket-queue-slot"></div>'


def _queue(user, select_all: bool = False) -> Queue:
    """The queue, worked out on every view: it changes with every submission and sign-off in
    the person's services, so a kept copy was never used again on the benchmark's deadline day
    (docs/benchmarks.md)."""
    from app.updates.unowned import unowned_count

    updates, values = sign_off_queue(user, effects=True)
    effects = queue_effects(updates, values)
    return Queue(len(updates) + len(values),
                 Markup(render_template("updates/_queue_tables.html", updates=updates, values=values,
                                        effects=effects, select_all=select_all)),
                 unowned_count(user), select_all)


def _ordered(user) -> list[tuple[str, int]]:
    """The queue's items in the order the page lists them: (kind, id)."""
    updates, values = sign_off_queue(user)
    return [("update", u.id) for u in updates] + [("value", v.id) for v in values]


def _with_open(queue: Queue, kind: str, obj) -> Markup:
    """The queue's tables with one item opened in place."""
    detail = render_template("updates/_queue_detail.html", obj=obj, kind=kind, in_queue=True, opened=True,
                             **_decision_context(obj, kind))
    slot = _slot(kind, obj.id)
    filled = f'<div id="detail-{kind}-{obj.id}" class="docket-queue-slot">{detail}</div>'
    return Markup(str(queue.tables).replace(slot, filled, 1))


@bp.route("/sign-off", methods=["GET"])
@permission_required("view_sign_off_queue")
def queue():
    user = current_user._get_current_object()
    return render_template("updates/queue.html", queue=_queue(user, request.args.get("select") == "all"),
                           tables=None, message=None)


def _load(kind, obj_id):
    model = MODELS.get(kind)
    obj = db.session.get(model, obj_id) if model else None
    if obj is None:
        abort(404)
    if not can(current_user, "sign_off_update", obj):
        abort(403)
    return obj


def name_of(obj, kind) -> str:
    """What the queue calls an item: "A1: Recruit foster carers", "EFL3: % assessments in 45 days"."""
    if kind == "update":
        return f"{obj.action.reference}: {obj.action.title}"
    return f"{obj.indicator.reference or 'Indicator'}: {obj.indicator.description}"


def _decision_context(obj, kind, comment_error=None, comment=""):
    page = url_for("updates.queue_detail", kind=kind, obj_id=obj.id)
    return dict(page_url=page, sign_off_url=url_for("updates.queue_sign_off", kind=kind, obj_id=obj.id),
                return_url=url_for("updates.queue_return", kind=kind, obj_id=obj.id),
                name=name_of(obj, kind), comment_error=comment_error, comment=comment,
                waiting=obj.state == UpdateState.SUBMITTED,
                own_submission=obj.submitted_by_id == current_user.id)


def _item_page(obj, kind, status=200, page_error=None, comment_error=None, comment=""):
    order = _ordered(current_user)
    position = order.index((kind, obj.id)) + 1 if (kind, obj.id) in order else None
    effects = (sign_off_effects([obj])[(kind, obj.id)] if obj.state == UpdateState.SUBMITTED else None)
    owner = obj.action.owner if kind == "update" else obj.indicator.owner
    return render_template("updates/queue_item.html", obj=obj, kind=kind, position=position, total=len(order),
                           effects=effects, owner=owner, page_error=page_error, in_queue=False, opened=False,
                           **_decision_context(obj, kind, comment_error, comment)), status


@bp.route("/sign-off/<kind>/<int:obj_id>", methods=["GET"])
@permission_required("view_sign_off_queue")
def queue_detail(kind, obj_id):
    """The update opened in place in the queue (htmx); without JavaScript, its own page."""
    obj = _load(kind, obj_id)
    if not wants_partial():
        return _item_page(obj, kind)
    return render_template("updates/_queue_detail.html", obj=obj, kind=kind, in_queue=True, opened=False,
                           **_decision_context(obj, kind))


def _version():
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def _after(kind, obj, order_before: list[tuple[str, int]], message: str):
    """The next item waiting after a decision: opened in the queue (htmx), or its own page."""
    user = current_user._get_current_object()
    now = _ordered(user)
    here = order_before.index((kind, obj.id)) if (kind, obj.id) in order_before else 0
    after = order_before[here + 1:] + order_before[:here]
    waiting = set(now)
    nxt = next((key for key in after if key in waiting), now[0] if now else None)
    if not wants_partial():
        flash(message, "success")
        if nxt is None:
            return redirect(url_for("updates.queue"))
        return redirect(url_for("updates.queue_detail", kind=nxt[0], obj_id=nxt[1]))
    queue = _queue(user)
    tables = queue.tables
    if nxt is not None:
        tables = _with_open(queue, nxt[0], db.session.get(MODELS[nxt[0]], nxt[1]))
    return render_template("updates/_queue_region.html", queue=queue, tables=tables, message=message,
                           focus_done=nxt is None)


@bp.route("/sign-off/<kind>/<int:obj_id>/sign-off", methods=["POST"])
@permission_required("view_sign_off_queue")
def queue_sign_off(kind, obj_id):
    """Sign off from the queue; then the next item waiting opens."""
    obj = _load(kind, obj_id)
    order = _ordered(current_user)
    title = service.title_of(obj)
    try:
        service.sign_off(obj, _version(), current_user._get_current_object())
    except service.TransitionError as exc:
        db.session.rollback()
        return _item_page(db.session.get(type(obj), obj.id), kind, status=409, page_error=str(exc))
    return _after(kind, obj, order, f"Signed off {title}.")  # as the update's own page says it


@bp.route("/sign-off/<kind>/<int:obj_id>/return", methods=["POST"])
@permission_required("view_sign_off_queue")
def queue_return(kind, obj_id):
    """Return to the owner with a comment, from the queue; then the next item waiting opens."""
    obj = _load(kind, obj_id)
    order = _ordered(current_user)
    title = service.title_of(obj)
    comment = (request.form.get("comment") or "")[:5000]
    try:
        service.return_to_owner(obj, comment, _version(), current_user._get_current_object())
    except service.Invalid as exc:
        db.session.rollback()
        return _item_page(db.session.get(type(obj), obj.id), kind, status=400,
                          comment_error=exc.problems.get("comment"), comment=comment)
    except service.TransitionError as exc:
        db.session.rollback()
        return _item_page(db.session.get(type(obj), obj.id), kind, status=409, page_error=str(exc), comment=comment)
    return _after(kind, obj, order, f"Returned to the owner with your comment: {title}.")


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


from app.updates import unowned  # noqa: E402,F401  (its routes: indicators with no owner)
