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


# --- a keyed chain, anchors, and an emptied trail ------------------------------------------------

def _rewrite_chain(db, hasher, edit=None):
    """What someone with database access does: change events, recompute every hash, move the head."""
    from app.models import GENESIS_HASH

    db.session.expire_all()
    events = db.session.scalars(sa.select(TrailEvent).order_by(TrailEvent.seq)).all()
    if edit:
        edit(events)
    prev = GENESIS_HASH
    for event in events:
        event.prev_hash = prev
        event.hash = hasher(prev, event)
        prev = event.hash
    db.session.get(TrailHead, 1).last_hash = prev
    db.session.commit()


def _forge_comment(events):
    events[3].comment = "forged"


def test_a_chain_recomputed_with_plain_sha256_is_caught(app, db, trail):
    from app.trail.service import unkeyed_hash

    _rewrite_chain(db, unkeyed_hash, _forge_comment)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert "event 1 (id" in result.output and "made without the trail key" in result.output


def test_a_chain_recomputed_with_another_key_is_caught(app, db, trail):
    from app.trail.service import event_hash

    _rewrite_chain(db, lambda prev, event: event_hash(prev, event, key="a guessed key"), _forge_comment)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert "event 1 (id" in result.output and "no longer match its hash" in result.output


def test_an_emptied_trail_on_a_database_with_people_is_a_failure(app, db, trail):
    _raw(db, "DELETE FROM trail_event")
    _raw(db, "UPDATE trail_head SET last_seq = 0, last_hash = :h", h="0" * 64)
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert "it is empty, but the database holds 6 people and 0 plans" in result.output


def anchor_of(app) -> str:
    result = run_cli(app, "trail", "anchor")
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_anchor_prints_the_heads_position_and_hash(app, db, trail):
    line = anchor_of(app)
    head = db.session.get(TrailHead, 1)
    assert line == f"{head.last_seq}:{head.last_hash}" == f"{trail[-1].seq}:{trail[-1].hash}"
    result = run_cli(app, "trail", "verify", "--anchor", line)
    assert result.exit_code == 0, result.output
    assert f"Event {trail[-1].seq} matches the anchor." in result.output


def test_anchor_refuses_an_empty_or_broken_trail(app, db, trail):
    _raw(db, "UPDATE trail_event SET comment = 'x' WHERE id = :id", id=trail[2].id)
    result = run_cli(app, "trail", "anchor")
    assert result.exit_code == 1 and "No anchor" in result.output and result.stdout == ""


def test_a_removed_tail_with_the_head_moved_back_is_caught_by_the_anchor(app, db, trail):
    line = anchor_of(app)
    last_seq, keep_seq, keep_hash = trail[-1].seq, trail[-3].seq, trail[-3].hash
    _raw(db, "DELETE FROM trail_event WHERE seq > :s", s=keep_seq)
    _raw(db, "UPDATE trail_head SET last_seq = :s, last_hash = :h", s=keep_seq, h=keep_hash)
    # Without an anchor this cannot be told from a trail that simply ends here (README).
    assert run_cli(app, "trail", "verify").exit_code == 0
    result = run_cli(app, "trail", "verify", "--anchor", line)
    assert result.exit_code == 1
    assert f"the anchor names event {last_seq}, but the trail ends at event {keep_seq}" in result.output


def test_a_chain_rewritten_with_the_key_is_caught_by_the_anchor(app, db, trail):
    """Someone with both the database and the key can rewrite the chain; an anchor kept
    elsewhere still shows it."""
    from app.trail.service import event_hash

    line = anchor_of(app)
    _rewrite_chain(db, event_hash, _forge_comment)
    assert run_cli(app, "trail", "verify").exit_code == 0
    result = run_cli(app, "trail", "verify", "--anchor", line)
    assert result.exit_code == 1
    assert f"event {trail[-1].seq} (id {trail[-1].id}): the anchor says this event's hash is" in result.output


@pytest.mark.parametrize("bad", ["12", "x:abc", "0:" + "a" * 64, "3:" + "z" * 64, "3:abc"])
def test_a_malformed_anchor_is_refused_plainly(app, db, trail, bad):
    result = run_cli(app, "trail", "verify", "--anchor", bad)
    assert result.exit_code == 2
    assert "Invalid value for '--anchor'" in result.output


# --- a trail written before the chain was keyed ----------------------------------------------

@pytest.fixture()
def legacy_trail(app, db, people, trail):
    """A database from before 0009: its events chained with plain SHA-256; then, after the
    upgrade, Docket appends a keyed event to it."""
    from app.trail.service import unkeyed_hash

    _rewrite_chain(db, unkeyed_hash)
    record("update_submitted", people["hos"], actor=people["admin"])
    db.session.commit()
    return [(e.seq, e.id) for e in trail]


def test_an_unkeyed_trail_is_reported_with_what_to_do(app, legacy_trail):
    result = run_cli(app, "trail", "verify")
    assert result.exit_code == 1
    assert "event 1 (id" in result.output and "flask trail rekey" in result.output


def test_rekey_keys_an_upgraded_trail_once(app, db, legacy_trail):
    old_head = db.session.get(TrailHead, 1).last_hash
    result = run_cli(app, "trail", "rekey", "--yes")
    assert result.exit_code == 0, result.output
    total = len(legacy_trail) + 1
    assert f"Trail rekeyed: {total} events checked, {len(legacy_trail)} of them made without the key" in result.output
    assert run_cli(app, "trail", "verify").exit_code == 0
    db.session.expire_all()
    rekeyed = db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == "trail_rekeyed")).one()
    assert old_head in rekeyed.data
    # The anchor it prints is the new head.
    head = db.session.get(TrailHead, 1)
    assert f"New anchor: {head.last_seq}:{head.last_hash}" in result.output
    again = run_cli(app, "trail", "rekey", "--yes")
    assert again.exit_code == 1 and "rekeyed before" in again.output


def test_rekey_refuses_a_broken_old_chain(app, db, legacy_trail):
    seq, event_id = legacy_trail[2]
    _raw(db, "UPDATE trail_event SET comment = 'x' WHERE id = :id", id=event_id)
    result = run_cli(app, "trail", "rekey", "--yes")
    assert result.exit_code == 1
    assert f"Event {seq} (id {event_id}) no longer matches its hash" in result.output
    assert run_cli(app, "trail", "verify").exit_code == 1  # nothing was rewritten


def test_rekey_refuses_unkeyed_events_after_keyed_ones(app, db, trail):
    from app.trail.service import unkeyed_hash

    def unkey_the_tail(prev, event):
        from app.trail.service import event_hash

        return unkeyed_hash(prev, event) if event.seq > trail[5].seq else event_hash(prev, event)

    _rewrite_chain(db, unkey_the_tail)
    result = run_cli(app, "trail", "rekey", "--yes")
    assert result.exit_code == 1
    assert "is unkeyed but comes after keyed event 1" in result.output


def test_rekey_of_a_keyed_trail_does_nothing(app, db, trail):
    result = run_cli(app, "trail", "rekey", "--yes")
    assert result.exit_code == 1 and "already keyed" in result.output


# --- TRAIL_KEY is required outside development ------------------------------------------------

def test_trail_key_is_required_outside_development(tmp_path, monkeypatch):
    from app import config

    monkeypatch.delenv("TRAIL_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="TRAIL_KEY is not set"):
        config.load(str(tmp_path), {"DEVELOPMENT": False, "SECRET_KEY": "s"})


def test_in_development_the_trail_key_is_kept_in_the_instance_folder(tmp_path, monkeypatch):
    from app import config

    monkeypatch.delenv("TRAIL_KEY", raising=False)
    first = config.load(str(tmp_path), {"DEVELOPMENT": True, "SECRET_KEY": "s"})["TRAIL_KEY"]
    again = config.load(str(tmp_path), {"DEVELOPMENT": True, "SECRET_KEY": "s"})["TRAIL_KEY"]
    assert first == again == (tmp_path / "dev-trail-key").read_text().strip()
    assert len(first) == 64
