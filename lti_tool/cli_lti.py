"""Operator commands: `swott platform add|list|remove|brand`, `swott keys rotate|list`,
`swott subscription grant|revoke|list` and `swott admin link`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import click
from flask import Flask
from sqlalchemy.orm import Session

from lti_tool import web
from lti_tool.cli import _app
from lti_tool.services import keys as key_service
from lti_tool.services import registrations, subscriptions
from lti_tool.services.registrations import RegistrationError, ToolUrls


@contextmanager
def _session() -> Iterator[tuple[Flask, Session]]:
    app = _app()
    try:
        with app.app_context():
            yield app, web.db_session()
    except RegistrationError as error:
        raise click.ClickException(str(error)) from None
    finally:
        app.extensions["swott.db"].dispose()


def echo_paste_values(urls: ToolUrls) -> None:
    click.echo("\nValues to paste into Moodle (Site administration > Plugins > External tool > Manage tools):")
    for name, value in urls.moodle_lines():
        click.echo(f"  {name}: {value}")
    click.echo("\nValues to paste into Canvas (Admin > Developer Keys > + LTI Key):")
    for name, value in urls.canvas_lines():
        click.echo(f"  {name}: {value}")


@click.group()
def platform() -> None:
    """Register LTI platforms (LMSs) by hand."""


@platform.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its site URL).")
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="Authentication request URL (OIDC auth endpoint).")
@click.option("--auth-token-url", required=True, help="Access token URL.")
@click.option("--key-set-url", required=True, help="Public keyset URL.")
@click.option("--deployment", "deployments", multiple=True, help="Deployment ID (repeatable).")
@click.option("--name", default="", help="A name for operators, e.g. the council.")
def platform_add(
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployments: tuple[str, ...],
    name: str,
) -> None:
    """Add (or update) a platform registration and its deployments."""
    with _session() as (_app, session):
        row = registrations.add_platform(
            session,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            deployment_ids=deployments,
            name=name,
            production=web.settings().production,
        )
        click.echo(
            f"Registered {row.issuer} (client ID {row.client_id}); deployments: "
            f"{', '.join(d.deployment_id for d in row.deployments) or 'none'}."
        )
        click.echo("It has no subscriptions yet: grant them with `swott subscription grant`.")
        echo_paste_values(ToolUrls(web.settings().base_url))


@platform.command("list")
def platform_list() -> None:
    """List registered platforms with their deployments."""
    with _session() as (_app, session):
        rows = registrations.list_platforms(session)
        if not rows:
            click.echo("No platforms registered.")
        for row in rows:
            deployments = ", ".join(d.deployment_id for d in row.deployments) or "none"
            click.echo(f"{row.issuer}  client_id={row.client_id}  deployments={deployments}  ({row.registered_by})")


@platform.command("remove")
@click.argument("issuer")
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations (Canvas).")
def platform_remove(issuer: str, client_id: str | None) -> None:
    """Remove a registration, with its deployments, subscriptions, users and courses."""
    with _session() as (_app, session):
        count = registrations.remove_platform(session, issuer, client_id)
        if not count:
            raise click.ClickException(f"no platform is registered with issuer {issuer}")
        click.echo(f"Removed {count} registration(s).")


@platform.command("brand")
@click.argument("issuer")
@click.argument("colour")
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations (Canvas).")
def platform_brand(issuer: str, colour: str, client_id: str | None) -> None:
    """Give a platform's learners the council's colour in the player header (e.g. '#1d4f91'; 'none' clears)."""
    with _session() as (_app, session):
        row = registrations.resolve_platform(session, issuer, client_id)
        registrations.set_brand_colour(session, row, "" if colour.lower() == "none" else colour)
        click.echo(f"Brand colour for {row.issuer}: {row.brand_colour or 'the default'}.")


@click.group()
def keys() -> None:
    """The tool's signing keys."""


@keys.command("rotate")
@click.option("--grace-days", type=float, default=None, help="Days the new key is published before it signs.")
@click.option("--retire-days", type=float, default=None, help="Days the old key stays published after the switch.")
def keys_rotate(grace_days: float | None, retire_days: float | None) -> None:
    """Add a new signing key; it signs after the grace period, and the old key is retired later."""
    with _session() as (_app, session):
        default = float(web.settings().key_grace_days)
        key_service.signing_key(session)  # make sure there is an old key to rotate away from
        key = key_service.rotate(
            session,
            grace=timedelta(days=default if grace_days is None else grace_days),
            retire_after=timedelta(days=default if retire_days is None else retire_days),
        )
        click.echo(f"New key {key.kid} published now; signs from {key.active_from:%Y-%m-%d %H:%M} UTC.")


@keys.command("list")
def keys_list() -> None:
    """List published keys."""
    with _session() as (_app, session):
        current = key_service.signing_key(session).kid
        for key in key_service.published_keys(session):
            retired = f", retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else ""
            mark = " (signing)" if key.kid == current else ""
            click.echo(f"{key.kid}  signs from {key.active_from:%Y-%m-%d %H:%M}{retired}{mark}")


@click.group()
def subscription() -> None:
    """Which toolkits each platform may use."""


def _toolkit_ids(app: Flask, toolkit: tuple[str, ...], all_toolkits: bool) -> list[str | None]:
    if all_toolkits == bool(toolkit):
        raise click.UsageError("give either --toolkit ID (repeatable) or --all")
    if all_toolkits:
        return [None]
    known = web.catalogue()
    unknown = [t for t in toolkit if t not in known]
    if unknown:
        raise click.ClickException(f"unknown toolkit(s): {', '.join(unknown)} (see `swott toolkit list`)")
    return list(toolkit)


@subscription.command("grant")
@click.argument("issuer")
@click.option("--client-id", default=None)
@click.option("--deployment", default=None, help="Only this deployment (default: every deployment).")
@click.option("--toolkit", multiple=True, help="Toolkit id (repeatable).")
@click.option("--all", "all_toolkits", is_flag=True, help="Every toolkit, including future ones.")
@click.option("--from", "starts", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Start date (default today).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (inclusive).")
def subscription_grant(
    issuer: str,
    client_id: str | None,
    deployment: str | None,
    toolkit: tuple[str, ...],
    all_toolkits: bool,
    starts: object,
    until: object,
) -> None:
    """Let a platform use toolkits."""
    with _session() as (app, session):
        ids = _toolkit_ids(app, toolkit, all_toolkits)
        row = registrations.resolve_platform(session, issuer, client_id)
        created = subscriptions.grant(
            session,
            row,
            ids,
            deployment_id=deployment,
            starts_on=starts.date() if starts else None,  # type: ignore[attr-defined]
            ends_on=until.date() if until else None,  # type: ignore[attr-defined]
        )
        for s in created:
            click.echo(_describe(s))


@subscription.command("revoke")
@click.argument("issuer")
@click.option("--client-id", default=None)
@click.option("--deployment", default=None)
@click.option("--toolkit", multiple=True)
@click.option("--all", "all_toolkits", is_flag=True, help="The all-toolkits subscription.")
def subscription_revoke(
    issuer: str, client_id: str | None, deployment: str | None, toolkit: tuple[str, ...], all_toolkits: bool
) -> None:
    """Remove subscriptions."""
    with _session() as (_app, session):
        if all_toolkits == bool(toolkit):
            raise click.UsageError("give either --toolkit ID (repeatable) or --all")
        ids: list[str | None] = [None] if all_toolkits else list(toolkit)
        row = registrations.resolve_platform(session, issuer, client_id)
        count = subscriptions.revoke(session, row, ids, deployment_id=deployment)
        click.echo(f"Revoked {count} subscription(s).")


@subscription.command("list")
@click.argument("issuer", required=False)
@click.option("--client-id", default=None)
def subscription_list(issuer: str | None, client_id: str | None) -> None:
    """List subscriptions (of one platform, or all)."""
    with _session() as (_app, session):
        row = registrations.resolve_platform(session, issuer, client_id) if issuer else None
        rows = subscriptions.list_subscriptions(session, row)
        if not rows:
            click.echo("No subscriptions.")
        for s in rows:
            click.echo(_describe(s))


def _describe(s: object) -> str:
    from lti_tool.models import Subscription

    assert isinstance(s, Subscription)
    state = "active" if s.active_on(date.today()) else "inactive"
    return (
        f"{s.platform.issuer} ({s.platform.client_id})  toolkit={s.toolkit_id or 'ALL'}  "
        f"deployment={s.deployment.deployment_id if s.deployment else 'all'}  "
        f"{s.starts_on} to {s.ends_on or 'open-ended'}  [{state}]"
    )


@click.group()
def admin() -> None:
    """The operator's web page."""


@admin.command("link")
def admin_link() -> None:
    """Print a link to the operator page, valid for one hour."""
    from lti_tool.views.admin import admin_link as make_link

    with _session() as (app, _db), app.test_request_context():
        click.echo(make_link())


COMMANDS: list[click.Command] = [platform, keys, subscription, admin]
