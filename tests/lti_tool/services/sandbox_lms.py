"""The sandbox platform with the tool registered by hand, for the passback, roster and service tests.

These tests drive the tool's LTI services from Python, so the tool's web app is not served. The sandbox
still checks every client assertion against the tool's keys over HTTP, fetched from a small server that
publishes the database's JWKS as the tool's `/lti/jwks.json` does (`jwks`, which a test can stop on its
own: a platform that cannot reach our keys, issue 15). Faults, delays and other LMSs' answers are
scripted in-process with `sandbox.script` (`sandbox_platform.script`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lti_tool.db import Database
from lti_tool.services.keys import public_jwks
from sandbox_platform import SandboxServer
from sandbox_platform.model import ROLE_LEARNER, Tool, User
from sandbox_platform.platform import Platform
from sandbox_platform.script import Script


def _jwks_app(database: Database) -> Any:
    """A WSGI app answering every GET with the tool's published keys, read from the database."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with database.session() as session:
            body = json.dumps(public_jwks(session)).encode()
            session.commit()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@dataclass
class SandboxLms:
    """A running sandbox platform, the tool's registration in it, and the server of the tool's keys."""

    server: SandboxServer
    jwks: SandboxServer
    tool: Tool

    @property
    def platform(self) -> Platform:
        platform: Platform = self.server.platform
        return platform

    @property
    def script(self) -> Script:
        return self.platform.script

    @property
    def base_url(self) -> str:
        return self.server.url

    @property
    def token_url(self) -> str:
        return self.platform.config.url("/token")

    @property
    def lineitems_url(self) -> str:
        return self.platform.line_items_url(self.tool)

    @property
    def memberships_url(self) -> str:
        return self.platform.memberships_url(self.tool)

    def lineitem_url(self, number: int) -> str:
        return self.platform.line_item_url(self.tool, str(number))

    def add_lineitem(self, label: str = "L1", resource_link_id: str = "", score_maximum: float = 100) -> str:
        """A gradebook column made on the platform's side (as the launch's `lineitem` claim names it)."""
        body = {"label": label, "scoreMaximum": score_maximum, "resourceLinkId": resource_link_id}
        return self.lineitem_url(int(self.platform.create_line_item(self.tool, body).id))

    def enrol(self, sub: str, name: str) -> None:
        """Put a learner on the sandbox course, so scores for `sub` are accepted."""
        given, _, family = name.partition(" ")
        self.platform.users[sub] = User(sub, sub, given, family, "", (ROLE_LEARNER,))

    def accepted(self, sub: str | None = None) -> list[dict[str, Any]]:
        """The score posts the platform applied (of `sub`), in arrival order: each one gradebook change."""
        return [s.body for s in self.platform.scores if s.status == 200 and sub in (None, s.body.get("userId"))]

    def score(self, sub: str, line_item: int = 1) -> float | None:
        """The score in the gradebook for `sub` on line item `line_item`, if any."""
        grade = self.platform.grade(str(line_item), sub)
        return grade.score_given if grade is not None else None

    def start(self) -> SandboxLms:
        """Serve (again, on the same ports, with the same state)."""
        self.jwks.start()
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving: connections are refused until `start()`."""
        self.server.stop()
        self.jwks.stop()


def start_sandbox(database: Database, client_id: str, **config: Any) -> SandboxLms:
    """A sandbox platform (with `config`, e.g. `nrps_page_size=2`) where the tool is `client_id`."""
    jwks = SandboxServer(_jwks_app(database)).start()
    server = SandboxServer(config=config).start()
    platform: Platform = server.platform
    tool = platform.register_tool(
        client_id=client_id,
        name="SWOTT Connect",
        initiate_login_uri=jwks.url + "/lti/login",
        redirect_uris=[jwks.url + "/lti/launch"],
        jwks_uri=jwks.url + "/lti/jwks.json",
    )
    return SandboxLms(server, jwks, tool)
