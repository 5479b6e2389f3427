"""`flask plans import PLAN_ID FILE`: the administrator's import, from the command line.

It checks the file exactly as the import page does (app/plans/transfer/cli_report.py) and
prints the mapping it used, the same summary and problems, and one summary line; with
problems it stores nothing and exits with status 1. `--dry-run` stops after the check.
"""
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.models import User
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
@click.option("--add-people", is_flag=True,
              help="Add the people the file names who are not in Docket (they cannot sign in until invited).")
@click.option("--map", "maps", multiple=True, metavar="\"HEADING=FIELD\"",
              help="Import the column with this heading as this field (or \"do not import\"); repeatable.")
@click.option("--period", "period_name", default=None, metavar="NAME",
              help="The reporting period the file's progress is the current position for (else the one its "
                   "heading names, or the latest that has started).")
def import_command(plan_id: int, file: Path, dry_run: bool, kind: str | None, as_email: str | None,
                   add_people: bool, maps: tuple, period_name: str | None):
    """Import actions, risks or indicators from FILE (.xlsx, .docx, .csv or a pasted table saved as
    text) into plan PLAN_ID, in Docket's template or in the plan's own layout."""
    from app.plans.transfer.cli_report import import_file

    import_file(plan_id, file, dry_run=dry_run, kind=kind, as_email=as_email, add_people=add_people, maps=maps,
                period_name=period_name)


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
