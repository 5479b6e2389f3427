"""Two runs of bench/run.py side by side: each figure as "after (before)".

    .venv/bin/python bench/compare.py BEFORE.json AFTER.json [--title "SQLite"]

Prints Markdown: each page against the goal (queries, nothing kept and kept, CPU, throughput
against the ceiling, the deadline day), then the deadline day's totals. A figure missing from a
run (a page the older benchmark did not measure) is shown as "–".
"""
import argparse
import json
from pathlib import Path

from run import EXTRA_PAGES, PAGES, REFERENCE_PAGES, TARGETS


def _get(d, *keys):
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cell(after, before, bold_if=None) -> str:
    text = _fmt(after)
    if bold_if is not None and after is not None and not bold_if(after):
        text = f"**{text}**"  # a missed target stands out
    return f"{text} ({_fmt(before)})"


def cpu(run: dict, key: str, mode: str):
    """CPU per request, app + database, of one wrk run (None if not measured)."""
    measured = _get(run, "load", key, mode) if mode != "kept" else _get(run, "load", key, "docket")
    if measured is None:
        return None
    return round(measured["server_cpu_ms_per_request"] + measured.get("database_cpu_ms_per_request", 0), 2)


def page_table(before: dict, after: dict) -> list[str]:
    scales = after.get("scales", ["1x"])
    big = scales[-1]
    lines = [
        f"| Page | queries, first view, {scales[0]} / {big} | nothing kept: p95 ms | CPU ms/req (app + db) "
        f"| kept: p95 ms | CPU ms/req | req/s ÷ ceiling, nothing kept | deadline day p95 ms, kept "
        f"| deadline day p95 ms, nothing kept |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    p95_ok = lambda v: v <= TARGETS["p95_ms"]  # noqa: E731
    cpu_ok = lambda v: v <= TARGETS["cpu_ms"]  # noqa: E731
    for key, title, _who, _path in PAGES + REFERENCE_PAGES + EXTRA_PAGES:
        q = lambda run, scale: _get(run, "queries", scale, key, "queries_first")  # noqa: E731
        queries_after = f"{_fmt(q(after, scales[0]))} / {_fmt(q(after, big))}"
        queries_before = f"{_fmt(q(before, scales[0]))} / {_fmt(q(before, big))}"
        if _get(after, "load", key) is None:
            if q(after, scales[0]) is None:
                continue
            lines.append(f"| {title} | {queries_after} ({queries_before}) | | | | | | | |")
            continue

        def ratio(run):
            d, c = _get(run, "load", key, "uncached", "rps"), _get(run, "load", key, "ceiling", "rps")
            return round(d / c, 3) if d and c else None

        deadline = lambda run, mode: _get(run, "deadline_day", mode, "pages", title, "p95_ms")  # noqa: E731
        lines.append(
            f"| {title} | {queries_after} ({queries_before}) "
            f"| {cell(_get(after, 'load', key, 'uncached', 'p95_ms'), _get(before, 'load', key, 'uncached', 'p95_ms'), p95_ok)} "
            f"| {cell(cpu(after, key, 'uncached'), cpu(before, key, 'uncached'), cpu_ok)} "
            f"| {cell(_get(after, 'load', key, 'docket', 'p95_ms'), _get(before, 'load', key, 'docket', 'p95_ms'), p95_ok)} "
            f"| {cell(cpu(after, key, 'kept'), cpu(before, key, 'kept'), cpu_ok)} "
            f"| {cell(ratio(after), ratio(before))} "
            f"| {cell(deadline(after, 'kept'), deadline(before, 'kept'))} "
            f"| {cell(deadline(after, 'nothing kept'), deadline(before, 'nothing kept'))} |")
    return lines


def deadline_table(before: dict, after: dict) -> list[str]:
    lines = ["| Run | requests/s | errors | hit rate | CPU ms/req (app + db) | submitted | signed off "
             "| writes lost | trail |", "|---|---|---|---|---|---|---|---|---|"]
    for label, run in (("before", before), ("after", after)):
        for mode in ("kept", "nothing kept"):
            d = _get(run, "deadline_day", mode)
            if not d:
                continue
            writes = d["writes"]
            trail = ("verifies" if not writes["trail_problem"] else f"**{writes['trail_problem']}**") + \
                f" ({writes['trail_events_verified']:,})"
            lines.append(
                f"| {label}, {mode} | {d['rps']} | {d['errors']} | {_fmt(d['hit_rate'])} "
                f"| {d['server_cpu_ms_per_request']} + {d['database_cpu_ms_per_request']} | {d['submitted']} "
                f"| {d['signed_off']} | {writes['lost_count']} | {trail} |")
    return lines


def deadline_pages(run: dict, label: str) -> list[str]:
    lines = []
    for mode in ("kept", "nothing kept"):
        d = _get(run, "deadline_day", mode)
        if not d:
            continue
        lines += ["", f"Deadline day, {label}, {mode}: every kind of request.", "",
                  "| Request | n | p50 ms | p95 ms | p99 ms | statuses | kept hits / misses |", "|---|---|---|---|---|---|---|"]
        for name, p in sorted(d["pages"].items()):
            statuses = ", ".join(f"{k}: {v}" for k, v in p["statuses"].items())
            lines.append(f"| {name} | {p['requests']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} | {statuses} "
                         f"| {p.get('kept_hits', 0)} / {p.get('kept_misses', 0)} |")
    return lines


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--title", default="")
    args = parser.parse_args(argv)
    before, after = (json.loads(Path(p).read_text()) for p in (args.before, args.after))
    m = lambda run: run.get("machine", {})  # noqa: E731
    out = [f"### {args.title}".rstrip(), "",
           f"Before: {before.get('when')}, load average {m(before).get('loadavg_at_start')} at the start, "
           f"{m(before).get('loadavg_at_end')} at the end. After: {after.get('when')}, load average "
           f"{m(after).get('loadavg_at_start')} at the start, {m(after).get('loadavg_at_end')} at the end. "
           f"{after.get('connections')} connections, {after.get('duration_s')} s a run. Each cell: **after** "
           f"(before); a figure in bold misses its target.", ""]
    out += page_table(before, after) + [""] + deadline_table(before, after) + deadline_pages(after, "after")
    text = "\n".join(out) + "\n"
    print(text)
    return text


if __name__ == "__main__":
    main()
