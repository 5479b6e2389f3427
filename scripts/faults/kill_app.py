"""Fault test: kill -9 gunicorn (master and workers) in the middle of writes, again and again.

Starts PostgreSQL and gunicorn on 127.0.0.1 with the load test's data, keeps owners, Heads
of Service and an Assistant Director writing without pause, and --cycles times kills the whole
gunicorn process group with SIGKILL while writes are in flight, then starts gunicorn again.
Afterwards: every write that got a 302 is in the database, no update or report is
half-way through a transition (its state is the to-state of its last trail event, and the
state's own fields are set), and `flask trail verify` passes. Writes that got no answer may
or may not have happened; the checks allow either, never half.
"""
import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))

from harness import (Ledger, Rig, Stats, cast, log, new_run_id, print_writes, report_verification,  # noqa: E402
                     sign_everyone_in)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cycles", type=int, default=10)
    p.add_argument("--users", type=int, default=16, help="people writing without pause")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--pg-port", type=int, default=25443)
    p.add_argument("--port", type=int, default=28441)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    rng = random.Random()
    run_id = new_run_id()
    setup = ["--owners", "16", "--heads", "6", "--directors", "3", "--reports", "24", "--readers", "1"]
    mix = {"owners": max(1, args.users - 4), "heads": 3, "directors": 1, "readers": 0}
    kills = []
    with Rig("kill", args.pg_port, args.port, args.workers, setup, keep=args.keep) as rig:
        stats, ledger, stop = Stats(), Ledger(), threading.Event()
        people = cast(rig.world, sum(mix.values()), rig.app_port, stats, ledger, stop, (0.0, 0.05), run_id, mix)
        log(f"Signing in {len(people)} writers ...")
        sign_everyone_in(people)
        people[0].start_gate.set()
        t0 = time.monotonic()
        for cycle in range(1, args.cycles + 1):
            # Let writes flow (at least a few accepted since the restart), then kill mid-flight.
            mark = ledger.counts()["accepted"]
            deadline = time.monotonic() + 30
            stop.wait(rng.uniform(1.0, 3.0))
            while ledger.counts()["accepted"] < mark + 5 and time.monotonic() < deadline:
                stop.wait(0.2)
            # Wait for a moment when at least one write is on its way to the server.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any(
                    (pp.browser.in_flight or "").startswith("POST") for pp in people):
                time.sleep(0.005)
            in_flight = [pp.browser.in_flight for pp in people if pp.browser.in_flight]
            posts = sum(1 for f in in_flight if f.startswith("POST"))
            n = rig.gunicorn.kill9()
            killed_at = time.monotonic()
            time.sleep(0.5)
            took = rig.gunicorn.start()
            kills.append({"processes": n, "in_flight": len(in_flight), "posts_in_flight": posts,
                          "down_s": time.monotonic() - killed_at, "restart_s": took})
            log(f"Kill {cycle}/{args.cycles}: SIGKILL to {n} gunicorn processes with {len(in_flight)} requests "
                f"in flight ({posts} writes); back after {time.monotonic() - killed_at:.1f} s")
        stop.wait(3)
        stop.set()
        for person in people:
            person.join(timeout=120)
        elapsed = time.monotonic() - t0
        rig.gunicorn.stop()
        log("Writers stopped; checking the database ...")
        verification = rig.verify(ledger)

    outcomes = ledger.counts()
    print()
    print(f"=== Kill test: {args.cycles} x kill -9 of gunicorn (master + {args.workers} workers) under writes, "
          f"{elapsed:.0f} s ===")
    print(stats.table())
    total = stats.total()
    print(f"Requests: {sum(total.values())}; 5xx responses: {stats.server_errors}; tracebacks: {stats.tracebacks}; "
          f"no response (killed mid-request): {total.get('no response', 0)}; "
          f"refused (gunicorn down, nothing sent): {total.get('refused', 0)}")
    print(f"Kill cycles: {len(kills)}; writes in flight when killed: {sum(k['posts_in_flight'] for k in kills)} "
          f"(in {sum(1 for k in kills if k['posts_in_flight'])} of the kills); "
          f"restart took {min(k['restart_s'] for k in kills):.1f}-{max(k['restart_s'] for k in kills):.1f} s")
    print("Writes sent, by outcome (unknown = no answer: killed mid-request; not sent = refused while down):")
    print_writes(ledger)
    report_verification(verification)
    ok = (stats.server_errors == 0 and stats.tracebacks == 0 and not verification["failures"]
          and verification["flask_trail_verify_ok"] and outcomes["accepted"] > 0 and len(kills) == args.cycles
          and not any(pp.failed for pp in people))
    rig.finish(ok)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
