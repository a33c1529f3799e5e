"""`swott reflections purge`: delete reflections older than the retention period (UK GDPR Art. 5(1)(e)).

Run it daily (cron, or a scheduled container job) next to `swott worker`. The period is the setting
`SWOTT_REFLECTION_RETENTION_DAYS` (`reflection_retention_days` in lti_tool/settings.py); 0 keeps
reflections. It prints counts only, never whose reflections went.
"""

from __future__ import annotations

import click

from lti_tool.db import Database
from lti_tool.services import portfolio
from lti_tool.settings import ConfigurationError


@click.group()
def reflections() -> None:
    """CPD reflections: retention."""


@reflections.command()
@click.option("--days", type=int, default=None, help="Override the retention period for this run.")
def purge(days: int | None) -> None:
    """Delete reflections, thinking notes and peer feedback unchanged for longer than the retention period."""
    from lti_tool import create_app  # the app (and Flask) only when the command runs (swott/cli.py)

    try:
        app = create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    retention = app.extensions["swott.settings"].reflection_retention_days if days is None else days
    if retention <= 0:
        click.echo("Retention is off (0 days): nothing deleted.")
        return
    database: Database = app.extensions["swott.db"]
    try:
        with database.session() as session:
            purged = portfolio.purge_expired(session, retention_days=retention)
            session.commit()
    finally:
        database.dispose()
    click.echo(
        f"Deleted {purged.reflections} reflection(s), cleared {purged.notes} set(s) of notes and "
        f"{purged.feedback} feedback item(s) older than {retention} days."
    )


COMMANDS: list[click.Command] = [reflections]
