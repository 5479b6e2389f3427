"""flask users create | grant | revoke | list"""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.models import ROLE_SCOPES, Role, ScopeKind, User
from app.users.service import UserError, create_user, find_scope, grant_role, revoke_role

users_cli = AppGroup("users", help="Manage the people who use Docket and their roles.")


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no person with the email address {email}")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--job-title", default=None, help="Their job title, as plans name accountable officers.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Their password (asked for if not given).")
def create(email, name, job_title, password):
    """Create a person who can sign in with EMAIL."""
    try:
        user = create_user(email, name, password, job_title)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.name} <{user.email}>.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="The new password (asked for if not given).")
def set_password(email, password):
    """Give the person with EMAIL a new password; every session they had ends."""
    from app.auth.service import PasswordRejected, change_password

    user = _user(email)
    try:
        change_password(user, password)
        db.session.commit()
    except PasswordRejected as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Set a new password for {user.name} <{user.email}>; they are signed out everywhere.")


ROLE_NAMES = [r.value for r in Role]
SCOPE_NAMES = [k.value for k in ScopeKind]


@users_cli.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_NAMES))
@click.option("--service", "service", default=None, help="Service name or id (Head of Service, Assistant Director, action owner).")
@click.option("--directorate", "directorate", default=None, help="Directorate name or id (Assistant Director).")
@click.option("--committee", "committee", default=None, help="Committee name or id (committee clerk).")
def grant(email, role, service, directorate, committee):
    """Give the person with EMAIL a ROLE, scoped to a service, directorate or committee."""
    role = Role(role)
    given = [(k, v) for k, v in ((ScopeKind.SERVICE, service), (ScopeKind.DIRECTORATE, directorate),
                                 (ScopeKind.COMMITTEE, committee)) if v]
    if len(given) > 1:
        raise click.ClickException("Give one scope: --service, --directorate or --committee")
    try:
        if role == Role.ADMINISTRATOR:
            if given:
                raise UserError("The Administrator role covers everything: give no scope")
            kind, scope = ScopeKind.EVERYTHING, None
        else:
            if not given:
                raise UserError(f"Say where the {role.label} role applies: --service, --directorate or --committee")
            kind, value = given[0]
            if kind not in ROLE_SCOPES[role]:
                allowed = " or ".join(sorted(k.label.lower() for k in ROLE_SCOPES[role]))
                raise UserError(f"The {role.label} role is granted for a {allowed}, not a {kind.label.lower()}")
            scope = find_scope(kind, value)
        grant_role(_user(email), role, kind, scope)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Granted {role.label} ({scope.name if scope else 'everything'}) to {email}.")


@users_cli.command("revoke")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_NAMES))
def revoke(email, role):
    """Take a ROLE (in every scope) away from the person with EMAIL."""
    user = _user(email)
    found = [a for a in user.roles if a.role == Role(role)]
    if not found:
        raise click.ClickException(f"{email} does not hold the role {role}")
    for assignment in found:
        revoke_role(assignment)
    db.session.commit()
    click.echo(f"Revoked {Role(role).label} from {email}.")


@users_cli.command("list")
def list_users():
    """List everyone, with their roles and scopes."""
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    if not users:
        click.echo("No people yet. Add one with: flask users create EMAIL --name NAME")
        return
    for user in users:
        status = "" if user.active else " (deactivated)"
        click.echo(f"{user.email}  {user.name}{' — ' + user.job_title if user.job_title else ''}{status}")
        for a in sorted(user.roles, key=lambda a: a.role.value):
            click.echo(f"    {a.role.label}: {a.scope_label}")
