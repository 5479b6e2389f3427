"""Finding events on the trail: the filters an administrator uses (who, object, kind, dates),
the events of one object with its parts (an action's updates and milestones), and the CSV export.

The filter form is read from the page's address (a GET form), so a filtered page can be
bookmarked and its pagination links keep the filters.
"""
import csv
import io
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms.validators import Length

from app.extensions import db
from app.filters import LONDON, uk_datetime
from app.forms import ChoiceField, StringField, UKDateField
from app.models import IndicatorValue, Milestone, ProgressUpdate, TrailEvent, User
from app.trail.describe import describe, kind_label, state_label
from app.trail.labels import FILTER_TYPES, lookup_ids, noun

SYSTEM_CHOICE = "system"


class TrailFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search: it changes nothing

    person = ChoiceField("Who acted", widget=GovSelect(), choices=[])
    kind = ChoiceField("Kind of event", widget=GovSelect(), choices=[])
    object_type = ChoiceField("Object", widget=GovSelect(), choices=[])
    object_ref = StringField("Its number or reference", widget=GovTextInput(), validators=[Length(max=200)],
                             description="For example CSS005, or the number in the object's address")
    date_from = UKDateField("From", description="For example, 1 4 2019")
    date_to = UKDateField("To", description="For example, 30 6 2019")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ref = (self.object_ref.data or "").strip()
        self.object_ids = None
        if ref and not self.object_type.data:
            self.object_ref.errors.append("Choose the kind of object as well as its number or reference")
            ok = False
        elif ref:
            ids = lookup_ids(self.object_type.data, ref)
            if ids is None:
                self.object_ref.errors.append(
                    f"Enter the {noun(self.object_type.data)}'s number: it has no reference to look up")
                ok = False
            elif not ids:
                self.object_ref.errors.append(f"There is no {noun(self.object_type.data)} called {ref}")
                ok = False
            else:
                self.object_ids = ids
        if ok and self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors.append("To must be the same as or after From")
            ok = False
        return ok


def filter_form(args) -> TrailFilterForm:
    form = TrailFilterForm(formdata=args)
    people = db.session.execute(sa.select(User.id, User.name).order_by(User.name, User.id)).all()
    form.person.choices = [("", "Anyone"), (SYSTEM_CHOICE, "Docket (system)")] + [(str(i), n) for i, n in people]
    verbs = db.session.scalars(sa.select(TrailEvent.verb).distinct()).all()
    form.kind.choices = [("", "Any kind")] + sorted(((v, kind_label(v)) for v in verbs), key=lambda c: c[1])
    types = list(FILTER_TYPES)
    if form.object_type.data and form.object_type.data not in types and form.object_type.data.isidentifier():
        types.append(form.object_type.data)  # a type a "See its trail" link names that the list lacks
    form.object_type.choices = [("", "Anything")] + [(t, noun(t)[:1].upper() + noun(t)[1:]) for t in types]
    return form


def _london_midnight_utc(day):
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def family(object_type: str, ids) -> sa.ColumnElement:
    """Events on these objects and on their parts: an action's progress updates and milestones
    (attachments are recorded on their update), an indicator's values."""
    ids = list(ids)
    own = sa.and_(TrailEvent.object_type == object_type, TrailEvent.object_id.in_(ids))
    if object_type == "action":
        return sa.or_(
            own,
            sa.and_(TrailEvent.object_type == "progress_update", TrailEvent.object_id.in_(
                sa.select(ProgressUpdate.id).where(ProgressUpdate.action_id.in_(ids)).scalar_subquery())),
            sa.and_(TrailEvent.object_type == "milestone", TrailEvent.object_id.in_(
                sa.select(Milestone.id).where(Milestone.action_id.in_(ids)).scalar_subquery())),
        )
    if object_type == "indicator":
        return sa.or_(
            own,
            sa.and_(TrailEvent.object_type == "indicator_value", TrailEvent.object_id.in_(
                sa.select(IndicatorValue.id).where(IndicatorValue.indicator_id.in_(ids)).scalar_subquery())),
        )
    return own


def conditions(form: TrailFilterForm) -> list:
    """The WHERE clauses a valid filter form stands for."""
    where = []
    person = form.person.data
    if person == SYSTEM_CHOICE:
        where.append(TrailEvent.actor_id.is_(None))
    elif person:
        where.append(sa.or_(TrailEvent.actor_id == int(person), TrailEvent.on_behalf_of_id == int(person)))
    if form.kind.data:
        where.append(TrailEvent.verb == form.kind.data)
    if form.object_type.data:
        ids = getattr(form, "object_ids", None)
        if ids:
            where.append(family(form.object_type.data, ids))
        else:
            where.append(TrailEvent.object_type == form.object_type.data)
    if form.date_from.data:
        where.append(TrailEvent.occurred_at >= _london_midnight_utc(form.date_from.data))
    if form.date_to.data:
        where.append(TrailEvent.occurred_at < _london_midnight_utc(form.date_to.data + timedelta(days=1)))
    return where


def events_of(obj, limit: int | None = None) -> list[TrailEvent]:
    """One object's events and its parts' (see `family`), newest first: for its page's timeline."""
    stmt = sa.select(TrailEvent).where(family(obj.__tablename__, [obj.id])).order_by(TrailEvent.seq.desc())
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def filter_args(args) -> dict:
    """The filters in the page's address, for links that keep them (pagination, the export)."""
    keep = ("person", "kind", "object_type", "object_ref", "date_from", "date_to")
    return {k: args.getlist(k) if k.startswith("date_") else args.get(k) for k in keep
            if any(v.strip() for v in args.getlist(k))}


# --- the CSV export ------------------------------------------------------------------------------

CSV_HEADINGS = ["Number", "When (ISO 8601, UTC)", "When (UK)", "Who", "On behalf of", "What", "Object type",
                "Object id", "Object", "From state", "To state", "Comment", "Details", "Hash"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(where: list, batch: int = 500):
    """The export, a line at a time: events newest first, read `batch` at a time by their
    number (no cursor held open), each batch's object names in one query."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield "\ufeff"  # so that Excel reads the file as UTF-8
    writer.writerow(CSV_HEADINGS)
    yield flush()
    last_seq = None
    while True:
        stmt = sa.select(TrailEvent).where(*where)
        if last_seq is not None:
            stmt = stmt.where(TrailEvent.seq < last_seq)
        events = db.session.scalars(stmt.order_by(TrailEvent.seq.desc()).limit(batch)).all()
        if not events:
            break
        for d in describe(events):
            e = d.event
            occurred = e.occurred_at
            writer.writerow([safe_cell(v) for v in (
                e.seq, occurred.strftime("%Y-%m-%dT%H:%M:%SZ") if occurred else "", uk_datetime(occurred),
                d.who, d.on_behalf_of or "", d.sentence, e.object_type or "",
                e.object_id if e.object_id is not None else "", d.object_label,
                state_label(e.from_state), state_label(e.to_state), e.comment or "", d.details_text, e.hash,
            )])
        yield flush()
        last_seq = events[-1].seq
        for e in events:  # a council's trail may be large: keep memory flat
            db.session.expunge(e)
        if len(events) < batch:
            break
