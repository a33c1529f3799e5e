"""The tool's commands: `swott serve`, `swott db upgrade` (more are added by the LTI issues)."""

from __future__ import annotations

import click
from flask import Flask

from lti_tool import create_app, migrate
from lti_tool.settings import ConfigurationError, database_url


def _app() -> Flask:
    try:
        return create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


def app_database_url(app: Flask) -> str:
    from pathlib import Path

    return database_url(app.extensions["swott.settings"], Path(app.instance_path))


@click.group()
def db() -> None:
    """Database migrations."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the database to the latest schema."""
    app = _app()
    migrate.upgrade(app_database_url(app))
    click.echo("Database is up to date.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the tool with Werkzeug (for a laptop; production uses gunicorn)."""
    app = _app()
    migrate.upgrade(app_database_url(app))
    click.echo(f"SWOTT Connect on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False)


COMMANDS: list[click.Command] = [db, serve]


def _lti_commands() -> list[click.Command]:
    from lti_tool.cli_lti import COMMANDS as lti_commands

    return lti_commands


COMMANDS += _lti_commands()


def _worker_commands() -> list[click.Command]:
    from lti_tool.worker import worker

    return [worker]


COMMANDS += _worker_commands()


def _portfolio_commands() -> list[click.Command]:
    from lti_tool.cli_portfolio import COMMANDS as portfolio_commands

    return portfolio_commands


COMMANDS += _portfolio_commands()
