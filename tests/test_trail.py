"""The trail is hash-chained: any edit, deletion or reordering of an event is caught."""
import threading

import pytest
import sqlalchemy as sa

from app.models import TrailEvent, TrailHead
from app.trail import record, verify


@pytest.fixture()
def trail(db, people):
    """A trail with some events: people created, roles granted, plus three more."""
    for verb in ("update_submitted", "update_signed_off", "report_approved"):
        record(verb, people["hos"], actor=people["admin"], comment=f"{verb} comment")
    db.session.commit()
    return db.session.scalars(sa.select(TrailEvent).order_by(TrailEvent.seq)).all()


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_fresh_database_verifies(app, db):
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 0, result.output
    assert "Trail verified: 0 events" in result.output


def test_intact_trail_verifies(app, trail):
    checked, problem = verify()
    assert problem is None
    assert checked == len(trail) > 10
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 0
    assert f"Trail verified: {len(trail)} events" in result.output


def _raw(db, sql, **params):
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    db.session.expire_all()


@pytest.mark.parametrize(
    "column,value",
    [("comment", "nothing to see here"), ("verb", "update_returned"), ("actor_id", None),
     ("to_state", "signed_off"), ("occurred_at", "2001-01-01 00:00:00")],
)
def test_editing_any_field_of_an_event_is_caught_and_named(app, db, trail, column, value):
    victim = trail[-2]  # written by a person, so every field has a value to change
    _raw(db, f"UPDATE trail_event SET {column} = :v WHERE id = :id", v=value, id=victim.id)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert f"event {victim.seq} (id {victim.id})" in result.output


def test_recomputing_the_edited_events_own_hash_is_still_caught(app, db, trail):
    """A forger who fixes up the edited event's hash breaks the link to the next one."""
    from app.trail.service import event_hash

    victim = trail[3]
    victim.comment = "forged"
    forged = event_hash(victim.prev_hash, victim)
    db.session.rollback()
    _raw(db, "UPDATE trail_event SET comment = 'forged', hash = :h WHERE id = :id", h=forged, id=victim.id)
    checked, problem = verify()
    assert problem is not None and problem.seq == victim.seq + 1


def test_deleting_an_event_is_caught(app, db, trail):
    victim_id, victim_seq = trail[4].id, trail[4].seq
    _raw(db, "DELETE FROM trail_event WHERE id = :id", id=victim_id)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert f"event {victim_seq + 1}" in result.output


def test_deleting_the_newest_event_is_caught(app, db, trail):
    last_id = trail[-1].id
    _raw(db, "DELETE FROM trail_event WHERE id = :id", id=last_id)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert "newest events were deleted" in result.output


def test_reordering_events_is_caught(app, db, trail):
    (a_id, a_seq), (b_id, b_seq) = (trail[2].id, trail[2].seq), (trail[3].id, trail[3].seq)
    _raw(db, "UPDATE trail_event SET seq = -1 WHERE id = :id", id=a_id)
    _raw(db, "UPDATE trail_event SET seq = :s WHERE id = :id", s=a_seq, id=b_id)
    _raw(db, "UPDATE trail_event SET seq = :s WHERE id = :id", s=b_seq, id=a_id)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert f"event {a_seq}" in result.output


def test_event_rolls_back_with_the_change_it_records(db, people):
    before = db.session.get(TrailHead, 1).last_seq
    people["hos"].name = "Changed"
    record("user_renamed", people["hos"])
    db.session.rollback()
    assert db.session.get(TrailHead, 1).last_seq == before
    assert db.session.scalar(sa.select(sa.func.count()).where(TrailEvent.verb == "user_renamed")) == 0
    assert verify()[1] is None


def test_concurrent_writers_never_fork_the_chain(app, db, people):
    """Eight threads, each with its own connection, append at once: one chain, no gaps."""
    actor_id = people["admin"].id
    errors = []

    def write(n):
        with app.app_context():
            try:
                from app.extensions import db as tdb
                from app.models import User

                for i in range(5):
                    record("concurrent_test", actor=tdb.session.get(User, actor_id), comment=f"{n}-{i}")
                    tdb.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                tdb.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).where(TrailEvent.verb == "concurrent_test")) == 40
    checked, problem = verify()
    assert problem is None, str(problem)
