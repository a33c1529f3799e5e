"""What every L2 page shares: the blueprint, the launch and toolkit, the course's session, page context."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint
from flask_babel import gettext
from markupsafe import Markup, escape

from lti_tool import web
from lti_tool.access import facilitator_launch
from lti_tool.dates import to_uk
from lti_tool.errors import NotFound
from lti_tool.i18n import current_language, in_content_language
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import GroupSession
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import roster
from lti_tool.words import N_
from toolkits.model import GroupFormat, Toolkit
from toolkits.render import render_inline

bp = Blueprint("l2", __name__, url_prefix="/l2")


@bp.app_template_global("launch_url")
def launch_url(endpoint: str, **values: Any) -> str:
    """`launch_url_for` for templates: a link that keeps the current launch (cookie or `lt` token)."""
    return launch_url_for(endpoint, **values)


def launch_and_toolkit() -> tuple[CurrentLaunch, Toolkit]:
    launch = require_launch()
    toolkit = web.catalogue().get(launch.toolkit_id)
    if toolkit is None:
        raise NotFound(N_("This toolkit is no longer available."), reason="toolkit_gone")
    return launch, toolkit


def facilitator_and_toolkit() -> tuple[CurrentLaunch, Toolkit]:
    """For views under `@facilitator_required`: the launch (already checked) and its toolkit."""
    facilitator_launch()
    return launch_and_toolkit()


def group_of(launch: CurrentLaunch, session_id: int) -> GroupSession:
    group = l2_sessions.get_session(web.db_session(), session_id, context_id=launch.context_id)
    if group.toolkit_id != launch.toolkit_id:
        raise NotFound(N_("There is no such group session in this course."), reason="unknown_group_session")
    return group


def commit() -> None:
    """Commit; scores queued in the transaction are sent after it by the outbox's after-commit hook."""
    web.db_session().commit()


def uk_day(moment: datetime) -> date:
    """The UK calendar day of a stored moment (lti_tool/dates.py), for "not the scheduled day" warnings."""
    return to_uk(moment).date()


def refresh_roster(launch: CurrentLaunch) -> dict[str, str]:
    """Have the course list brought up to date over NRPS 2.0 in the background (`services.roster`), so
    learners who have never opened the activity can be invited and show as "not started"; the notice
    and the "last updated" line for the page."""
    state = roster.ensure_recent(
        web.database(), launch.context_id, web.background(), redis_url=web.settings().redis_url
    )
    return {
        "roster_notice": gettext(state.notice) if state.notice else "",
        "roster_synced": state.synced_sentence(gettext, current_language()),
    }


def page_context(launch: CurrentLaunch, toolkit: Toolkit) -> dict[str, Any]:
    return {
        "launch": launch,
        "toolkit": toolkit,
        "url": lambda endpoint, **values: launch_url_for(endpoint, launch, **values),
        "render_inline": lambda text: Markup(render_inline(text)),
        "format_titles": {f.value: l2_sessions.PRESETS[f].title for f in GroupFormat},
        "session_title": lambda group: session_title(group, toolkit),
        "session_heading": lambda group: session_heading(group, toolkit),
    }


def session_title(group: GroupSession, toolkit: Toolkit) -> str:
    """A session's title in this request's language: the default title (services/l2/scheduling.py,
    stored in English when the facilitator gives none) is translated; a title someone typed is theirs."""
    if group.title == f"{toolkit.title}: L2 group session":
        return str(gettext("%(toolkit)s: L2 group session", toolkit=toolkit.title))
    return group.title


def session_heading(group: GroupSession, toolkit: Toolkit) -> Markup:
    """`session_title` for the page itself (not the <title>): the toolkit's title in a translated default
    title is English content, so a Welsh page marks it `lang="en-GB"` (WCAG 2.2 SC 3.1.2)."""
    if group.title == f"{toolkit.title}: L2 group session":
        sentence = Markup(escape(gettext("%(toolkit)s: L2 group session")))
        return sentence % {"toolkit": in_content_language(toolkit.title)}
    return escape(group.title)
