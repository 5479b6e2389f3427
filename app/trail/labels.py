"""What a trail event's object is called, and where it lives, read in one query for a page of events.

`load_labels({(type, id), ...})` returns {(type, id): ObjectLabel}. Each object type the events
name is one SELECT, and all of them are joined with UNION ALL into a single query, so a page of
fifty events costs one query for its objects however many kinds they are. An object that has been
deleted, or whose type Docket does not know, is simply missing from the answer: the describer
then names it from the event's own data and does not link it.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from werkzeug.routing import BuildError

from app.extensions import db
from app.models import (
    Action,
    AgendaItem,
    Committee,
    Delegation,
    Directorate,
    Indicator,
    IndicatorValue,
    Meeting,
    MeetingDocument,
    Milestone,
    Plan,
    PriorityTheme,
    ProgressUpdate,
    Report,
    ReportingPeriod,
    Risk,
    Service,
    User,
    WorkPlanEntry,
)

# The readable noun for each object type ("the service Highways").
NOUNS = {
    "action": "action",
    "agenda_item": "agenda item",
    "attachment": "attachment",
    "committee": "committee",
    "delegation": "delegation",
    "directorate": "directorate",
    "indicator": "indicator",
    "indicator_value": "indicator value",
    "meeting": "meeting",
    "meeting_document": "meeting document",
    "milestone": "milestone",
    "plan": "plan",
    "priority_theme": "priority theme",
    "progress_update": "progress update",
    "report": "report",
    "reporting_period": "reporting period",
    "risk": "risk",
    "service": "service",
    "sign_in_source": "network address",
    "trail": "trail",
    "user_account": "person",
    "work_plan_entry": "work plan item",
}

# Object types offered in the trail's filter, in the order a person looks for them.
FILTER_TYPES = ["plan", "action", "progress_update", "milestone", "indicator", "indicator_value", "risk",
                "priority_theme", "report", "meeting", "committee", "work_plan_entry", "reporting_period",
                "user_account", "service", "directorate", "delegation"]

# For the filter's "id or reference" box: the columns a typed reference or name is looked up in.
LOOKUP_COLUMNS = {
    "plan": (Plan, [Plan.title]),
    "action": (Action, [Action.reference]),
    "indicator": (Indicator, [Indicator.reference]),
    "risk": (Risk, [Risk.reference]),
    "report": (Report, [Report.title]),
    "committee": (Committee, [Committee.name]),
    "service": (Service, [Service.name]),
    "directorate": (Directorate, [Directorate.name]),
    "reporting_period": (ReportingPeriod, [ReportingPeriod.name]),
    "user_account": (User, [User.name, User.email]),
}


def noun(object_type: str | None) -> str:
    if not object_type:
        return ""
    return NOUNS.get(object_type, object_type.replace("_", " "))


@dataclass
class ObjectLabel:
    label: str
    url: str | None


def _text(col):
    return sa.cast(col, sa.Text)


_NONE_TEXT = sa.cast(sa.null(), sa.Text)
_NONE_INT = sa.cast(sa.null(), sa.Integer)


def _pick(type_name: str, ids, id_col, label, extra=None, parent=None, joins=()):
    stmt = sa.select(
        sa.cast(sa.literal(type_name), sa.String(60)).label("otype"),
        id_col.label("id"),
        _text(label).label("label"),
        (_text(extra) if extra is not None else _NONE_TEXT).label("extra"),
        (sa.cast(parent, sa.Integer) if parent is not None else _NONE_INT).label("parent"),
    ).select_from(id_col.table)
    for target, on in joins:
        stmt = stmt.join(target, on)
    return stmt.where(id_col.in_(sorted(ids)))


def _selects(type_name: str, ids):
    """The SELECT for one object type: (type, id, label, extra, parent id)."""
    if type_name == "plan":
        return _pick(type_name, ids, Plan.id, Plan.title)
    if type_name == "action":
        return _pick(type_name, ids, Action.id, Action.reference, Action.title)
    if type_name == "progress_update":
        return _pick(type_name, ids, ProgressUpdate.id, Action.reference, ReportingPeriod.name,
                     ProgressUpdate.action_id,
                     joins=[(Action, Action.id == ProgressUpdate.action_id),
                            (ReportingPeriod, ReportingPeriod.id == ProgressUpdate.period_id)])
    if type_name == "indicator_value":
        return _pick(type_name, ids, IndicatorValue.id,
                     sa.func.coalesce(Indicator.reference, sa.func.substr(Indicator.description, 1, 40)),
                     ReportingPeriod.name, IndicatorValue.indicator_id,
                     joins=[(Indicator, Indicator.id == IndicatorValue.indicator_id),
                            (ReportingPeriod, ReportingPeriod.id == IndicatorValue.period_id)])
    if type_name == "indicator":
        return _pick(type_name, ids, Indicator.id,
                     sa.func.coalesce(Indicator.reference, sa.func.substr(Indicator.description, 1, 40)),
                     None, Indicator.plan_id)
    if type_name == "milestone":
        return _pick(type_name, ids, Milestone.id, sa.func.substr(Milestone.text, 1, 80), None, Milestone.action_id)
    if type_name == "risk":
        return _pick(type_name, ids, Risk.id, Risk.reference, sa.func.substr(Risk.description, 1, 80), Risk.plan_id)
    if type_name == "priority_theme":
        return _pick(type_name, ids, PriorityTheme.id, sa.func.substr(PriorityTheme.title, 1, 80), None,
                     PriorityTheme.plan_id)
    if type_name == "report":
        return _pick(type_name, ids, Report.id, Report.title)
    if type_name == "meeting":
        return _pick(type_name, ids, Meeting.id, Committee.name, Meeting.meets_on,
                     joins=[(Committee, Committee.id == Meeting.committee_id)])
    if type_name == "committee":
        return _pick(type_name, ids, Committee.id, Committee.name)
    if type_name == "work_plan_entry":
        return _pick(type_name, ids, WorkPlanEntry.id, WorkPlanEntry.title, None, WorkPlanEntry.committee_id)
    if type_name == "agenda_item":
        return _pick(type_name, ids, AgendaItem.id, AgendaItem.title, None, AgendaItem.meeting_id)
    if type_name == "meeting_document":
        return _pick(type_name, ids, MeetingDocument.id, MeetingDocument.filename, None, MeetingDocument.meeting_id)
    if type_name == "reporting_period":
        return _pick(type_name, ids, ReportingPeriod.id, ReportingPeriod.name)
    if type_name == "user_account":
        return _pick(type_name, ids, User.id, User.name)
    if type_name == "service":
        return _pick(type_name, ids, Service.id, Service.name)
    if type_name == "directorate":
        return _pick(type_name, ids, Directorate.id, Directorate.name)
    if type_name == "delegation":
        return _pick(type_name, ids, Delegation.id, User.name, None, None,
                     joins=[(User, User.id == Delegation.deputy_id)])
    return None


# Where each object's page is: (endpoint, its arguments from (id, parent id)). Endpoints that
# another part of Docket has not (yet) got are skipped: the object is then named, not linked.
_PAGES = {
    "plan": [("plans.show", lambda i, p: {"plan_id": i})],
    "action": [("plans.action", lambda i, p: {"action_id": i})],
    "progress_update": [("updates.show", lambda i, p: {"obj_id": i, "kind": "update"})],
    "indicator_value": [("updates.show", lambda i, p: {"obj_id": i, "kind": "value"})],
    "milestone": [("plans.action", lambda i, p: {"action_id": p})],
    "risk": [("plans.show", lambda i, p: {"plan_id": p})],
    "indicator": [("plans.show", lambda i, p: {"plan_id": p})],
    "priority_theme": [("plans.show", lambda i, p: {"plan_id": p})],
    "report": [("reports.show", lambda i, p: {"report_id": i})],
    "meeting": [("meetings.meeting", lambda i, p: {"meeting_id": i})],
    "agenda_item": [("meetings.meeting", lambda i, p: {"meeting_id": p})],
    "meeting_document": [("meetings.meeting", lambda i, p: {"meeting_id": p})],
    "committee": [("meetings.committee", lambda i, p: {"committee_id": i})],
    "work_plan_entry": [("meetings.work_plan", lambda i, p: {"committee_id": p})],
    "reporting_period": [("updates.periods", lambda i, p: {})],
    "user_account": [("users.person", lambda i, p: {"user_id": i}), ("users.show", lambda i, p: {"user_id": i}),
                     ("users.index", lambda i, p: {})],
    "service": [("organisation.service", lambda i, p: {"service_id": i}),
                ("organisation.edit_service", lambda i, p: {"service_id": i}),
                ("organisation.index", lambda i, p: {})],
    "directorate": [("organisation.directorate", lambda i, p: {"directorate_id": i}),
                    ("organisation.edit_directorate", lambda i, p: {"directorate_id": i}),
                    ("organisation.index", lambda i, p: {})],
}


def page_of(object_type: str, object_id: int, parent_id: int | None = None) -> str | None:
    """The address of an object's page, or None when Docket has no page for it (or when
    describing outside a request, as a command does: there is no address to build then)."""
    if not has_request_context():
        return None
    for endpoint, args in _PAGES.get(object_type, []):
        if endpoint not in current_app.view_functions:
            continue
        values = args(object_id, parent_id)
        if any(v is None for v in values.values()):
            return None
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


def _label(type_name: str, label: str | None, extra: str | None) -> str:
    label = label or ""
    if type_name == "action" and extra:
        title = extra if len(extra) <= 60 else extra[:59].rstrip() + "…"
        return f"{label} {title}".strip()
    if type_name == "progress_update":
        return f"{label} {extra or ''}".strip()
    if type_name == "indicator_value":
        return f"indicator {label} {extra or ''}".strip()
    if type_name == "indicator":
        return f"indicator {label}"
    if type_name == "risk":
        return f"{label} {extra or ''}".strip()
    if type_name == "meeting":
        from app.filters import uk_date

        try:
            when = uk_date(date.fromisoformat(str(extra)[:10])) if extra else ""
        except ValueError:
            when = str(extra)
        return f"{label} on {when}" if when else label
    if type_name == "delegation":
        return f"the delegation to {label}"
    return label


def load_labels(keys) -> dict[tuple[str, int], ObjectLabel]:
    """{(object type, id): ObjectLabel} for the keys given, in one query."""
    by_type: dict[str, set[int]] = {}
    for object_type, object_id in keys:
        if object_type and object_id is not None:
            by_type.setdefault(object_type, set()).add(object_id)
    selects = [s for t, ids in sorted(by_type.items()) if (s := _selects(t, ids)) is not None]
    if not selects:
        return {}
    stmt = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    out = {}
    for row in db.session.execute(stmt):
        out[(row.otype, row.id)] = ObjectLabel(_label(row.otype, row.label, row.extra), page_of(row.otype, row.id, row.parent))
    return out


def lookup_ids(object_type: str, text: str) -> list[int] | None:
    """The ids an "id or reference" typed in the trail's filter stands for: a number is an id;
    other text is matched (ignoring case) against the type's reference or name. None when the type
    has nothing to match text against."""
    text = (text or "").strip()
    if text.isdigit():
        return [int(text)]
    found = LOOKUP_COLUMNS.get(object_type)
    if found is None:
        return None
    model, columns = found
    return list(db.session.scalars(
        sa.select(model.id).where(sa.or_(*[sa.func.lower(c) == text.lower() for c in columns])).limit(500)))
