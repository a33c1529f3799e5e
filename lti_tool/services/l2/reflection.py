"""The L2 reflection: opens for attendees at the written-reflections item, autosaves like L1."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.dates import to_uk
from lti_tool.errors import BadRequest, Forbidden
from lti_tool.models import (
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    LinkPart,
    Reflection,
    ResourceLink,
    utcnow,
)
from lti_tool.services import outbox, reflections
from lti_tool.services.l2.feedback import feedforward_for
from lti_tool.services.l2.formats import CLOSED, COMPLETED, RUNNING, SCORE_MAXIMUM, agenda_for, reflection_item_index
from lti_tool.services.l2.scheduling import learner_sessions
from lti_tool.services.progress import EnqueueScore
from lti_tool.words import N_
from toolkits.cpd import Field
from toolkits.model import Toolkit

# --- The L2 reflection -------------------------------------------------------------------------------


def reflection_form_fields(toolkit: Toolkit) -> tuple[Field, ...]:
    return reflections.form_fields(toolkit, toolkit.l2.reflection)


def reflection_open(session: Session, *, user_id: int, context_id: int, toolkit: Toolkit) -> bool:
    """Whether the L2 reflection is open for this learner: marked as attending a session of this toolkit
    in this course, and that session has reached its written-reflections item, or is closed."""
    attended = learner_sessions(user_id=user_id, context_id=context_id, toolkit_id=toolkit.id, attended=True)
    groups = session.scalars(attended.where(GroupSession.status.in_((RUNNING, CLOSED)))).all()
    for group in groups:
        if group.status == CLOSED:
            return True
        if group.agenda_index >= reflection_item_index(agenda_for(toolkit, group.format)):
            return True
    return False


REFLECTION_NOT_OPEN = N_(
    "The L2 reflection opens once you are marked as attending and your facilitator reaches the session's "
    "written reflections."
)


def attended_closed_session(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> bool:
    found = session.scalar(
        select(GroupParticipant.id)
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupParticipant.attended.is_(True),
            GroupSession.status == CLOSED,
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
        )
        .limit(1)
    )
    return found is not None


def _require_attended(session: Session, user_id: int, link: ResourceLink, toolkit: Toolkit) -> None:
    if link.part != LinkPart.L2:
        raise BadRequest(N_("This is not an L2 activity."), reason="not_l2")
    if not reflection_open(session, user_id=user_id, context_id=link.context_id, toolkit=toolkit):
        raise Forbidden(
            REFLECTION_NOT_OPEN,
            reason="l2_not_attended",
            advice=N_("If you were there, ask your facilitator to check the attendance list."),
        )


def kept_feedforward(
    session: Session, reflection: Reflection, *, user_id: int, context_id: int, toolkit_id: str
) -> list[GroupFeedback]:
    """The feedforward the learner kept, shown beside the peer box as prompts (still approved and
    still addressed to them or their group: an item rejected or erased since is not shown)."""
    kept = set(reflection.kept_feedback_ids or [])
    if not kept:
        return []
    offered = feedforward_for(session, user_id=user_id, context_id=context_id, toolkit_id=toolkit_id)
    return [item for item in offered if item.id in kept]


TITLE_SUFFIX = N_("(SWOTT L2 group session)")
"""How the toolkits' L2 `cpd_title` ends (toolkits/*/l2/reflection.md): the words the tool adds, not content."""


def with_suffix(title: str, suffix: str) -> str:
    """`title` with its closing `TITLE_SUFFIX` written as `suffix`; any other title as it is."""
    if suffix != TITLE_SUFFIX and title.endswith(TITLE_SUFFIX):
        return title.removesuffix(TITLE_SUFFIX) + suffix
    return title


def start_reflection(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit: Toolkit,
    keep_ids: Iterable[int] = (),
    today: date | None = None,
    title_suffix: str = TITLE_SUFFIX,
) -> Reflection:
    """Create the L2 reflection draft and remember which feedforward the learner keeps as prompts.

    The record's title starts as the toolkit's `cpd_title`, whose closing "(SWOTT L2 group session)" is
    written in `title_suffix` (the view passes it in the learner's language; the toolkit's title stays).

    The peer box starts empty: colleagues' words are shown beside it, never put in the learner's record.
    The CPD date starts as today in UK time (issue 10), for the learner to change if they write it later.
    Only once: a learner who already has a draft keeps it untouched.
    """
    _require_attended(session, user_id, link, toolkit)
    existing = reflections.find_reflection(session, user_id=user_id, resource_link_id=link.id)
    if existing is not None:
        return existing
    offered = {
        i.id: i for i in feedforward_for(session, user_id=user_id, context_id=link.context_id, toolkit_id=toolkit.id)
    }
    kept = [i for i in sorted(set(keep_ids)) if i in offered]
    template = toolkit.l2.reflection
    values = {
        "cpd_title": with_suffix(template.cpd_title, title_suffix),
        "cpd_type": "Reflective group discussion",
        "cpd_peer": "",
        "cpd_date": (today or to_uk(utcnow()).date()).isoformat(),
    }
    draft = reflections.save_draft(
        session, user_id=user_id, link=link, toolkit=toolkit, template=template, values=values, version=0
    )
    draft.kept_feedback_ids = kept
    session.flush()
    return draft


def save_reflection(
    session: Session, *, user_id: int, link: ResourceLink, toolkit: Toolkit, values: dict[str, str], version: int
) -> Reflection:
    """Autosave the L2 draft (same optimistic concurrency as L1: a stale version is a `Conflict`)."""
    _require_attended(session, user_id, link, toolkit)
    return reflections.save_draft(
        session,
        user_id=user_id,
        link=link,
        toolkit=toolkit,
        template=toolkit.l2.reflection,
        values=values,
        version=version,
    )


def submit_reflection(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit: Toolkit,
    values: dict[str, str],
    version: int,
    enqueue: EnqueueScore | None = None,
) -> Reflection:
    """Submit the L2 reflection and, in the same transaction, queue the L2 completion and full score."""
    _require_attended(session, user_id, link, toolkit)
    reflection = reflections.submit_reflection(
        session,
        user_id=user_id,
        link=link,
        toolkit=toolkit,
        template=toolkit.l2.reflection,
        values=values,
        version=version,
    )
    # L2's score is attendance plus the peer reflection: full marks, queued in the same transaction.
    send = enqueue or outbox.enqueue_score
    send(
        session,
        resource_link_id=link.id,
        user_id=user_id,
        score_given=SCORE_MAXIMUM,
        score_maximum=SCORE_MAXIMUM,
        activity_progress=COMPLETED[0],
        grading_progress=COMPLETED[1],
        comment="Attended the L2 group session and submitted the peer reflection.",
    )
    return reflection
