"""A learner's own calendar feed (issue 12): the days their follow-ups will be asked, for learners outside
a programme too (a programme participant's feed carries them as well, views/programmes/learner.py).

The same rules as the programme feed (services/programmes/calendar.py): a secret address, shown once,
only its hash kept; a new address stops the old one at once; the feed holds the learner's own dates only.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.access import launch_required
from lti_tool.clock import now
from lti_tool.forms import ConfirmForm
from lti_tool.i18n import ENGLISH, current_language
from lti_tool.lti.session import launch_url_for, require_launch
from lti_tool.services.programmes import calendar
from lti_tool.views.reminders import feed_words, follow_up_events, unknown_feed

bp = Blueprint("learner_calendar", __name__, url_prefix="/calendar")

ICS = "text/calendar; charset=utf-8"


@bp.route("/", methods=["GET", "POST"])
@launch_required
def page() -> ResponseReturnValue:
    """Get (or replace) the address of the learner's own calendar; shown once when made."""
    launch = require_launch()
    session = web.db_session()
    form = ConfirmForm()
    address = ""
    if request.method == "POST" and form.validate_on_submit():
        token = calendar.reset_learner_feed_token(session, launch.user_id)
        session.commit()
        address = web.settings().base_url.rstrip("/") + f"/calendar/feed/{token}.ics"
        if current_language() != ENGLISH:  # the feed has no launch: its address says the language
            address += f"?lang={current_language()}"
    return render_template(
        "evaluation/calendar.html",
        form=form,
        address=address,
        has_feed=calendar.has_learner_feed(session, launch.user_id),
        action=launch_url_for("learner_calendar.page", launch),
        reminders=len(follow_up_events(session, launch.user_id)),
    )


@bp.get("/feed/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The subscription feed: the secret in the address is the only key (no launch, no cookie)."""
    session = web.db_session()
    row = calendar.learner_by_token(session, token)
    if row is None:
        raise unknown_feed()
    words = feed_words()
    body = calendar.calendar_bytes(
        None, (), now(), name=words.learner_feed, extra=follow_up_events(session, row.user_id, words)
    )
    response = Response(body, mimetype=ICS)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
