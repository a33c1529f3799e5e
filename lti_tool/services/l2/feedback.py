"""L2 feedback and feedforward: written by participants, shown only once the facilitator approves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import (
    GroupFeedback,
    GroupParticipant,
    GroupSession,
)
from lti_tool.services.l2.formats import APPROVED, FEEDFORWARD, KINDS, MAX_FEEDBACK_CHARS, PENDING, REJECTED
from lti_tool.services.l2.scheduling import bump, participant, require_participant, require_running
from lti_tool.words import N_

# --- Feedback and feedforward ------------------------------------------------------------------------


def give_feedback(
    session: Session,
    group: GroupSession,
    *,
    author_id: int,
    kind: str,
    text: str,
    recipient_id: int | None = None,
    anonymous: bool = False,
    prompt: str = "",
) -> GroupFeedback:
    """A participant's feedback or feedforward, held for the facilitator's approval."""
    require_running(group)
    require_participant(session, group, author_id)
    if kind not in KINDS:
        raise BadRequest(N_("Choose feedback or feedforward."), reason="bad_feedback_kind")
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise BadRequest(N_("Write something before sending it."), reason="empty_feedback")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise BadRequest(N_("That is too long: keep it to a few sentences."), reason="feedback_too_long")
    if recipient_id is not None and (recipient_id == author_id or participant(session, group, recipient_id) is None):
        raise BadRequest(N_("Choose a colleague in this session, or the whole group."), reason="bad_recipient")
    item = GroupFeedback(
        session_id=group.id,
        author_id=author_id,
        recipient_id=recipient_id,
        kind=kind,
        prompt=prompt.strip()[:500],
        text=text,
        anonymous=anonymous,
        status=PENDING,
    )
    session.add(item)
    bump(group)
    session.flush()
    return item


def moderate(session: Session, group: GroupSession, feedback_id: int, *, approve: bool) -> GroupFeedback:
    """Approve an item (everyone in the session sees it) or reject it (nobody but its author ever does)."""
    item = session.get(GroupFeedback, feedback_id)
    if item is None or item.session_id != group.id:
        raise NotFound(N_("There is no such item in this session."), reason="unknown_feedback")
    item.status = APPROVED if approve else REJECTED
    bump(group)
    session.flush()
    return item


def feedback_items(
    session: Session, group: GroupSession, *, statuses: Sequence[str] = (APPROVED,)
) -> list[GroupFeedback]:
    return list(
        session.scalars(
            select(GroupFeedback)
            .where(GroupFeedback.session_id == group.id, GroupFeedback.status.in_(statuses))
            .order_by(GroupFeedback.id)
        )
    )


def feedforward_for(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> list[GroupFeedback]:
    """Approved feedforward for this learner (or their whole group) from sessions they attended."""
    attended = (
        select(GroupParticipant.session_id)
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupParticipant.attended.is_(True),
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
        )
    )
    return list(
        session.scalars(
            select(GroupFeedback)
            .where(
                GroupFeedback.session_id.in_(attended),
                GroupFeedback.kind == FEEDFORWARD,
                GroupFeedback.status == APPROVED,
                (GroupFeedback.recipient_id == user_id) | GroupFeedback.recipient_id.is_(None),
            )
            .order_by(GroupFeedback.id)
        )
    )
