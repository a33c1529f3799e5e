"""A small LTI Advantage platform over real HTTP on 127.0.0.1, for the passback and roster tests.

It does what the tool relies on, with Moodle's semantics: a token endpoint that verifies the tool's
signed client assertion against the tool's JWKS and counts requests; line items at Moodle-style URLs
(`…/lineitems/7/lineitem?type_id=7`); scores that must carry a valid bearer token and the score media
type, refused with 409 unless the timestamp is newer (one-second resolution), with the grade blanked
by anything but FullyGraded; the result service (`…/lineitem/results?user_id=…`, AGS 2.0 §3.3); NRPS
pages joined by `Link: rel="next"`. `duplicate_answer="edx"` answers a repeated timestamp the way Open
edX's LTI consumer does (`400 {"timestamp": ["Score already exists for the provided timestamp"]}`).
Failure injection: answer every request with a status (503), make score posts slow (`delay`, applied
after the wait, as a slow LMS still applies a request whose sender gave up), or stop the server
(connection refused) and start it again on the same port.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SERVICE_PREFIX = "/mod/lti/services.php/2"


@dataclass
class ReceivedScore:
    lineitem: int
    user_id: str
    body: dict[str, Any]


@dataclass
class AgsPlatform:
    """The platform's state; `start()` serves it on 127.0.0.1 (same port after a `stop()`)."""

    client_id: str
    tool_jwks: Callable[[], dict[str, Any]]
    token_lifetime: int = 3600
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    fail_with: int | None = None
    delay: float = 0.0  # seconds each score post takes, so concurrent senders overlap
    duplicate_answer: str = "moodle"  # "moodle": 409; "edx": 400 naming the timestamp
    fail_scores_with: int | None = None  # only score posts answer this status (the rest work)
    port: int = 0
    token_requests: int = 0
    score_posts: int = 0
    posts_started: int = 0  # score posts received, counted before the `delay`
    result_reads: int = 0
    requests: int = 0
    scores: list[ReceivedScore] = field(default_factory=list)
    lineitems: dict[int, dict[str, Any]] = field(default_factory=dict)
    grades: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    granted_scopes: dict[str, set[str]] = field(default_factory=dict)
    _seen_jti: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_url(self) -> str:
        return self.base_url + "/mod/lti/token.php"

    @property
    def lineitems_url(self) -> str:
        return f"{self.base_url}{SERVICE_PREFIX}/lineitems?type_id=1"

    @property
    def memberships_url(self) -> str:
        return f"{self.base_url}{SERVICE_PREFIX}/CourseSection/2/bindings/1/memberships"

    def lineitem_url(self, number: int) -> str:
        return f"{self.base_url}{SERVICE_PREFIX}/lineitems/{number}/lineitem?type_id={number}"

    def start(self) -> AgsPlatform:
        self._server = make_server("127.0.0.1", self.port, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def add_lineitem(self, label: str = "L1", resource_link_id: str = "", score_maximum: float = 100) -> str:
        with self._lock:
            number = len(self.lineitems) + 1
            self.lineitems[number] = {
                "id": self.lineitem_url(number),
                "label": label,
                "scoreMaximum": score_maximum,
                "resourceLinkId": resource_link_id,
            }
        return self.lineitem_url(number)

    def revoke_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def scores_for(self, user_id: str) -> list[dict[str, Any]]:
        return [s.body for s in self.scores if s.user_id == user_id]

    # -- HTTP ----------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.endswith("/scores"):
            with self._lock:
                self.posts_started += 1
            if self.delay:
                time.sleep(self.delay)
        with self._lock:
            self.requests += 1
            response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        if self.fail_with is not None:
            return Response("unavailable", status=self.fail_with, headers={"Retry-After": "1"})
        path = request.path
        if path == "/mod/lti/token.php" and request.method == "POST":
            return self._token(request)
        if not path.startswith(SERVICE_PREFIX):
            return Response("not found", status=404)
        scopes = self._bearer_scopes(request)
        if scopes is None:
            return Response("unauthorised", status=401)
        rest = path[len(SERVICE_PREFIX) :]
        if rest == "/lineitems":
            return self._lineitems(request, scopes)
        if rest.startswith("/CourseSection/"):
            return self._memberships(request, scopes)
        parts = rest.strip("/").split("/")  # lineitems/<n>/lineitem[/scores]
        if len(parts) >= 3 and parts[0] == "lineitems" and parts[1].isdigit() and parts[2] == "lineitem":
            number = int(parts[1])
            if number not in self.lineitems or request.args.get("type_id") != str(number):
                return Response("no such line item", status=404)
            if len(parts) == 4 and parts[3] == "scores" and request.method == "POST":
                return self._score(request, scopes, number)
            if len(parts) == 4 and parts[3] == "results" and request.method == "GET":
                return self._results(request, scopes, number)
            if len(parts) == 3:
                return self._lineitem(request, scopes, number)
        return Response("not found", status=404)

    def _token(self, request: Request) -> Response:
        self.token_requests += 1
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return _json({"error": "unsupported_grant_type"}, 400)
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            keys = {k["kid"]: k for k in self.tool_jwks()["keys"]}
            key = jwt.PyJWK(keys[kid]).key
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=self.token_url, issuer=self.client_id)
        except (jwt.PyJWTError, KeyError):
            return _json({"error": "invalid_client"}, 401)
        if claims.get("sub") != self.client_id or not claims.get("jti") or claims["jti"] in self._seen_jti:
            return _json({"error": "invalid_client"}, 401)
        self._seen_jti.add(claims["jti"])
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        self.granted_scopes[token] = set(form.get("scope", "").split())
        return _json(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime, "scope": form["scope"]}
        )

    def _bearer_scopes(self, request: Request) -> set[str] | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        if not header.startswith("Bearer ") or token not in self.tokens:
            return None
        return self.granted_scopes.get(token, set())

    def _lineitems(self, request: Request, scopes: set[str]) -> Response:
        if request.method == "GET":
            wanted = request.args.get("resource_link_id")
            items = [i for i in self.lineitems.values() if wanted is None or i.get("resourceLinkId") == wanted]
            return _json(items)
        if request.method == "POST":
            if not any(s.endswith("/scope/lineitem") for s in scopes):
                return Response("scope", status=403)
            body = json.loads(request.get_data())
            number = len(self.lineitems) + 1
            item = {**body, "id": self.lineitem_url(number)}
            self.lineitems[number] = item
            return _json(item, 201)
        return Response("method", status=405)

    def _lineitem(self, request: Request, scopes: set[str], number: int) -> Response:
        if request.method == "GET":
            return _json(self.lineitems[number])
        if request.method == "PUT":
            if request.headers.get("Content-Type") != LINEITEM_MEDIA_TYPE:
                return Response("content type", status=415)
            item = {**json.loads(request.get_data()), "id": self.lineitem_url(number)}
            self.lineitems[number] = item
            return _json(item)
        return Response("method", status=405)

    def _score(self, request: Request, scopes: set[str], number: int) -> Response:
        self.score_posts += 1
        if not any(s.endswith("/scope/score") for s in scopes):
            return Response("scope", status=403)
        if request.headers.get("Content-Type") != SCORE_MEDIA_TYPE:
            return Response("content type", status=415)
        body = json.loads(request.get_data())
        # Moodle requires these; it reads a missing scoreMaximum as 1 (we refuse, to catch it in tests).
        for required in ("userId", "timestamp", "activityProgress", "gradingProgress", "scoreMaximum"):
            if required not in body:
                return Response(f"missing {required}", status=400)
        if self.fail_scores_with is not None:
            return Response("unavailable", status=self.fail_scores_with, headers={"Retry-After": "1"})
        stamp = int(datetime.fromisoformat(body["timestamp"]).timestamp())
        key = (number, body["userId"])
        previous = self.grades.get(key)
        if previous is not None and stamp <= previous["stamp"]:
            if self.duplicate_answer == "edx":
                # Open edX (lti_consumer's score serializer): a repeated timestamp, or an older one.
                message = (
                    "Score already exists for the provided timestamp"
                    if stamp == previous["stamp"]
                    else "Score timestamp can only be updated to a later point in time"
                )
                return _json({"timestamp": [message]}, 400)
            return Response("Refusing score with an earlier timestamp", status=409)
        graded = body["gradingProgress"] == "FullyGraded"
        self.grades[key] = {"stamp": stamp, "score": body.get("scoreGiven") if graded else None, "body": body}
        self.scores.append(ReceivedScore(number, body["userId"], body))
        return Response(status=200)

    def _results(self, request: Request, scopes: set[str], number: int) -> Response:
        """AGS 2.0 §3.3: the current result of each learner (or of `user_id`) on the line item."""
        self.result_reads += 1
        if not any(s.endswith("/scope/result.readonly") for s in scopes):
            return Response("scope", status=403)
        wanted = request.args.get("user_id")
        results = []
        for (lineitem, user_id), grade in self.grades.items():
            if lineitem != number or (wanted is not None and user_id != wanted):
                continue
            result: dict[str, Any] = {
                "id": f"{self.lineitem_url(number)}/results/{user_id}",
                "scoreOf": self.lineitem_url(number),
                "userId": user_id,
                "resultMaximum": grade["body"]["scoreMaximum"],
            }
            if grade["score"] is not None:
                result["resultScore"] = grade["score"]
            results.append(result)
        response = _json(results)
        response.headers["Content-Type"] = "application/vnd.ims.lis.v2.resultcontainer+json"
        return response

    def accepted(self, user_id: str) -> list[dict[str, Any]]:
        """The score posts of `user_id` the platform applied (each counts once in the gradebook)."""
        return self.scores_for(user_id)

    def _memberships(self, request: Request, scopes: set[str]) -> Response:
        if not any(s.endswith("contextmembership.readonly") for s in scopes):
            return Response("scope", status=403)
        if request.headers.get("Accept") != MEMBERSHIP_MEDIA_TYPE:
            return Response("accept", status=406)
        page = int(request.args.get("page", "1"))
        start = (page - 1) * self.page_size
        chunk = self.members[start : start + self.page_size]
        response = _json({"id": request.url, "context": {"id": "2"}, "members": chunk})
        response.headers["Content-Type"] = MEMBERSHIP_MEDIA_TYPE
        if start + self.page_size < len(self.members):
            response.headers["Link"] = f'<{self.memberships_url}?{urlencode({"page": page + 1})}>; rel="next"'
        return response


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
