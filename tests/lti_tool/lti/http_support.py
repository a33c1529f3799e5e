"""HTTP helpers for the LTI tests (none is a platform; the platform is the sandbox, `sandbox_platform`).

`serve` runs a WSGI app on a free port, `Dispatcher` lets it be chosen after the port exists,
`forms`/`submit` act as a browser on auto-posting forms, `launch` runs a scripted sandbox launch
(`sandbox_platform.forge.Forge`) through the tool's OIDC login, and `fixture_toolkits` builds the
toolkits the tool serves.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from sandbox_platform.forge import Forge
from sandbox_platform.server import SandboxServer

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
    """Serve a WSGI app on a free 127.0.0.1 port in a thread; yields its base URL.

    The sandbox's server, so every test server closes each response once however serving ended (a
    browser dropping a script left a file open under Werkzeug's own handler: sandbox_platform/server.py).
    """
    with SandboxServer(app) as server:
        yield server.url


class Dispatcher:
    """A WSGI app whose target is set after the server (and so its port) exists."""

    def __init__(self) -> None:
        self.app: WSGIApp | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "no app behind the dispatcher yet"
        return self.app(environ, start_response)


def b64(data: dict[str, Any]) -> str:
    """Base64url without padding (RFC 7515 §2), for hand-built JWT segments."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


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
    http: requests.Session, tool_url: str, platform: Forge, hint: str, login_hint: str = "user-1"
) -> requests.Response:
    """Third-party initiated login → sandbox auth → form post to the tool → the tool's first page.

    The launch carries the claims of `platform.scenarios[hint]` (see `Forge.start_launch`)."""
    login = http.get(tool_url + "/lti/login", params=platform.start_launch(hint, tool_url, login_hint), timeout=10)
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
