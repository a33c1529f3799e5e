"""The tool's commands: `swott serve` and `swott db upgrade`.

The operator commands live in `cli_lti`, `cli_portfolio` and `worker`; `swott.cli` imports each module
only when its command runs, so none of them is gathered here.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from lti_tool import create_app, migrate, serving
from lti_tool.settings import ConfigurationError, database_url


def _app() -> Flask:
    try:
        return create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


def app_database_url(app: Flask) -> str:
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
@click.option("--threads", default=serving.THREADS, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the tool with waitress, a production-grade threaded server (the embedded default).

    For one machine (SQLite or PostgreSQL); several processes behind a proxy use gunicorn instead.
    """
    app = _app()
    migrate.upgrade(app_database_url(app))
    click.echo(f"SWOTT Connect on http://{host}:{port}/ (Ctrl+C to stop)")
    serving.serve_forever(app, host, port, threads)


COMMANDS: list[click.Command] = [db, serve]
