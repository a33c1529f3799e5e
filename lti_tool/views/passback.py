"""Grade passback for facilitators: scores the LMS has not received yet, and a button to retry them.

Thin over `services.outbox`: the list is `outbox.undelivered` for the launch's course only, and a retry
names the course too, so a guessed record id from another course or platform is simply not found.
A retry only puts the score back at the front of the queue: it is sent after the commit, off the
facilitator's request (`lti_tool.background` or `swott worker`).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.errors import NotFound
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.services import outbox
from lti_tool.words import N_

bp = Blueprint("passback", __name__, url_prefix="/passback")

MESSAGES = {
    "queued": N_(
        "Sending now: reload this page in a moment to see whether your LMS accepted it. We keep trying until it does."
    ),
    "all_queued": N_(
        "Sending now: reload this page in a moment to see whether your LMS accepted them. We keep trying until it does."
    ),
}


@bp.get("/")
@facilitator_required
def undelivered() -> ResponseReturnValue:
    launch = require_launch()
    scores = outbox.undelivered(web.db_session(), launch.context_id)
    message = MESSAGES.get(request.args.get("done", ""), "")
    return render_template(
        "passback/undelivered.html",
        scores=scores,
        message=gettext(message) if message else "",
        retry_all_url=launch_url_for("passback.retry_all", launch),
        retry_urls={s.record_id: launch_url_for("passback.retry", launch, record_id=s.record_id) for s in scores},
    )


@bp.post("/<int:record_id>/retry")
@facilitator_required
def retry(record_id: int) -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    try:
        outbox.retry(session, record_id, context_id=launch.context_id)
    except LookupError:
        raise NotFound(N_("There is no such score in this course."), reason="unknown_score") from None
    session.commit()  # the outbox's after-commit hook sends it, off this request
    return redirect(launch_url_for("passback.undelivered", launch, done="queued"), code=303)


@bp.post("/retry-all")
@facilitator_required
def retry_all() -> ResponseReturnValue:
    launch = require_launch()
    session = web.db_session()
    ids = [score.record_id for score in outbox.undelivered(session, launch.context_id)]
    for record_id in ids:
        outbox.retry(session, record_id, context_id=launch.context_id)
    session.commit()  # the outbox's after-commit hook sends them, off this request
    return redirect(launch_url_for("passback.undelivered", launch, done="all_queued"), code=303)
