"""flask users create | import | reset-password | deactivate | set-password | grant | revoke | list"""
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


def _say_link(user: User, sent) -> None:
    if sent.emailed:
        click.echo(f"A link to set their password was e-mailed to {user.email} (it works once, for 24 hours).")
    else:
        click.echo(f"Send {user.name} this link to set their password (it works once, for 24 hours):")
        click.echo(f"    {sent.url}")
        if "://" not in sent.url:
            click.echo("    (set BASE_URL to Docket's address to print the whole link)")


def _send_after_commit() -> None:
    """E-mail what this command wrote to the outbox (the browser does it after each request)."""
    from app.notifications.service import dispatch_pending, mail_enabled

    if mail_enabled():
        dispatch_pending()


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--job-title", default=None, help="Their job title, as plans name accountable officers.")
@click.option("--password", default=None,
              help="Their password (for the first administrator and scripts). Without it, prints a one-time "
                   "link with which they choose their own.")
def create(email, name, job_title, password):
    """Create a person who can sign in with EMAIL."""
    from app.auth.links import LinkProblem, send_link

    try:
        user = create_user(email, name, password, job_title)
        sent = send_link(user) if password is None else None
        db.session.commit()
    except (UserError, LinkProblem) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.name} <{user.email}>.")
    if sent:
        _say_link(user, sent)
        _send_after_commit()


@users_cli.command("reset-password")
@click.argument("email")
def reset_password(email):
    """Make a one-time link (24 hours) with which the person with EMAIL chooses a new password.
    Older links stop working; their password and sessions are unchanged until they use it."""
    from app.auth.links import LinkProblem, send_link

    user = _user(email)
    try:
        sent = send_link(user)
        db.session.commit()
    except LinkProblem as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    _say_link(user, sent)
    _send_after_commit()


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email):
    """Deactivate a leaver: they cannot sign in and their sessions end; their history stays.
    Prints the open work left to reassign (in the browser, on their page)."""
    from app.users.reassign import open_work
    from app.users.service import deactivate_user

    user = _user(email)
    try:
        deactivate_user(user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Deactivated {user.name} <{user.email}>: they cannot sign in, and every session they had has ended.")
    work = open_work(user)
    if work.empty:
        click.echo("They have no open work to reassign.")
        return
    click.echo(f"Open work to reassign ({', '.join(work.lines())}), on their page in Docket under People:")
    for a in work.actions:
        click.echo(f"    Action {a.reference}: {a.title[:80]} ({a.plan.service.name})")
    for i in work.indicators:
        click.echo(f"    Indicator {i.reference or ''}: {i.description[:80]} ({i.plan.service.name})")
    for r in work.risks:
        click.echo(f"    Risk {r.reference}: {r.description[:80]} ({r.plan.service.name})")
    for d in work.delegations:
        click.echo(f"    Delegation of sign-off: {d.deputy.name} for {d.head.name}, {d.starts_on} to {d.ends_on}")
    for c in work.committees:
        click.echo(f"    Clerk of {c.name}")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only check the file: store nothing.")
def import_people(file, dry_run):
    """Add or update people from a CSV FILE (Name or First name and Surname, Email, Job title,
    Service, Role; optionally Committee). With any problem, nothing is stored and the exit code is 1."""
    from pathlib import Path

    from app.users import people_import

    data = Path(file).read_bytes()
    try:
        _, rows = people_import.read_csv(data)
    except people_import.ImportProblem as exc:
        raise click.ClickException(str(exc)) from None
    pv = people_import.preview(rows)
    for row in pv.rows:
        label = "problem" if row.problems else {"new": "new", "update": "update", "unchanged": "unchanged"}[row.outcome]
        detail = "; ".join(row.problems or row.changes)
        click.echo(f"Row {row.number}: {label}: {row.name or '(no name)'} <{row.email}>"
                   + (f" as {row.roles_label}" if row.roles_label and not row.problems else "")
                   + (f" — {detail}" if detail else ""))
    if not pv.ok:
        raise click.ClickException(f"{pv.problem_count} {'row has a problem' if pv.problem_count == 1 else 'rows have problems'}: "
                                   "nothing was stored. Fix the file and run the command again.")
    summary = f"{pv.count('new')} new, {pv.count('update')} to update, {pv.count('unchanged')} unchanged"
    if dry_run:
        click.echo(f"Checked: {summary}. Nothing was stored (--dry-run).")
        return
    try:
        outcome = people_import.apply(pv, None, source=Path(file).name)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Imported: {len(outcome.created)} new, {len(outcome.updated)} updated, {outcome.unchanged} unchanged.")
    for user, sent in outcome.created:
        click.echo(f"{user.name} <{user.email}>:")
        _say_link(user, sent)
    _send_after_commit()


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
