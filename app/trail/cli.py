"""flask trail verify | anchor | rekey"""
import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from app.trail.service import parse_anchor, verify

trail_cli = AppGroup("trail", help="Check the approval trail.")


class AnchorType(click.ParamType):
    name = "SEQ:HASH"

    def convert(self, value, param, ctx):
        try:
            return parse_anchor(value)
        except ValueError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


@trail_cli.command("verify")
@click.option("--anchor", type=AnchorType(), default=None,
              help="An anchor printed earlier by `flask trail anchor`: that event must still be there, unchanged.")
def verify_command(anchor):
    """Check every event's keyed hash chain; exit 1 and name the first problem if any."""
    checked, problem = verify(anchor)
    if problem is not None:
        click.echo(f"Trail check FAILED after {checked} good events: {problem}", err=True)
        sys.exit(1)
    message = f"Trail verified: {checked} events, chain intact."
    if anchor is not None:
        message += f" Event {anchor[0]} matches the anchor."
    click.echo(message)


@trail_cli.command("anchor")
def anchor_command():
    """Check the trail, then print its newest event's position and hash to keep outside Docket."""
    checked, problem = verify()
    if problem is not None:
        click.echo(f"No anchor: the trail check FAILED after {checked} good events: {problem}", err=True)
        sys.exit(1)
    if checked == 0:
        click.echo("No anchor: the trail is empty.", err=True)
        sys.exit(1)
    from app.models import TrailEvent
    import sqlalchemy as sa

    event = db.session.scalar(sa.select(TrailEvent).order_by(TrailEvent.seq.desc()).limit(1))
    click.echo(f"{event.seq}:{event.hash}")
    click.echo(
        f"Event {event.seq} ({event.verb}, {event.occurred_at:%d %B %Y %H:%M} UTC). Keep the line above "
        "outside Docket (print it, or e-mail it to your auditor). Later, "
        f"`flask trail verify --anchor {event.seq}:{event.hash}` fails if this event or any before it "
        "is gone or changed.",
        err=True,
    )


@trail_cli.command("rekey")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rekey_command(yes):
    """Once, after upgrading: key a trail written with plain SHA-256 (see the README)."""
    from app.trail.rekey import RekeyRefused, rekey

    if not yes:
        click.confirm(
            "Rekey the trail? Do this once, after upgrading to the keyed trail, and only if "
            "`flask trail verify` reported events made without the trail key. Take an anchor "
            "afterwards.", abort=True)
    try:
        done = rekey()
        db.session.commit()
    except RekeyRefused as exc:
        db.session.rollback()
        click.echo(f"Trail NOT rekeyed: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"Trail rekeyed: {done.events} events checked, {done.unkeyed} of them made without the key, "
        f"all now keyed with TRAIL_KEY. Old head {done.old_head[0]}:{done.old_head[1]}. "
        f"New anchor: {done.new_head[0]}:{done.new_head[1]}"
    )
