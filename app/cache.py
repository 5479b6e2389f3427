"""Results worth keeping between requests, kept exactly as long as what they show is unchanged.

A kept result is keyed by **what it depends on**, not by the whole council's trail:

- every plan has a *generation* (a random token in the `cache_generation` table) that changes
  in the same transaction as any change to the plan or anything in it: its themes, actions,
  milestones, risks, indicators and their results, progress updates and indicator values
  (drafts included), attachments;
- the rest of the council (people's names and roles, services, periods, reports, meetings,
  committees, settings, and any table this module does not know) shares one generation, `org`;
- signing in, the trail itself, notifications and a person's password or session token change
  nothing a kept result shows, and move no generation.

The generations are moved by SQLAlchemy session hooks (noted at each flush, moved at commit,
in the same transaction), so every change made through the session counts, whether or not it
is recorded on the trail (a saved draft is not); a bulk `insert`/`update`/`delete` statement
moves `org` (which every key includes); until a transaction with changes commits, it uses
nothing kept (it must see its own changes). The
tokens are random, not counters, so a database restored from an older backup can never match
a result kept from a different state.

What a result depends on is worked out from its key (`DEPENDS`): a plan's parts on that plan;
the dashboard's figures for a plan on that plan (each plan's kept apart, `get_each`); anything
else on `org` alone. All of them on `org`, and on the day (for figures that depend on today's
date). So one officer's autosave throws away only their own plan's parts and that plan's
dashboard figures, and nothing else. A person's own pages (My tasks, the sign-off queue) are not
kept: they change with that person's every save, and on the benchmark's deadline day a kept
copy was used again once in 600 views while finding whether it could cost more than it saved.

The store is per process (each gunicorn worker keeps its own) and holds at most
`CACHE_ENTRIES` results, the least recently used going first; 0 turns it off. Keep only plain
data in it (numbers, strings, rows), never objects tied to a database session.
"""
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from threading import Lock
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from app.extensions import db

T = TypeVar("T")

ORG = ("org", 0)
NOT_KEPT = object()  # what `generations` answers for a result that is not worth keeping


class CacheGeneration(db.Model):
    """The current generation of one scope: ("plan", id) or ("org", 0)."""

    __tablename__ = "cache_generation"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(32))


# --- what a change moves ------------------------------------------------------------------------

# Tables whose rows no kept result shows.
IGNORED_TABLES = {"trail_event", "trail_head", "cache_generation", "notification", "sign_in_failure",
                  "set_password_link", "attachment_content"}
# A person's columns that no page shows (moved on signing in and out, and by passwords).
IGNORED_USER_COLUMNS = {"password_hash", "session_token", "last_signed_in_at", "oidc_issuer", "oidc_subject"}
PLAN_COLUMN_TABLES = {"priority_theme", "action", "risk", "indicator"}  # rows with a plan_id


def _plan_of(obj, lookups: dict) -> int | None:
    """The plan an object belongs to, or None for anything else (or when it cannot be told)."""
    table = getattr(obj, "__tablename__", None)
    if table == "plan":
        return obj.id
    if table in PLAN_COLUMN_TABLES:
        return obj.plan_id
    if table in ("milestone", "progress_update"):
        return lookups["action"].setdefault(obj.action_id, None) if obj.action_id else None
    if table in ("indicator_result", "indicator_value"):
        return lookups["indicator"].setdefault(obj.indicator_id, None) if obj.indicator_id else None
    if table == "attachment":
        return lookups["update"].setdefault(obj.update_id, None) if obj.update_id else None
    return None


def _changed_user_columns(obj) -> set[str]:
    state = sa.inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def scopes_touched(session: Session, objects) -> set[tuple[str, int]]:
    """The generations that a flush of these (new, changed or deleted) objects moves."""
    scopes: set[tuple[str, int]] = set()
    pending = []
    for obj, deleted in objects:
        table = getattr(obj, "__tablename__", None)
        if table in IGNORED_TABLES:
            continue
        if table == "user_account" and not deleted and obj not in session.new:
            if not (_changed_user_columns(obj) - IGNORED_USER_COLUMNS):
                continue
        if table in ("plan", *PLAN_COLUMN_TABLES, "milestone", "progress_update", "indicator_result",
                     "indicator_value", "attachment"):
            pending.append(obj)
            if table == "plan":  # a plan's own row (its title, service, status) is named on other pages too
                scopes.add(ORG)
        else:
            scopes.add(ORG)
    if pending:
        lookups: dict[str, dict] = {"action": {}, "indicator": {}, "update": {}}
        first = [_plan_of(obj, lookups) for obj in pending]  # collects the ids to look up
        _look_up(session, lookups)
        for obj, plan_id in zip(pending, first):
            plan_id = plan_id if plan_id is not None else _plan_of(obj, lookups)
            scopes.add(("plan", plan_id) if plan_id is not None else ORG)
    return scopes


def _look_up(session: Session, lookups: dict) -> None:
    """The plans of the actions, indicators and updates named (one query for each kind named)."""
    from app.models import Action, Indicator, ProgressUpdate

    # Actions and indicators the request has loaded already (the update page loads its action)
    # answer from the session, without a query.
    for kind, model in (("action", Action), ("indicator", Indicator)):
        for i, plan in lookups[kind].items():
            if plan is None:
                loaded = session.identity_map.get(identity_key(model, i))
                if loaded is not None and "plan_id" in loaded.__dict__:
                    lookups[kind][i] = loaded.__dict__["plan_id"]
    conn = session.connection()
    if ids := [i for i, plan in lookups["action"].items() if plan is None]:
        lookups["action"].update(conn.execute(sa.select(Action.id, Action.plan_id).where(Action.id.in_(ids))).all())
    if ids := [i for i, plan in lookups["indicator"].items() if plan is None]:
        lookups["indicator"].update(
            conn.execute(sa.select(Indicator.id, Indicator.plan_id).where(Indicator.id.in_(ids))).all())
    if ids := [i for i, plan in lookups["update"].items() if plan is None]:
        lookups["update"].update(conn.execute(
            sa.select(ProgressUpdate.id, Action.plan_id).join(Action, Action.id == ProgressUpdate.action_id)
            .where(ProgressUpdate.id.in_(ids))).all())


def move(session: Session, scopes) -> None:
    """Give each scope a new generation, in the session's transaction (in a fixed order, so that
    two transactions moving the same scopes never wait for each other in a circle)."""
    if not scopes:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CacheGeneration.__table__
    for kind, ref_id in sorted(scopes):
        stmt = insert(table).values(kind=kind, ref_id=ref_id, token=secrets.token_hex(8))
        conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "ref_id"],
                                                set_={"token": stmt.excluded.token}))
    if has_request_context():
        request.environ.pop("docket.generations", None)


@sa.event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances):
    # Deleted objects are gone from session.deleted's rows after the flush: note them now.
    session.info["docket_deleted"] = list(session.deleted)


PENDING = "docket_generations_to_move"


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    # Noted now, moved at commit (`_before_commit`): all of a transaction's scopes in one sorted
    # pass, so that two transactions never lock the same rows in opposite orders, and the rows
    # are locked only for the moment the commit takes.
    objects = [(obj, False) for obj in session.new] + [(obj, False) for obj in session.dirty
                                                        if session.is_modified(obj)]
    objects += [(obj, True) for obj in session.info.pop("docket_deleted", [])]
    if scopes := scopes_touched(session, objects):
        session.info.setdefault(PENDING, set()).update(scopes)


@sa.event.listens_for(Session, "do_orm_execute")
def _bulk_statements(state):
    # insert/update/delete statements (not through objects) may touch anything: they move `org`.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in IGNORED_TABLES:
            state.session.info.setdefault(PENDING, set()).add(ORG)


@sa.event.listens_for(Session, "before_commit")
def _before_commit(session):
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the commit would flush: its scopes are noted too
    move(session, session.info.pop(PENDING, set()))


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is None:  # committed (moved already) or rolled back (nothing to move)
        session.info.pop(PENDING, None)


def changes_pending() -> bool:
    """Whether this transaction has changed something not yet committed (nothing kept is used
    then: a request must see its own changes)."""
    return bool(db.session.info.get(PENDING))


# --- what a result depends on -------------------------------------------------------------------

def _plan_in_key(key) -> tuple:
    return ("plans", (key[1],))


# The first item of a key names the kind of result; the rest, which one.
DEPENDS: dict[str, Callable] = {
    "plan actions": _plan_in_key, "plan facts": _plan_in_key, "plan header": _plan_in_key,
    "plan tables": _plan_in_key,
    "dashboard plan": _plan_in_key,  # ("dashboard plan", plan id, period id, today), by get_each
}


def generations(depends: tuple | None) -> tuple:
    """The generations a result depends on, read in one query (once per reading request for the
    same dependencies; afresh in any other, which must see its own changes)."""
    if changes_pending():
        return NOT_KEPT
    safe = has_request_context() and g.get("docket_safe_method")
    memo = request.environ.setdefault("docket.generations", {}) if safe else {}
    if depends in memo:
        return memo[depends]
    t = CacheGeneration
    wanted = sa.and_(t.kind == ORG[0], t.ref_id == 0)
    if depends and depends[0] == "plans":
        wanted = sa.or_(wanted, sa.and_(t.kind == "plan", t.ref_id.in_(depends[1])))
    rows = db.session.execute(sa.select(t.kind, t.ref_id, t.token).where(wanted).order_by(t.kind, t.ref_id)).all()
    result = tuple(tuple(row) for row in rows)
    memo[depends] = result
    memo.setdefault(None, tuple(row for row in result if row[0] == ORG[0]))  # `org` alone rode along
    return result


def depends_on(key: Hashable) -> tuple | None:
    kind = key[0] if isinstance(key, tuple) and key else None
    rule = DEPENDS.get(kind) if isinstance(kind, str) else None
    return rule(key) if rule else None


class UntilChanged:
    """A bounded store of results keyed by what they are for, the generations of what they
    depend on, and the day."""

    def __init__(self):
        self._results: OrderedDict = OrderedDict()
        self._lock = Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        size = current_app.config.get("CACHE_ENTRIES", 0)
        if size <= 0:
            return make()
        stamp = generations(depends_on(key))
        if stamp is NOT_KEPT:
            return make()
        full_key = (current_app.import_name, current_app.config["SQLALCHEMY_DATABASE_URI"], key, stamp, date.today())
        with self._lock:
            if full_key in self._results:
                self._results.move_to_end(full_key)
                self.hits += 1
                _count("hits")
                return self._results[full_key]
        self.misses += 1
        _count("misses")
        value = make()
        with self._lock:
            self._results[full_key] = value
            while len(self._results) > size:
                self._results.popitem(last=False)
        return value

    def get_each(self, kind: str, plan_ids: tuple, rest: tuple, make: Callable[[tuple], dict]) -> dict:
        """One result per plan, each kept until its own plan (or `org`) changes: {plan id:
        result} for `(kind, plan id, *rest)`. The plans' generations are read in one query, and
        `make` is given only the plans whose results are not kept (in the order given), so that
        a change to one plan works out that plan's result again and no other's."""
        size = current_app.config.get("CACHE_ENTRIES", 0)
        if size <= 0 or not plan_ids:
            return make(plan_ids)
        stamps = generations(("plans", tuple(plan_ids)))
        if stamps is NOT_KEPT:
            return make(plan_ids)
        org = tuple(row for row in stamps if row[0] == ORG[0])
        own = {row[1]: row for row in stamps if row[0] == "plan"}
        today, base = date.today(), (current_app.import_name, current_app.config["SQLALCHEMY_DATABASE_URI"])
        keys = {pid: (*base, (kind, pid, *rest), org + ((own[pid],) if pid in own else ()), today) for pid in plan_ids}
        out, missing = {}, []
        with self._lock:
            for pid, full_key in keys.items():
                if full_key in self._results:
                    self._results.move_to_end(full_key)
                    out[pid] = self._results[full_key]
                else:
                    missing.append(pid)
        self.hits += len(out)
        self.misses += len(missing)
        for _ in out:
            _count("hits")
        for _ in missing:
            _count("misses")
        if missing:
            made = make(tuple(missing))
            with self._lock:
                for pid in missing:
                    self._results[keys[pid]] = out[pid] = made[pid]
                while len(self._results) > size:
                    self._results.popitem(last=False)
        return {pid: out[pid] for pid in plan_ids}

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


def _count(which: str) -> None:
    if has_request_context():
        counts = g.setdefault("docket_kept", {"hits": 0, "misses": 0})
        counts[which] += 1


def init_app(app) -> None:
    """With CACHE_REPORT set (the benchmark sets it), each response says how many results it
    found kept and how many it worked out: `Docket-Kept: hits=2, misses=1`."""
    import os

    if not (app.config.get("CACHE_REPORT") or os.environ.get("CACHE_REPORT")):
        return

    @app.after_request
    def report_kept(response):
        counts = g.get("docket_kept")
        if counts:
            response.headers["Docket-Kept"] = f"hits={counts['hits']}, misses={counts['misses']}"
        return response


results = UntilChanged()
