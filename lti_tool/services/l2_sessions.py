"""L2 group sessions: scheduling, the live session a facilitator runs, peer feedback, and the L2 reflection.

Plain Python over SQLAlchemy (no Flask), so the rules are tested without a request.

- **Scheduling.** A facilitator sets the L1 deadline for a toolkit in a course (`ToolkitSchedule`) and
  schedules one or more group sessions (date and time, a place or a video link, participants picked
  from the course's learners). Only learners enrolled in that course can be invited, so a session can
  never reach into another course or platform.
- **Live state.** While the session runs, the facilitator moves through the agenda (each item starts its
  own timer), reveals the case study stage by stage and takes attendance. Every change bumps
  `GroupSession.revision`; participants' pages poll the state and redraw only when it moved. Stages not
  yet revealed are never sent to participants, so reading the page source gives nothing away.
- **Formats.** `toolkits.model.GroupFormat` names the three formats of docs/cpd-rules.md. A session in the
  toolkit's own format uses the toolkit's agenda; another format uses its preset agenda here. Bells that
  Ring has roles: one presenter, one consultant, one action planner, everyone else an observer.
- **Feedback and feedforward.** Participants write feedback (on current practice) and feedforward (on
  future practice) for a colleague or the group, optionally anonymously. Nothing is shown to anyone but
  the facilitator until the facilitator approves it (moderation); an anonymous item never shows its
  author, to the facilitator either.
- **The L2 reflection, in the session.** SWOTT gives the end of L2 to written reflections, so the
  reflection opens for a learner marked as attending as soon as the facilitator reaches the agenda item
  for written reflections (`reflection_item_index`), at any time after that, and after the session is
  closed (docs/learning-design.md). It uses the same `Reflection` rows and service as L1
  (`services.reflections`) with the toolkit's L2 template. The peer-reflection box starts empty; the
  feedforward the learner kept is shown beside it as prompts (`kept_feedforward`), so the record holds
  what the learner says they learnt. Submitting it queues `Completed`/`FullyGraded` with the full score
  through the same outbox as L1 (AGS 2.0 §3.4), in the same transaction as the submission.
- **Closing.** Closing records attendance as final and queues an `InProgress`/`Pending` score on the
  L2 line item for each attendee who has not already submitted their reflection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.lti.service_client import PlatformEndpoint
from lti_tool.models import (
    Context,
    Enrolment,
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    LtiUser,
    Platform,
    Reflection,
    ResourceLink,
    ToolkitSchedule,
    utcnow,
)
from lti_tool.services import delivery, outbox, reflections
from lti_tool.services.grades import SCOPE_LINEITEM, AgsError, GradeService
from lti_tool.services.progress import EnqueueScore
from toolkits.cpd import Field
from toolkits.model import AgendaItem, GroupFormat, Toolkit

log = logging.getLogger(__name__)

SCORE_MAXIMUM = 100.0
ATTENDED = ("InProgress", "Pending")
COMPLETED = ("Completed", "FullyGraded")

SCHEDULED = "scheduled"
RUNNING = "running"
CLOSED = "closed"

FEEDBACK = "feedback"
FEEDFORWARD = "feedforward"
KINDS = (FEEDBACK, FEEDFORWARD)
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
MAX_FEEDBACK_CHARS = 2_000

PRESENTER = "presenter"
CONSULTANT = "consultant"
OBSERVER = "observer"
ACTION_PLANNER = "action_planner"
ROLE_LABELS = {
    PRESENTER: "Presenter",
    CONSULTANT: "Consultant",
    OBSERVER: "Observer",
    ACTION_PLANNER: "Action planner",
}


@dataclass(frozen=True)
class FormatPreset:
    """A group format: its agenda with timings, the roles it uses, and what the facilitator watches for."""

    format: GroupFormat
    title: str
    agenda: tuple[AgendaItem, ...]
    roles: tuple[str, ...] = ()
    facilitator_notes: tuple[str, ...] = ()


# Timings from docs/cpd-rules.md; where it gives a range (action learning set) the middle of it.
PRESETS: dict[GroupFormat, FormatPreset] = {
    GroupFormat.SWOTT_DEFAULT: FormatPreset(
        GroupFormat.SWOTT_DEFAULT,
        "SWOTT group session",
        (
            AgendaItem("Check-in and ground rules", 5),
            AgendaItem("Recap of L1 ideas", 7),
            AgendaItem("Case study read or presented", 10),
            AgendaItem("Clarifying questions", 8),
            AgendaItem("Applying theory and hypothesising", 20),
            AgendaItem("Peer feedback and feedforward", 10),
            AgendaItem("Actions and written reflections", 10),
            AgendaItem("Review of the process", 5),
        ),
    ),
    GroupFormat.ACTION_LEARNING_SET: FormatPreset(
        GroupFormat.ACTION_LEARNING_SET,
        "Action learning set",
        (
            AgendaItem("The issue", 2),
            AgendaItem("Clarifying questions", 8),
            AgendaItem("Open questions", 12),
            AgendaItem("Summary", 2),
            AgendaItem("Resources round", 5),
            AgendaItem("Action", 2),
        ),
        facilitator_notes=(
            "Per presenter, 30 to 40 minutes: repeat the agenda for each presenter.",
            "Stop advice dressed as questions (“Have you thought about…?”): ask for an open question instead.",
        ),
    ),
    GroupFormat.BELLS_THAT_RING: FormatPreset(
        GroupFormat.BELLS_THAT_RING,
        "Bells that Ring (systemic group supervision)",
        (
            AgendaItem("Assign roles", 5),
            AgendaItem("The presenter presents", 10),
            AgendaItem("The consultant asks curious questions", 15),
            AgendaItem("Observers' reflecting conversation (the presenter listens)", 15),
            AgendaItem("The consultant asks the presenter for feedback", 5),
            AgendaItem("The action planner feeds back", 5),
            AgendaItem("Whole-group reflection", 10),
        ),
        roles=(PRESENTER, CONSULTANT, OBSERVER, ACTION_PLANNER),
        facilitator_notes=(
            "Observers talk to each other, not to the presenter, while the presenter listens.",
            "Notice which ideas ‘ring bells’ for the presenter, and come back to them.",
        ),
    ),
}


def agenda_for(toolkit: Toolkit, group_format: str) -> tuple[AgendaItem, ...]:
    """The toolkit's own agenda in its own format (its timings fit its case), else the format's preset."""
    fmt = parse_format(group_format)
    if fmt is toolkit.l2.format:
        return toolkit.l2.agenda
    return PRESETS[fmt].agenda


def parse_format(value: str) -> GroupFormat:
    try:
        return GroupFormat(value)
    except ValueError:
        raise BadRequest("Choose one of the group formats offered.", reason="bad_group_format") from None


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
        raise BadRequest("Give a place, a video link, or both.", reason="no_place")
    if video_link and (urlsplit(video_link).scheme not in ("https", "http") or not urlsplit(video_link).netloc):
        raise BadRequest("The video link must be a web address starting with https://.", reason="bad_video_link")
    return place, video_link


def _check_participants(session: Session, context_id: int, user_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(user_ids))
    allowed = {u.id for u in course_learners(session, context_id)}
    if not set(wanted) <= allowed:
        raise BadRequest("Participants must be learners in this course.", reason="participant_not_in_course")
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
        session.add(GroupParticipant(session_id=group.id, user_id=user_id, role="", attended=False))
    session.flush()
    return group


def set_participants(session: Session, group: GroupSession, user_ids: Iterable[int]) -> None:
    """Replace the invitation list (before the session closes); attendance already taken is kept."""
    _require_open(group)
    wanted = set(_check_participants(session, group.context_id, user_ids))
    current = {p.user_id: p for p in participants(session, group)}
    for user_id, participant in current.items():
        if user_id not in wanted:
            session.delete(participant)
    for user_id in wanted - set(current):
        session.add(GroupParticipant(session_id=group.id, user_id=user_id, role="", attended=False))
    _bump(group)
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
        raise NotFound("There is no such group session in this course.", reason="unknown_group_session")
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
            "You are not on the list for this group session.",
            reason="not_a_participant",
            advice="Ask your facilitator to add you to the session.",
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


# --- Live session ------------------------------------------------------------------------------------


def _bump(group: GroupSession) -> None:
    group.revision = (group.revision or 0) + 1


def _require_open(group: GroupSession) -> None:
    if group.status == CLOSED:
        raise Conflict("This session has been closed, so it can no longer be changed.", reason="session_closed")


def _require_running(group: GroupSession) -> None:
    if group.status != RUNNING:
        raise Conflict(
            "This session is not running." if group.status == SCHEDULED else "This session has been closed.",
            reason="session_not_running",
        )


def start(session: Session, group: GroupSession, toolkit: Toolkit, now: datetime | None = None) -> None:
    """Start the session on the first agenda item, with its timer running."""
    _require_open(group)
    if group.status == RUNNING:
        return
    now = now or utcnow()
    group.status = RUNNING
    group.started_at = now
    group.agenda_index = 0
    group.timer_started_at = now
    _bump(group)
    session.flush()


def go_to_agenda_item(
    session: Session, group: GroupSession, toolkit: Toolkit, index: int, now: datetime | None = None
) -> None:
    """Move to an agenda item (next, previous or any) and restart the timer for it."""
    _require_running(group)
    agenda = agenda_for(toolkit, group.format)
    if not 0 <= index < len(agenda):
        raise BadRequest("There is no such agenda item.", reason="bad_agenda_item")
    group.agenda_index = index
    group.timer_started_at = now or utcnow()
    _bump(group)
    session.flush()


def reveal_next_stage(session: Session, group: GroupSession, toolkit: Toolkit) -> int:
    """Reveal the next case-study stage to everyone; returns how many are now revealed."""
    _require_running(group)
    if group.stages_revealed >= len(toolkit.l2.stages):
        raise Conflict("Every stage of the case study is already showing.", reason="no_more_stages")
    group.stages_revealed += 1
    _bump(group)
    session.flush()
    return group.stages_revealed


def set_attendance(session: Session, group: GroupSession, user_id: int, attended: bool) -> None:
    """Take attendance in the session (final once the session is closed)."""
    _require_open(group)
    found = participant(session, group, user_id)
    if found is None:
        raise NotFound("That person is not on the list for this session.", reason="not_a_participant")
    found.attended = attended
    _bump(group)
    session.flush()


def assign_roles(session: Session, group: GroupSession, roles: dict[int, str]) -> None:
    """Bells that Ring roles: exactly one presenter, consultant and action planner; others observe."""
    _require_open(group)
    if group.format != GroupFormat.BELLS_THAT_RING.value:
        raise BadRequest("Roles belong to the Bells that Ring format.", reason="roles_not_used")
    people = {p.user_id: p for p in participants(session, group)}
    if not set(roles) <= set(people):
        raise BadRequest("Roles can only go to people on the list.", reason="not_a_participant")
    if any(r not in ROLE_LABELS for r in roles.values()):
        raise BadRequest("That is not one of the roles of this format.", reason="bad_role")
    for single in (PRESENTER, CONSULTANT, ACTION_PLANNER):
        if list(roles.values()).count(single) != 1:
            raise BadRequest(
                f"Give the role of {ROLE_LABELS[single].lower()} to exactly one person.", reason="bad_roles"
            )
    for user_id, person in people.items():
        person.role = roles.get(user_id, OBSERVER)
    _bump(group)
    session.flush()


def close(
    session: Session,
    group: GroupSession,
    toolkit: Toolkit,
    enqueue: EnqueueScore | None = None,
    now: datetime | None = None,
) -> int:
    """Close the session: attendance becomes final and each attendee's L2 line item shows them in progress.

    Returns the number of attendees. Scores go to the toolkit's L2 resource link in this course; with
    none (the course placed only L1), nothing is queued and the learners write their reflection later
    from the L2 activity once it is added.
    """
    if group.status == CLOSED:
        raise Conflict("This session is already closed.", reason="session_closed")
    group.status = CLOSED
    group.closed_at = now or utcnow()
    group.timer_started_at = None
    _bump(group)
    session.flush()
    attendees = [p.user_id for p in participants(session, group) if p.attended]
    link = l2_link(session, context_id=group.context_id, toolkit_id=toolkit.id)
    if link is not None:
        send = enqueue or outbox.enqueue_score
        submitted = _submitted_users(session, link.id, attendees)
        for user_id in attendees:
            if user_id in submitted:
                continue  # graded already: Moodle blanks the grade on anything but FullyGraded
            send(
                session,
                resource_link_id=link.id,
                user_id=user_id,
                score_given=None,
                score_maximum=SCORE_MAXIMUM,
                activity_progress=ATTENDED[0],
                grading_progress=ATTENDED[1],
                comment="Attended the L2 group session; reflection to follow.",
            )
    return len(attendees)


def _submitted_users(session: Session, link_id: int, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(Reflection.user_id).where(
                Reflection.resource_link_id == link_id,
                Reflection.user_id.in_(user_ids),
                Reflection.status == "submitted",
            )
        )
    )


@dataclass(frozen=True)
class Timer:
    """The running agenda item's timer: seconds allowed and the moment it started (the page counts)."""

    item: int
    title: str
    seconds: int
    started_at: datetime | None

    def remaining(self, now: datetime) -> int:
        """Seconds left (negative when over time: the facilitator decides, nothing stops)."""
        if self.started_at is None:
            return self.seconds
        return self.seconds - int((now - self.started_at).total_seconds())


def timer(group: GroupSession, toolkit: Toolkit) -> Timer | None:
    agenda = agenda_for(toolkit, group.format)
    if group.status != RUNNING or not 0 <= group.agenda_index < len(agenda):
        return None
    item = agenda[group.agenda_index]
    return Timer(group.agenda_index, item.title, item.minutes * 60, group.timer_started_at)


def live_state(
    session: Session, group: GroupSession, toolkit: Toolkit, *, for_facilitator: bool, now: datetime | None = None
) -> dict[str, Any]:
    """The session as a page shows it (JSON-safe). Participants get revealed stages and approved items only."""
    from toolkits.render import render_markdown

    now = now or utcnow()
    agenda = agenda_for(toolkit, group.format)
    running = timer(group, toolkit)
    stages = toolkit.l2.stages[: group.stages_revealed]
    people = participants(session, group)
    who = names(session, group)
    state: dict[str, Any] = {
        "id": group.id,
        "revision": group.revision,
        "status": group.status,
        "format": group.format,
        "agenda": [{"title": a.title, "minutes": a.minutes} for a in agenda],
        "agenda_index": group.agenda_index,
        "timer": None
        if running is None
        else {"title": running.title, "seconds": running.seconds, "remaining": running.remaining(now)},
        # The case study's introduction shows once the session starts; its stages one by one after it.
        "introduction": None
        if group.status == SCHEDULED
        else {"title": toolkit.l2.introduction.title, "html": render_markdown(toolkit.l2.introduction.body)},
        "stages_total": len(toolkit.l2.stages),
        "stages_revealed": group.stages_revealed,
        "stages": [{"title": s.title, "html": render_markdown(s.body), "prompts": list(s.prompts)} for s in stages],
        "roles": {who.get(p.user_id, ""): ROLE_LABELS[p.role] for p in people if p.role in ROLE_LABELS},
        "feedback": [_item_json(item, who) for item in feedback_items(session, group, statuses=(APPROVED,))],
    }
    if for_facilitator:
        state["pending"] = [_item_json(item, who) for item in feedback_items(session, group, statuses=(PENDING,))]
        state["attendance"] = [
            {"user_id": p.user_id, "name": who.get(p.user_id, ""), "attended": p.attended, "role": p.role}
            for p in people
        ]
    return state


def _item_json(item: GroupFeedback, who: dict[int, str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "prompt": item.prompt,
        "text": item.text,
        "from": "Anonymous" if item.anonymous else who.get(item.author_id, "A participant"),
        "to": who.get(item.recipient_id, "A participant") if item.recipient_id else "The group",
        "status": item.status,
    }


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
    _require_running(group)
    require_participant(session, group, author_id)
    if kind not in KINDS:
        raise BadRequest("Choose feedback or feedforward.", reason="bad_feedback_kind")
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise BadRequest("Write something before sending it.", reason="empty_feedback")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise BadRequest("That is too long: keep it to a few sentences.", reason="feedback_too_long")
    if recipient_id is not None and (recipient_id == author_id or participant(session, group, recipient_id) is None):
        raise BadRequest("Choose a colleague in this session, or the whole group.", reason="bad_recipient")
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
    _bump(group)
    session.flush()
    return item


def moderate(session: Session, group: GroupSession, feedback_id: int, *, approve: bool) -> GroupFeedback:
    """Approve an item (everyone in the session sees it) or reject it (nobody but its author ever does)."""
    item = session.get(GroupFeedback, feedback_id)
    if item is None or item.session_id != group.id:
        raise NotFound("There is no such item in this session.", reason="unknown_feedback")
    item.status = APPROVED if approve else REJECTED
    _bump(group)
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


# --- The L2 reflection -------------------------------------------------------------------------------


def l2_link(session: Session, *, context_id: int, toolkit_id: str) -> ResourceLink | None:
    """The course's L2 placement of the toolkit (the first, if an LMS placed it twice)."""
    return session.scalar(
        select(ResourceLink)
        .where(ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit_id, ResourceLink.part == "l2")
        .order_by(ResourceLink.id)
        .limit(1)
    )


def reflection_form_fields(toolkit: Toolkit) -> tuple[Field, ...]:
    return reflections.form_fields(toolkit, toolkit.l2.reflection)


def reflection_item_index(agenda: Sequence[AgendaItem]) -> int:
    """The agenda item that opens the L2 reflection: the first whose title names written reflections
    (SWOTT's "Actions and written reflections"), else the last item (a format without one)."""
    for index, item in enumerate(agenda):
        title = item.title.lower()
        if "written reflection" in title or "writing reflection" in title:
            return index
    return len(agenda) - 1


def reflection_open(session: Session, *, user_id: int, context_id: int, toolkit: Toolkit) -> bool:
    """Whether the L2 reflection is open for this learner: marked as attending a session of this toolkit
    in this course, and that session has reached its written-reflections item, or is closed."""
    groups = session.scalars(
        select(GroupSession)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(
            GroupParticipant.user_id == user_id,
            GroupParticipant.attended.is_(True),
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit.id,
            GroupSession.status.in_((RUNNING, CLOSED)),
        )
    ).all()
    for group in groups:
        if group.status == CLOSED:
            return True
        if group.agenda_index >= reflection_item_index(agenda_for(toolkit, group.format)):
            return True
    return False


REFLECTION_NOT_OPEN = (
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
    if link.part != "l2":
        raise BadRequest("This is not an L2 activity.", reason="not_l2")
    if not reflection_open(session, user_id=user_id, context_id=link.context_id, toolkit=toolkit):
        raise Forbidden(
            REFLECTION_NOT_OPEN,
            reason="l2_not_attended",
            advice="If you were there, ask your facilitator to check the attendance list.",
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


def start_reflection(
    session: Session, *, user_id: int, link: ResourceLink, toolkit: Toolkit, keep_ids: Iterable[int] = ()
) -> Reflection:
    """Create the L2 reflection draft and remember which feedforward the learner keeps as prompts.

    The peer box starts empty: colleagues' words are shown beside it, never put in the learner's record.
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
    values = {"cpd_title": template.cpd_title, "cpd_type": "Reflective group discussion", "cpd_peer": ""}
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


def upcoming_for_learner(session: Session, *, user_id: int, context_id: int, toolkit_id: str) -> list[GroupSession]:
    """The sessions a learner is invited to in this course, soonest first."""
    return list(
        session.scalars(
            select(GroupSession)
            .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
            .where(
                GroupParticipant.user_id == user_id,
                GroupSession.context_id == context_id,
                GroupSession.toolkit_id == toolkit_id,
            )
            .order_by(GroupSession.starts_at, GroupSession.id)
        )
    )


def ends_at(group: GroupSession, toolkit: Toolkit) -> datetime:
    """When the session should end: its start plus the agenda's minutes."""
    return group.starts_at + timedelta(minutes=sum(a.minutes for a in agenda_for(toolkit, group.format)))


# --- The LMS due date ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueDateUpdate:
    updated: int
    skipped: int
    failed: int


def l2_due(session: Session, *, context_id: int, toolkit: Toolkit) -> datetime | None:
    """When L2 is due in the gradebook: the end of the latest session scheduled for the course."""
    groups = session.scalars(
        select(GroupSession).where(GroupSession.context_id == context_id, GroupSession.toolkit_id == toolkit.id)
    ).all()
    return max((ends_at(g, toolkit) for g in groups), default=None)


def due_date_links(
    session: Session, *, context_id: int, toolkit_id: str, part: str
) -> list[tuple[ResourceLink, Platform]]:
    """The `part` links of the course whose line item the platform lets us change (AGS 2.0 §3.2.7).

    A link is left out when the platform gave no line item URL or no `lineitem` scope (Moodle gives
    the scope only when the tool asked for it at registration).
    """
    links = session.execute(
        select(ResourceLink, Platform)
        .join(Context, Context.id == ResourceLink.context_id)
        .join(Platform, Platform.id == Context.platform_id)
        .where(ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit_id, ResourceLink.part == part)
    ).all()
    return [
        (link, platform) for link, platform in links if link.lineitem_url and SCOPE_LINEITEM in (link.ags_scopes or [])
    ]


def push_due_date(
    session: Session, grades: GradeService, *, context_id: int, toolkit_id: str, part: str, deadline: datetime | None
) -> DueDateUpdate:
    """Set the `part` line items' `endDateTime` to `deadline` where the platform lets us (AGS 2.0 §3.2.7).

    L1: the facilitator's L1 deadline. L2: the end of the latest scheduled session (`l2_due`).
    Runs in the background (`lti_tool.background`), never in the facilitator's request. Failures are
    counted, never raised: the deadline is saved here either way, and the dashboard uses ours.
    """
    every = session.scalar(
        select(func.count(ResourceLink.id)).where(
            ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit_id, ResourceLink.part == part
        )
    )
    targets = due_date_links(session, context_id=context_id, toolkit_id=toolkit_id, part=part)
    updated = failed = 0
    for link, platform in targets:
        try:
            grades.update_line_item_end_date(PlatformEndpoint.of(platform), link.lineitem_url, deadline)
            updated += 1
        except AgsError as error:  # an LMS refusing a due date must not lose the deadline we saved
            log.info("line item end date not updated: HTTP %s", error.status)
            failed += 1
    return DueDateUpdate(updated, int(every or 0) - len(targets), failed)


def due_date_task(
    database: Database,
    redis_url: str,
    *,
    context_id: int,
    toolkit_id: str,
    part: str,
    deadline: datetime | None,
) -> Callable[[], DueDateUpdate]:
    """`push_due_date` as a background task (`lti_tool.background`): its own session and grade service."""

    def push() -> DueDateUpdate:
        grades = delivery.default_grade_service(database, redis_url)
        try:
            with database.session() as session:
                return push_due_date(
                    session, grades, context_id=context_id, toolkit_id=toolkit_id, part=part, deadline=deadline
                )
        finally:
            grades.close()

    return push
