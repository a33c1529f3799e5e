"""Reflections are private: only the author reads one, unless they share it with their group.

Then the course's facilitator and the people who were in an L2 group with them for that toolkit can
read it. Anyone else gets "not found", so ids cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from lti_tool.errors import BadRequest, NotFound
from lti_tool.lti.roles import Role
from lti_tool.models import (
    Enrolment,
    GroupParticipant,
    GroupSession,
    Reflection,
    ReflectionShare,
    ReflectionStatus,
    ResourceLink,
)


def _own_reflection(session: Session, reflection_id: int, user_id: int) -> Reflection:
    reflection = session.get(Reflection, reflection_id)
    if reflection is None or reflection.user_id != user_id:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    return reflection


def share(session: Session, *, reflection_id: int, user_id: int) -> None:
    """Let the group and facilitator read one of my submitted reflections."""
    reflection = _own_reflection(session, reflection_id, user_id)
    if reflection.status != ReflectionStatus.SUBMITTED:
        raise BadRequest("Submit the reflection before sharing it.", reason="share_draft")
    if session.scalar(select(ReflectionShare.id).where(ReflectionShare.reflection_id == reflection.id)) is None:
        session.add(ReflectionShare(reflection_id=reflection.id))
        session.flush()


def unshare(session: Session, *, reflection_id: int, user_id: int) -> None:
    reflection = _own_reflection(session, reflection_id, user_id)
    session.execute(delete(ReflectionShare).where(ReflectionShare.reflection_id == reflection.id))


def readable_reflection(
    session: Session, reflection_id: int, *, viewer_id: int, viewer_context_id: int, viewer_is_facilitator: bool
) -> Reflection:
    """The reflection if this viewer may read its text; otherwise "not found" (existence is not revealed).

    The author always may. Anyone else only when the author shared it, and then only the facilitator
    of the course it was written in, or a learner who was in an L2 group for that toolkit with them.
    """
    reflection = session.get(Reflection, reflection_id)
    if reflection is None:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    if reflection.user_id == viewer_id:
        return reflection
    link = session.get(ResourceLink, reflection.resource_link_id)
    is_shared = session.scalar(select(ReflectionShare.id).where(ReflectionShare.reflection_id == reflection.id))
    if link is None or is_shared is None or link.context_id != viewer_context_id:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    if viewer_is_facilitator and _enrolled(session, viewer_id, link.context_id, Role.FACILITATOR):
        return reflection
    if _in_group_together(session, viewer_id, reflection.user_id, link.context_id, link.toolkit_id):
        return reflection
    raise NotFound("There is no such reflection.", reason="unknown_reflection")


def _enrolled(session: Session, user_id: int, context_id: int, role: str) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == user_id, Enrolment.context_id == context_id, Enrolment.role == role
            )
        )
        is not None
    )


def _in_group_together(session: Session, a: int, b: int, context_id: int, toolkit_id: str) -> bool:
    other = aliased(GroupParticipant)
    found = session.scalar(
        select(GroupParticipant.id)
        .join(other, other.session_id == GroupParticipant.session_id)
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .where(
            GroupParticipant.user_id == a,
            other.user_id == b,
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
        )
        .limit(1)
    )
    return found is not None
