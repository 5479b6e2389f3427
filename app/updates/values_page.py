"""One page for all of a person's indicator values in a period (`/periods/<id>/my-values`).

Each indicator with its unit, target, polarity, earlier results and trend, its value and
commentary, and how the value is judged (on the server, and as the owner types with
static/js/value-judge.js); one Save and one Submit for all of them. The work is done by the
same functions as the one-value page (`service.save_values`, `service.submit_values`): all or
nothing, problems listed per indicator, a value someone changed first refused on its own
while what was typed in every box is kept.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Indicator, IndicatorValue, PeriodState, Plan, ReportingPeriod, UpdateState
from app.permissions import can, permission_required
from app.updates import bp, service
from app.updates.forms import ValueForm
from app.updates.rules import direction, histories, value_rag
from app.updates.routes import value_hint

OPEN_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)


class MyValuesForm(FlaskForm):
    """The page's own form: its CSRF token. Each value's fields are a ValueForm with a prefix."""


@dataclass
class Row:
    obj: IndicatorValue
    form: ValueForm | None  # None when the value is not the owner's to change now
    results: list
    judged: dict
    refusal: str | None = None

    @property
    def prefix(self) -> str:
        return f"v{self.obj.id}-"

    @property
    def name(self) -> str:
        ind = self.obj.indicator
        return f"{ind.reference}: {ind.description}" if ind.reference else ind.description

    @property
    def short_name(self) -> str:
        return self.obj.indicator.reference or self.obj.indicator.description[:60]


def my_values(period: ReportingPeriod, user) -> list[IndicatorValue]:
    """The person's indicator values in the period, plan by plan, in the plans' order."""
    return db.session.scalars(
        sa.select(IndicatorValue).join(IndicatorValue.indicator).join(Indicator.plan)
        .where(IndicatorValue.period_id == period.id, Indicator.owner_id == user.id)
        .options(contains_eager(IndicatorValue.indicator).contains_eager(Indicator.plan))
        .order_by(Plan.title, Plan.id, Indicator.position, Indicator.id)
    ).all()


def _editable(obj) -> bool:
    return (obj.state in OPEN_STATES and obj.period.state == PeriodState.OPEN
            and can(current_user, "edit_update", obj))


def _form(obj, posted: bool) -> ValueForm:
    form = ValueForm(formdata=request.form if posted else None, prefix=f"v{obj.id}", meta={"csrf": False})
    form.value.unit = obj.indicator.unit
    form.value.description = value_hint(obj.indicator)
    if not posted:
        form.version.data = obj.version
        form.value.data = obj.value
        form.commentary.data = obj.commentary
    return form


def _judge(obj, value, results) -> dict:
    ind = obj.indicator
    latest = results[-1] if results else None
    return {"rag": value_rag(value, ind.target, ind.polarity), "previous": latest,
            "direction": direction(value, latest.value if latest else None, ind.polarity)}


def _rows(period, posted: bool) -> list[Row]:
    values = my_values(period, current_user)
    known = histories([v.indicator for v in values], period)
    rows = []
    for obj in values:
        form = _form(obj, posted) if _editable(obj) else None
        results = known[obj.indicator_id]
        rows.append(Row(obj, form, results, _judge(obj, obj.value, results)))
    return rows


def _entry(row: Row):
    commentary = (row.form.commentary.data or "").strip() or None
    return row.obj, {"value": row.form.value.data, "commentary": commentary}, row.form.version.data


def _summary(rows: list[Row]) -> dict:
    items = []
    for row in rows:
        if row.refusal:
            items.append({"text": f"{row.short_name}: {row.refusal}", "href": f"#{row.prefix}value"})
        if row.form is not None:
            for field in row.form:
                for message in field.errors[:1]:
                    items.append({"text": f"{row.short_name}: {message}", "href": f"#{field.id}"})
    return {"titleText": "There is a problem", "errorList": items} if items else None


def _page(period, rows, page_form, status=200, page_error=None):
    counts = {state: sum(1 for r in rows if r.obj.state == state) for state in UpdateState}
    return render_template("updates/my_values.html", period=period, rows=rows, page_form=page_form,
                           summary=_summary(rows), counts=counts, page_error=page_error,
                           editable=[r for r in rows if r.form is not None],
                           action_url=url_for("updates.my_values", reporting_period_id=period.id)), status


@bp.route("/periods/<int:reporting_period_id>/my-values", endpoint="my_values", methods=["GET", "POST"])
@permission_required("enter_own_values", ReportingPeriod)
def my_values_page(reporting_period):
    period = reporting_period
    page_form = MyValuesForm()
    if request.method == "GET":
        return _page(period, _rows(period, posted=False), page_form)
    rows = _rows(period, posted=True)
    editable = [r for r in rows if r.form is not None]
    valid = [r.form.validate() for r in editable]  # every form, so every problem is listed
    if not page_form.validate_on_submit() or not all(valid):
        for row in editable:  # judge what was typed, where it could be read
            if row.form.value.data is not None:
                row.judged = _judge(row.obj, row.form.value.data, row.results)
        return _page(period, rows, page_form, status=400)
    if not editable:
        flash(f"You have no indicator values to enter for {period.name}.", "success")
        return redirect(url_for("updates.my_values", reporting_period_id=period.id))
    for row in editable:
        row.judged = _judge(row.obj, row.form.value.data, row.results)
    submitting = request.form.get("intent") == "submit"
    entries = [_entry(r) for r in editable]
    try:
        if submitting:
            count = service.submit_values(entries, current_user)
        else:
            count = service.save_values(entries, current_user)
    except service.SomeRefused as exc:
        db.session.rollback()
        for row in editable:
            for field, message in exc.problems.get(row.obj.id, {}).items():
                row.form[field].errors = list(row.form[field].errors) + [message]
            if row.obj.id in exc.refusals:
                row.refusal = exc.refusals[row.obj.id]
                row.form.version.data = db.session.get(IndicatorValue, row.obj.id).version
        return _page(period, rows, page_form, status=409 if exc.refusals else 400)
    except service.TransitionError as exc:
        db.session.rollback()
        return _page(period, rows, page_form, status=409, page_error=str(exc))
    if submitting:
        flash(f"Submitted {count} indicator value{'' if count == 1 else 's'} for sign-off. "
              "Your Head of Service has been told.", "success")
    else:
        flash(f"Saved your draft values ({count} changed)." if count else "Nothing had changed since your last save.",
              "success")
    return redirect(url_for("updates.my_values", reporting_period_id=period.id))
