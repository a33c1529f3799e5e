"""Running an L2 session: agenda and timer, stages revealed one by one, attendance, roles, closing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, Conflict, NotFound
from lti_tool.models import (
    GroupFeedback,
    GroupSession,
    ParticipantRole,
    Reflection,
    ReflectionStatus,
    utcnow,
)
from lti_tool.services import outbox
from lti_tool.services.l2.feedback import feedback_items
from lti_tool.services.l2.formats import (
    ACTION_PLANNER,
    APPROVED,
    ATTENDED,
    CLOSED,
    CONSULTANT,
    OBSERVER,
    PENDING,
    PRESENTER,
    ROLE_LABELS,
    RUNNING,
    SCHEDULED,
    SCORE_MAXIMUM,
    agenda_for,
)
from lti_tool.services.l2.scheduling import (
    bump,
    l2_link,
    names,
    participant,
    participants,
    require_open,
    require_running,
)
from lti_tool.services.progress import EnqueueScore
from lti_tool.words import N_
from toolkits.model import GroupFormat, Toolkit
from toolkits.render import render_markdown

# --- Live session ------------------------------------------------------------------------------------


def start(session: Session, group: GroupSession, toolkit: Toolkit, now: datetime | None = None) -> None:
    """Start the session on the first agenda item, with its timer running."""
    require_open(group)
    if group.status == RUNNING:
        return
    now = now or utcnow()
    group.status = RUNNING
    group.started_at = now
    group.agenda_index = 0
    group.timer_started_at = now
    bump(group)
    session.flush()


def go_to_agenda_item(
    session: Session, group: GroupSession, toolkit: Toolkit, index: int, now: datetime | None = None
) -> None:
    """Move to an agenda item (next, previous or any) and restart the timer for it."""
    require_running(group)
    agenda = agenda_for(toolkit, group.format)
    if not 0 <= index < len(agenda):
        raise BadRequest(N_("There is no such agenda item."), reason="bad_agenda_item")
    group.agenda_index = index
    group.timer_started_at = now or utcnow()
    bump(group)
    session.flush()


def reveal_next_stage(session: Session, group: GroupSession, toolkit: Toolkit) -> int:
    """Reveal the next case-study stage to everyone; returns how many are now revealed."""
    require_running(group)
    if group.stages_revealed >= len(toolkit.l2.stages):
        raise Conflict(N_("Every stage of the case study is already showing."), reason="no_more_stages")
    group.stages_revealed += 1
    bump(group)
    session.flush()
    return group.stages_revealed


def set_attendance(session: Session, group: GroupSession, user_id: int, attended: bool) -> None:
    """Take attendance in the session (final once the session is closed)."""
    require_open(group)
    found = participant(session, group, user_id)
    if found is None:
        raise NotFound(N_("That person is not on the list for this session."), reason="not_a_participant")
    found.attended = attended
    bump(group)
    session.flush()


ONE_PERSON_ONLY = {
    PRESENTER: N_("Give the role of presenter to exactly one person."),
    CONSULTANT: N_("Give the role of consultant to exactly one person."),
    ACTION_PLANNER: N_("Give the role of action planner to exactly one person."),
}
"""Whole sentences, one per role, so each can be translated (docs/welsh.md)."""


def assign_roles(session: Session, group: GroupSession, roles: dict[int, str]) -> None:
    """Bells that Ring roles: exactly one presenter, consultant and action planner; others observe."""
    require_open(group)
    if group.format != GroupFormat.BELLS_THAT_RING.value:
        raise BadRequest(N_("Roles belong to the Bells that Ring format."), reason="roles_not_used")
    people = {p.user_id: p for p in participants(session, group)}
    if not set(roles) <= set(people):
        raise BadRequest(N_("Roles can only go to people on the list."), reason="not_a_participant")
    if any(r not in ROLE_LABELS for r in roles.values()):
        raise BadRequest(N_("That is not one of the roles of this format."), reason="bad_role")
    for single in (PRESENTER, CONSULTANT, ACTION_PLANNER):
        if list(roles.values()).count(single) != 1:
            raise BadRequest(ONE_PERSON_ONLY[single], reason="bad_roles")
    for user_id, person in people.items():
        person.role = ParticipantRole(roles.get(user_id, OBSERVER))
    bump(group)
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
        raise Conflict(N_("This session is already closed."), reason="session_closed")
    group.status = CLOSED
    group.closed_at = now or utcnow()
    group.timer_started_at = None
    bump(group)
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
                Reflection.status == ReflectionStatus.SUBMITTED,
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
    session: Session,
    group: GroupSession,
    toolkit: Toolkit,
    *,
    for_facilitator: bool,
    now: datetime | None = None,
    render: Callable[[str, str], str] | None = None,
) -> dict[str, Any]:
    """The session as a page shows it (JSON-safe). Participants get revealed stages and approved items only.

    `render(source, markdown)` turns a toolkit file's Markdown into HTML; the web page passes one that
    resolves the file's links inside the launch (`lti_tool.views.doc_links`).
    """
    now = now or utcnow()
    render = render or (lambda _source, body: render_markdown(body))
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
        else {
            "title": toolkit.l2.introduction.title,
            "html": render(toolkit.l2.introduction.source, toolkit.l2.introduction.body),
        },
        "stages_total": len(toolkit.l2.stages),
        "stages_revealed": group.stages_revealed,
        "stages": [{"title": s.title, "html": render(s.source, s.body), "prompts": list(s.prompts)} for s in stages],
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
        # Stand-ins for a name: the template translates these (l2/_live.html), never a person's name.
        "from": N_("Anonymous") if item.anonymous else who.get(item.author_id, N_("A participant")),
        "to": who.get(item.recipient_id, N_("A participant")) if item.recipient_id else N_("The group"),
        "status": item.status,
    }
