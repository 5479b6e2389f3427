"""Reading one row of a council's own table (`SourceTable.lenient`) into what it stores.

Beyond the template's columns: the priority theme and sub-heading the row sits under, the
reference Docket made up, the owner by initials or group row (app/plans/transfer/people.py),
"By when" words as timing and several dates as milestones, partners, the RAG, text targets,
comparators, last year's outturn and the latest actual as results, comments, and the
progress cell split into the parts of a signed-off baseline update.
"""
from app.demo.text import squash
from app.forms import text_problem
from app.plans.transfer.cells import CellProblem, _limit, _lines, _one_line, parse_rag_cell, parse_type
from app.plans.transfer.wording import (
    lines_of, parse_actual, parse_by_when, parse_target, split_narrative, year_label,
)

NARRATIVE_COLUMNS = {"progress": "narrative", "key_actions": "key_actions_remaining", "next_focus": "next_focus",
                     "corrective": "corrective_action", "comments": "narrative"}
PART_LABELS = {"narrative": "Progress", "key_actions_remaining": "Key actions remaining", "next_focus": "Next focus",
               "corrective_action": "Corrective action"}


def _text(reader, column: str) -> str | None:
    """The cell's text, if it passes the rules every text box has; else a problem."""
    if column not in reader.cells:
        return None
    text = reader.cells[column]
    problem = text_problem(text, reader.table.heading(column), False)
    if problem:
        reader.problem(column, problem)
        return None
    return text


def _parse(reader, column: str, parse):
    text = _text(reader, column)
    if text is None:
        return None, False
    try:
        return parse(text), True
    except CellProblem as exc:
        reader.problem(column, str(exc))
        return None, False


def read_own_row(reader, kind: str, owners, where: str) -> None:
    """Every cell of a row of a council's own table, with what the rows above it say."""
    table = reader.table
    ctx = table.context.get(reader.number, {})
    values = reader.row.values
    shown = reader.row.display
    if ctx.get("reference") and kind != "indicators":
        reader.row.generated_reference = ctx.get("generated")
        problem = text_problem(ctx["reference"], "The reference", True)
        if problem:  # the officer's own reference, typed on the preview
            reader.problem("reference" if "reference" in reader.cells else None, problem)
        else:
            values["reference"] = squash(ctx["reference"])
    else:
        reference, ok = _parse(reader, "reference", lambda t: _limit(_one_line(t), 40, "The reference"))
        if ok and reference:
            values["reference"] = reference
    if "owner" in reader.cells or ctx.get("owner_hint"):
        text = _text(reader, "owner") if "owner" in reader.cells else ""
        if text is not None:
            owner, others, problem = owners.resolve(text, table.legend, ctx.get("owner_hint"), where)
            if problem:
                reader.problem("owner" if "owner" in reader.cells else None, problem)
            else:
                values["owner"] = owner
            if others:
                reader.row.extra_partners = others
    if kind == "actions":
        _action(reader, ctx, values, shown)
    elif kind == "indicators":
        _indicator(reader, ctx, values)
    else:
        description = _text(reader, "description")
        values["description"] = _lines(description) if description else None
        mitigations = _text(reader, "mitigations")
        if mitigations is not None:
            values["mitigations"] = _lines(mitigations)
        rag, ok = _parse(reader, "rag", parse_rag_cell)
        if ok:
            values["rag"] = rag
        if not values.get("description") and not reader.row.problems_in("description"):
            reader.problem("description", "The risk is missing: describe the risk")


def _action(reader, ctx, values, shown) -> None:
    title = _text(reader, "title")
    if title is not None:
        values["title"] = _lines(ctx.get("title") or title)
    theme = _text(reader, "theme")
    values["theme"] = _one_line(theme) if theme else ctx.get("theme")
    group = _text(reader, "group")
    group = _one_line(group) if group else ctx.get("group")
    if group or "group" in reader.cells:
        values["group_title"] = (group or "")[:300] or None
    kind_of_action, ok = _parse(reader, "type", parse_type)
    if ok:
        values["action_type"], values["statutory"], values["type_note"] = kind_of_action
    timing, ok = _parse(reader, "due", parse_by_when)
    if ok:
        values["due_on"], values["status"], values["timing"] = timing.due_on, timing.status, timing.timing
        if timing.milestones and "milestones" not in reader.cells:
            values["milestones"] = timing.milestones
    if "milestones" in reader.cells:
        from app.plans.transfer.cells import parse_milestones

        milestones, ok = _parse(reader, "milestones", lambda t: parse_milestones(lines_of(t) or ""))
        if ok:
            values["milestones"] = milestones
    timing, ok = _parse(reader, "timing", lambda t: _limit(_lines(t), 300, "The timing"))
    if ok:
        values["timing"] = timing
    partners = _text(reader, "partners")
    extra = getattr(reader.row, "extra_partners", None)
    if partners is not None or extra:
        joined = "\n".join(p for p in (lines_of(partners or ""), extra) if p)
        values["partners"] = joined or None
    rag, ok = _parse(reader, "rag", parse_rag_cell)
    if ok and rag is not None:
        values["rag"] = rag
    parts: dict[str, str] = {}
    for column, part in NARRATIVE_COLUMNS.items():
        text = _text(reader, column)
        if not text or not squash(text):
            continue
        found = split_narrative(text) if column == "progress" else {part: lines_of(text) if part != "narrative"
                                                                     else text.strip()}
        if column == "comments":
            found = {"narrative": "Comments: " + text.strip()}
        for name, body in found.items():
            if body:
                parts[name] = (parts[name] + "\n\n" + body) if name in parts else body
        shown[column] = "\n".join(f"{PART_LABELS[n]}: {b}" for n, b in found.items() if b) \
            if column == "progress" and len(found) > 1 else "\n".join(b for b in found.values() if b)
    if parts:
        reader.row.baseline = parts
    if not values.get("title") and not reader.row.problems_in("title"):
        reader.problem("title", "The action is missing: write what the action is")
    if not values.get("reference") and not reader.row.problems_in("reference"):
        reader.problem("reference" if "reference" in reader.cells else None,
                       "The reference is missing: write one, such as B7")


def _indicator(reader, ctx, values) -> None:
    description = _text(reader, "description")
    values["description"] = _lines(description) if description else None
    group = _text(reader, "group")
    group = _one_line(group) if group else ctx.get("group")
    if group:
        values["group_name"] = group[:200]
    target, ok = _parse(reader, "target", parse_target)
    if ok:
        values["target"], values["target_text"], unit = target
        if unit is not None and "unit" not in reader.cells:
            values["unit"] = unit
    comparator = _text(reader, "comparator")
    if comparator is not None:
        values["benchmark_comparator"] = (squash(comparator) or None)
        if values["benchmark_comparator"] and len(values["benchmark_comparator"]) > 100:
            reader.problem("comparator", "The comparator is too long: use 100 characters or fewer")
    results = {}
    previous = _text(reader, "previous")
    if previous is not None and squash(previous):
        label = year_label(reader.table.heading("previous"), "Last year")
        results[label] = squash(previous)[:100]
    actual = _text(reader, "actual")
    if actual is not None and squash(actual):
        value, as_at = parse_actual(actual)
        label = f"Actual {as_at}" if as_at else year_label(reader.table.heading("actual"), "Actual")
        results[label[:40]] = value
    for label in reader.table.result_labels:
        text = squash(reader.cells.get("result:" + label, ""))
        if text:
            results[label] = text[:100]
    if results:
        values["results"] = results
        if "unit" not in values and "unit" not in reader.cells:
            from app.demo.loader import infer_unit

            values["unit"] = infer_unit(values.get("description") or "", list(results.values()))
    comments = _text(reader, "comments")
    if comments is not None:
        values["comments"] = _lines(comments)
    for column, attr, limit in (("national", "benchmark_national", 100), ("regional", "benchmark_regional", 100),
                                ("target_text", "target_text", 200), ("target_rationale", "target_rationale", None)):
        text, ok = _parse(reader, column, lambda t, n=limit: _limit(_one_line(t), n, "The text") if n else _lines(t))
        if ok:
            values[attr] = text
    from app.demo.loader import DIRECTIONS, POLARITIES
    from app.plans.transfer.cells import _FREQUENCIES, _INCLUDE, _UNITS, _choice

    for column, choices, what, allowed in (
            ("unit", _UNITS, "a unit", "Number, Percentage, Count or £"),
            ("polarity", POLARITIES, "a polarity", "Up is Good, Up is Bad or Neutral"),
            ("frequency", _FREQUENCIES, "a collection frequency", "Monthly, Quarterly, Six-monthly or Annual"),
            ("direction", DIRECTIONS, "a direction of travel", "Good, Bad or Neutral"),
            ("include", _INCLUDE, "Y or N", "Y or N")):
        value, ok = _parse(reader, column, lambda t, c=choices, w=what, a=allowed: _choice(t, c, w, a))
        if ok and value is not None:
            values[column] = value
    if not values.get("description") and not reader.row.problems_in("description"):
        reader.problem("description", "The measure is missing: write what the indicator measures")
