"""What every L1 player page needs: the launch resolved to link, toolkit, learner and attempt (one query),
the learner's dates (L1 deadline, their L2 session), and the template values the layout uses.

Who the learner is and which placement they launched come only from the launch
(`lti.session.current_launch`): no URL names an attempt, a reflection or a user, so there is no id to guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template, request
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import BindParameter, Integer, ScalarSelect, Select, bindparam, select

from lti_tool import i18n, web
from lti_tool.branding import usable_brand_colour
from lti_tool.errors import Forbidden, NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import (
    Attempt,
    Context,
    GroupParticipant,
    GroupSession,
    LinkPart,
    LtiUser,
    Reflection,
    ReflectionStatus,
    ResourceLink,
    ToolkitSchedule,
)
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import progress, registry
from lti_tool.views import doc_links, page_cache
from lti_tool.views.page_cache import inline_html
from toolkits.model import Toolkit


@dataclass(frozen=True)
class LearnerDates:
    """The dates a learner plans around (issue 10 item 6): the L1 deadline and their next L2 session."""

    l1_deadline: datetime | None = None
    session_starts_at: datetime | None = None
    session_place: str = ""
    session_video_link: str = ""
    session_running: bool = False

    @property
    def any(self) -> bool:
        return self.l1_deadline is not None or self.session_starts_at is not None


@dataclass(frozen=True)
class Player:
    """Everything a player view needs, resolved from the launch and checked to belong together."""

    launch: CurrentLaunch
    link: ResourceLink
    toolkit: Toolkit
    attempt: Attempt
    brand_colour: str
    reflection_submitted: bool = False
    # None only for a player made without its query (read on demand by `common`).
    dates: LearnerDates | None = None


def _dates_columns(user_id: int | BindParameter[int]) -> tuple[ScalarSelect[datetime | None], ScalarSelect[int]]:
    """The L1 deadline and the learner's next open L2 session id, as subqueries on the launch's link.

    Folded into the player's one query (issue 15: a page step is one read of the launch context).
    """
    deadline = (
        select(ToolkitSchedule.l1_deadline)
        .where(
            ToolkitSchedule.context_id == ResourceLink.context_id, ToolkitSchedule.toolkit_id == ResourceLink.toolkit_id
        )
        .scalar_subquery()
    )
    next_session = (
        select(GroupSession.id)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupSession.context_id == ResourceLink.context_id,
            GroupSession.toolkit_id == ResourceLink.toolkit_id,
            GroupSession.status != l2_sessions.CLOSED,
        )
        .order_by(GroupSession.starts_at, GroupSession.id)
        .limit(1)
        .correlate(ResourceLink)
        .scalar_subquery()
    )
    return deadline, next_session


@functools.cache
def _player_query(writing: bool) -> Select[Any]:
    """The player's one query, built once per process for reading and for writing (issue 15: building
    this statement anew was a tenth of every L1 page); the launch's user and link are bound parameters
    (`player_user`, `player_link`)."""
    user_id, link_id = bindparam("player_user", type_=Integer), bindparam("player_link", type_=Integer)
    reflection_status = (
        select(Reflection.status)
        .where(Reflection.user_id == user_id, Reflection.resource_link_id == link_id)
        .scalar_subquery()
    )
    deadline, next_session = _dates_columns(user_id)
    query = (
        select(ResourceLink, Context, LtiUser, Attempt, reflection_status, registry.version_column())
        .add_columns(deadline, GroupSession)
        .join(Context, Context.id == ResourceLink.context_id)
        .join(LtiUser, LtiUser.id == user_id)
        .outerjoin(Attempt, (Attempt.user_id == LtiUser.id) & (Attempt.resource_link_id == ResourceLink.id))
        .outerjoin(GroupSession, GroupSession.id == next_session)
        .where(ResourceLink.id == link_id)
    )
    # A write locks the learner's row only (`FOR UPDATE OF lti_user`: PostgreSQL refuses to lock the
    # nullable side of an outer join, and the attempt and session are that side). The dates come too:
    # a page step's POST answers with the next page itself (issue 15: one request, one read).
    return query.with_for_update(of=LtiUser) if writing else query


def _learner_dates(deadline: datetime | None, group: GroupSession | None) -> LearnerDates:
    if group is None:
        return LearnerDates(l1_deadline=deadline)
    return LearnerDates(
        l1_deadline=deadline,
        session_starts_at=group.starts_at,
        session_place=group.place,
        session_video_link=group.video_link,
        session_running=group.status == l2_sessions.RUNNING,
    )


def learner_dates(launch: CurrentLaunch) -> LearnerDates:
    """The launch's learner's dates in one query, for a page outside the player (the start page)."""
    if launch.resource_link_id is None:
        return LearnerDates()
    deadline, next_session = _dates_columns(launch.user_id)
    row = (
        web.db_session()
        .execute(
            select(deadline, GroupSession)
            .select_from(ResourceLink)
            .outerjoin(GroupSession, GroupSession.id == next_session)
            .where(ResourceLink.id == launch.resource_link_id)
        )
        .first()
    )
    return _learner_dates(row[0], row[1]) if row is not None else LearnerDates()


def load_player(writing: bool | None = None) -> Player:
    """The launch's link, course, learner, attempt, reflection status and dates in ONE query (issue 15: a
    page step is one read of the launch context plus one write per changed row).

    The registry version rides along in the same query, so the frame-ancestors header needs no read of
    its own. A POST locks the learner's row (`FOR UPDATE OF lti_user` on PostgreSQL) so two tabs'
    writes apply one after the other; a GET never writes (issue 9, defect 12).
    """
    launch = require_launch()
    if launch.resource_link_id is None or launch.part != LinkPart.L1:
        raise NotFound(
            gettext("This activity is not an L1 module."), reason="not_l1", advice=gettext("Open L1 from your course.")
        )
    session = web.db_session()
    if writing is None:
        writing = request.method == "POST"
    params = {"player_user": launch.user_id, "player_link": launch.resource_link_id}
    row = session.execute(_player_query(writing), params).first()
    if row is not None:
        registry.note_version(session, row[5])
    # Defence in depth: the launch is signed, but the rows must still all belong to one platform.
    if row is None or row[1].platform_id != launch.platform_id or row[2].platform_id != launch.platform_id:
        raise Forbidden(gettext("This module does not belong to the course you launched."), reason="link_mismatch")
    link, user, attempt = row[0], row[2], row[3]
    toolkit = web.catalogue().get(link.toolkit_id)
    if toolkit is None:
        raise NotFound(gettext("This toolkit is no longer available."), reason="unknown_toolkit")
    if attempt is None and writing:
        attempt = progress.open_attempt(session, user_id=user.id, link=link, toolkit=toolkit, for_update=True)
    elif attempt is None:
        # Not started, and a GET: show an unsaved attempt rather than create one.
        attempt = progress.new_attempt(user.id, link, toolkit)  # never added to the session
    platform = registry.platform_by_id(session, launch.platform_id)
    return Player(
        launch,
        link,
        toolkit,
        attempt,
        usable_brand_colour(platform.brand_colour if platform else ""),
        reflection_submitted=row[4] == ReflectionStatus.SUBMITTED,
        dates=_learner_dates(row[6], row[7]),
    )


def commit_and_deliver() -> None:
    """Commit the progress and its queued scores together.

    The scores are sent after the commit by the outbox's after-commit hook, outside this request
    (`lti_tool.background` or `swott worker`): a page step never waits for the LMS.
    """
    web.db_session().commit()


def step_url(step: str, **values: object) -> str:
    return launch_url_for("l1.step", None, step=step, **values)


def view_url(step: str, launch: CurrentLaunch | None = None) -> str:
    """Where Next, Previous and Start post to: moving to `step` is recorded only by a POST."""
    return launch_url_for("l1.view", launch, step=step)


def render_body(toolkit: Toolkit, source: str, body: str) -> str:
    """Render page Markdown; links go to player steps, L2 document pages or the asset route (doc_links)."""
    return doc_links.render_body(toolkit, source, body)


def contents(player: Player, current: str) -> list[dict[str, object]]:
    """The L1 contents as GOV.UK task-list items: each step, with its status for this learner."""
    viewed = set(player.attempt.pages_viewed)
    items: list[dict[str, object]] = []
    for step in progress.steps(player.toolkit):
        if step == current:
            status: dict[str, object] = {"tag": {"text": gettext("This page"), "classes": "govuk-tag--blue"}}
        elif step in viewed:
            status = {"text": gettext("Viewed")}
        else:
            status = {"tag": {"text": gettext("Not viewed yet"), "classes": "govuk-tag--grey"}}
        items.append(
            {
                "title": _content_title(progress.step_title(player.toolkit, step)),
                "href": step_url(step),
                "status": status,
                "classes": "swott-task--current"
                if step == current
                else ("swott-task--viewed" if step in viewed else ""),
            }
        )
    return items


def contents_html(player: Player, current: str) -> Markup:
    """The contents task list as HTML (`contents`), rendered once per process for each toolkit, current
    step, set of steps viewed and language (issue 15: the GOV.UK task list, a tag macro per step, was a
    third of every L1 page's time); each learner's own launch is swapped into its links."""
    viewed = tuple(step for step in progress.steps(player.toolkit) if step in set(player.attempt.pages_viewed))
    key = ("contents", current, viewed, i18n.current_language())
    return page_cache.fragment_html(
        player.toolkit, key, lambda: render_template("l1/contents.html", items=contents(player, current))
    )


def _content_title(title: str) -> dict[str, object]:
    """A task-list title from the toolkit (authored in English): marked `lang="en-GB"` on a page in
    another language (WCAG 2.2 SC 3.1.2 Language of Parts); escaped as plain text on an English page."""
    return {"html": i18n.in_content_language(title)}


def common(player: Player, step: str) -> dict[str, object]:
    """The template values of `l1/layout.html`."""
    all_steps = progress.steps(player.toolkit)
    index = all_steps.index(step)
    submitted = player.reflection_submitted
    return {
        "toolkit": player.toolkit,
        "attempt": player.attempt,
        "step": step,
        "contents_html": contents_html(player, step),
        "position": progress.position(player.attempt, player.toolkit, step),
        "position_text": progress.position(player.attempt, player.toolkit, step).describe(gettext),
        "previous_url": view_url(all_steps[index - 1]) if index > 0 else "",
        "next_url": view_url(all_steps[index + 1]) if index + 1 < len(all_steps) else "",
        "previous_title": progress.step_title(player.toolkit, all_steps[index - 1]) if index > 0 else "",
        "next_title": progress.step_title(player.toolkit, all_steps[index + 1]) if index + 1 < len(all_steps) else "",
        # Reached by a plain link (contents, a link in the text): l1.js records the view with a beacon.
        "record_view_url": view_url(step) if step not in player.attempt.pages_viewed else "",
        "previous_step": all_steps[index - 1] if index > 0 else "",
        "next_step": all_steps[index + 1] if index + 1 < len(all_steps) else "",
        "summary_url": launch_url_for("l1.summary"),
        "outstanding": progress.outstanding(player.attempt, player.toolkit, submitted, gettext),
        "completion_rule": progress.completion_rule(player.toolkit, gettext),
        "score": progress.score(player.attempt, player.toolkit),
        "brand_colour": player.brand_colour,
        "dates": player.dates if player.dates is not None else learner_dates(player.launch),
        "l2_url": launch_url_for("l2.home"),
        "step_url": step_url,
        "render_inline": inline_html,
    }
