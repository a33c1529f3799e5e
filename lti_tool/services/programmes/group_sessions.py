"""A programme's toolkit L2s run in the existing L2 session mode (`services.l2`).

A group-session activity whose `session:` is `toolkit-l2` is that toolkit's L2: the lead opens it from
the programme, which schedules an ordinary L2 `GroupSession` for the event's date, place and the run's
participants, and from then on plans, runs, screens and closes it on the L2 pages. Attendance taken
there flows back when the session closes (`after_close`): attendees are done, the others missed, like a
register. The reflection is the toolkit's own L2 reflection, kept against the course's L2 placement of
the toolkit; a course that placed only the programme gets a placement made for the purpose (no
gradebook column of its own: `ags_scopes` empty), so the reflection lands in the portfolio as an L2
reflection like any other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import GroupSession, ProgrammeEvent, ProgrammeRun, ResourceLink
from lti_tool.services import outbox
from lti_tool.services.l2 import scheduling
from lti_tool.services.programmes import cohort, runs
from toolkits.model import Toolkit
from toolkits.programmes import Activity, ActivityKind, Programme, SessionType

# `resource_link.link_id` of a placement made for a programme (never an LMS's own link id, which the
# launch stores as the platform sent it); the outbox queues nothing for it.
PROGRAMME_L2_LINK = outbox.NO_COLUMN_PREFIX


def toolkit_l2(programme: Programme | None, event: ProgrammeEvent) -> Activity | None:
    """The event's activity when it is a toolkit's L2 (run in the L2 session mode), else None."""
    activity = programme.activity(event.activity_id) if programme else None
    if (
        activity is None
        or activity.kind is not ActivityKind.GROUP_SESSION
        or activity.session is not SessionType.TOOLKIT_L2
        or not activity.toolkit
    ):
        return None
    return activity


def l2_placement(session: Session, *, context_id: int, toolkit: Toolkit) -> ResourceLink:
    """The course's L2 placement of the toolkit, made (without a gradebook column) when there is none."""
    found = scheduling.l2_link(session, context_id=context_id, toolkit_id=toolkit.id)
    if found is not None:
        return found
    link = ResourceLink(
        context_id=context_id,
        link_id=f"{PROGRAMME_L2_LINK}{toolkit.id}",
        title=f"{toolkit.title}: L2"[:255],
        toolkit_id=toolkit.id,
        part="l2",
        lineitem_url="",
        ags_scopes=[],
    )
    session.add(link)
    session.flush()
    return link


def group_of(session: Session, event: ProgrammeEvent) -> GroupSession | None:
    return session.get(GroupSession, event.group_session_id) if event.group_session_id else None


def open_session(session: Session, run: ProgrammeRun, event: ProgrammeEvent, toolkit: Toolkit) -> GroupSession:
    """The event's L2 group session, scheduled for its date, place and the run's participants if not yet."""
    group = group_of(session, event)
    if group is not None:
        return group
    group = scheduling.schedule_session(
        session,
        context_id=run.context_id,
        toolkit=toolkit,
        starts_at=event.starts_at,
        place=event.place,
        video_link=event.video_link,
        participant_ids=[m.user.id for m in runs.members(session, run)],
        title=f"{run.cohort_name}: {event.title}",
    )
    event.group_session_id = group.id
    l2_placement(session, context_id=run.context_id, toolkit=toolkit)
    session.flush()
    return group


def after_close(session: Session, group: GroupSession) -> list[ProgrammeRun]:
    """Carry a closed L2 session's attendance into every programme event it ran; the runs touched."""
    found = list(session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.group_session_id == group.id)))
    attended = {p.user_id for p in scheduling.participants(session, group) if p.attended}
    touched = []
    for event in found:
        run = session.get(ProgrammeRun, event.run_id)
        if run is None:
            continue
        members = runs.members(session, run)
        present = {m.participant.id for m in members if m.user.id in attended}
        cohort.record_attendance(session, event, [m.participant.id for m in members], present)
        touched.append(run)
    return touched
