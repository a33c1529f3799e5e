"""Forged launches for negative tests: in-process only, never reachable over HTTP.

A real platform signs only what it means to send. A tool's tests also need the tokens no honest
platform sends — a tampered payload, a foreign key, a missing claim, a stale key after a rotation —
and scripted launches whose claims the test chooses. `Forge` drives one running sandbox
(`SandboxServer`) to do that with its own key, so the tool still fetches the sandbox's JWKS and
passes its authorization endpoint's checks. Nothing here is routed: only Python code in the same
process can forge. Claim shapes follow LTI Core 1.3 §5 and the 1EdTech certification suite's
"known bad" payloads.
"""

from __future__ import annotations

import time
from typing import Any

from flask import request

from sandbox_platform.keys import SigningKey
from sandbox_platform.model import (
    DEEP_LINKING_REQUEST,
    DL,
    LTI,
    RESOURCE_LINK_REQUEST,
    ROLE_INSTRUCTOR,
    ROLE_LEARNER,
    DeepLinkRequest,
    Tool,
)
from sandbox_platform.platform import Platform
from sandbox_platform.server import SandboxServer

__all__ = ["DL", "INSTRUCTOR", "LEARNER", "LTI", "Forge", "SigningKey"]

INSTRUCTOR = ROLE_INSTRUCTOR
LEARNER = ROLE_LEARNER
DEFAULT_CLIENT_ID = "swott-client-1"


class Forge:
    """A sandbox platform scripted by a test: forged claims, signatures and key rotation.

    `claims()` is a minimal valid resource link launch (Core §5.3, §5.4); `sign()` signs any body
    with the sandbox's key, another key or another header; `scenarios` maps a name to the claims a
    launch started with `start_launch(name)` carries instead of the sandbox's own.
    """

    def __init__(self, server: SandboxServer, client_id: str = DEFAULT_CLIENT_ID) -> None:
        self.server = server
        self.client_id = client_id
        #: Claims by scenario name; a claim set to None is left out of the token.
        self.scenarios: dict[str, dict[str, Any]] = {}
        #: Every Deep Linking response JWT the sandbox received, in order (recorded before it checks them).
        self.deep_link_returns: list[str] = []
        server.app.before_request(self._record_deep_link_return)

    # ----- the platform as the tool sees it ---------------------------------------------------------

    @property
    def platform(self) -> Platform:
        platform: Platform = self.server.platform
        return platform

    @property
    def base_url(self) -> str:
        return self.server.url

    @property
    def issuer(self) -> str:
        return self.platform.issuer

    @property
    def auth_url(self) -> str:
        return self.platform.config.url("/auth")

    @property
    def token_url(self) -> str:
        return self.platform.config.url("/token")

    @property
    def jwks_url(self) -> str:
        return self.platform.config.url("/.well-known/jwks.json")

    @property
    def configuration_url(self) -> str:
        return self.platform.config.url("/.well-known/openid-configuration")

    @property
    def deep_link_return_url(self) -> str:
        return self.platform.config.url("/deep_linking/return")

    @property
    def deployment_id(self) -> str:
        tool = self.platform.find_tool(self.client_id)
        return tool.deployment_id if tool is not None else "1"

    @property
    def key(self) -> SigningKey:
        return self.platform.key

    @property
    def jwks_requests(self) -> int:
        return self.platform.key.fetches

    def rotate(self) -> SigningKey:
        """Rotate the sandbox's key: the new one signs from now on, the old one stays published."""
        self.platform.key.rotate()
        return self.key

    def attach(self, tool_url: str) -> Tool:
        """Register the tool at `tool_url` with the sandbox as `client_id` (or add it as a redirect URI)."""
        launch = tool_url + "/lti/launch"
        tool = self.platform.find_tool(self.client_id)
        if tool is None:
            return self.platform.register_tool(
                initiate_login_uri=tool_url + "/lti/login",
                redirect_uris=[launch],
                jwks_uri=tool_url + "/lti/jwks.json",
                target_link_uri=launch,
                name="SWOTT Connect",
                client_id=self.client_id,
            )
        if launch not in tool.redirect_uris:
            tool.redirect_uris.append(launch)
        return tool

    # ----- Dynamic Registration ------------------------------------------------------------------------

    @property
    def registered(self) -> Tool | None:
        """The tool that last registered itself by Dynamic Registration, if any."""
        tools = [tool for tool in self.platform.tools if tool.registration]
        return tools[-1] if tools else None

    @property
    def registrations(self) -> list[dict[str, Any]]:
        """The client registrations tools POSTed (DR 1.0 §3.5), as received."""
        return [tool.registration for tool in self.platform.tools if tool.registration]

    @property
    def registration_token(self) -> str:
        """A fresh registration token; once a tool has registered, one that updates that registration."""
        registered = self.registered
        return self.platform.new_registration_token(registered.client_id if registered else None)

    # ----- tokens -------------------------------------------------------------------------------------

    def claims(
        self, nonce: str, *, sub: str = "user-1", roles: list[str] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A minimal valid resource link launch; `extra` adds or replaces claims (None leaves one out)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "exp": now + self.platform.config.id_token_lifetime,
            "iat": now,
            "nonce": nonce,
            LTI + "version": "1.3.0",
            LTI + "message_type": RESOURCE_LINK_REQUEST,
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": extra.pop("target_link_uri", "http://tool.invalid/lti/launch"),
            LTI + "resource_link": {"id": "link-1", "title": "Week 1"},
            LTI + "roles": [LEARNER] if roles is None else roles,
            LTI + "context": {"id": "course-1", "label": "SW101", "title": "Social work practice"},
            LTI + "custom": {"toolkit_id": "mini", "part": "l1"},
            "name": "Test Person",
            "email": "person@example.invalid",
        }
        body.update(extra)
        return {k: v for k, v in body.items() if v is not None}

    def sign(
        self, body: dict[str, Any], *, key: SigningKey | None = None, headers: dict[str, Any] | None = None
    ) -> str:
        """Sign `body` with the sandbox's key (or `key`); `headers` replaces the `{"kid": ...}` header."""
        return (key or self.key).sign(body, headers)

    # ----- scripted launches over HTTP ---------------------------------------------------------------

    def start_launch(self, scenario: str, tool_url: str, login_hint: str = "user-1") -> dict[str, str]:
        """Start a launch whose id_token carries `scenarios[scenario]` over `claims()`; the login parameters.

        The sandbox's authorization endpoint checks the tool's request as for any launch (client,
        redirect URI, nonce, single-use hint, `login_hint`); only the claims it signs are scripted.
        """
        target = tool_url + "/lti/launch"
        # A started launch, as `launch_url` starts one, then given to the scripted user and claims.
        launch = self.platform.begin_launch(
            user="learner1", client_id=self.client_id, message_type=RESOURCE_LINK_REQUEST, placement_id=None
        )
        launch.user_key = login_hint

        def forged(nonce: str) -> dict[str, Any]:
            extra = dict(self.scenarios.get(scenario, {}))
            sub = extra.pop("sub", login_hint)
            body = self.claims(nonce, sub=sub, target_link_uri=target, **extra)
            self._expect_deep_link_response(body, login_hint)
            return body

        launch.forged = forged
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": target,
            "lti_message_hint": launch.hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def deep_link_request(self, roles: list[str] | None = None, data: str = "opaque-platform-data") -> dict[str, Any]:
        """A scenario: a Deep Linking request (DL 2.0 §4.4) answered to the sandbox's `/deep_linking/return`,
        which then checks the tool's response as for any request it made and adds the items as placements."""
        scenario: dict[str, Any] = {
            LTI + "message_type": DEEP_LINKING_REQUEST,
            LTI + "resource_link": None,
            LTI + "custom": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": self.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": data,
            },
        }
        if roles is not None:
            scenario[LTI + "roles"] = roles
        return scenario

    def _expect_deep_link_response(self, body: dict[str, Any], user_key: str) -> None:
        """A scripted Deep Linking request: the sandbox accepts one response echoing its `data`."""
        settings = body.get(DL + "deep_linking_settings")
        if body.get(LTI + "message_type") != DEEP_LINKING_REQUEST or not isinstance(settings, dict):
            return
        data = settings.get("data")
        if isinstance(data, str):
            request = DeepLinkRequest(data, self.client_id, self.deployment_id, user_key, time.time())
            self.platform.expect_deep_link(request)

    def _record_deep_link_return(self) -> None:
        if request.method == "POST" and request.path == "/deep_linking/return":
            self.deep_link_returns.append(request.form.get("JWT", ""))
