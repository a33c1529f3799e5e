"""A small test LTI platform: its own RSA keys, a JWKS and an OIDC auth endpoint over real HTTP.

Enough of a platform to launch the tool end to end, and, unlike a real platform, able to sign the
malformed tokens the negative tests need. Claim shapes follow LTI Core 1.3 §5 and the 1EdTech
certification suite's "known bad" payloads.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"

WSGIApp = Callable[[dict[str, Any], Any], Any]

MINI_TOOLKIT = Path(__file__).resolve().parents[2] / "toolkits" / "fixtures" / "mini"
_TOOLKITS: list[Path] = []


def fixture_toolkits() -> Path:
    """Two small valid toolkits, `mini` and `second`, built from the toolkit tests' `mini` fixture (so
    they follow the toolkit format as it evolves): one to subscribe to and one to leave out."""
    if not _TOOLKITS:
        root = Path(tempfile.mkdtemp(prefix="swott-lti-toolkits-"))
        shutil.copytree(MINI_TOOLKIT, root / "mini")
        shutil.copytree(MINI_TOOLKIT, root / "second")
        manifest = root / "second" / "toolkit.yaml"
        text = manifest.read_text(encoding="utf-8")
        text = text.replace("id: mini", "id: second", 1).replace(
            "title: A minimal test toolkit", "title: A second test toolkit", 1
        )
        manifest.write_text(text, encoding="utf-8")
        _TOOLKITS.append(root)
    return _TOOLKITS[0]


@contextmanager
def serve(app: WSGIApp) -> Iterator[str]:
    """Serve a WSGI app on a free 127.0.0.1 port in a thread; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


class Dispatcher:
    """A WSGI app whose target is set after the server (and so its port) exists."""

    def __init__(self) -> None:
        self.app: WSGIApp | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "no app behind the dispatcher yet"
        return self.app(environ, start_response)


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(kid=uuid.uuid4().hex[:16], private=rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @property
    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        data.update(kid=self.kid, alg="RS256", use="sig")
        return data


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@dataclass
class FakePlatform:
    """The platform's identity, keys and HTTP endpoints (call `start` via the fixture)."""

    client_id: str = "swott-client-1"
    deployment_id: str = "1"
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.generate()])
    base_url: str = ""
    jwks_requests: int = 0
    # What the auth endpoint puts in the id_token, by lti_message_hint.
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    deep_link_returns: list[str] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    registration_token: str = "reg-token-123"

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def auth_url(self) -> str:
        return self.base_url + "/auth"

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks"

    @property
    def key(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self) -> SigningKey:
        """Add a new key (published and used from now on), as a platform rotating keys would."""
        self.keys.append(SigningKey.generate())
        return self.key

    # --- tokens -------------------------------------------------------------------------------------

    def claims(
        self, nonce: str, *, sub: str = "user-1", roles: list[str] | None = None, **extra: Any
    ) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "exp": now + 60,
            "iat": now,
            "nonce": nonce,
            LTI + "version": "1.3.0",
            LTI + "message_type": "LtiResourceLinkRequest",
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
        # A scenario sets a claim to None to leave it out.
        return {k: v for k, v in body.items() if v is not None}

    def sign(
        self, body: dict[str, Any], *, key: SigningKey | None = None, headers: dict[str, Any] | None = None
    ) -> str:
        key = key or self.key
        header = {"kid": key.kid} if headers is None else headers
        # The key object, not its PEM: re-parsing a PEM costs tens of milliseconds per token.
        return jwt.encode(body, key.private, algorithm="RS256", headers=header)

    # --- HTTP ---------------------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/jwks": self._jwks,
            "/auth": self._auth,
            "/deep-link-return": self._deep_link_return,
            "/.well-known/openid-configuration": self._openid_configuration,
            "/register": self._register,
            "/course": self._course,
            "/storage-frame": self._storage_frame,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _jwks(self, request: Request) -> Response:
        self.jwks_requests += 1
        return Response(json.dumps({"keys": [k.jwk for k in self.keys]}), mimetype="application/json")

    def _auth(self, request: Request) -> Response:
        """OIDC authentication endpoint (LTI Security 1.0 §5.1.1.3): answers with an auto-posting form."""
        args = request.args
        for name, wanted in (("scope", "openid"), ("response_type", "id_token"), ("response_mode", "form_post")):
            if args.get(name) != wanted:
                return Response(f"bad {name}", status=400)
        if args.get("client_id") != self.client_id:
            return Response("unknown client", status=400)
        scenario = dict(self.scenarios.get(args.get("lti_message_hint", ""), {}))
        sub = scenario.pop("sub", args.get("login_hint", "user-1"))
        body = self.claims(args["nonce"], sub=sub, target_link_uri=args["redirect_uri"], **scenario)
        form = (
            f'<form method="post" action="{html.escape(args["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{self.sign(body)}">'
            f'<input type="hidden" name="state" value="{html.escape(args["state"])}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        return Response(form, mimetype="text/html")

    def _course(self, request: Request) -> Response:
        """A course page embedding the tool in an iframe, with a storage frame (LTI Client Side postMessages)."""
        src = html.escape(request.args["login"])
        # As in an LMS page, the storage frame is ready before the tool's frame starts loading.
        return Response(
            '<iframe name="swott-storage" src="/storage-frame" style="display:none" '
            "onload=\"document.getElementById('tool').src = document.getElementById('tool').dataset.src\"></iframe>"
            f'<iframe id="tool" data-src="{src}" width="900" height="600"></iframe>',
            mimetype="text/html",
        )

    def _storage_frame(self, request: Request) -> Response:
        """The platform's storage frame: answers lti.capabilities, lti.put_data and lti.get_data."""
        script = """
        var store = {};
        window.addEventListener("message", function (event) {
          var m = event.data || {}, answer = {message_id: m.message_id, subject: m.subject + ".response"};
          if (m.subject === "lti.capabilities") {
            answer.supported_messages = [{subject: "lti.put_data"}, {subject: "lti.get_data"}];
          } else if (m.subject === "lti.put_data") {
            store[event.origin + "|" + m.key] = m.value; answer.key = m.key; answer.value = m.value;
          } else if (m.subject === "lti.get_data") {
            answer.key = m.key; answer.value = store[event.origin + "|" + m.key];
          } else { return; }
          event.source.postMessage(answer, event.origin);
        });
        """
        return Response(f"<script>{script}</script>", mimetype="text/html")

    def _deep_link_return(self, request: Request) -> Response:
        self.deep_link_returns.append(request.form["JWT"])
        return Response("<p>content added</p>", mimetype="text/html")

    def _openid_configuration(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return Response("unauthorised", status=401)
        return Response(
            json.dumps(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.auth_url,
                    "token_endpoint": self.token_url,
                    "jwks_uri": self.jwks_url,
                    "registration_endpoint": self.base_url + "/register",
                    "scopes_supported": [
                        "openid",
                        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                    ],
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "testplatform",
                        "version": "1.0",
                    },
                }
            ),
            mimetype="application/json",
        )

    def _register(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return Response("unauthorised", status=401)
        data = request.get_json()
        self.registrations.append(data)
        answer = dict(data)
        answer["client_id"] = "dynamic-client-7"
        answer["https://purl.imsglobal.org/spec/lti-tool-configuration"] = dict(
            data["https://purl.imsglobal.org/spec/lti-tool-configuration"], deployment_id="dyn-1"
        )
        return Response(json.dumps(answer), mimetype="application/json")


# --- a browser-like client -----------------------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], a.get("value", ""), a.get("type", "text")))


def forms(page: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def submit(
    http: requests.Session, response: requests.Response, choose: dict[str, Any] | None = None
) -> requests.Response:
    """Submit the page's first form as a browser would (hidden fields plus `choose`)."""
    form = forms(response.text)[0]
    data: list[tuple[str, str]] = [(n, v) for n, v, t in form["fields"] if t == "hidden"]
    for name, value in (choose or {}).items():
        for v in value if isinstance(value, list) else [value]:
            data.append((name, v))
    action = urljoin(response.url, html.unescape(form["action"]))
    if form["method"] == "post":
        return http.post(action, data=data, timeout=10)
    return http.get(action, params=data, timeout=10)


def launch(
    http: requests.Session, tool_url: str, platform: FakePlatform, hint: str, login_hint: str = "user-1"
) -> requests.Response:
    """Third-party initiated login → platform auth → form post to the tool → the tool's first page."""
    login = http.get(
        tool_url + "/lti/login",
        params={
            "iss": platform.issuer,
            "login_hint": login_hint,
            "target_link_uri": tool_url + "/lti/launch",
            "lti_message_hint": hint,
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
        },
        timeout=10,
    )
    assert urlsplit(login.url).path == "/auth", login.text[:500]
    return submit(http, login)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


_PAGE_URL = re.compile(r'<meta name="swott-page-url" content="([^"]+)">')


def page_url(response: Any) -> str:
    """The address of the page a launch answered with (the launch POST renders the page itself; the
    page names its own address for the address bar)."""
    text = response.get_data(as_text=True) if hasattr(response, "get_data") else response.text
    found = _PAGE_URL.search(text)
    assert found is not None, "a launch answers with a page that names its own address"
    return html.unescape(found.group(1))
