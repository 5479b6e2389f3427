"""Fault test: PostgreSQL stops (pg_ctl stop -m immediate) under load, then comes back.

Starts PostgreSQL and gunicorn on 127.0.0.1 with the load test's data and people reading and
writing. After --warm seconds it stops PostgreSQL abruptly, keeps the load going for
--outage seconds, and starts PostgreSQL again. It checks that:
- during the outage every response is Docket's 503 page, "Sorry, Docket is unavailable";
- no response at any time is a 500 or holds a traceback;
- Docket recovers by itself (pool_pre_ping): every request started --recover seconds or more
  after PostgreSQL is back succeeds, and it reports how soon the first one did;
- afterwards every write accepted (302) before or after the outage is in the database, no
  transition is half-written, and `flask trail verify` passes.
"""
import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))

from harness import (Ledger, Rig, Stats, cast, log, new_run_id, print_writes, report_verification,  # noqa: E402
                     sign_everyone_in, snippet)

UNAVAILABLE = "Sorry, Docket is unavailable"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--warm", type=float, default=10, help="seconds of load before the outage")
    p.add_argument("--outage", type=float, default=15, help="seconds PostgreSQL stays down")
    p.add_argument("--after", type=float, default=20, help="seconds of load after PostgreSQL is back")
    p.add_argument("--recover", type=float, default=5, help="seconds Docket may take to recover")
    p.add_argument("--pg-port", type=int, default=25453)
    p.add_argument("--port", type=int, default=28451)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    run_id = new_run_id()
    setup = ["--owners", "20", "--heads", "6", "--directors", "3", "--reports", "24", "--readers", "2"]
    with Rig("outage", args.pg_port, args.port, args.workers, setup, keep=args.keep) as rig:
        stats, ledger, stop = Stats(keep_bodies=True), Ledger(), threading.Event()
        people = cast(rig.world, args.users, rig.app_port, stats, ledger, stop, (0.05, 0.4), run_id)
        log(f"Signing in {len(people)} people ...")
        sign_everyone_in(people)
        people[0].start_gate.set()
        t0 = time.monotonic()
        stop.wait(args.warm)
        log("Stopping PostgreSQL (pg_ctl stop -m immediate) ...")
        t_stop = time.monotonic()
        rig.pg.stop("immediate")
        t_down = time.monotonic()
        stop.wait(args.outage)
        log("Starting PostgreSQL again ...")
        t_start = time.monotonic()
        rig.pg.start()
        t_up = time.monotonic()
        log(f"PostgreSQL is back after {t_up - t_stop:.1f} s down (pg_ctl start took {t_up - t_start:.1f} s)")
        stop.wait(args.after)
        stop.set()
        for person in people:
            person.join(timeout=120)
        rig.gunicorn.stop()
        log("Load stopped; checking the database ...")
        verification = rig.verify(ledger)

    results = [r for r in stats.results if r.started >= t0]
    failures: list[str] = []
    # Requests wholly inside the outage: Docket's 503 page, every one.
    during = [r for r in results if r.started >= t_down and r.ended <= t_start]
    during_status = Counter(str(r.status) for r in during)
    for r in during:
        if r.status != 503 or UNAVAILABLE not in r.body:
            failures.append(f"during the outage {r.method} {r.path} answered {r.status}: {snippet(r.body)}")
    if not during:
        failures.append("no request was answered during the outage: nothing was tested")
    # Any time: never a 500, never a traceback.
    for r in results:
        if r.status == 500 or (r.status is not None and r.status >= 500 and r.status != 503):
            failures.append(f"{r.status} on {r.method} {r.path} at +{r.started - t0:.1f} s: {snippet(r.body)}")
        if "Traceback" in r.body:
            failures.append(f"a traceback in the answer to {r.method} {r.path} at +{r.started - t0:.1f} s")
    no_response = [r for r in results if r.status is None]
    for r in no_response[:5]:
        failures.append(f"no response to {r.method} {r.path} at +{r.started - t0:.1f} s: {r.error}")
    # Recovery.
    after = sorted((r for r in results if r.started >= t_up), key=lambda r: r.ended)
    ok_after = [r for r in after if r.status in (200, 302, 409)]
    first_ok = (ok_after[0].ended - t_up) if ok_after else None
    late_503 = [r for r in after if r.status == 503]
    last_503 = max((r.ended - t_up for r in late_503), default=0.0)
    bad_late = [r for r in after if r.started >= t_up + args.recover and r.status not in (200, 302, 409)]
    for r in bad_late[:10]:
        failures.append(f"{args.recover:.0f} s after PostgreSQL was back, {r.method} {r.path} still answered "
                        f"{r.status}: {snippet(r.body)}")
    if first_ok is None:
        failures.append("Docket did not recover: no request succeeded after PostgreSQL was back")
    failures += [f"database check: {f}" for f in verification["failures"]]
    if stats.problems:
        failures += [p for p in stats.problems if not p.startswith("503 ")][:10]

    print()
    print(f"=== Database outage: {len(people)} users, {args.workers} gunicorn workers; PostgreSQL down "
          f"{t_up - t_stop:.1f} s ===")
    print(stats.table())
    print(f"Requests: {len(results)}; during the outage: {len(during)} "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(during_status.items()))}); "
          f"500s: {sum(1 for r in results if r.status == 500)}; tracebacks: {stats.tracebacks}")
    print(f"Recovery: first successful response {first_ok:.2f} s after PostgreSQL was back; "
          f"last 503 {last_503:.2f} s after; {len(late_503)} 503s after it was back"
          if first_ok is not None else "Recovery: none")
    print("Writes sent, by outcome (unavailable = 503 while PostgreSQL was away):")
    print_writes(ledger)
    report_verification(verification)
    if failures:
        print(f"FAILURES ({len(failures)}):")
        for f in failures[:40]:
            print(f"  - {f}")
    ok = not failures and verification["flask_trail_verify_ok"]
    rig.finish(ok)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
