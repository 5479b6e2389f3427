"""flask reminders send [--today YYYY-MM-DD] | flask notifications send [--limit N]"""
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app.notifications.reminders import london_today, send_reminders
from app.notifications.service import dispatch_pending

reminders_cli = AppGroup("reminders", help="Daily reminder digests of updates due, overdue and waiting for sign-off.")
notifications_cli = AppGroup("notifications", help="The notification outbox.")


def _mail_note() -> str | None:
    if not current_app.config.get("MAIL_SERVER"):
        return "MAIL_SERVER is not set: nothing was e-mailed; people read their notifications in Docket."
    return None


@reminders_cli.command("send")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="The day to remind for (default: today in London).")
def reminders_send(today):
    """Write today's reminder digests (one per person, at most once a day), then e-mail them."""
    if today:
        try:
            day = datetime.strptime(today, "%Y-%m-%d").date()
        except ValueError:
            raise click.BadParameter("give the date as YYYY-MM-DD, for example 2019-07-10", param_hint="--today")
    else:
        day = london_today()
    result = send_reminders(day)
    click.echo(result.sentence())
    note = _mail_note()
    if note:
        click.echo(note)
    else:
        click.echo(f"E-mailed {result.emailed} notification{'' if result.emailed == 1 else 's'}.")


@notifications_cli.command("send")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Try at most this many messages.")
def notifications_send(limit):
    """E-mail every notification not yet sent (for cron: retries what failed or was never sent)."""
    note = _mail_note()
    if note:
        click.echo(note)
        return
    sent = dispatch_pending(limit=limit)
    click.echo(f"E-mailed {sent} notification{'' if sent == 1 else 's'}.")
