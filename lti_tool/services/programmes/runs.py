"""A programme run: a cohort taking one template in one course, and its timeline of events.

Each occurrence of a template activity becomes one `ProgrammeEvent`, dated from the run's start (the
template's week and day, at a default UK time per kind) until the lead moves it: a moved event is
`fixed` and no longer follows the start. Every change of date, time, place or status bumps the event's
`sequence`, which calendars use to replace their copy (RFC 5545 §3.8.7.4, docs/programmes.md).

Access: a run belongs to one course (context); every lookup takes the launch's context, so a run of
another course is "not found".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.dates import UK_TIME, uk_moment
from lti_tool.errors import BadRequest, NotFound
from lti_tool.lti.roles import Role
from lti_tool.models import (
    Enrolment,
    EventStatus,
    LtiUser,
    ProgrammeEvent,
    ProgrammeParticipant,
    ProgrammeRun,
    RunStatus,
)
from lti_tool.services.programmes import holidays
from toolkits.programmes import Activity, ActivityKind, Occurrence, Programme

# Where a template gives only a week and a day: the UK time each kind starts by default.
DEFAULT_TIMES = {
    ActivityKind.TOOLKIT_L1: time(9, 0),
    ActivityKind.GROUP_SESSION: time(10, 0),
    ActivityKind.ONE_TO_ONE: time(14, 0),
    ActivityKind.DISCOVERY_DAY: time(9, 30),
    ActivityKind.PROTECTED_TIME: time(9, 0),
}
L1_DUE_TIME = time(17, 0)
L1_EVENT_MINUTES = 30  # the calendar entry for an L1: half an hour on the day it opens
MAX_NAME = 255


def _local_time(moment: datetime) -> time:
    return moment.astimezone(UK_TIME).time().replace(tzinfo=None)


def _title(activity: Activity) -> str:
    return activity.title


def _dates(
    activity: Activity, occurrence: Occurrence, starts_on: date, at: time | None = None
) -> tuple[datetime, datetime | None]:
    day = occurrence.on(starts_on)
    starts_at = uk_moment(day, at or DEFAULT_TIMES[activity.kind])
    due_day = activity.due(starts_on) if activity.kind is ActivityKind.TOOLKIT_L1 else None
    return starts_at, uk_moment(due_day, L1_DUE_TIME) if due_day else None


def course_people(session: Session, context_id: int, role: str | None = None) -> list[LtiUser]:
    """Active members of a course (learners, facilitators, or both), by name."""
    query = (
        select(LtiUser)
        .join(Enrolment, Enrolment.user_id == LtiUser.id)
        .where(Enrolment.context_id == context_id, Enrolment.active.is_(True))
        .order_by(LtiUser.name, LtiUser.id)
    )
    if role:
        query = query.where(Enrolment.role == role)
    return list(session.scalars(query))


def create_run(
    session: Session,
    *,
    context_id: int,
    programme: Programme,
    cohort_name: str,
    starts_on: date,
    participant_ids: Iterable[int],
    nation: str = holidays.DEFAULT_NATION,
    resource_link_id: int | None = None,
) -> ProgrammeRun:
    """Start a run for a cohort of course learners: one event per template occurrence, dated from the start."""
    name = cohort_name.strip()
    if not name or len(name) > MAX_NAME:
        raise BadRequest("Give the cohort a name.", reason="programme_no_cohort_name")
    wanted = sorted(set(participant_ids))
    learners = {u.id for u in course_people(session, context_id, Role.LEARNER)}
    if not wanted:
        raise BadRequest("Choose the participants of the cohort.", reason="programme_no_participants")
    if not set(wanted) <= learners:
        raise BadRequest("Participants must be learners in this course.", reason="programme_participant_not_in_course")
    run = ProgrammeRun(
        context_id=context_id,
        resource_link_id=resource_link_id,
        template_id=programme.id,
        template_version=programme.version,
        cohort_name=name,
        starts_on=starts_on,
        nation=nation if nation in holidays.NATIONS else holidays.DEFAULT_NATION,
        status=RunStatus.PLANNING,
    )
    session.add(run)
    session.flush()
    for activity in programme.activities:
        for index, occurrence in enumerate(activity.occurrences):
            starts_at, due_at = _dates(activity, occurrence, starts_on)
            session.add(
                ProgrammeEvent(
                    run_id=run.id,
                    activity_id=activity.id,
                    occurrence=index,
                    kind=activity.kind.value,
                    title=_title(activity),
                    starts_at=starts_at,
                    minutes=occurrence.minutes if activity.kind is not ActivityKind.TOOLKIT_L1 else L1_EVENT_MINUTES,
                    due_at=due_at,
                    fixed=occurrence.fixed_date is not None,
                    required=activity.required,
                    status=EventStatus.SCHEDULED,
                    uid=str(uuid.uuid4()).upper(),  # RFC 7986 §5.3: a random UUID, nothing about host or user
                )
            )
    session.add_all(ProgrammeParticipant(run_id=run.id, user_id=uid) for uid in wanted)
    session.flush()
    return run


def runs_for(session: Session, context_id: int) -> list[ProgrammeRun]:
    return list(
        session.scalars(select(ProgrammeRun).where(ProgrammeRun.context_id == context_id).order_by(ProgrammeRun.id))
    )


def get_run(session: Session, run_id: int, *, context_id: int) -> ProgrammeRun:
    run = session.get(ProgrammeRun, run_id)
    if run is None or run.context_id != context_id:
        raise NotFound("There is no such programme in this course.", reason="unknown_programme_run")
    return run


def events(session: Session, run: ProgrammeRun) -> list[ProgrammeEvent]:
    query = select(ProgrammeEvent).where(ProgrammeEvent.run_id == run.id)
    return list(session.scalars(query.order_by(ProgrammeEvent.starts_at, ProgrammeEvent.id)))


def get_event(session: Session, run: ProgrammeRun, event_id: int) -> ProgrammeEvent:
    event = session.get(ProgrammeEvent, event_id)
    if event is None or event.run_id != run.id:
        raise NotFound("There is no such date in this programme.", reason="unknown_programme_event")
    return event


@dataclass(frozen=True)
class Member:
    participant: ProgrammeParticipant
    user: LtiUser


def members(session: Session, run: ProgrammeRun) -> list[Member]:
    rows = session.execute(
        select(ProgrammeParticipant, LtiUser)
        .join(LtiUser, LtiUser.id == ProgrammeParticipant.user_id)
        .where(ProgrammeParticipant.run_id == run.id)
        .order_by(LtiUser.name, LtiUser.id)
    )
    return [Member(p, u) for p, u in rows]


def participant_for(session: Session, run: ProgrammeRun, user_id: int) -> ProgrammeParticipant | None:
    return session.scalars(
        select(ProgrammeParticipant).where(
            ProgrammeParticipant.run_id == run.id, ProgrammeParticipant.user_id == user_id
        )
    ).first()


def runs_of_learner(session: Session, *, user_id: int, context_id: int) -> list[ProgrammeRun]:
    """The runs of this course the user is a participant of (never another course's)."""
    return list(
        session.scalars(
            select(ProgrammeRun)
            .join(ProgrammeParticipant, ProgrammeParticipant.run_id == ProgrammeRun.id)
            .where(ProgrammeRun.context_id == context_id, ProgrammeParticipant.user_id == user_id)
            .order_by(ProgrammeRun.starts_on, ProgrammeRun.id)
        )
    )


def _changed(event: ProgrammeEvent) -> None:
    event.sequence += 1


def move_event(session: Session, event: ProgrammeEvent, *, day: date, at: time, place: str, video_link: str) -> bool:
    """Set an event's date, UK start time, place and video link; it is then fixed. True if anything changed."""
    place, video_link = place.strip()[:255], video_link.strip()[:1024]
    if video_link and not video_link.startswith(("https://", "http://")):
        raise BadRequest("The video link must be a web address starting with https://.", reason="bad_video_link")
    starts_at = uk_moment(day, at)
    shift = starts_at - event.starts_at
    if starts_at == event.starts_at and place == event.place and video_link == event.video_link:
        return False
    event.starts_at = starts_at
    if event.due_at is not None:
        event.due_at = event.due_at + shift
    event.place, event.video_link = place, video_link
    event.fixed = True
    _changed(event)
    session.flush()
    return True


def cancel_event(session: Session, event: ProgrammeEvent) -> None:
    """Call an event off: it stays on the timeline and in calendars as cancelled (RFC 5545 §3.8.1.11)."""
    if event.status != EventStatus.CANCELLED:
        event.status = EventStatus.CANCELLED
        _changed(event)
        session.flush()


def change_start(session: Session, run: ProgrammeRun, programme: Programme, starts_on: date) -> int:
    """Move the start date; every event not fixed follows it at its own time of day. Returns how many moved."""
    moved = 0
    activities = {a.id: a for a in programme.activities}
    for event in events(session, run):
        activity = activities.get(event.activity_id)
        if event.fixed or activity is None or event.occurrence >= len(activity.occurrences):
            continue
        starts_at, due_at = _dates(
            activity, activity.occurrences[event.occurrence], starts_on, _local_time(event.starts_at)
        )
        if starts_at != event.starts_at or due_at != event.due_at:
            event.starts_at, event.due_at = starts_at, due_at
            _changed(event)
            moved += 1
    run.starts_on = starts_on
    session.flush()
    return moved


def set_pairings(
    session: Session, run: ProgrammeRun, pairings: Mapping[int, tuple[int | None, int | None, int]]
) -> None:
    """Coach, mentor and agreed protected hours per participant (keyed by participant id).

    A coach or mentor must be a member of the course (a facilitator or a learner) and not the participant.
    """
    people = {u.id for u in course_people(session, run.context_id)}
    for member in members(session, run):
        if member.participant.id not in pairings:
            continue
        coach, mentor, hours = pairings[member.participant.id]
        for supporter in (coach, mentor):
            if supporter is not None and (supporter not in people or supporter == member.user.id):
                raise BadRequest("Coaches and mentors must be other members of this course.", reason="bad_pairing")
        if not 0 <= hours <= 40:
            raise BadRequest("Protected time is between 0 and 40 hours a week.", reason="bad_protected_hours")
        member.participant.coach_id, member.participant.mentor_id = coach, mentor
        member.participant.protected_hours = hours
    session.flush()


def holiday_warnings(run: ProgrammeRun, found: Iterable[ProgrammeEvent]) -> dict[int, str]:
    """Event id -> the bank holiday it lands on in the run's nation (cancelled events are not warned)."""
    warnings: dict[int, str] = {}
    for event in found:
        if event.status == EventStatus.CANCELLED:
            continue
        day = event.starts_at.astimezone(UK_TIME).date()
        name = holidays.holiday_on(day, run.nation)
        if name:
            warnings[event.id] = name
    return warnings


def end_of(run_events: Iterable[ProgrammeEvent]) -> datetime | None:
    """When the last event ends (its due time for an L1)."""
    ends = [e.due_at or e.starts_at + timedelta(minutes=e.minutes) for e in run_events]
    return max(ends) if ends else None
