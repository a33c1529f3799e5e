"""The learner's CPD portfolio pages: records, exports, sharing, "download all my data" and erasure.

Thin views over `services.portfolio`. Everything here is about the launched user only, except
`read`, which applies the sharing rule (author; or, when shared, the course's facilitator and the
author's L2 group) and answers "not found" to anyone else, so ids cannot be probed.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.errors import BadRequest
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import LtiUser, ResourceLink, utcnow
from lti_tool.services import portfolio

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

ERASE_CONFIRMATION = "erase"


def _pieces(launch: CurrentLaunch) -> list[portfolio.Piece]:
    return portfolio.pieces(web.db_session(), user_id=launch.user_id, catalogue=web.catalogue())


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    launch = require_launch()
    pieces = _pieces(launch)
    today = utcnow().date()
    return render_template(
        "portfolio/index.html",
        launch=launch,
        url=lambda endpoint, **values: launch_url_for(endpoint, launch, **values),
        years=portfolio.cpd_years(pieces, today),
        current=portfolio.current_year(pieces, today),
        swe_text=portfolio.swe_form_text,
        has_reflections=portfolio.has_reflections(web.db_session(), user_id=launch.user_id),
        retention_days=web.settings().reflection_retention_days,
        notice=request.args.get("notice", ""),
    )


@bp.get("/portfolio.pdf")
def export_pdf() -> ResponseReturnValue:
    launch = require_launch()
    user = web.db_session().get(LtiUser, launch.user_id)
    pdf = portfolio.portfolio_pdf(_pieces(launch), utcnow().date(), learner_name=user.name if user else "")
    return _download(pdf, "application/pdf", "cpd-portfolio.pdf")


@bp.get("/portfolio.json")
def export_json() -> ResponseReturnValue:
    launch = require_launch()
    data = portfolio.portfolio_json(_pieces(launch), utcnow().date())
    return _download(portfolio.dumps(data), "application/json", "cpd-portfolio.json")


@bp.get("/my-data.json")
def my_data() -> ResponseReturnValue:
    launch = require_launch()
    data = portfolio.all_my_data(web.db_session(), user_id=launch.user_id)
    return _download(portfolio.dumps(data), "application/json", "swott-my-data.json")


@bp.get("/reflections/<int:reflection_id>")
def read(reflection_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    reflection = portfolio.readable_reflection(
        session,
        reflection_id,
        viewer_id=launch.user_id,
        viewer_context_id=launch.context_id,
        viewer_is_facilitator=launch.is_facilitator,
    )
    piece = next((p for p in _pieces_of(reflection.user_id) if p.reflection_id == reflection.id), None)
    author = session.get(LtiUser, reflection.user_id)
    link = session.get(ResourceLink, reflection.resource_link_id)
    response = Response(
        render_template(
            "portfolio/reflection.html",
            launch=launch,
            url=lambda endpoint, **values: launch_url_for(endpoint, launch, **values),
            reflection=reflection,
            piece=piece,
            author=author,
            own=reflection.user_id == launch.user_id,
            part=link.part if link else "",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _pieces_of(user_id: int) -> list[portfolio.Piece]:
    return portfolio.pieces(web.db_session(), user_id=user_id, catalogue=web.catalogue())


@bp.post("/reflections/<int:reflection_id>/share")
def share(reflection_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    if request.form.get("share") == "1":
        portfolio.share(session, reflection_id=reflection_id, user_id=launch.user_id)
        notice = "shared"
    else:
        portfolio.unshare(session, reflection_id=reflection_id, user_id=launch.user_id)
        notice = "unshared"
    session.commit()
    return redirect(launch_url_for("portfolio.index", launch, notice=notice) + f"#piece-{reflection_id}", code=303)


@bp.post("/erase")
def erase() -> ResponseReturnValue:
    launch = require_launch()
    if request.form.get("confirm", "").strip().lower() != ERASE_CONFIRMATION:
        raise BadRequest(
            "Your reflections were not erased.",
            reason="erase_not_confirmed",
            advice=f"To erase them, type “{ERASE_CONFIRMATION}” in the box and press the button again.",
        )
    session = web.db_session()
    portfolio.erase_reflections(session, user_id=launch.user_id)
    session.commit()
    return redirect(launch_url_for("portfolio.index", launch, notice="erased"), code=303)
