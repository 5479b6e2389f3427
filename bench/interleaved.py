"""Two checkouts side by side, interleaved, on SQLite with nothing kept: both run under gunicorn
at once (each idle while the other is measured) and each page is measured before, after, after,
before, ... so that a drift in the machine's speed during the run falls on both alike (on a
shared machine, two runs an hour apart differ by more than many changes do).

    bench/interleaved.py BEFORE_CHECKOUT [AFTER_CHECKOUT] [--rounds 4] [--seconds 5] [--out FILE]

Each checkout needs its 1x data set (`bench/run.sh` in it makes one) and this bench/ copied in.
Prints a Markdown table: each page's CPU a request, p95 and requests a second, after (before),
as the means of the rounds.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as B  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("before")
parser.add_argument("after", nargs="?", default=str(B.ROOT))
parser.add_argument("--rounds", type=int, default=4)
parser.add_argument("--seconds", type=float, default=5)
parser.add_argument("--out", default=str(B.RESULTS / "interleaved.json"))
args = parser.parse_args()
rounds, seconds = args.rounds, args.seconds
trees = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
servers = {}
for name, root in trees.items():
    summary = json.loads(open(f"{root}/bench/data/docket-1x.db.json").read())
    port = B.free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{root}/bench/data/docket-1x.db", "SECRET_KEY": B.SECRET_KEY,
           "TRAIL_KEY": B.TRAIL_KEY, "CACHE_ENTRIES": "0"}
    proc = subprocess.Popen([str(B.VENV_BIN / "gunicorn"), *B.GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers[name] = (proc, f"http://127.0.0.1:{port}", summary)
time.sleep(8)
results = {}
print("| Page, nothing kept | CPU ms/req | p95 ms | req/s |\n|---|---|---|---|", flush=True)
try:
    cookies = {}
    for name, (proc, base, summary) in servers.items():
        for who in {w for _, _, w, _ in B.PAGES if w != B.ANONYMOUS}:
            cookies[(name, who)] = B.http_sign_in(base, summary["people"][who], summary["password"])[0]
    for key, title, who, template in B.PAGES + B.REFERENCE_PAGES:
        if key == "import_preview":
            continue
        for r in range(rounds):
            for name in (("before", "after") if r % 2 == 0 else ("after", "before")):
                proc, base, summary = servers[name]
                url = base + B.page_path(template, summary)
                cookie = cookies.get((name, who))
                B.wrk(url, cookie, 1, 20)
                pids = B.children_of(proc.pid)
                c0 = B.cpu_seconds(pids)
                out = B.wrk(url, cookie, seconds, 20)
                cpu = (B.cpu_seconds(pids) - c0) / max(out["requests"], 1) * 1000
                results.setdefault(key, {}).setdefault(name, []).append((cpu, out["p95_ms"], out["rps"]))
        b, a = results[key]["before"], results[key]["after"]
        mean = lambda xs, i: sum(x[i] for x in xs) / len(xs)
        print(f"| {title} | {mean(a,0):.2f} ({mean(b,0):.2f}) | {mean(a,1):.1f} ({mean(b,1):.1f}) | {mean(a,2):.0f} ({mean(b,2):.0f}) |", flush=True)
finally:
    for proc, _, _ in servers.values():
        proc.terminate(); proc.wait()
B.RESULTS.mkdir(parents=True, exist_ok=True)
Path(args.out).write_text(json.dumps({"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "trees": trees,
                                      "gunicorn": " ".join(B.GUNICORN_ARGS), "rounds": rounds, "seconds": seconds,
                                      "pages": results}, indent=2))
