"""Check the database after a load or fault run. Run with DATABASE_URL and SECRET_KEY set.

    checks.py snapshot OUT.json           versions of every update and report before the run
    checks.py verify SNAPSHOT.json LEDGER.json
                                          every write the server accepted (302) is stored; no
                                          transition is half-written; prints JSON figures

A write is checked by what it must have left behind:
- every accepted save or submit of an update: its row version went up by exactly one per
  accepted write (between one and one-plus-unknown when some requests got no response), and
  the update's narrative holds the unique marker of the last accepted write (or of a later
  write whose outcome is unknown: no response, or a 503 while the database was away);
- every accepted submit, sign-off and return: a trail event with that verb, by that person,
  at the version the person saw plus one (returns: with the comment's marker);
- every accepted report approval: an approved version by that person and its trail event;
  report returns and resubmissions: their trail events; the report's version count as above;
- every update and report: its state is the to-state of its last trail event that changed
  state, and the state's own fields agree (submitted -> submitted_at, signed off -> who/when).
"""
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

UPDATE_VERBS = {
    "submit": {"update_submitted", "update_resubmitted"},
    "sign_off": {"update_signed_off"},
    "return": {"update_returned"},
}
REPORT_VERBS = {
    "approve": {"report_approved"},
    "report_return": {"report_returned"},
    "report_submit": {"report_resubmitted", "report_submitted"},
}
NARRATIVE_KINDS = {"save", "submit"}


def snapshot() -> dict:
    from app.models import ProgressUpdate, Report

    return {
        "progress_update": {str(i): v for i, v in db.session.execute(sa.select(ProgressUpdate.id, ProgressUpdate.version))},
        "report": {str(i): v for i, v in db.session.execute(sa.select(Report.id, Report.version))},
    }


def verify(snap: dict, writes: list[dict]) -> dict:
    from app.models import ProgressUpdate, Report, ReportVersion, TrailEvent, User
    from app.models.updates import UpdateState

    failures: list[str] = []

    def fail(msg):
        if len(failures) < 200:
            failures.append(msg)

    users = {email: uid for uid, email in db.session.execute(sa.select(User.id, User.email))}
    updates = {u.id: u for u in db.session.scalars(sa.select(ProgressUpdate))}
    reports = {r.id: r for r in db.session.scalars(sa.select(Report))}
    events = db.session.execute(
        sa.select(TrailEvent.object_type, TrailEvent.object_id, TrailEvent.verb, TrailEvent.actor_id,
                  TrailEvent.object_version, TrailEvent.comment, TrailEvent.to_state, TrailEvent.seq)
        .where(TrailEvent.object_type.in_(["progress_update", "report"])).order_by(TrailEvent.seq)
    ).all()
    # (type, id, verb, actor, version) -> how many; (type, id, verb, actor) -> comments
    event_count: Counter = Counter()
    event_comments: dict = defaultdict(list)
    last_state_event: dict = {}
    for e in events:
        event_count[(e.object_type, e.object_id, e.verb, e.actor_id, e.object_version)] += 1
        event_count[(e.object_type, e.object_id, e.verb, e.actor_id, None)] += 1
        event_comments[(e.object_type, e.object_id, e.verb, e.actor_id)].append(e.comment or "")
        if e.to_state is not None:
            last_state_event[(e.object_type, e.object_id)] = e
    approvals = Counter((v.report_id, v.approved_by_id) for v in db.session.scalars(sa.select(ReportVersion)))

    by_object: dict = defaultdict(list)
    for w in writes:
        by_object[(w["object_type"], w["object_id"])].append(w)

    checked = Counter()
    used = Counter()
    unknown_total = unknown_stored = 0
    for (otype, oid), ws in by_object.items():
        ws.sort(key=lambda w: w["started"])
        row = (updates if otype == "progress_update" else reports).get(oid)
        if row is None:
            fail(f"{otype} {oid} has writes but is not in the database")
            continue
        accepted = [w for w in ws if w["outcome"] == "accepted"]
        unknown = [w for w in ws if w["outcome"] in ("unknown", "unavailable")]
        v0 = snap[otype].get(str(oid))
        if v0 is not None:
            low, high = v0 + len(accepted), v0 + len(accepted) + len(unknown)
            unknown_total += len(unknown)
            unknown_stored += max(0, min(row.version, high) - low)
            if not low <= row.version <= high:
                fail(f"{otype} {oid}: version {row.version}, expected {low}"
                     + (f"..{high}" if high != low else "") + f" ({len(accepted)} accepted writes from version {v0})")
        # The narrative: the last accepted write's marker, or a later unknown one's.
        if otype == "progress_update":
            narr = [w for w in ws if w["kind"] in NARRATIVE_KINDS and w["outcome"] in ("accepted", "unknown", "unavailable")]
            last_ok = max((i for i, w in enumerate(narr) if w["outcome"] == "accepted"), default=None)
            if last_ok is not None:
                allowed = [narr[last_ok]["marker"]] + [w["marker"] for w in narr[last_ok + 1:]]
                if not any(m and m in (row.narrative or "") for m in allowed):
                    fail(f"update {oid}: narrative does not hold {allowed[0]} (the last accepted save)")
        for w in accepted:
            actor = users.get(w["actor"])
            checked[w["kind"]] += 1
            if w["kind"] in UPDATE_VERBS or w["kind"] in REPORT_VERBS:
                verbs = UPDATE_VERBS.get(w["kind"]) or REPORT_VERBS[w["kind"]]
                version = w["sent_version"] + 1 if otype == "progress_update" else None
                keys = [(otype, oid, v, actor, version) for v in verbs]
                key = next((k for k in keys if event_count[k] > used[k]), None)
                if key is None:
                    fail(f"{w['kind']} of {otype} {oid} by {w['actor']} (version {w['sent_version']}) was accepted "
                         "but has no trail event")
                else:
                    used[key] += 1
                if w.get("marker") and w["kind"] in ("return", "report_return"):
                    comments = [c for v in verbs for c in event_comments[(otype, oid, v, actor)]]
                    if not any(w["marker"] in c for c in comments):
                        fail(f"{w['kind']} of {otype} {oid} by {w['actor']}: the comment with {w['marker']} is not stored")
            if w["kind"] == "approve":
                if approvals[(oid, actor)] <= used[("approval", oid, actor)]:
                    fail(f"approval of report {oid} by {w['actor']} was accepted but no approved version is stored")
                used[("approval", oid, actor)] += 1

    # No half-written transition anywhere.
    states_checked = 0
    for uid, u in updates.items():
        states_checked += 1
        e = last_state_event.get(("progress_update", uid))
        if e is not None and e.to_state != u.state.value:
            fail(f"update {uid} is {u.state.value} but its last trail event ({e.verb}, #{e.seq}) says {e.to_state}")
        if u.state == UpdateState.SUBMITTED and u.submitted_at is None:
            fail(f"update {uid} is submitted without submitted_at")
        if u.state == UpdateState.SIGNED_OFF and (u.signed_off_at is None or u.signed_off_by_id is None):
            fail(f"update {uid} is signed off without who and when")
        if u.state == UpdateState.RETURNED and not u.return_comment:
            fail(f"update {uid} is returned without the comment")
    for rid, r in reports.items():
        states_checked += 1
        e = last_state_event.get(("report", rid))
        if e is not None and e.to_state != r.state.value:
            fail(f"report {rid} is {r.state.value} but its last trail event ({e.verb}, #{e.seq}) says {e.to_state}")
        approved_numbers = {v.number for v in r.versions}
        if r.state.value == "approved" and r.version_number not in approved_numbers:
            fail(f"report {rid} is approved but version {r.version_number} was not frozen")

    from app.trail.service import verify as trail_verify

    trail_checked, problem = trail_verify()
    if problem is not None:
        fail(f"trail verify: {problem}")
    return {
        "accepted_writes_checked": sum(checked.values()),
        # Writes with no answer (or a 503): how many were stored all the same (committed just
        # before the process died), counted from the version column; the rest were rolled back.
        "unknown_writes": unknown_total,
        "unknown_writes_stored": unknown_stored,
        "accepted_by_kind": dict(checked),
        "objects_checked": states_checked,
        "trail_events": trail_checked,
        "trail_ok": problem is None,
        "failures": failures,
    }


def main() -> None:
    app = create_app()
    with app.app_context():
        if sys.argv[1] == "snapshot":
            Path(sys.argv[2]).write_text(json.dumps(snapshot()))
        elif sys.argv[1] == "verify":
            snap = json.loads(Path(sys.argv[2]).read_text())
            writes = json.loads(Path(sys.argv[3]).read_text())
            print(json.dumps(verify(snap, writes)))
        else:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
