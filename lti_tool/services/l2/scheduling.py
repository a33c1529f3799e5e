"""L2 scheduling: the L1 deadline, sessions and who is invited (only this course's learners)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.models import (
    Enrolment,
    GroupParticipant,
    GroupSession,
    LinkPart,
    LtiUser,
    ParticipantRole,
    ResourceLink,
    ToolkitSchedule,
)
from lti_tool.services.l2.formats import CLOSED, RUNNING, SCHEDULED, agenda_for, parse_format
from lti_tool.words import N_
from toolkits.model import Toolkit

# --- Scheduling ------------------------------------------------------------------------------------


def l1_deadline(session: Session, *, context_id: int, toolkit_id: str) -> datetime | None:
    return session.scalar(
        select(ToolkitSchedule.l1_deadline).where(
            ToolkitSchedule.context_id == context_id, ToolkitSchedule.toolkit_id == toolkit_id
        )
    )


def set_l1_deadline(
    session: Session, *, context_id: int, toolkit_id: str, deadline: datetime | None
) -> ToolkitSchedule:
    """Set (or clear) the L1 deadline of a toolkit in a course."""
    if deadline is not None and deadline.tzinfo is None:
        raise ValueError("the L1 deadline must be timezone-aware")
    schedule = session.scalar(
        select(ToolkitSchedule).where(
            ToolkitSchedule.context_id == context_id, ToolkitSchedule.toolkit_id == toolkit_id
        )
    )
    if schedule is None:
        schedule = ToolkitSchedule(context_id=context_id, toolkit_id=toolkit_id)
        session.add(schedule)
    schedule.l1_deadline = deadline
    session.flush()
    return schedule


def course_learners(session: Session, context_id: int) -> list[LtiUser]:
    """The learners of a course who can be invited: active learner enrolments, by name."""
    return list(
        session.scalars(
            select(LtiUser)
            .join(Enrolment, Enrolment.user_id == LtiUser.id)
            .where(Enrolment.context_id == context_id, Enrolment.role == "learner", Enrolment.active.is_(True))
            .order_by(LtiUser.name, LtiUser.id)
        )
    )


def _check_place(place: str, video_link: str) -> tuple[str, str]:
    place, video_link = place.strip(), video_link.strip()
    if not place and not video_link:
        raise BadRequest(N_("Give a place, a video link, or both."), reason="no_place")
    if video_link and (urlsplit(video_link).scheme not in ("https", "http") or not urlsplit(video_link).netloc):
        raise BadRequest(N_("The video link must be a web address starting with https://."), reason="bad_video_link")
    return place, video_link


def _check_participants(session: Session, context_id: int, user_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(user_ids))
    allowed = {u.id for u in course_learners(session, context_id)}
    if not set(wanted) <= allowed:
        raise BadRequest(N_("Participants must be learners in this course."), reason="participant_not_in_course")
    return wanted


def schedule_session(
    session: Session,
    *,
    context_id: int,
    toolkit: Toolkit,
    starts_at: datetime,
    place: str = "",
    video_link: str = "",
    group_format: str = "",
    participant_ids: Iterable[int] = (),
    title: str = "",
) -> GroupSession:
    """Schedule an L2 session for a course; participants must be learners of that course."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    fmt = parse_format(group_format) if group_format else toolkit.l2.format
    place, video_link = _check_place(place, video_link)
    group = GroupSession(
        context_id=context_id,
        toolkit_id=toolkit.id,
        title=title.strip()[:255] or f"{toolkit.title}: L2 group session",
        starts_at=starts_at,
        place=place,
        video_link=video_link,
        format=fmt.value,
        status=SCHEDULED,
        agenda_index=-1,
        stages_revealed=0,
        revision=0,
    )
    session.add(group)
    session.flush()
    for user_id in _check_participants(session, context_id, participant_ids):
        session.add(GroupParticipant(session_id=group.id, user_id=user_id, role=ParticipantRole.NONE, attended=False))
    session.flush()
    return group


def set_participants(session: Session, group: GroupSession, user_ids: Iterable[int]) -> None:
    """Replace the invitation list (before the session closes); attendance already taken is kept."""
    require_open(group)
    wanted = set(_check_participants(session, group.context_id, user_ids))
    current = {p.user_id: p for p in participants(session, group)}
    for user_id, participant in current.items():
        if user_id not in wanted:
            session.delete(participant)
    for user_id in wanted - set(current):
        session.add(GroupParticipant(session_id=group.id, user_id=user_id, role=ParticipantRole.NONE, attended=False))
    bump(group)
    session.flush()


def sessions_for(session: Session, *, context_id: int, toolkit_id: str) -> list[GroupSession]:
    return list(
        session.scalars(
            select(GroupSession)
            .where(GroupSession.context_id == context_id, GroupSession.toolkit_id == toolkit_id)
            .order_by(GroupSession.starts_at, GroupSession.id)
        )
    )


def get_session(session: Session, session_id: int, *, context_id: int) -> GroupSession:
    """A session of this course; a session of any other course is "not found", never "forbidden"."""
    group = session.get(GroupSession, session_id)
    if group is None or group.context_id != context_id:
        raise NotFound(N_("There is no such group session in this course."), reason="unknown_group_session")
    return group


def participants(session: Session, group: GroupSession) -> list[GroupParticipant]:
    return list(
        session.scalars(
            select(GroupParticipant).where(GroupParticipant.session_id == group.id).order_by(GroupParticipant.id)
        )
    )


def participant(session: Session, group: GroupSession, user_id: int) -> GroupParticipant | None:
    return session.scalar(
        select(GroupParticipant).where(GroupParticipant.session_id == group.id, GroupParticipant.user_id == user_id)
    )


def require_participant(session: Session, group: GroupSession, user_id: int) -> GroupParticipant:
    found = participant(session, group, user_id)
    if found is None:
        raise Forbidden(
            N_("You are not on the list for this group session."),
            reason="not_a_participant",
            advice=N_("Ask your facilitator to add you to the session."),
        )
    return found


def names(session: Session, group: GroupSession) -> dict[int, str]:
    """Participant id → display name, for the facilitator's and the participants' pages."""
    rows = session.execute(
        select(LtiUser.id, LtiUser.name)
        .join(GroupParticipant, GroupParticipant.user_id == LtiUser.id)
        .where(GroupParticipant.session_id == group.id)
    )
    return {user_id: name or "A participant" for user_id, name in rows}


def bump(group: GroupSession) -> None:
    group.revision = (group.revision or 0) + 1


def require_open(group: GroupSession) -> None:
    if group.status == CLOSED:
        raise Conflict(N_("This session has been closed, so it can no longer be changed."), reason="session_closed")


def require_running(group: GroupSession) -> None:
    if group.status != RUNNING:
        raise Conflict(
            N_("This session is not running.") if group.status == SCHEDULED else N_("This session has been closed."),
            reason="session_not_running",
        )


def l2_link(session: Session, *, context_id: int, toolkit_id: str) -> ResourceLink | None:
    """The course's L2 placement of the toolkit (the first, if an LMS placed it twice)."""
    return session.scalar(
        select(ResourceLink)
        .where(
            ResourceLink.context_id == context_id,
            ResourceLink.toolkit_id == toolkit_id,
            ResourceLink.part == LinkPart.L2,
        )
        .order_by(ResourceLink.id)
        .limit(1)
    )


def learner_sessions(*, user_id: int, context_id: int, toolkit_id: str, attended: bool = False) -> Select[GroupSession]:
    """The query for the toolkit's sessions in this course that the learner is invited to (with
    `attended`, those they are marked as attending); callers add their own conditions and order."""
    query = (
        select(GroupSession)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
        )
    )
    return query.where(GroupParticipant.attended.is_(True)) if attended else query


def upcoming_for_learner(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> list[GroupSession]:
    """The sessions a learner is invited to in this course, soonest first."""
    query = learner_sessions(user_id=user_id, context_id=context_id, toolkit_id=toolkit_id)
    return list(session.scalars(query.order_by(GroupSession.starts_at, GroupSession.id)))


def ends_at(group: GroupSession, toolkit: Toolkit) -> datetime:
    """When the session should end: its start plus the agenda's minutes."""
    return group.starts_at + timedelta(minutes=sum(a.minutes for a in agenda_for(toolkit, group.format)))
