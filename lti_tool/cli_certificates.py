"""`swott certificate revoke CODE`: withdraw a certificate issued in error (issue 12).

Its check page then says "withdrawn", and nothing more; the learner's page says so too. Prints no name.
"""

from __future__ import annotations

import click

from lti_tool.db import Database
from lti_tool.models import utcnow
from lti_tool.services.evaluation import certificates
from lti_tool.settings import ConfigurationError


@click.group()
def certificate() -> None:
    """Certificates: withdraw one issued in error."""


@certificate.command()
@click.argument("code")
def revoke(code: str) -> None:
    """Withdraw the certificate with this code (as printed on it)."""
    from lti_tool import create_app  # the app (and Flask) only when the command runs (swott/cli.py)

    try:
        app = create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    database: Database = app.extensions["swott.db"]
    try:
        with database.session() as session:
            found = certificates.revoke(session, code, now=utcnow(), by="command line")
            session.commit()
    finally:
        database.dispose()
    if not found:
        raise click.ClickException(f"No certificate has the code {certificates.normalise(code)}.")
    click.echo(f"Certificate {certificates.normalise(code)} is withdrawn: its check page now says so.")


COMMANDS: list[click.Command] = [certificate]
