"""A stand-in LTI tool, written here from the specs, so the platform is tested over real HTTP.

It is deliberately not `lti_tool`: the sandbox must work with any spec-following tool.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from jwt.algorithms import RSAAlgorithm
from werkzeug.wrappers import Response

from sandbox_platform import SandboxServer
from sandbox_platform.model import ALL_SCOPES, TOOL_CONFIGURATION
from sandbox_platform.platform import Platform


@functools.cache
def _shared_key() -> rsa.RSAPrivateKey:
    # One key for every fake tool in the run: generating RSA keys is the slowest part of these tests.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeTool:
    """Login, launch, JWKS and dynamic registration endpoints of a minimal LTI 1.3 tool."""

    def __init__(self) -> None:
        self.key = _shared_key()
        self.kid = "tool-key-1"
        self.states: dict[str, str] = {}
        self.launches: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.registrations: list[dict[str, Any]] = []
        self.app = self._build()
        self.server = SandboxServer(self.app)
        self.client_id = ""
        self.platform_issuer = ""

    @property
    def url(self) -> str:
        return self.server.url

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return jwk

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid, **headers})

    def client_assertion(self, token_url: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": token_url, "iat": now, "exp": now + 60}
        claims["jti"] = uuid.uuid4().hex
        claims.update(overrides)
        return self.sign(claims)

    def register_with(self, platform: Platform) -> None:
        tool = platform.register_tool(
            name="Fake tool",
            initiate_login_uri=self.url + "/login",
            redirect_uris=[self.url + "/launch"],
            jwks_uri=self.url + "/jwks.json",
            target_link_uri=self.url + "/launch",
        )
        self.client_id = tool.client_id
        self.platform_issuer = platform.issuer

    def registration_request(self) -> dict[str, Any]:
        return {
            "application_type": "web",
            "grant_types": ["implicit", "client_credentials"],
            "response_types": ["id_token"],
            "initiate_login_uri": self.url + "/login",
            "redirect_uris": [self.url + "/launch"],
            "client_name": "Fake tool",
            "jwks_uri": self.url + "/jwks.json",
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": " ".join(ALL_SCOPES),
            TOOL_CONFIGURATION: {
                "domain": "127.0.0.1",
                "target_link_uri": self.url + "/launch",
                "claims": ["iss", "sub", "name", "email"],
                "messages": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def _build(self) -> Flask:
        app = Flask("fake_tool")

        @app.get("/jwks.json")
        def jwks() -> Response:
            return jsonify({"keys": [self.public_jwk()]})

        @app.route("/login", methods=["GET", "POST"])
        def login() -> Response:
            params = request.values
            state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
            self.states[state] = nonce
            self.platform_issuer = params["iss"]
            query = {
                "scope": "openid",
                "response_type": "id_token",
                "response_mode": "form_post",
                "prompt": "none",
                "client_id": params["client_id"],
                "redirect_uri": self.url + "/launch",
                "login_hint": params["login_hint"],
                "lti_message_hint": params.get("lti_message_hint", ""),
                "state": state,
                "nonce": nonce,
            }
            response = Response(status=302)
            response.headers["Location"] = params["iss"] + "/auth?" + urlencode(query)
            return response

        @app.post("/launch")
        def launch() -> Response:
            if "error" in request.form:
                self.errors.append(request.form.to_dict())
                return jsonify({"error": request.form["error"]})
            token = request.form["id_token"]
            jwks_client = jwt.PyJWKClient(self.platform_issuer + "/.well-known/jwks.json")
            key = jwks_client.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=self.client_id)
            assert self.states.pop(request.form["state"]) == claims["nonce"]
            self.launches.append(claims)
            return jsonify(claims)

        @app.get("/register")
        def register() -> Response:
            token = request.args["registration_token"]
            headers = {"Authorization": f"Bearer {token}"}
            config = requests.get(request.args["openid_configuration"], headers=headers, timeout=5).json()
            answer = requests.post(
                config["registration_endpoint"], json=self.registration_request(), headers=headers, timeout=5
            )
            body = answer.json()
            self.registrations.append(body)
            self.client_id = body.get("client_id", "")
            return Response(
                "<script>(window.opener || window.parent).postMessage({subject: 'org.imsglobal.lti.close'}, '*')"
                "</script>",
                mimetype="text/html",
            )

        return app


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(config={"nrps_page_size": 2}).start()
    yield server
    server.stop()


@pytest.fixture
def platform(sandbox: SandboxServer) -> Platform:
    value: Platform = sandbox.platform
    return value


@pytest.fixture
def fake_tool() -> Iterator[FakeTool]:
    tool = FakeTool()
    tool.server.start()
    yield tool
    tool.server.stop()


@pytest.fixture
def registered_tool(fake_tool: FakeTool, platform: Platform) -> FakeTool:
    fake_tool.register_with(platform)
    return fake_tool


def get_token(platform: Platform, tool: FakeTool, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    """An access token for `tool` by the client-credentials grant over HTTP."""
    token_url = platform.issuer + "/token"
    response = requests.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": tool.client_assertion(token_url),
            "scope": " ".join(scopes),
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    value: str = response.json()["access_token"]
    return value
