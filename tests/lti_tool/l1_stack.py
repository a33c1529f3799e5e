"""The tool and the sandbox platform, both served over real HTTP, registered with each other.

Shared by the L1 browser tests and the roster tests: a learner launches from the sandbox's course
page, scores travel over real AGS, the roster over real NRPS.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import LtiUser, Reflection
from lti_tool.services import registrations, subscriptions
from sandbox_platform import SandboxServer
from tests.conftest import make_app
from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS
from tests.lti_tool.lti.http_support import Dispatcher


@dataclass
class Stack:
    sandbox: SandboxServer
    tool: SandboxServer
    app: Flask
    placement_id: str
    line_item_id: str

    @property
    def platform(self) -> Any:
        return self.sandbox.platform

    def launch_url(self, user: str) -> str:
        """The sandbox course page's launch link for this placement and person."""
        return f"{self.sandbox.url}/launch?user={user}&placement={self.placement_id}"

    def settle(self) -> None:
        """Wait for the tool's background work (scores are sent after the request, never in it)."""
        assert self.app.extensions["swott.background"].wait_idle()

    def accepted_scores(self, user: str) -> list[dict[str, Any]]:
        self.settle()
        sub = self.platform.user(user).sub
        return [s.body for s in self.platform.scores if s.status in (200, 201, 204) and s.body["userId"] == sub]

    def reflection(self, user: str) -> dict[str, str] | None:
        """The learner's stored reflection boxes, read straight from the tool's database."""
        with self.app.app_context():
            session = web.db_session()
            user_row = session.scalar(select(LtiUser).where(LtiUser.sub == self.platform.user(user).sub))
            if user_row is None:
                return None
            row = session.scalar(select(Reflection).where(Reflection.user_id == user_row.id))
            return dict(row.fields) if row is not None else None


def register_with_each_other(sandbox: SandboxServer, tool: SandboxServer, app: Flask) -> None:
    """Register the tool on the sandbox and the sandbox on the tool, and subscribe it to every toolkit."""
    registered = sandbox.platform.register_tool(
        name="SWOTT Connect",
        initiate_login_uri=tool.url + "/lti/login",
        redirect_uris=[tool.url + "/lti/launch"],
        jwks_uri=tool.url + "/lti/jwks.json",
        target_link_uri=tool.url + "/lti/launch",
    )
    with app.app_context():
        session = web.db_session()
        row = registrations.add_platform(
            session,
            issuer=sandbox.url,
            client_id=registered.client_id,
            auth_login_url=sandbox.url + "/auth",
            auth_token_url=sandbox.url + "/token",
            key_set_url=sandbox.url + "/.well-known/jwks.json",
            deployment_ids=[registered.deployment_id],
        )
        subscriptions.grant(session, row, [None])
        session.commit()


@contextmanager
def running_stack(
    tmp_path: Path, *, toolkits_dir: str = str(FIXTURE_TOOLKITS), toolkit_id: str = "mini"
) -> Iterator[Stack]:
    """The sandbox platform and the tool, registered both ways, with one L1 placement of `toolkit_id`.

    `toolkits_dir=""` serves the shipped toolkits.
    """
    sandbox = SandboxServer().start()
    dispatcher = Dispatcher()
    tool = SandboxServer(dispatcher).start()
    app = make_app(tmp_path, base_url=tool.url, toolkits_dir=toolkits_dir)
    dispatcher.app = app
    try:
        platform = sandbox.platform
        register_with_each_other(sandbox, tool, app)
        placement = platform.add_placement(
            title=f"{toolkit_id}: L1",
            custom={"toolkit_id": toolkit_id, "part": "l1"},
            line_item={"label": f"{toolkit_id} L1", "scoreMaximum": 100},
        )
        yield Stack(sandbox, tool, app, placement.id, placement.line_item_id)
    finally:
        tool.stop()
        sandbox.stop()
        app.extensions["swott.db"].dispose()


@pytest.fixture(name="stack")
def stack_fixture(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path) as stack:
        yield stack
