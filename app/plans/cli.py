"""`flask plans import PLAN_ID FILE`: the administrator's import, from the command line.

It checks the file exactly as the import page does and prints the same summary and
problems; with problems it stores nothing and exits with status 1. `--dry-run` stops after
the check.
"""
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.models import Plan, User
from app.plans import transfer

plans_cli = AppGroup("plans", help="Service improvement plans: create one, or import from a spreadsheet.")


@plans_cli.command("import")
@click.argument("plan_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; store nothing.")
@click.option("--kind", type=click.Choice(transfer.KINDS), default=None,
              help="What the file holds (else Docket works it out from the headings).")
@click.option("--as", "as_email", metavar="EMAIL", default=None,
              help="Record the import in the trail as this person (else as the system).")
def import_command(plan_id: int, file: Path, dry_run: bool, kind: str | None, as_email: str | None):
    """Import actions, risks or indicators from FILE (.xlsx or .csv) into plan PLAN_ID."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"There is no plan with id {plan_id}.")
    from app.models import PlanStatus

    if plan.status == PlanStatus.ARCHIVED:  # plans set-up (issue 12): an archived plan is read-only
        raise click.ClickException(f"{plan.title} is archived, so nothing can be imported into it.")
    actor = None
    if as_email:
        actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == as_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"No one in Docket has the e-mail address {as_email}.")
    if file.stat().st_size > transfer.MAX_BYTES:
        raise click.ClickException("The file is larger than 10 MB: split it and import it in parts.")
    try:
        result = transfer.read_upload(file.name, file.read_bytes(), kind)
    except transfer.TransferError as exc:
        raise click.ClickException(str(exc)) from None
    pv = transfer.preview(plan, result)

    click.echo(f"{plan.service.name}: {plan.title} (plan {plan.id})")
    for table in pv.tables:
        c = table.counts
        click.echo(f"{table.title} ({table.source}): {c['new']} new, {c['changed']} changed, "
                   f"{c['unchanged']} unchanged, {c['problem']} with problems")
        if table.ignored_columns:
            click.echo(f"  Ignored columns: {', '.join(table.ignored_columns)}")
    for sheet in pv.ignored_sheets:
        click.echo(f"Ignored sheet: {sheet}")
    if pv.problems:
        for table in pv.tables:
            problems = [p for row in table.rows for p in row.problems]
            if problems:
                if len(pv.tables) > 1:
                    click.echo(f"Problems in {table.title.lower()} ({table.source}):")
                for problem in problems:
                    click.echo(str(problem))
        click.echo(f"Nothing was stored: fix the {len(pv.problems)} problem(s) and run the import again.", err=True)
        sys.exit(1)
    for table in pv.tables:
        for row in table.rows:
            if row.status == "changed":
                click.echo(f"Row {row.number} ({row.label}): " + "; ".join(
                    f"{c.label}: {c.old or '(blank)'} → {c.new or '(blank)'}" for c in row.changes))
    if dry_run:
        click.echo("Dry run: nothing was stored.")
        return
    if not pv.has_changes:
        click.echo("Nothing to import: every row already matches the plan.")
        return
    try:
        outcome = transfer.apply(plan, pv, actor, source=file.name)
    except transfer.TransferError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(outcome.sentence())


@plans_cli.command("create")
@click.option("--service", "service_name", default=None, metavar="NAME", help="The service the plan is for.")
@click.option("--title", default=None, help="The plan's title, for example \"Service Improvement Plan\".")
@click.option("--period", "period_label", default=None, metavar="LABEL",
              help="The period it covers: a year or a range of years, like 2019/20, 2016-19 or 2019.")
@click.option("--director", default=None, help="The Director, as the plan names them.")
@click.option("--cabinet-member", default=None, help="The Cabinet member, as the plan names them.")
@click.option("--as", "as_email", metavar="EMAIL", default=None,
              help="Record it in the trail as this person (else as the system).")
@click.option("--id-only", is_flag=True, help="Print only the new plan's id (for scripts).")
def create_command(service_name: str, title: str, period_label: str, director: str | None,
                   cabinet_member: str | None, as_email: str | None, id_only: bool):
    """Create a live plan for a service and print `Created plan ID: TITLE PERIOD for SERVICE`
    (with --id-only, just the new plan's id, for scripts)."""
    from app.plans import setup

    actor = None
    if as_email:
        actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == as_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"No one in Docket has the e-mail address {as_email}.")
    try:
        if not (service_name or "").strip():
            raise setup.SetupError("Name the plan's service with --service NAME.")
        if not (title or "").strip():
            raise setup.SetupError("Give the plan's title with --title TITLE.")
        if not (period_label or "").strip():
            raise setup.SetupError(f"Give the period the plan covers with --period, {setup.PERIOD_HINT}.")
        service = setup.find_service(service_name)
        plan = setup.create_plan(service, title, period_label, actor=actor, director_title=director,
                                 cabinet_member=cabinet_member)
    except setup.SetupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc).rstrip(".") + ".") from None
    click.echo(plan.id if id_only else f"Created plan {plan.id}: {setup.plan_name(plan)} for {service.name}")
