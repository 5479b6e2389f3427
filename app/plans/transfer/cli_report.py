"""`flask plans import PLAN_ID FILE`: the import page's check and confirmation, on the command line.

It reads the file exactly as the import page does, prints the mapping it used (column →
field), the people who are not in Docket, every problem and every cell not imported, and
ends with one summary line:
`N actions, M indicators, K risks, U updates: X new, Y changed, Z unchanged; P problems`.
With a problem it stores nothing and exits with status 1; `--dry-run` stops after the check.
"""
import sys
from collections import Counter
from pathlib import Path

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Plan, PlanStatus, ReportingPeriod, User
from app.plans import transfer
from app.plans.transfer.mapping import FIELDS
from app.plans.transfer.options import ImportOptions, field_named
from app.plans.transfer.rowkinds import norm


def _options(maps: tuple, add_people: bool, period_name: str | None) -> ImportOptions:
    options = ImportOptions(people_default="add" if add_people else None)
    for item in maps:
        heading, sep, wanted = item.rpartition("=")
        if not sep or not heading.strip():
            raise click.ClickException(f"“{item}” is not a mapping: write --map \"Source heading=field\", such as "
                                       "--map \"Lead officer=owner\".")
        field = "skip" if norm(wanted) in ("skip", "donotimport", "none", "ignore") else field_named(wanted)
        if field is None:
            raise click.ClickException(f"“{wanted.strip()}” is not a field Docket knows. Use one of: "
                                       + ", ".join(FIELDS) + ".")
        options.by_heading[norm(heading)] = field
    if period_name:
        period = db.session.scalar(sa.select(ReportingPeriod).where(
            sa.func.lower(ReportingPeriod.name) == period_name.strip().lower()))
        if period is None:
            raise click.ClickException(f"There is no reporting period called {period_name.strip()}.")
        options.period_id = period.id
    return options


def _summary(pv, result=None) -> str:
    rows = Counter()
    status = Counter()
    for table in pv.tables:
        rows[table.kind] += len(table.rows)
        status.update(table.counts)
    updates = result.updates if result is not None else pv.updates
    return (f"{rows['actions']} actions, {rows['indicators']} indicators, {rows['risks']} risks, {updates} updates: "
            f"{status['new']} new, {status['changed']} changed, {status['unchanged']} unchanged; "
            f"{len(pv.problems)} problems")


def _print_mapping(pv) -> None:
    for table in pv.tables:
        used = "; ".join(f"{p.heading} → {FIELDS.get(p.field, p.field.replace('result:', 'Result for '))}"
                         for p in table.proposal)
        click.echo(f"Columns of {table.source} ({table.title.lower()}): {used}")


def import_file(plan_id: int, file: Path, *, dry_run: bool, kind: str | None, as_email: str | None,
                add_people: bool, maps: tuple, period_name: str | None) -> None:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"There is no plan with id {plan_id}.")
    if plan.status == PlanStatus.ARCHIVED:  # plans set-up (issue 12): an archived plan is read-only
        raise click.ClickException(f"{plan.title} is archived, so nothing can be imported into it.")
    actor = None
    if as_email:
        actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == as_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"No one in Docket has the e-mail address {as_email}.")
    if file.stat().st_size > transfer.MAX_BYTES:
        raise click.ClickException("The file is larger than 10 MB: split it and import it in parts.")
    options = _options(maps, add_people, period_name)
    data = file.read_bytes()
    try:
        if file.suffix.lower() == ".txt" and not data.startswith(b"PK"):
            result = transfer.read_paste(transfer._decode(data), kind, options)
        else:
            result = transfer.read_upload(file.name, data, kind, options)
    except transfer.TransferError as exc:
        raise click.ClickException(str(exc)) from None
    pv = transfer.preview(plan, result, options=options)

    click.echo(f"{plan.service.name}: {plan.title} (plan {plan.id})")
    _print_mapping(pv)
    for table in pv.tables:
        c = table.counts
        click.echo(f"{table.title} ({table.source}): {c['new']} new, {c['changed']} changed, "
                   f"{c['unchanged']} unchanged, {c['problem']} with problems")
        if table.ignored_columns:
            click.echo(f"  Ignored columns: {', '.join(table.ignored_columns)}")
    for sheet in pv.ignored_sheets:
        click.echo(f"Ignored sheet: {sheet}")
    for person in pv.unknown:
        what = {"add": "will be added to Docket (cannot sign in until invited)", "none": "left without an owner"}.get(
            person.choice or "", "run again with --add-people to add them")
        click.echo(f"Person not in Docket: {person.name} ({person.said}): {what}")
    for cell in pv.not_imported:
        click.echo(f"Not imported: {cell.source}, row {cell.row}, {cell.column}: “{cell.text[:120]}” ({cell.reason})")
    if pv.updates and pv.period is not None:
        click.echo(f"Current position: {pv.updates} signed-off updates for {pv.period.name}")
    if pv.problems:
        for table in pv.tables:
            problems = [p for row in table.rows for p in row.problems]
            if problems:
                if len(pv.tables) > 1:
                    click.echo(f"Problems in {table.title.lower()} ({table.source}):")
                for problem in problems:
                    click.echo(str(problem))
        for problem in pv.extra_problems:
            click.echo(problem.message)
        click.echo(f"Nothing was stored: fix the {len(pv.problems)} problem(s) and run the import again.", err=True)
        click.echo(_summary(pv))
        sys.exit(1)
    for table in pv.tables:
        for row in table.rows:
            if row.status == "changed":
                click.echo(f"Row {row.number} ({row.label}): " + "; ".join(
                    f"{c.label}: {c.old or '(blank)'} → {c.new or '(blank)'}" for c in row.changes))
    if dry_run:
        click.echo("Dry run: nothing was stored.")
        click.echo(_summary(pv))
        return
    if not pv.has_changes and not pv.updates:
        click.echo("Nothing to import: every row already matches the plan.")
        click.echo(_summary(pv))
        return
    try:
        outcome = transfer.apply(plan, pv, actor, source=Path(file).name)
    except transfer.TransferError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(outcome.sentence())
    click.echo(_summary(pv, outcome))
