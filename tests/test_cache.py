"""Results kept until anything is recorded on the trail (app/cache.py)."""
from datetime import date

from app import cache
from app.trail import record


def _store():
    return cache.UntilChanged()


def test_a_result_is_kept_until_the_trail_moves(app, db, people):
    store = _store()
    made = []

    def make():
        made.append(1)
        return len(made)

    with app.test_request_context("/"):
        assert store.get("figures", make) == 1
        assert store.get("figures", make) == 1  # kept
        assert store.get("other figures", make) == 2  # a different key is its own result
    record("role_granted", people["owner"], actor=people["admin"], data={"test": True})
    db.session.commit()
    with app.test_request_context("/"):
        assert store.get("figures", make) == 3  # anything on the trail: worked out again
        assert store.get("figures", make) == 3


def test_a_request_that_writes_sees_its_own_trail_event(app, db, people):
    store = _store()
    values = iter(["before", "after"])
    with app.test_request_context("/", method="POST"):
        assert store.get("figures", lambda: next(values)) == "before"
        record("role_granted", people["owner"], actor=people["admin"], data={"test": True})
        assert store.get("figures", lambda: next(values)) == "after"
        db.session.rollback()


def test_results_are_kept_by_the_day(app, db, monkeypatch):
    store = _store()
    with app.test_request_context("/"):
        assert store.get("figures", lambda: "today") == "today"

        class Tomorrow(date):
            @classmethod
            def today(cls):
                return date.fromordinal(date.today().toordinal() + 1)

        monkeypatch.setattr(cache, "date", Tomorrow)
        assert store.get("figures", lambda: "tomorrow") == "tomorrow"


def test_the_store_is_bounded_and_can_be_turned_off(app, db, monkeypatch):
    store = _store()
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
