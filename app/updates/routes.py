"""The update page (and the indicator value page): write, save, submit, withdraw; and, for a
Head of Service, return, sign off and reopen. Every route loads the object from the URL and
checks permission on it; the domain functions in service.py check again and do the work."""
import json
from functools import cache, wraps

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import wants_partial
from app.models import IndicatorValue, ProgressUpdate, ReportingPeriod, TrailEvent, UpdateState
from app.permissions import can
from app.updates import bp, service
from app.updates.effects import sign_off_effects
from app.updates.forms import CommentForm, ReasonForm, UpdateForm, ValueForm

MODELS = {"update": ProgressUpdate, "value": IndicatorValue}


def _loaded_with():
    """What every update and value page reads of the entry: its action (or indicator) with the
    plan, service and owner, and its period, in the entry's own query rather than one each."""
    from app.models import Action, Indicator, Plan

    def plan_owner(model):
        return (joinedload(model.plan).joinedload(Plan.service), joinedload(model.owner))

    return {
        "update": (joinedload(ProgressUpdate.action).options(*plan_owner(Action)), joinedload(ProgressUpdate.period)),
        "value": (joinedload(IndicatorValue.indicator).options(*plan_owner(Indicator)),
                  joinedload(IndicatorValue.period)),
    }


@cache
def _entry_statement(kind: str) -> sa.Select:
    """The entry with what every page reads of it (`_loaded_with`), in a statement built once:
    `session.get` built it afresh, options and all, on every request (issue 17)."""
    model = MODELS[kind]
    return sa.select(model).options(*_loaded_with()[kind]).where(model.id == sa.bindparam("pk"))


def load(verb: str):
    """Decorator: load the update or value named in the URL (404) and check `verb` on it (403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(kind, obj_id, **kwargs):
            obj = db.session.scalar(_entry_statement(kind), {"pk": obj_id})
            if obj is None:
                abort(404)
            if not can(current_user, verb, obj):
                abort(403)
            return view(obj, **kwargs)

        wrapped.permission = verb
        return wrapped

    return decorator


def route(rule: str, endpoint: str, **options):
    """Register one view for both progress updates and indicator values."""

    def decorator(view):
        bp.add_url_rule(f"/updates/<int:obj_id>{rule}", endpoint, view, defaults={"kind": "update"}, **options)
        bp.add_url_rule(f"/indicator-values/<int:obj_id>{rule}", endpoint, view, defaults={"kind": "value"},
                        **options)
        return view

    return decorator


def is_update(obj) -> bool:
    return isinstance(obj, ProgressUpdate)


def previous_of(obj):
    """The same action's (or indicator's) entry for the period before."""
    model = type(obj)
    key = model.action_id if is_update(obj) else model.indicator_id
    own = obj.action_id if is_update(obj) else obj.indicator_id
    return db.session.scalar(
        sa.select(model).join(ReportingPeriod, model.period_id == ReportingPeriod.id)
        .where(key == own, ReportingPeriod.ends_on < obj.period.starts_on)
        .order_by(ReportingPeriod.ends_on.desc()).limit(1)
    )


def timeline(obj):
    return db.session.scalars(
        sa.select(TrailEvent).where(TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id)
        .order_by(TrailEvent.seq.desc())
    ).all()


def value_hint(indicator) -> str:
    """The value field's hint: the unit, and how it may be written."""
    from app.updates.units import EXAMPLES, UNIT_NAMES

    return f"{UNIT_NAMES[indicator.unit].capitalize()}, like {EXAMPLES[indicator.unit]}"


def _form_for(obj, formdata=True):
    form = (UpdateForm if is_update(obj) else ValueForm)(formdata=request.form if formdata else None)
    if is_update(obj):
        # Whole labels: a milestone cut mid-word cannot be told from its neighbour.
        form.milestones_done.choices = [(str(m.id), m.text) for m in obj.action.milestones if not m.done] + [
            (str(m.id), m.text + " (already done)") for m in obj.action.milestones if m.done]
    else:
        form.value.unit = obj.indicator.unit
        form.value.description = value_hint(obj.indicator)
    if not formdata:
        form.version.data = obj.version
        if is_update(obj):
            for name in ("narrative", "percent_complete", "key_actions_remaining", "corrective_action", "next_focus"):
                getattr(form, name).data = getattr(obj, name)
            form.rag.data = obj.rag.value if obj.rag else None
            form.milestones_done.data = [str(i) for i in json.loads(obj.milestones_done or "[]")]
        else:
            form.value.data = obj.value
            form.commentary.data = obj.commentary
    return form


def _values(obj, form) -> dict:
    from app.models import Rag

    if is_update(obj):
        return {
            "narrative": (form.narrative.data or "").strip() or None,
            "rag": Rag(form.rag.data) if form.rag.data else None,
            "percent_complete": int(form.percent_complete.data) if form.percent_complete.data is not None else None,
            "key_actions_remaining": (form.key_actions_remaining.data or "").strip() or None,
            "corrective_action": (form.corrective_action.data or "").strip() or None,
            "next_focus": (form.next_focus.data or "").strip() or None,
            "milestones_done": json.dumps(sorted(int(i) for i in form.milestones_done.data or [])) or None,
        }
    return {"value": form.value.data, "commentary": (form.commentary.data or "").strip() or None}


def render_page(obj, form=None, comment_form=None, reason_form=None, page_error=None, status=200):
    from app.updates.rules import direction, history, unchanged_fields, unchanged_since, value_rag

    editable = can(current_user, "edit_update", obj) and obj.state in (UpdateState.DRAFT, UpdateState.RETURNED)
    signer = can(current_user, "sign_off_update", obj)
    previous = previous_of(obj)
    judged, results, unchanged = {}, [], {}
    if is_update(obj):
        unchanged = unchanged_fields(obj) if editable or obj.state == UpdateState.SUBMITTED else {}
    else:
        ind = obj.indicator
        results = history(ind, obj.period)
        latest = results[-1] if results else None
        typed = form.value.data if form is not None and form.value.raw_data else None
        shown = typed if typed is not None else obj.value  # judge what was typed, when it could be read
        judged = {"rag": value_rag(shown, ind.target, ind.polarity), "previous": latest, "value": shown,
                  "direction": direction(shown, latest.value if latest else None, ind.polarity)}
    context = dict(
        obj=obj, is_update=is_update(obj), form=form or _form_for(obj, formdata=False),
        comment_form=comment_form or CommentForm(formdata=None, version=obj.version),
        reason_form=reason_form or ReasonForm(formdata=None, version=obj.version),
        editable=editable, signer=signer, previous=previous, trail=timeline(obj), page_error=page_error,
        owner=obj.action.owner if is_update(obj) else obj.indicator.owner, judged=judged,
        results=results, unchanged=unchanged, unchanged_sentence=unchanged_since(obj) if unchanged else None,
        can_withdraw=obj.state == UpdateState.SUBMITTED and can(current_user, "edit_update", obj),
        base=url_for("updates.show", kind="update" if is_update(obj) else "value", obj_id=obj.id),
        effects=(sign_off_effects([obj])[("update" if is_update(obj) else "value", obj.id)]
                 if signer and obj.state == UpdateState.SUBMITTED else None),
    )
    return render_template("updates/show.html", **context), status


def _back(obj, anchor=""):
    return redirect(url_for("updates.show", kind="update" if is_update(obj) else "value", obj_id=obj.id) + anchor)


@route("", "show", methods=["GET", "POST"])
@load("view_update")
def show(obj):
    if request.method == "GET":
        return render_page(obj)
    if not can(current_user, "edit_update", obj):
        abort(403)
    form = _form_for(obj)
    if not form.validate_on_submit():
        return render_page(obj, form=form, status=400)
    submitting = request.form.get("intent") == "submit"
    try:
        if submitting:
            service.submit(obj, _values(obj, form), form.version.data, current_user)
            flash("Submitted for sign-off. Your Head of Service has been told.", "success")
        else:
            service.save_draft(obj, _values(obj, form), form.version.data, current_user)
            flash("Your draft was saved.", "success")
    except service.Invalid as exc:
        db.session.rollback()
        for field, message in exc.problems.items():
            if field in form:
                form[field].errors = list(form[field].errors) + [message]
        return render_page(obj, form=form, status=400)
    except service.TransitionError as exc:
        db.session.rollback()
        form.version.data = db.session.get(type(obj), obj.id).version
        return render_page(obj, form=form, page_error=str(exc), status=409)
    return _back(obj)


@route("/autosave", "autosave", methods=["POST"])
@load("edit_update")
def autosave(obj):
    """htmx: save the draft a few seconds after typing stops. Answers with the status line
    and the new version (out of band), so the next save is not taken for a stale one."""
    if not wants_partial():
        return _back(obj)
    form = _form_for(obj)
    if not form.validate_on_submit():
        return render_template("updates/_autosave.html", obj=obj, ok=False,
                               message="Not saved yet: check the highlighted answers, then save.")
    try:
        service.save_draft(obj, _values(obj, form), form.version.data, current_user)
    except service.TransitionError as exc:
        db.session.rollback()
        return render_template("updates/_autosave.html", obj=obj, ok=False, message=f"Not saved: {exc}")
    return render_template("updates/_autosave.html", obj=obj, ok=True)


@route("/withdraw", "withdraw", methods=["POST"])
@load("edit_update")
def withdraw(obj):
    form = ReasonForm()
    form.validate_on_submit()
    try:
        service.withdraw(obj, form.version.data, current_user)
    except service.TransitionError as exc:
        db.session.rollback()
        return render_page(obj, page_error=str(exc), status=409)
    flash("You withdrew it. It is a draft again: change it and submit it when ready.", "success")
    return _back(obj)


@route("/return", "return_to_owner", methods=["POST"])
@load("sign_off_update")
def return_to_owner(obj):
    form = CommentForm()
    form.validate_on_submit()
    try:
        service.return_to_owner(obj, form.comment.data, form.version.data, current_user)
    except service.Invalid as exc:
        db.session.rollback()
        form.comment.errors = [exc.problems["comment"]]
        return render_page(obj, comment_form=form, status=400)
    except service.TransitionError as exc:
        db.session.rollback()
        return render_page(obj, comment_form=form, page_error=str(exc), status=409)
    flash("Returned to the owner with your comment.", "success")
    return _after_decision(obj)


@route("/sign-off", "sign_off", methods=["POST"])
@load("sign_off_update")
def sign_off(obj):
    form = CommentForm()
    form.validate_on_submit()
    try:
        service.sign_off(obj, form.version.data, current_user)
    except service.TransitionError as exc:
        db.session.rollback()
        return render_page(obj, page_error=str(exc), status=409)
    flash(f"Signed off {service.title_of(obj)}.", "success")
    return _after_decision(obj)


@route("/reopen", "reopen", methods=["POST"])
@load("sign_off_update")
def reopen(obj):
    form = ReasonForm()
    form.validate_on_submit()
    try:
        service.reopen(obj, form.reason.data, form.version.data, current_user)
    except service.Invalid as exc:
        db.session.rollback()
        form.reason.errors = [exc.problems["reason"]]
        return render_page(obj, reason_form=form, status=400)
    except service.TransitionError as exc:
        db.session.rollback()
        return render_page(obj, reason_form=form, page_error=str(exc), status=409)
    flash("Reopened and returned to the owner.", "success")
    return _back(obj)


def _after_decision(obj):
    """Back to the sign-off queue when the decision was made from it."""
    if request.form.get("from") == "queue":
        return redirect(url_for("updates.queue"))
    return _back(obj)


