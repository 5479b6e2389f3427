"""A committee report's sections, as the council writes them, and what can be typed in them.

People type plain text: paragraphs separated by a blank line, and bulleted lists as lines
that start with "- ". Nothing typed is ever treated as markup. Paragraphs are numbered
through the whole report, as in the council's reports.
"""
import hashlib
import json
from dataclasses import dataclass

# (key, heading, numbered?) in the order a report reads.
SECTIONS = [
    ("summary", "Summary", True),
    ("background", "Background", True),
    ("progress", "Progress", True),  # the compiled body follows this section's text
    ("consultation", "Consultation", True),
    ("council_plan", "Council Plan", True),
    ("recommendations", "Recommendations", True),
    ("reason", "Reason", False),
]
IMPLICATIONS = [
    ("financial", "Financial"),
    ("hr", "Human Resources (HR)"),
    ("equalities", "Equalities"),
    ("legal", "Legal"),
    ("crime_and_disorder", "Crime and Disorder"),
    ("it", "Information Technology (IT)"),
    ("property", "Property"),
    ("other", "Other"),
]
EXTRA = [("wards_affected", "Wards Affected"), ("annexes", "Annexes"), ("abbreviations", "Abbreviations")]
EDITABLE = [k for k, _, _ in SECTIONS] + [f"implications_{k}" for k, _ in IMPLICATIONS] + [k for k, _ in EXTRA]

# What can be typed, in characters. A council report's section is rarely over a few thousand
# words; these limits keep the longest report a committee would read (and the time its PDF
# takes to build) bounded: before them, every section near 50,000 characters took 70 seconds.
SECTION_LIMIT = 15_000  # about 2,500 words: each of the sections in SECTIONS
IMPLICATION_LIMIT = 3_000  # about 500 words: each implication
LIMITS = {"wards_affected": 500, "annexes": 3_000, "abbreviations": 5_000}
REPORT_LIMIT = 60_000  # about 10,000 words: every section together


def limit(key: str) -> int:
    """The most characters the section `key` may hold."""
    return LIMITS.get(key, IMPLICATION_LIMIT if key.startswith("implications_") else SECTION_LIMIT)


def length_problems(values: dict, content: dict) -> dict[str, str]:
    """Each section over its limit, and the report over its limit, in plain English, keyed by
    the field to show the message beside."""
    labels = {k: h for k, h, _ in SECTIONS} | {f"implications_{k}": f"{h} implications" for k, h in IMPLICATIONS}
    labels |= dict(EXTRA)
    problems = {k: f"{labels.get(k, k)} must be {limit(k):,} characters or fewer; it has {len(v or ''):,}"
                for k, v in values.items() if len(v or "") > limit(k)}
    if problems:
        return problems
    merged = {k: (values[k] if k in values else content.get(k)) or "" for k in EDITABLE}
    total = sum(len(v) for v in merged.values())
    before = sum(len(content.get(k) or "") for k in EDITABLE)
    if total > REPORT_LIMIT and total > before:  # a report already over it may still be shortened
        longest = max((k for k in values if k in merged), key=lambda k: len(merged[k]), default=None)
        if longest is not None:
            problems[longest] = (f"The report's sections come to {total:,} characters: the most is "
                                 f"{REPORT_LIMIT:,} (about {REPORT_LIMIT // 6:,} words). Shorten this section or another")
    return problems


def blank_content() -> dict:
    content = {key: "" for key in EDITABLE}
    for key, _ in IMPLICATIONS:
        content[f"implications_{key}"] = "None"
    content["wards_affected"] = "All"
    return content


@dataclass
class Block:
    kind: str  # "para" or "list"
    items: list[str]
    number: int | None = None


BULLETS = ("- ", "* ", "• ")


def _is_bullet(line: str) -> bool:
    return line.startswith(BULLETS) or line in ("-", "*", "•")


def blocks(text: str | None) -> list[Block]:
    """Paragraphs and bulleted lists from what was typed. Lines that start with "- " (or "* ",
    "• ") are a list wherever they are, also straight after a line of text ("We will:" then the
    bullets, with no blank line between); the other lines of a run make one paragraph."""
    out: list[Block] = []
    for chunk in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        run: list[str] = []
        bullets = False
        for line in lines + [None]:
            if line is None or _is_bullet(line) != bullets:
                if run:  # (a run of bare "-" lines holds nothing)
                    out.append(Block("list", run) if bullets else Block("para", [" ".join(run)]))
                run = []
                if line is None:
                    break
                bullets = _is_bullet(line)
            item = line[2:].strip() if bullets else line
            if item:
                run.append(item)
    return out


def numbered_sections(content: dict) -> list[tuple[str, str, list[Block]]]:
    """(key, heading, blocks) for each section, with paragraph numbers running through."""
    n = 0
    result = []
    for key, heading, numbered in SECTIONS:
        section_blocks = blocks(content.get(key))
        if numbered:
            for block in section_blocks:
                if block.kind == "para":
                    n += 1
                    block.number = n
        result.append((key, heading, section_blocks))
    return result


def abbreviations(content: dict) -> list[tuple[str, str]]:
    """Lines like "SEND - Special Educational Needs and Disability" as (term, meaning)."""
    pairs = []
    for line in (content.get("abbreviations") or "").splitlines():
        line = line.strip().lstrip("-• ").strip()
        if not line:
            continue
        for sep in (" – ", " - ", "–", "-", ":", "\t"):
            if sep in line:
                term, meaning = line.split(sep, 1)
                pairs.append((term.strip(), meaning.strip()))
                break
        else:
            pairs.append((line, ""))
    return pairs


# Lists kept for the people working on the report, never in the report a committee reads: they
# stay in the working draft (for its author and approver) and are left out of an approved version.
WORKING_ONLY = ("not_signed_off",)


def public_content(content: dict) -> dict:
    """The report as it may be published: without the working lists (what is not yet signed off)."""
    out = dict(content)
    compiled = dict(out.get("compiled") or {})
    for key in WORKING_ONLY:
        compiled.pop(key, None)
    if out.get("compiled") is not None:
        out["compiled"] = compiled
    return out


def canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def as_lines(content: dict) -> list[str]:
    """The report as plain lines, for comparing versions."""
    lines = []
    for key, heading, section_blocks in numbered_sections(content):
        if section_blocks:
            lines.append(f"## {heading}")
        for block in section_blocks:
            if block.kind == "para":
                lines.append(f"{block.number}. {block.items[0]}" if block.number else block.items[0])
            else:
                lines.extend(f"• {item}" for item in block.items)
    lines.append("## Implications")
    for key, label in IMPLICATIONS:
        lines.append(f"{label}: {content.get(f'implications_{key}') or 'None'}")
    for key, label in EXTRA:
        if content.get(key):
            lines.append(f"## {label}")
            lines.extend(line.strip() for line in content[key].splitlines() if line.strip())
    compiled = content.get("compiled") or {}
    for row in compiled.get("actions", []):
        lines.append(f"{row['reference']} ({row['rag_label']}): {row.get('progress') or ''}")
        if row.get("key_actions_remaining"):
            lines.append(f"{row['reference']} key actions remaining: {' '.join(row['key_actions_remaining'].split())}")
        if row.get("next_focus"):
            lines.append(f"{row['reference']} focus for the next period: {' '.join(row['next_focus'].split())}")
    for row in compiled.get("indicators", []):
        lines.append(f"{row['label']}: {row.get('value_text') or '–'} (target {row.get('target_text') or '–'})")
    return lines
