"""flask directorates create | services create | committees create

The same service functions as the administration pages, with the same rules and trail. The
actor is the system unless --as EMAIL names an administrator."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.concurrency import Refused, guarded
from app.extensions import db
from app.models import User
from app.organisation import service as org

directorates_cli = AppGroup("directorates", help="The council's directorates.")
services_cli = AppGroup("services", help="The council's services.")
committees_cli = AppGroup("committees", help="The council's committees.")

as_option = click.option("--as", "as_email", default=None, metavar="EMAIL",
                         help="Record the change as done by this administrator (default: the system).")


def _actor(email: str | None):
    if not email:
        return None
    from app.permissions import can

    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no person with the email address {email}")
    if not can(user, "manage_organisation"):
        raise click.ClickException(f"{user.name} is not an administrator")
    return user


def _run(make, already: str):
    try:
        with guarded(already):
            result = make()
        db.session.commit()
    except (org.OrgError, Refused) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    return result


@directorates_cli.command("create")
@click.argument("name")
@click.option("--director", default=None, metavar='"Full Name"',
              help="The Corporate Director: a person's name or e-mail address in Docket, else stored as the "
                   "director's title.")
@as_option
def create_directorate(name, director, as_email):
    """Create a directorate called NAME."""
    actor = _actor(as_email)
    person = org.find_person(director) if director else None
    title = None if person or not director else " ".join(director.split())
    directorate = _run(lambda: org.create_directorate(name, person, title, actor=actor),
                       "That directorate was already created.")
    who = f" (Corporate Director: {person.name if person else title})" if director else ""
    click.echo(f"Created the directorate {directorate.name}{who}.")


@services_cli.command("create")
@click.argument("name")
@click.option("--directorate", required=True, metavar="NAME", help="The directorate's name (or id).")
@as_option
def create_service(name, directorate, as_email):
    """Create a service called NAME in a directorate."""
    actor = _actor(as_email)

    def make():
        return org.create_service(name, org.find_directorate(directorate), actor=actor)

    service = _run(make, "That service was already created.")
    click.echo(f"Created the service {service.name} in {service.directorate.name}.")


@committees_cli.command("create")
@click.argument("name")
@click.option("--clerk", default=None, metavar="EMAIL",
              help="The committee's clerk: given the Committee clerk role for it.")
@as_option
def create_committee(name, clerk, as_email):
    """Create a committee called NAME."""
    actor = _actor(as_email)
    person = None
    if clerk:
        person = db.session.scalar(sa.select(User).where(User.email == clerk.strip().lower()))
        if person is None:
            raise click.ClickException(f"There is no person with the email address {clerk}")
        if not person.active:
            raise click.ClickException(f"{person.name} has been deactivated and cannot be a clerk")
    committee = _run(lambda: org.create_committee(name, clerk=person, actor=actor),
                     "That committee was already created.")
    click.echo(f"Created the committee {committee.name}"
               + (f" with {person.name} as its clerk." if person else "."))
