"""Operator commands: `swott platform add|invite|approve|list|remove|brand`, `swott keys rotate|list`,
`swott subscription grant|revoke|list` and `swott admin link`.

Changes to who may use the tool record who made them: the operator's login name on the server, with
"(cli)" (the operator page records "(operator page)").
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import click
from flask import Flask
from sqlalchemy.orm import Session

from lti_tool import admin_links, web
from lti_tool.cli import _app
from lti_tool.lti.platforms import RegistrationError, ToolUrls
from lti_tool.models import Subscription
from lti_tool.services import keys as key_service
from lti_tool.services import platform_defaults, registrations, subscriptions


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


def operator() -> str:
    """Who runs this command, for the record (the login name on the server)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"{name} (cli)"


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


ADD_HELP = """Add (or update) a platform registration and its deployments, by hand.

Use this when the LMS was set up manually rather than by Dynamic Registration. Running it again with
the same --issuer and --client-id updates that registration (URLs, name) and adds any new --deployment;
it never makes a second one. A platform added here is active at once (you are the operator), and has
no toolkits until you run `swott subscription grant`.

\b
Where the values are (sources: docs/registering.md):
  Moodle 4.x: Site administration > Plugins > Activity modules > External tool > Manage tools;
    on the tool's card, "View configuration details" opens "Tool configuration details"
    (Platform ID, Client ID, Deployment ID, Public keyset URL, Access token URL,
    Authentication request URL).
  Canvas: Admin > Developer Keys (the key's number in the Details column is the Client ID);
    Admin > Settings > Apps > View App Configurations > the app's gear > Deployment Id.
    Canvas cloud's issuer and URLs are the same for every council (Instructure's own list).
"""


@platform.command("add", help=ADD_HELP)
@click.option(
    "--issuer",
    required=True,
    help="The platform's issuer (the `iss` of its launches). Moodle: 'Platform ID' in the tool configuration "
    "details (the site's address, e.g. https://moodle.council.example). Canvas cloud: "
    "https://canvas.instructure.com for every council (beta: https://canvas.beta.instructure.com, test: "
    "https://canvas.test.instructure.com); self-hosted Canvas: the issuer its administrator set.",
)
@click.option(
    "--client-id",
    required=True,
    help="Which registration of the platform this is. Moodle: 'Client ID' in the tool configuration details. "
    "Canvas: the developer key's number in the Details column of Admin > Developer Keys (e.g. 10000000000042).",
)
@click.option(
    "--auth-login-url",
    required=True,
    help="Where the tool sends each login (the OIDC authentication request). Moodle: 'Authentication request "
    "URL' (SITE/mod/lti/auth.php). Canvas cloud: https://sso.canvaslms.com/api/lti/authorize_redirect "
    "(beta/test: sso.beta / sso.test.canvaslms.com).",
)
@click.option(
    "--auth-token-url",
    required=True,
    help="Where the tool asks for access tokens for grades and class lists. Moodle: 'Access token URL' "
    "(SITE/mod/lti/token.php). Canvas cloud: https://sso.canvaslms.com/login/oauth2/token.",
)
@click.option(
    "--key-set-url",
    required=True,
    help="The platform's public keys (JWKS), which check its launches. Moodle: 'Public keyset URL' "
    "(SITE/mod/lti/certs.php). Canvas cloud: https://sso.canvaslms.com/api/lti/security/jwks.",
)
@click.option(
    "--deployment",
    "deployments",
    multiple=True,
    help="Deployment ID (repeatable; a launch from a deployment not listed is refused). Moodle: 'Deployment ID' "
    "in the tool configuration details (a number). Canvas: Admin > Settings > Apps > View App Configurations > "
    "the app's gear > Deployment Id (e.g. 12:8865aa05...).",
)
@click.option(
    "--name",
    default="",
    help="Your own label for operators, e.g. the council's name (shown on the operator page and in "
    "`swott platform list`). Not from the LMS; when empty the issuer is shown.",
)
def platform_add(
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployments: tuple[str, ...],
    name: str,
) -> None:
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
            approved_by=operator(),
        )
        click.echo(
            f"Registered {row.issuer} (client ID {row.client_id}); deployments: "
            f"{', '.join(d.deployment_id for d in row.deployments) or 'none'}."
        )
        click.echo("It has no subscriptions yet: grant them with `swott subscription grant`.")
        echo_paste_values(ToolUrls(web.settings().base_url))


@platform.command("invite")
@click.option(
    "--label", default="", help="Who the link is for, e.g. the council (shown on the page and in the record)."
)
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=registrations.INVITE_DAYS,
    show_default=True,
    help="Days the link works.",
)
def platform_invite(label: str, days: int) -> None:
    """Make a one-time Dynamic Registration URL for an LMS administrator.

    A registration through it is active at once, with no approval step. It works once, until it expires;
    send it to the LMS administrator, who pastes it where the LMS asks for the tool's registration URL.
    """
    with _session() as (_app, session):
        invite, token = registrations.create_invite(
            session, label=label, created_by=operator(), valid_for=timedelta(days=days)
        )
        click.echo(ToolUrls(web.settings().base_url).invite_url(token))
        click.echo(f"Works once, until {invite.expires_at:%d %B %Y %H:%M} UTC. It is shown only now: copy it.")


@platform.command("approve")
@click.argument("issuer")
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations (Canvas).")
def platform_approve(issuer: str, client_id: str | None) -> None:
    """Approve a pending Dynamic Registration, so the platform can launch the tool and frame its pages."""
    with _session() as (_app, session):
        row = registrations.resolve_platform(session, issuer, client_id)
        if registrations.approve_platform(session, row, operator()):
            click.echo(
                f"Approved {row.issuer} (client ID {row.client_id}). Grant toolkits with `swott subscription grant`."
            )
        else:
            click.echo(f"{row.issuer} (client ID {row.client_id}) is already active.")


@platform.command("list")
def platform_list() -> None:
    """List registered platforms with their deployments."""
    with _session() as (_app, session):
        rows = registrations.list_platforms(session)
        if not rows:
            click.echo("No platforms registered.")
        for row in rows:
            deployments = ", ".join(d.deployment_id for d in row.deployments) or "none"
            status = "PENDING approval (swott platform approve)" if row.status == registrations.PENDING else row.status
            click.echo(
                f"{row.issuer}  client_id={row.client_id}  deployments={deployments}  ({row.registered_by})  {status}"
            )


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


@platform.command("set")
@click.argument("issuer")
@click.option("--regulator", default=None, help="The learners' default regulator: swe, sssc, scw or niscc.")
@click.option("--language", default=None, help="The default interface language: en or cy.")
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations (Canvas).")
def platform_set(issuer: str, regulator: str | None, language: str | None, client_id: str | None) -> None:
    """Set a platform's default regulator and language (learners may choose their own)."""
    with _session() as (_app, session):
        row = registrations.resolve_platform(session, issuer, client_id)
        platform_defaults.set_defaults(session, row, regulator=regulator, language=language)
        click.echo(f"Defaults for {row.issuer}: {platform_defaults.describe(row)}.")


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
            granted_by=operator(),
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
        count = subscriptions.revoke(session, row, ids, deployment_id=deployment, revoked_by=operator())
        click.echo(f"Revoked {count} subscription(s).")


@subscription.command("list")
@click.argument("issuer", required=False)
@click.option("--client-id", default=None)
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked subscriptions (who and when).")
def subscription_list(issuer: str | None, client_id: str | None, include_revoked: bool) -> None:
    """List subscriptions (of one platform, or all), with who granted them."""
    with _session() as (_app, session):
        row = registrations.resolve_platform(session, issuer, client_id) if issuer else None
        rows = subscriptions.list_subscriptions(session, row, include_revoked=include_revoked)
        if not rows:
            click.echo("No subscriptions.")
        for s in rows:
            click.echo(_describe(s))


def _describe(s: Subscription) -> str:
    if s.revoked_at is not None:
        state = f"revoked {s.revoked_at:%Y-%m-%d %H:%M} by {s.revoked_by or 'unknown'}"
    else:
        state = "active" if s.active_on(date.today()) else "inactive"
    granted = f"  granted {s.created_at:%Y-%m-%d} by {s.granted_by}" if s.granted_by else ""
    return (
        f"{s.platform.issuer} ({s.platform.client_id})  toolkit={s.toolkit_id or 'ALL'}  "
        f"deployment={s.deployment.deployment_id if s.deployment else 'all'}  "
        f"{s.starts_on} to {s.ends_on or 'open-ended'}  [{state}]{granted}"
    )


@click.group()
def admin() -> None:
    """The operator's web page."""


@admin.command("link")
@click.option("--as", "name", default=None, help="Your name, recorded with changes made on the page (default: login).")
def admin_link(name: str | None) -> None:
    """Print a link to the operator page, valid for one hour."""
    who = name.strip() if name and name.strip() else operator().removesuffix(" (cli)")
    with _session() as (app, _db):
        click.echo(admin_links.admin_link(app.secret_key or "", web.settings().base_url, who))


COMMANDS: list[click.Command] = [platform, keys, subscription, admin]
