"""Results kept until what they depend on changes (app/cache.py): a plan's own generation, the
rest of the council's, and the day."""
from datetime import date

import pytest
import sqlalchemy as sa

from app import cache
from app.models import Action, Plan, Service, User
from app.trail import record


@pytest.fixture()
def plans(db, org, people):
    one = Plan(service=org["service"], title="Plan one")
    two = Plan(service=org["other_service"], title="Plan two")
    a1 = Action(plan=one, reference="A1", title="Recruit foster carers", owner=people["owner"])
    a2 = Action(plan=two, reference="B1", title="Resurface roads", owner=people["hos"])
    db.session.add_all([one, two, a1, a2])
    db.session.commit()
    return {"one": one, "two": two, "a1": a1, "a2": a2}


def _counter():
    made = []

    def make():
        made.append(1)
        return len(made)

    return make


def _get(app, store, key, make, method="GET"):
    with app.test_request_context("/", method=method):
        from flask import g

        g.docket_safe_method = method == "GET"
        return store.get(key, make)


def test_a_plans_result_is_kept_until_that_plan_changes(app, db, plans):
    store, make = cache.UntilChanged(), _counter()
    one, two = plans["one"].id, plans["two"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    assert _get(app, store, ("plan facts", one), make) == 1  # kept
    plans["a2"].title = "Resurface every road"  # another plan's action
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 1  # still kept: not this plan
    plans["a1"].title = "Recruit more foster carers"
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 2  # this plan changed: worked out again
    assert _get(app, store, ("plan facts", two), make) == 3  # its own result
    assert _get(app, store, ("plan facts", two), make) == 3


def test_the_rest_of_the_council_moves_every_result(app, db, plans):
    store, make = cache.UntilChanged(), _counter()
    one = plans["one"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    assert _get(app, store, "settings", make) == 2
    db.session.get(Service, plans["two"].service_id).name = "Highways and Transport"
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 3
    assert _get(app, store, "settings", make) == 4


def test_signing_in_and_the_trail_alone_move_nothing(app, db, plans, people):
    store, make = cache.UntilChanged(), _counter()
    one = plans["one"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    owner = db.session.get(User, people["owner"].id)
    owner.last_signed_in_at = owner.last_signed_in_at  # unchanged
    owner.session_token = "rotated"
    record("signed_in", owner, actor=owner)
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 1
    owner.name = "Olu Owner-Smith"  # a name every page may show
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 2


def test_a_bulk_statement_moves_everything(app, db, plans):
    store, make = cache.UntilChanged(), _counter()
    one = plans["one"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    db.session.execute(sa.update(Action).where(Action.id == plans["a1"].id).values(title="Changed in bulk"))
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 2


def test_a_deleted_row_moves_its_plan(app, db, plans):
    store, make = cache.UntilChanged(), _counter()
    one = plans["one"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    db.session.delete(db.session.get(Action, plans["a1"].id))
    db.session.commit()
    assert _get(app, store, ("plan facts", one), make) == 2


def test_a_request_that_writes_sees_its_own_change(app, db, plans):
    store = cache.UntilChanged()
    values = iter(["before", "after"])
    one = plans["one"].id
    with app.test_request_context("/", method="POST"):
        assert store.get(("plan facts", one), lambda: next(values)) == "before"
        db.session.get(Action, plans["a1"].id).title = "Renamed"
        db.session.flush()
        assert store.get(("plan facts", one), lambda: next(values)) == "after"
        db.session.rollback()


def test_a_rolled_back_change_moves_nothing(app, db, plans):
    store, make = cache.UntilChanged(), _counter()
    one = plans["one"].id
    assert _get(app, store, ("plan facts", one), make) == 1
    db.session.get(Action, plans["a1"].id).title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert _get(app, store, ("plan facts", one), make) == 1


def test_generations_are_random_so_a_restored_database_cannot_match(app, db, plans):
    seen = set()
    for title in ("one", "two", "three"):
        plans["a1"].title = title
        db.session.commit()
        seen.add(db.session.scalar(sa.select(cache.CacheGeneration.token).where(
            cache.CacheGeneration.kind == "plan", cache.CacheGeneration.ref_id == plans["one"].id)))
    assert len(seen) == 3


def test_results_are_kept_by_the_day(app, db, monkeypatch):
    store = cache.UntilChanged()
    with app.test_request_context("/"):
        assert store.get("figures", lambda: "today") == "today"

        class Tomorrow(date):
            @classmethod
            def today(cls):
                return date.fromordinal(date.today().toordinal() + 1)

        monkeypatch.setattr(cache, "date", Tomorrow)
        assert store.get("figures", lambda: "tomorrow") == "tomorrow"


def test_the_store_is_bounded_and_can_be_turned_off(app, db, monkeypatch):
    store = cache.UntilChanged()
    monkeypatch.setitem(app.config, "CACHE_ENTRIES", 2)
    with app.test_request_context("/"):
        for key in ("a", "b", "c"):
            store.get(key, lambda k=key: k.upper())
        assert len(store._results) == 2
        assert store.get("a", lambda: "made again") == "made again"  # the oldest went first
        monkeypatch.setitem(app.config, "CACHE_ENTRIES", 0)
        calls = []
        store.get("b", lambda: calls.append(1))
        store.get("b", lambda: calls.append(1))
        assert len(calls) == 2


def test_each_plans_dashboard_figures_are_kept_until_that_plan_changes(app, db, plans, monkeypatch):
    """The dashboard keeps each plan's figures apart: a change to one plan works out that plan's
    figures again, and only when asked for a plan not yet kept is `make` given it."""
    store = cache.UntilChanged()
    one, two = plans["one"].id, plans["two"].id
    asked = []

    def make(plan_ids):
        asked.append(plan_ids)
        return {pid: f"figures of {pid}, take {len(asked)}" for pid in plan_ids}

    def each():
        with app.test_request_context("/"):
            from flask import g

            g.docket_safe_method = True
            return store.get_each("dashboard plan", (one, two), (7, date.today()), make)

    assert each() == {one: f"figures of {one}, take 1", two: f"figures of {two}, take 1"}
    assert each() == {one: f"figures of {one}, take 1", two: f"figures of {two}, take 1"}  # both kept
    plans["a2"].title = "Resurface every road"  # plan two's action
    db.session.commit()
    assert each() == {one: f"figures of {one}, take 1", two: f"figures of {two}, take 2"}
    assert asked == [(one, two), (two,)]
    db.session.get(Service, plans["one"].service_id).name = "Children's Services"  # the rest of the council
    db.session.commit()
    assert each() == {one: f"figures of {one}, take 3", two: f"figures of {two}, take 3"}
    monkeypatch.setitem(app.config, "CACHE_ENTRIES", 0)  # turned off: worked out every time
    assert each()[one] == f"figures of {one}, take 4"
