"""flask demo — load the demo data into a migrated database (safe to run again)."""
import click
import sqlalchemy as sa

from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.models import User


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database with nobody in it yet.")
@click.option("--year", type=int, default=None,
              help="Place the demo in this municipal year (2019: the seed as written) instead of the present.")
@click.option("--no-activity", is_flag=True, help="Load the plan, committee and people only, with no work done.")
def demo_command(if_empty, year, no_activity):
    """Load the demo: a real council's plan and committee, with invented people.

    The demo is placed in the present: this year's meetings and reporting periods, the
    quarters before this one signed off and reported, this quarter's updates under way.
    Run `flask db upgrade` first. Running it again brings the demo back to the seed's
    values without duplicating anything or redoing work already done.
    """
    if if_empty and db.session.scalar(sa.select(User.id).limit(1)) is not None:
        click.echo("The database already has people in it: demo data not loaded.")
        return
    try:
        counts = load_demo(year=year, activity=not no_activity)
    except ValueError as exc:  # a seed document the loader cannot read; nothing was saved
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Demo data: {counts['actions']} actions, {counts['risks']} "
        f"{'risk' if counts['risks'] == 1 else 'risks'}, {counts['indicators']} indicators, "
        f"{counts['meetings']} meetings, {counts['people']} people."
    )
    if counts["created"] or counts["updated"]:
        click.echo(f"Created {counts['created']} rows and updated {counts['updated']}.")
    else:
        click.echo("Already loaded: nothing changed.")
    click.echo(f"Everyone signs in with the password {DEMO_PASSWORD}; see `flask users list`.")
