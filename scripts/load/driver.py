"""Load test: simulated people doing the real mix against gunicorn and PostgreSQL on 127.0.0.1.

Starts a throw-away PostgreSQL server, loads the demo and the people and work the load
needs (setup_data.py), serves Docket with gunicorn, signs everyone in, then for --duration
seconds action owners read their home page, the plan and their updates and save drafts and
submit; Heads of Service read the sign-off queue and sign off or return updates, and
resubmit returned reports; Assistant Directors approve or return reports; administrators
read. Then come bursts of same-moment writes on one object (several tabs saving one update,
several Heads signing off one update, several Assistant Directors approving one report):
exactly one may win and the rest must be refused with a 409. Afterwards it checks that no
response was a 5xx, that every write the server accepted is in the database, that no transition is half-written, and that `flask trail verify` passes.
Exit status 0 only if all of that holds.
"""
import argparse
import threading
import time

from harness import (Ledger, Rig, Stats, cast, log, new_run_id, print_writes, race_bursts, report_verification,
                     sign_everyone_in)

MAX_DURATION = 900


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=60, help=f"seconds of load (at most {MAX_DURATION})")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--think", default="0.2,1.0", help="seconds between a person's steps: min,max")
    p.add_argument("--pg-port", type=int, default=25433)
    p.add_argument("--port", type=int, default=28431)
    p.add_argument("--keep", action="store_true", help="keep the database and logs afterwards")
    args = p.parse_args()
    duration = max(1.0, min(args.duration, MAX_DURATION))
    think = tuple(float(x) for x in args.think.split(","))
    run_id = new_run_id()

    setup = ["--owners", str(max(40, args.users)), "--heads", str(max(12, args.users // 4)),
             "--directors", str(max(5, args.users // 10)), "--reports", "60"]
    with Rig("load", args.pg_port, args.port, args.workers, setup, keep=args.keep) as rig:
        stats, ledger, stop = Stats(), Ledger(), threading.Event()
        people = cast(rig.world, args.users, rig.app_port, stats, ledger, stop, think, run_id)
        kinds = {}
        for person in people:
            kinds[type(person).__name__] = kinds.get(type(person).__name__, 0) + 1
        log(f"Signing in {len(people)} people: {kinds}")
        took = sign_everyone_in(people)
        log(f"Everyone signed in in {took:.1f} s. Load for {duration:.0f} s ...")
        before = stats.total()
        t0 = time.monotonic()
        people[0].start_gate.set()
        stop.wait(duration)
        stop.set()
        for person in people:
            person.join(timeout=180)
        elapsed = time.monotonic() - t0
        after_load = stats.total()
        log("Races: same-moment writes on one update or report ...")
        race = race_bursts(rig.world, rig.app_port, stats, ledger, run_id)
        rig.gunicorn.stop()
        log("Load finished; checking the database ...")
        verification = rig.verify(ledger)

    total = stats.total()
    requests = sum(total.values())
    in_window = sum(after_load.values()) - sum(before.values())
    print()
    print(f"=== Load: {len(people)} users ({kinds}), {args.workers} gunicorn workers, PostgreSQL, "
          f"{elapsed:.0f} s ===")
    print(stats.table())
    print(f"Requests: {requests} ({in_window} during the timed load: {in_window / elapsed:.1f} per second; "
          f"the rest signing in and racing)")
    print(f"5xx responses: {stats.server_errors}; bodies with a traceback: {stats.tracebacks}; "
          f"no response: {total.get('no response', 0) + total.get('refused', 0)}")
    print("Writes sent, by outcome (accepted = 302; refused = 409, someone acted first and the person was told):")
    print_writes(ledger)
    t = race["tally"]
    print(f"Races: {t.get('bursts', 0)} bursts of same-moment writes on one object; {t.get('one winner', 0)} had "
          f"exactly one winner and every other write refused with a 409")
    for line in race["bad"]:
        print(f"  - RACE PROBLEM: {line}")
    report_verification(verification)
    problems = [p for p in stats.problems]
    stuck = [p.email for p in people if p.is_alive()]
    if problems:
        print("Problems seen during the run:")
        for line in problems[:30]:
            print(f"  - {line}")
    ok = (stats.server_errors == 0 and stats.tracebacks == 0 and not verification["failures"]
          and verification["flask_trail_verify_ok"] and total.get("no response", 0) + total.get("refused", 0) == 0 and not stuck
          and not any(p.failed for p in people) and not problems and not race["bad"])
    rig.finish(ok)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
