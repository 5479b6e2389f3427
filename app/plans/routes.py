from collections import namedtuple
from dataclasses import astuple, dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from app import cache
from app.extensions import db
from app.filters import tag_class, uk_date
from app.htmx import wants_partial
from app.links import id_url
from app.models import Action, ActionType, Plan, ProgressUpdate, Rag
from app.permissions import can, permission_required
from app.plans import bp
from app.plans.queries import (ActionFilter, filter_actions, indicators_of, is_overdue, owners_in_plan, plans_for,
                               risks_of, service_and_themes)


@bp.route("/plans/")
@permission_required("list_plans")
def index():
    return render_template("plans/index.html", plans=plans_for(current_user))


@dataclass(frozen=True)
class PlanFacts:
    """What the plan page's title, header and filter form show beyond the plan's own columns,
    as plain data."""

    service_name: str
    directorate_name: str
    title: str
    themes: tuple  # of Choice(id, title)
    owners: tuple  # of Owner(id, name, job_title)


Choice = namedtuple("Choice", "id title")
Owner = namedtuple("Owner", "id name job_title")


def _plan_facts(plan: Plan) -> PlanFacts:
    """Two queries: the service, directorate and themes; the owners of the plan's actions."""
    service_name, directorate_name, themes = service_and_themes(plan)
    return PlanFacts(service_name, directorate_name, plan.title, tuple(Choice(*t) for t in themes),
                     tuple(Owner(*row) for row in owners_in_plan(plan.id)))


def _partial(template: str, **context) -> Markup:
    """A part of a page, rendered without Flask's context processors (which only the whole page,
    with base.html, needs)."""
    return Markup(current_app.jinja_env.get_template(template).render(context))


_TAGS: dict = {}


def tag(value, empty="None") -> Markup:
    """What the `tag` macro (templates/components/tags.html) writes, for the rows of a table."""
    key = (type(value), value, empty)
    html = _TAGS.get(key)
    if html is None:
        if value:
            label = value.label if hasattr(value, "label") else value
            html = Markup('<strong class="govuk-tag {}">{}</strong>').format(tag_class(value), label)
        else:
            html = Markup('<span class="docket-muted">{}</span>').format(empty)
        _TAGS[key] = html
    return html


ActionCells = namedtuple("ActionCells", "group_title href reference title kind owner due rag update")


def _action_cells(results, today: date) -> list:
    """[(theme, [ActionCells])]: the cells of each action's row, worked out here once a row
    rather than by the template's expressions (issue 17); templates/plans/_actions.html lays
    them out. Plain f-strings of escaped values: Markup.format costs ten times as much."""
    href = id_url("plans.action", "action_id")
    no_update = Markup(f'<span class="docket-muted">{"Not started" if results.period else "No update due"}</span>')
    groups = []
    for theme, rows in results.groups:
        cells = []
        for a in rows:
            title = escape(a.title)
            if a.partners:
                title = Markup(f'{title}<br><span class="govuk-body-s">Partners: '
                               f'{escape(", ".join(a.partners.splitlines()))}</span>')
            owner = escape(a.owner_name if a.owner_id else "Not assigned")
            if a.owner_id and a.owner_job_title:
                owner = Markup(f'{owner}<br><span class="govuk-body-s">{escape(a.owner_job_title)}</span>')
            due = escape(uk_date(a.due_on))
            if a.timing:
                due = f'{due}{"<br>" if a.due_on else ""}<span class="govuk-body-s">{escape(a.timing)}</span>'
            if is_overdue(a, today):
                due = f'{due}<br><strong class="govuk-tag govuk-tag--red">Overdue</strong>'
            cells.append(ActionCells(
                a.group_title, href(a.id), a.reference, title,
                (a.action_type.label if a.action_type else "") + (" (statutory)" if a.statutory else ""),
                owner, Markup(due), tag(a.rag, "Not rated"), tag(a.update_state) if a.update_state else no_update))
        groups.append((theme, cells))
    return groups


def _plan_tables(plan: Plan, can_edit: bool) -> Markup:
    indicators, shown_labels = indicators_of(plan.id)
    return _partial("plans/_plan_tables.html", plan=plan, risks=risks_of(plan.id), indicators=indicators,
                    shown_labels=shown_labels, can_edit=can_edit, tag=tag,
                    edit_risk_url=id_url("plans.edit_risk", "risk_id"),
                    edit_indicator_url=id_url("plans.edit_indicator", "indicator_id"))


@bp.route("/plans/<int:plan_id>")
@permission_required("view_plan", Plan)
def show(plan):
    """The plan page. Its parts are kept until anything is recorded on the trail (app/cache.py):
    the actions for these filters, the top of the page, and the risks and indicators."""
    f = ActionFilter.from_args(request.args)
    today = date.today()

    def actions_part():
        results = filter_actions(plan.id, f, today)
        return _partial("plans/_actions.html", plan=plan, f=f, results=results, groups=_action_cells(results, today))

    actions = cache.results.get(("plan actions", plan.id, astuple(f), today), actions_part)
    if wants_partial():
        return actions
    can_edit = can(current_user, "edit_plan", plan)
    facts = cache.results.get(("plan facts", plan.id), lambda: _plan_facts(plan))
    return render_template(
        "plans/show.html", plan=plan, f=f, rags=list(Rag), types=list(ActionType), actions=actions, facts=facts,
        header=cache.results.get(("plan header", plan.id, can_edit), lambda: _partial(
            "plans/_plan_header.html", plan=plan, facts=facts, can_edit=can_edit)),
        tables=cache.results.get(("plan tables", plan.id, can_edit), lambda: _plan_tables(plan, can_edit)))


@bp.route("/actions/<int:action_id>")
@permission_required("view_action", Action)
def action(action):
    updates = db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id)
        .options(selectinload(ProgressUpdate.period)).order_by(ProgressUpdate.id.desc())
    ).all()
    from app.trail.browse import events_of  # the action's events and its updates' and milestones'

    trail = events_of(action)
    return render_template(
        "plans/action.html", action=action, plan=action.plan, updates=updates, trail=trail,
        overdue=is_overdue(action), can_edit=can(current_user, "edit_action", action),
    )
