"""`swott demo`: the tool and the sandbox LTI platform side by side, ready to launch with no LMS.

Steps, in the order an LMS administrator would take them:
1. migrate the tool's database (`swott db upgrade`);
2. serve the tool (development mode) with waitress, the embedded default's server (`lti_tool.serving`),
   and the sandbox platform with Werkzeug, each in a thread;
3. register the sandbox with the tool through LTI Dynamic Registration 1.0 — the same
   `/lti/register` Moodle and Canvas use, through a one-time invite URL (as `swott platform invite`
   makes) so the sandbox is active without an operator's approval;
4. grant the sandbox a subscription to every toolkit (a new platform has none, issue #3 item 8);
5. add the first toolkit's L1 and L2 to the sandbox course, with the custom parameters and line
   items the tool's own deep linking returns, so "Launch as learner" works at once.

This module is glue: it is the one place that knows both faces, so neither imports the other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import click
import requests
from flask import Flask

from lti_tool.serving import ToolServer
from sandbox_platform import Platform, SandboxServer


class DemoError(click.ClickException):
    """The demo could not start; the message says which step failed."""


@dataclass
class Demo:
    tool: ToolServer
    platform_server: SandboxServer
    client_id: str
    worker: threading.Thread | None = None
    worker_stop: threading.Event = field(default_factory=threading.Event)

    @property
    def platform(self) -> Platform:
        value: Platform = self.platform_server.platform
        return value

    @property
    def tool_app(self) -> Flask:
        app: Flask = self.tool.app
        return app

    def start_worker(self) -> None:
        """Deliver the tool's passback outbox in a thread, as `swott worker` does next to production."""
        from lti_tool.worker import run

        settings = self.tool_app.extensions["swott.settings"]
        self.worker = threading.Thread(
            target=run,
            args=(self.tool_app.extensions["swott.db"],),
            kwargs={"redis_url": settings.redis_url, "interval": 1.0, "max_interval": 5.0, "stop": self.worker_stop},
            name="swott-demo-worker",
            daemon=True,
        )
        self.worker.start()

    def stop(self) -> None:
        self.worker_stop.set()
        if self.worker is not None:
            self.worker.join(timeout=30)
        self.platform_server.stop()
        self.tool.stop()
        self.tool_app.extensions["swott.db"].dispose()


def _tool_app(base_url: str, overrides: dict[str, Any]) -> Flask:
    from lti_tool import create_app, migrate
    from lti_tool.cli import app_database_url
    from lti_tool.settings import ConfigurationError

    try:
        app = create_app({"env": "development", "base_url": base_url, **overrides})
    except ConfigurationError as error:
        raise DemoError(str(error)) from None
    migrate.upgrade(app_database_url(app))
    return app


def _invite_url(app: Flask) -> str:
    """A one-time registration URL, as an operator makes with `swott platform invite`: no approval step."""
    from lti_tool.services import registrations

    with app.app_context(), app.extensions["swott.db"].session() as session:
        _invite, token = registrations.create_invite(session, label="swott demo", created_by="swott demo")
    return registrations.ToolUrls(app.extensions["swott.settings"].base_url).invite_url(token)


def register(demo_platform: Platform, tool_app: Flask) -> str:
    """Run Dynamic Registration as the platform's "Register a tool" page and its administrator would
    (open the tool's approval page, press Register) through an operator's invite; the new client_id."""
    known = {tool.client_id for tool in demo_platform.tools}
    start = demo_platform.start_registration(_invite_url(tool_app))
    try:
        page = requests.get(start, timeout=30)
        if page.status_code != 200:
            raise DemoError(f"the tool's registration page failed (HTTP {page.status_code})")
        form = dict(parse_qsl(urlsplit(start).query))
        response = requests.post(start.split("?", 1)[0], data=form, timeout=30)
    except requests.RequestException as error:
        raise DemoError(f"the tool did not answer its registration URL ({type(error).__name__})") from None
    added = [tool.client_id for tool in demo_platform.tools if tool.client_id not in known]
    if response.status_code != 200 or not added:
        raise DemoError(f"dynamic registration with the tool failed (HTTP {response.status_code})")
    return added[-1]


def grant_all(app: Flask, issuer: str, client_id: str) -> None:
    from lti_tool.services import registrations, subscriptions

    with app.app_context(), app.extensions["swott.db"].session() as session:
        registered = registrations.find_platform(session, issuer, client_id)
        if registered is None:
            raise DemoError("the tool did not store the sandbox's registration")
        subscriptions.grant(session, registered, [None])


def seed_course(app: Flask, demo_platform: Platform, client_id: str, tool_url: str) -> None:
    """Add one toolkit's L1 and L2, built by the tool's deep linking code, as placements."""
    from lti_tool.lti import deep_linking

    catalogue = app.extensions["swott.catalogue"]
    toolkits = [catalogue.get(toolkit_id) for toolkit_id in catalogue.ids()]
    if not toolkits or toolkits[0] is None:
        return
    for part in deep_linking.PARTS:
        item = deep_linking.content_item(deep_linking.Choice(toolkit=toolkits[0], part=part), tool_url)
        demo_platform.add_placement(
            client_id=client_id,
            title=item.title,
            url=item.url,
            custom=dict(item.custom),
            text=item.text,
            line_item={
                "label": item.line_item_label or item.title,
                "scoreMaximum": item.score_maximum,
                "resourceId": item.resource_id,
                "tag": item.tag,
            },
        )


def start_demo(
    *,
    host: str = "127.0.0.1",
    tool_port: int = 5000,
    platform_port: int = 5001,
    tool_settings: dict[str, Any] | None = None,
    seed: bool = True,
    worker: bool = False,
) -> Demo:
    """Start both servers, register, subscribe and seed; port 0 picks free ports (tests).

    `worker=True` also delivers passback in a thread (the `swott demo` command does); tests that drive
    delivery themselves leave it off so nothing races them.
    """
    overrides = dict(tool_settings or {})

    def refused(port: int, error: OSError) -> DemoError:
        return DemoError(
            f"cannot listen on {host}:{port}: {error.strerror} (choose another with --tool-port or --platform-port)"
        )

    try:
        tool = ToolServer(lambda url: _tool_app(url, overrides), host=host, port=tool_port)
    except OSError as error:
        raise refused(tool_port, error) from None
    try:
        platform_server = SandboxServer(host=host, port=platform_port)
    except BaseException as error:
        tool.stop()
        if isinstance(error, OSError):
            raise refused(platform_port, error) from None
        raise
    tool.start()
    platform_server.start()
    try:
        sandbox: Platform = platform_server.platform
        client_id = register(sandbox, tool.app)
        grant_all(tool.app, sandbox.issuer, client_id)
        if seed:
            seed_course(tool.app, sandbox, client_id, tool.url + "/lti/launch")
    except BaseException:
        platform_server.stop()
        tool.stop()
        raise
    running = Demo(tool=tool, platform_server=platform_server, client_id=client_id)
    if worker:
        running.start_worker()
    return running


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to serve on.")
@click.option("--tool-port", default=5000, show_default=True, type=int)
@click.option("--platform-port", default=5001, show_default=True, type=int)
@click.option("--empty-course", is_flag=True, help="Do not add a toolkit to the sandbox course.")
def demo(host: str, tool_port: int, platform_port: int, empty_course: bool) -> None:
    """Try SWOTT Connect with no LMS: the tool plus a sandbox LTI 1.3 platform, registered and subscribed."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise DemoError("the demo serves on loopback only (the sandbox platform is not for a network)")
    try:
        # Inside the try: a Ctrl+C that lands while this line is still being written is "stopped" too.
        click.echo("Starting the tool and the sandbox platform...")
        running = start_demo(
            host=host, tool_port=tool_port, platform_port=platform_port, seed=not empty_course, worker=True
        )
    except KeyboardInterrupt:
        # Ctrl+C before the banner: start_demo has already stopped whatever it started.
        click.echo("Stopped before the demo was ready.")
        return
    platform_url = running.platform_server.url
    click.echo(f"SWOTT Connect (the tool):  {running.tool.url}/")
    click.echo(f"Sandbox LMS (the platform): {platform_url}/  — registered by Dynamic Registration, all toolkits")
    click.echo("")
    click.echo(f"Open {platform_url}/ and click Launch as learner.")
    click.echo("Then try Launch as facilitator, Add a toolkit (deep link), and the Gradebook page:")
    click.echo(f"  {platform_url}/gradebook")
    click.echo("Everything the sandbox platform knows is forgotten when you stop the demo (Ctrl+C).")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        running.stop()


__all__ = ["Demo", "DemoError", "demo", "grant_all", "register", "seed_course", "start_demo"]
