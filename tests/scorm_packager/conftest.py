"""Fixtures for the packager's tests: the fixture toolkit, a local LMS host and a cmi5 test endpoint.

`lms_host` is a real HTTP server on 127.0.0.1 serving unzipped packages, scorm-again from the repo's
node_modules (installed by `npm ci`), and two LMS wrapper pages that create `window.API` /
`window.API_1484_11` with scorm-again and load the SCO in an iframe, as an LMS's player does.
`cmi5_lms` is a small xAPI endpoint (fetch URL, state API, statements API) that records what it gets.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from toolkits.loader import load_toolkit
from toolkits.model import Toolkit

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NODE_MODULES = REPO / "node_modules"

LMS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS ({flavour})</title>
<script src="/node_modules/scorm-again/dist/{script}"></script></head>
<body><h1>Test LMS</h1>
<iframe id="sco" title="Course" style="width:100%;height:900px"></iframe>
<script>
window.lmsCalls = [];
window.sessionTimes = [];
window.launch = function (scoUrl, saved) {{
  var api = new {api_class}({{logLevel: 5, autocommit: false, lmsCommitUrl: false}});
  if (saved) {{ api.loadFromJSON(saved, ""); }}
  {learner_setup}
  {call_names}.forEach(function (name) {{
    api.on(name, function () {{ window.lmsCalls.push(name); }});
  }});
  api.on("{setvalue}.{session_element}", function (element, value) {{ window.sessionTimes.push(value); }});
  window.{global_name} = api;
  document.getElementById("sco").src = scoUrl;
}};
window.cmiData = function () {{ return JSON.parse(JSON.stringify(window.{global_name}.cmi)); }};
</script></body></html>
"""

LMS_PAGES = {
    "scorm12.html": {
        "flavour": "SCORM 1.2",
        "script": "scorm12.js",
        "api_class": "Scorm12API",
        "global_name": "API",
        "learner_setup": 'api.cmi.core.student_id = "learner-1"; api.cmi.core.student_name = "Learner, Test";'
        " if (window.masteryScore) { api.cmi.student_data.mastery_score = window.masteryScore; }"
        ' if (saved) { api.cmi.core.entry = "resume"; }',
        "call_names": '["LMSInitialize", "LMSCommit", "LMSFinish"]',
        "setvalue": "LMSSetValue",
        "session_element": "cmi.core.session_time",
    },
    "scorm2004.html": {
        "flavour": "SCORM 2004",
        "script": "scorm2004.js",
        "api_class": "Scorm2004API",
        "global_name": "API_1484_11",
        "learner_setup": 'api.cmi.learner_id = "learner-1"; api.cmi.learner_name = "Learner, Test";'
        " if (window.masteryScore) { api.cmi.scaled_passing_score = window.masteryScore; }"
        ' if (saved) { api.cmi.entry = "resume"; }'
        " window.navRequests = [];"
        ' api.on("SetValue.adl.nav.request", function (element, value) { window.navRequests.push(value); });',
        "call_names": '["Initialize", "Commit", "Terminate"]',
        "setvalue": "SetValue",
        "session_element": "cmi.session_time",
    },
}


def require_node_modules() -> Path:
    """scorm-again from `npm ci`, or a skip saying so (a failure under CI=true)."""
    if (NODE_MODULES / "scorm-again" / "dist" / "scorm12.js").is_file():
        return NODE_MODULES
    message = f"scorm-again is not installed in {NODE_MODULES}: run `npm ci` in the repository root"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — under CI=true this is a failure, not a skip")
    pytest.skip(message)


@pytest.fixture(scope="session")
def fixture_toolkit() -> Toolkit:
    return load_toolkit(FIXTURES / "tiny-toolkit")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def _serve(handler: type[SimpleHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def unzip(data: bytes, target: Path) -> None:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        archive.extractall(target)


@dataclass
class LmsHost:
    root: Path
    url: str

    def host(self, name: str, zip_bytes: bytes) -> str:
        """Unzip a package under /pkg/<name>/ and return its URL."""
        unzip(zip_bytes, self.root / "pkg" / name)
        return f"{self.url}/pkg/{name}/"


@pytest.fixture(scope="session")
def lms_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LmsHost]:
    modules = require_node_modules()
    root = tmp_path_factory.mktemp("lms")
    (root / "node_modules").symlink_to(modules, target_is_directory=True)
    (root / "lms").mkdir()
    for name, values in LMS_PAGES.items():
        (root / "lms" / name).write_text(LMS_PAGE.format(**values), encoding="utf-8")

    class Handler(_QuietHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

    server, url = _serve(Handler)
    yield LmsHost(root, url)
    server.shutdown()
    server.server_close()


# -- cmi5 -------------------------------------------------------------------------------------------


@dataclass
class Cmi5Lms:
    """A cmi5 LMS's runtime side: the fetch URL, the state API and the statements API (xAPI 1.0.3)."""

    root: Path
    url: str
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    registration: str = field(default_factory=lambda: str(uuid.uuid4()))
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    actor: dict[str, Any] = field(
        default_factory=lambda: {
            "objectType": "Agent",
            "account": {"homePage": "https://lms.example", "name": "learner-1"},
        }
    )
    statements: list[dict[str, Any]] = field(default_factory=list)
    states: dict[str, Any] = field(default_factory=dict)
    fetch_calls: int = 0
    unauthorised: int = 0
    launch_data: dict[str, Any] = field(default_factory=dict)

    def launch_url(self, package_path: str, activity_id: str) -> str:
        from urllib.parse import urlencode

        query = urlencode({
            "endpoint": f"{self.url}/xapi/",
            "fetch": f"{self.url}/fetch?session={self.session_id}",
            "actor": json.dumps(self.actor),
            "registration": self.registration,
            "activityId": activity_id,
        })  # fmt: skip
        return f"{self.url}/pkg/{package_path}/index.html?{query}"


@pytest.fixture
def cmi5_lms(tmp_path: Path) -> Iterator[Cmi5Lms]:
    lms = Cmi5Lms(tmp_path, "")

    class Handler(_QuietHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _empty(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _authorised(self) -> bool:
            ok = self.headers.get("Authorization") == f"Basic {lms.token}"
            if not ok:
                lms.unauthorised += 1
                self._empty(401)
            return ok

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/fetch":
                lms.fetch_calls += 1
                self._body()
                if lms.fetch_calls == 1:
                    self._json(200, {"auth-token": lms.token})
                else:  # cmi5 8.2.3.1: the fetch URL is one-time
                    self._json(200, {"error-code": "1", "error-text": "already used"})
                return
            if parts.path == "/xapi/statements":
                if not self._authorised():
                    return
                body = json.loads(self._body())
                batch = body if isinstance(body, list) else [body]  # xAPI: one statement or an array
                lms.statements.extend(batch)
                self._json(200, [s["id"] for s in batch])
                return
            self._empty(404)

        def _state_key(self) -> str:
            query = parse_qs(urlsplit(self.path).query)
            return "|".join(query.get(k, [""])[0] for k in ("stateId", "activityId", "agent", "registration"))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/xapi/activities/state":
                if not self._authorised():
                    return
                query = parse_qs(parts.query)
                state_id = query["stateId"][0]
                if state_id == "LMS.LaunchData":
                    self._json(200, lms.launch_data)
                elif self._state_key() in lms.states:
                    self._json(200, lms.states[self._state_key()])
                else:
                    self._empty(404)
                return
            super().do_GET()

        def do_PUT(self) -> None:
            if urlsplit(self.path).path == "/xapi/activities/state":
                if not self._authorised():
                    return
                lms.states[self._state_key()] = json.loads(self._body())
                self._empty(204)
                return
            self._empty(404)

    server, url = _serve(Handler)
    lms.url = url
    lms.launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": "urn:publisher-au-id", "objectType": "Activity"}]},
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": lms.session_id},
        },
        "launchMode": "Normal",
        "moveOn": "CompletedAndPassed",
        "masteryScore": 0.5,
    }
    yield lms
    server.shutdown()
    server.server_close()
