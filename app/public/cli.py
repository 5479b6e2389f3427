"""flask councillors link | unlink | list: committee members who sign in as councillors.

The same service functions (app/meetings/councillors.py) and trail as everywhere else."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.meetings import councillors
from app.models import Committee, User

councillors_cli = AppGroup("councillors", help="Committee members who sign in to read their papers.")


def _committee(name_or_id: str) -> Committee:
    committee = db.session.get(Committee, int(name_or_id)) if name_or_id.isdigit() else None
    committee = committee or db.session.scalar(sa.select(Committee).where(Committee.name == name_or_id))
    if committee is None:
        raise click.ClickException(f"There is no committee called {name_or_id!r}")
    return committee


def _person(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no person with the email address {email}")
    return user


@councillors_cli.command("link")
@click.argument("committee")
@click.argument("member")
@click.argument("email")
def link(committee, member, email):
    """Link MEMBER of COMMITTEE to the person with EMAIL, who becomes its councillor."""
    found = _committee(committee)
    person = _person(email)
    try:
        changed = councillors.link_councillor(found, councillors.member_called(found, member), person)
    except councillors.CouncillorError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{person.name} signs in as {member} on {found.name}." if changed else "Nothing had changed.")


@councillors_cli.command("unlink")
@click.argument("committee")
@click.argument("member")
def unlink(committee, member):
    """Unlink MEMBER of COMMITTEE from the person who signed in as them."""
    found = _committee(committee)
    try:
        changed = councillors.unlink_councillor(found, councillors.member_called(found, member))
    except councillors.CouncillorError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{member} no longer signs in on {found.name}." if changed else "Nothing had changed.")


@councillors_cli.command("list")
@click.argument("committee")
def list_members(committee):
    """The members of COMMITTEE and who signs in as each."""
    for m in _committee(committee).members:
        click.echo(f"{m.name}\t{m.user.email if m.user else '-'}")
