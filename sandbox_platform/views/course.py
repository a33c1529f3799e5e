"""The course page, launches (Security §5.1.1.1 third-party initiated login) and the gradebook."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sandbox_platform import ags
from sandbox_platform.platform import DeepLinkError
from sandbox_platform.web import autopost, error_page, platform

bp = Blueprint("course", __name__)


@bp.get("/")
def home() -> str:
    p = platform()
    return render_template(
        "home.html",
        course=p.course,
        placements=p.placements,
        tools=p.tools,
        tool_names={tool.client_id: tool.name for tool in p.tools},
        learners=p.learners,
        facilitator=p.facilitator,
        users=list(p.users.values()),
        added=request.args.get("added", type=int),
    )


@bp.get("/play")
def play() -> str | tuple[str, int]:
    """The tool inside an iframe, as Moodle and Canvas show it (`document_target` iframe)."""
    p = platform()
    user_key = request.args.get("user", "")
    if user_key not in p.users:
        return error_page(400, "Unknown user", "Choose one of the course's people.")
    params: dict[str, Any] = {"user": user_key}
    try:
        if request.args.get("deep_link"):
            params["deep_link"] = request.args["deep_link"]
            title, tool = "Add a toolkit", p.tool(params["deep_link"])
        else:
            params["placement"] = request.args.get("placement", "")
            placement = p.placement(params["placement"])
            title, tool = placement.title, p.tool(placement.client_id)
    except KeyError:
        return error_page(404, "Nothing to launch", "That placement or tool is not in the course.")
    storage = bool(request.args.get("storage"))
    if storage:
        params["storage"] = "1"
    return render_template(
        "play.html",
        title=title,
        user=p.users[user_key],
        launch_href=url_for("course.launch", **params),
        storage=storage,
        tool_origin=_origin(tool.initiate_login_uri),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("/launch")
def launch() -> Response | tuple[str, int]:
    """Send the browser to the tool's initiate-login URL (`post=1`: as a form post instead of GET)."""
    p = platform()
    user_key = request.args.get("user", "")
    if user_key not in p.users:
        return error_page(400, "Unknown user", "Choose one of the course's people.")
    try:
        # The launch page (play.html) answers platform storage messages as the tool's parent.
        target = "_parent" if request.args.get("storage") else ""
        if request.args.get("deep_link"):
            url = p.deep_link_url(user=user_key, client_id=request.args["deep_link"], storage_target=target)
        else:
            url = p.launch_url(user=user_key, placement=request.args.get("placement", ""), storage_target=target)
    except (KeyError, LookupError):
        return error_page(404, "Nothing to launch", "That placement or tool is not in the course.")
    if request.args.get("post"):
        action, _, query = url.partition("?")
        return autopost(action, dict(parse_qsl(query)), "Starting the launch…")
    return redirect(url, code=302)


@bp.post("/deep_linking/return")
def deep_linking_return() -> str | tuple[str, int]:
    """Deep Linking 2.0 §4.5: the tool posts its signed response as the `JWT` form field."""
    token = request.form.get("JWT", "")
    if not token:
        return error_page(400, "No deep linking response", "The tool did not send a JWT.")
    try:
        result = platform().receive_deep_linking_response(token)
    except DeepLinkError as error:
        return error_page(400, "The tool's response was refused", str(error))
    count = len(result.placements)
    # With a message from the tool, stay on this page so the user can read it.
    stay = bool(result.msg or result.errormsg)
    course_url = url_for("course.home", added=count)
    return render_template("return.html", count=count, course_url=course_url, result=result, stay=stay)


@bp.get("/gradebook")
def gradebook() -> str:
    p = platform()
    line_items = p.line_items()
    cells: dict[tuple[str, str], Any] = {}
    for item in line_items:
        for learner in p.users.values():
            grade = p.grade(item.id, learner.key)
            if grade is None:
                cells[(item.id, learner.sub)] = None
                continue
            score = ags.scaled_score(grade, item)
            cells[(item.id, learner.sub)] = {"grade": grade, "score": "—" if score is None else f"{score:g}"}
    return render_template(
        "gradebook.html",
        line_items=line_items,
        learners=list(p.users.values()),
        cells=cells,
        scores=p.scores,
        token_requests=len(p.token_requests),
    )
