"""LTI Advantage services: the token endpoint, AGS 2.0 line items/scores/results and NRPS 2.0.

Every service checks the bearer token and its scope, and the `type_id` query parameter that Moodle
puts on its service URLs. Each view names its service for `Platform.script` (`sandbox_platform.script`),
which tests in the same process use to make it slow, fail or answer like another LMS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from sandbox_platform import ags, nrps
from sandbox_platform.model import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    Tool,
)
from sandbox_platform.platform import TokenError
from sandbox_platform.web import platform

bp = Blueprint("services", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def _json(body: Any, status: int = 200, media_type: str = "application/json") -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = media_type
    return response


def _error(status: int, error: str, description: str) -> Response:
    response = _json({"error": error, "error_description": description}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def scripted(*names: str) -> Callable[[F], F]:
    """Serve the view as `Platform.script` says for the service `names`: after its delay, or its fault."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fault = platform().script.before(names)
            if fault is not None:
                # Plain text, as the web server or proxy in front of a down or overloaded LMS answers.
                answer = Response("scripted fault", status=fault.status, mimetype="text/plain")
                answer.headers["Retry-After"] = str(fault.retry_after)
                return answer
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _tool(scopes: tuple[str, ...]) -> Tool:
    return platform().check_access(request.headers.get("Authorization", ""), scopes, request.args.get("type_id"))


@bp.errorhandler(TokenError)
def token_error(error: TokenError) -> Response:
    return _error(error.status, error.error, error.description)


@bp.errorhandler(ags.ScoreError)
def score_error(error: ags.ScoreError) -> Response:
    return _error(error.status, "invalid_request", error.reason)


def not_found(missing: KeyError) -> Response:
    return _error(404, "not_found", "no such line item for this tool")


bp.register_error_handler(KeyError, not_found)


@bp.post("/token")
@scripted("token")
def token() -> Response:
    """The client-credentials grant (LTI Security §4.1; errors as RFC 6749 §5.2)."""
    body = platform().issue_access_token(request.form.to_dict())
    response = _json(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_context(context_id: str) -> None:
    if context_id != platform().course.id:
        raise KeyError(context_id)


@bp.route("/ags/contexts/<context_id>/lineitems", methods=["GET", "POST"])
@scripted("ags", "lineitems")
def line_items(context_id: str) -> Response:
    """The line items container (AGS §3.2): list with filters, or create."""
    _check_context(context_id)
    p = platform()
    if request.method == "POST":
        tool = _tool((SCOPE_LINEITEM,))
        item = p.create_line_item(tool, request.get_json(silent=True))
        return _json(ags.line_item_json(item, p.line_item_url(tool, item.id)), 201, ags.LINEITEM_MEDIA_TYPE)
    tool = _tool((SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY))
    items = p.line_items(tool)
    for parameter, attribute in (
        ("resource_link_id", "resource_link_id"),
        ("resource_id", "resource_id"),
        ("tag", "tag"),
    ):
        if parameter in request.args:
            items = [item for item in items if getattr(item, attribute) == request.args[parameter]]
    limit = request.args.get("limit", type=int)
    if limit is not None and limit > 0:
        items = items[:limit]
    body = [ags.line_item_json(item, p.line_item_url(tool, item.id)) for item in items]
    return _json(body, 200, ags.LINEITEM_CONTAINER_MEDIA_TYPE)


@bp.route("/ags/contexts/<context_id>/lineitems/<line_item_id>/lineitem", methods=["GET", "PUT", "DELETE"])
@scripted("ags", "lineitems")
def line_item(context_id: str, line_item_id: str) -> Response:
    """One line item (AGS §3.2.6–3.2.9)."""
    _check_context(context_id)
    p = platform()
    if request.method == "GET":
        tool = _tool((SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY))
        item = p.line_item(tool, line_item_id)
    elif request.method == "PUT":
        tool = _tool((SCOPE_LINEITEM,))
        item = p.update_line_item(tool, line_item_id, request.get_json(silent=True))
    else:
        tool = _tool((SCOPE_LINEITEM,))
        p.delete_line_item(tool, line_item_id)
        return Response(status=204)
    return _json(ags.line_item_json(item, p.line_item_url(tool, item.id)), 200, ags.LINEITEM_MEDIA_TYPE)


@bp.post("/ags/contexts/<context_id>/lineitems/<line_item_id>/lineitem/scores")
@scripted("ags", "scores")
def scores(context_id: str, line_item_id: str) -> Response:
    """Score publish (AGS §3.4) with Moodle's rules (see `sandbox_platform.ags`)."""
    _check_context(context_id)
    tool = _tool((SCOPE_SCORE,))
    if request.mimetype != ags.SCORE_MEDIA_TYPE:
        return _error(415, "invalid_request", f"the Content-Type must be {ags.SCORE_MEDIA_TYPE}")
    p = platform()
    record = p.post_score(tool, line_item_id, request.get_json(silent=True, force=True))
    if record.status == 409:
        other_lms = p.script.conflict_answer(same_timestamp=record.reason == ags.SAME_TIMESTAMP)
        if other_lms is not None:
            return _json(other_lms[1], other_lms[0])
    if record.status != 200:
        return _error(record.status, "invalid_request", record.reason)
    return Response(status=200)


@bp.get("/ags/contexts/<context_id>/lineitems/<line_item_id>/lineitem/results")
@scripted("ags", "results")
def results(context_id: str, line_item_id: str) -> Response:
    """The result service (AGS §3.3): the current grade of each user."""
    _check_context(context_id)
    tool = _tool((SCOPE_RESULT_READONLY,))
    p = platform()
    item = p.line_item(tool, line_item_id)
    body = []
    for user in p.users.values():
        if request.args.get("user_id") not in (None, user.sub):
            continue
        grade = p.grade(item.id, user.key)
        if grade is None:
            continue
        result: dict[str, Any] = {
            "id": p.line_item_url(tool, item.id, f"/results/{user.sub}"),
            "scoreOf": p.line_item_url(tool, item.id),
            "userId": user.sub,
            "resultMaximum": item.score_maximum,
        }
        score = ags.scaled_score(grade, item)
        if score is not None:
            result["resultScore"] = score
        if grade.comment:
            result["comment"] = grade.comment
        body.append(result)
    return _json(body, 200, ags.RESULT_CONTAINER_MEDIA_TYPE)


@bp.get("/nrps/contexts/<context_id>/bindings/<type_id>/memberships")
@scripted("nrps")
def memberships(context_id: str, type_id: str) -> Response:
    """The context membership service (NRPS 2.0 §2), paged with `limit` and `Link: rel="next"`."""
    _check_context(context_id)
    p = platform()
    tool = p.check_access(request.headers.get("Authorization", ""), (SCOPE_NRPS,), type_id)
    members = p.script.members
    if members is None:
        members = [nrps.member_json(user) for user in p.users.values()]
    role = request.args.get("role")
    if role:
        members = [member for member in members if nrps.role_matches(member, role)]
    limit = request.args.get("limit", type=int) or p.config.nrps_page_size
    limit = max(1, min(limit, p.config.nrps_page_size))
    offset = max(0, request.args.get("offset", default=0, type=int))
    url = p.memberships_url(tool)
    body, following = nrps.membership_page(url=url, course=p.course, members=members, offset=offset, limit=limit)
    response = _json(body, 200, nrps.MEMBERSHIP_MEDIA_TYPE)
    if following is not None:
        query = {"limit": str(limit), "offset": str(following)}
        if role:
            query["role"] = role
        response.headers["Link"] = f'<{url}?{urlencode(query)}>; rel="next"'
    return response
