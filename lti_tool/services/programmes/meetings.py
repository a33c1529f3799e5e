"""One-to-ones, the individual development plan, action learning set roles, and per-occurrence reflections.

- A one-to-one pairs a participant with their coach (coaching) or mentor (mentoring). The participant's
  notes are private unless they share them; a supporter sees only their own participants' shared notes.
  Agreed actions carry from one meeting to the next.
- Development-plan goals are set at the start and reviewed at the end; the participant's coach sees them.
- An action learning set meets several times; the presenter role rotates through the members.
- Every occurrence a participant attended can yield its own CPD reflection (one per set meeting), with
  the peer-reflection box where the activity counts as peer reflection (docs/programmes.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, Forbidden
from lti_tool.models import (
    ProgrammeEvent,
    ProgrammeGoal,
    ProgrammeMeeting,
    ProgrammeParticipant,
    ProgrammeReflection,
    ProgressStatus,
    ReflectionStatus,
    SetRole,
    utcnow,
)
from lti_tool.services.programmes import cohort
from toolkits.cpd import Field, reflection_fields
from toolkits.programmes import Activity, ActivityKind, Support

MAX_TEXT = 20_000


def _text(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise BadRequest("That text is too long.", reason="programme_text_too_long")
    return value


# --- one-to-ones ---------------------------------------------------------------------------------------


def supporter_of(participant: ProgrammeParticipant, activity: Activity | None) -> int | None:
    if activity is not None and activity.support is Support.MENTORING:
        return participant.mentor_id
    return participant.coach_id


def meeting_for(
    session: Session, participant: ProgrammeParticipant, event: ProgrammeEvent, activity: Activity | None
) -> ProgrammeMeeting:
    if event.kind != ActivityKind.ONE_TO_ONE.value or event.run_id != participant.run_id:
        raise BadRequest("That date is not a one-to-one.", reason="not_one_to_one")
    found = session.scalars(
        select(ProgrammeMeeting).where(
            ProgrammeMeeting.participant_id == participant.id, ProgrammeMeeting.event_id == event.id
        )
    ).first()
    if found is None:
        found = ProgrammeMeeting(
            participant_id=participant.id, event_id=event.id, supporter_id=supporter_of(participant, activity),
            actions=carried_actions(session, participant, event),
        )  # fmt: skip
        session.add(found)
        session.flush()
    return found


def carried_actions(session: Session, participant: ProgrammeParticipant, event: ProgrammeEvent) -> str:
    """The actions agreed at the participant's latest earlier one-to-one (carried into this one)."""
    earlier = session.scalars(
        select(ProgrammeMeeting.actions)
        .join(ProgrammeEvent, ProgrammeEvent.id == ProgrammeMeeting.event_id)
        .where(ProgrammeMeeting.participant_id == participant.id, ProgrammeEvent.starts_at < event.starts_at)
        .order_by(ProgrammeEvent.starts_at.desc())
    ).first()
    return earlier or ""


def save_meeting(session: Session, meeting: ProgrammeMeeting, *, notes: str, actions: str, shared: bool) -> None:
    """The participant's own record of a meeting (their notes, the actions, whether to share the notes)."""
    meeting.notes, meeting.actions, meeting.notes_shared = _text(notes), _text(actions), shared
    session.flush()


def mark_held(session: Session, meeting: ProgrammeMeeting, event: ProgrammeEvent, *, by_user_id: int,
              is_lead: bool) -> None:  # fmt: skip
    """The supporter (or the lead) records that the meeting took place: it counts as done."""
    if not is_lead and meeting.supporter_id != by_user_id:
        raise Forbidden("Only this participant's coach or mentor can record the meeting.", reason="not_supporter")
    meeting.held = True
    cohort.mark(session, event, meeting.participant_id, ProgressStatus.DONE)


@dataclass(frozen=True)
class SupportedMeeting:
    meeting: ProgrammeMeeting
    event: ProgrammeEvent
    shared_notes: str  # "" unless the participant shared them


def supported_by(session: Session, run_id: int, supporter_id: int) -> dict[int, list[SupportedMeeting]]:
    """Participant id -> the meetings this coach or mentor holds with them; notes only when shared."""
    rows = session.execute(
        select(ProgrammeMeeting, ProgrammeEvent)
        .join(ProgrammeEvent, ProgrammeEvent.id == ProgrammeMeeting.event_id)
        .where(ProgrammeEvent.run_id == run_id, ProgrammeMeeting.supporter_id == supporter_id)
        .order_by(ProgrammeEvent.starts_at)
    )
    found: dict[int, list[SupportedMeeting]] = {}
    for meeting, event in rows:
        notes = meeting.notes if meeting.notes_shared else ""
        found.setdefault(meeting.participant_id, []).append(SupportedMeeting(meeting, event, notes))
    return found


# --- the individual development plan ---------------------------------------------------------------------


def goals(session: Session, participant: ProgrammeParticipant) -> list[ProgrammeGoal]:
    query = select(ProgrammeGoal).where(ProgrammeGoal.participant_id == participant.id)
    return list(session.scalars(query.order_by(ProgrammeGoal.id)))


def add_goal(session: Session, participant: ProgrammeParticipant, text: str) -> ProgrammeGoal:
    text = _text(text)
    if not text:
        raise BadRequest("Write the goal.", reason="programme_empty_goal")
    goal = ProgrammeGoal(participant_id=participant.id, text=text)
    session.add(goal)
    session.flush()
    return goal


def review_goal(session: Session, participant: ProgrammeParticipant, goal_id: int, review: str) -> None:
    goal = session.get(ProgrammeGoal, goal_id)
    if goal is None or goal.participant_id != participant.id:
        raise BadRequest("That goal is not in your plan.", reason="programme_unknown_goal")
    goal.review, goal.reviewed_at = _text(review), utcnow()
    session.flush()


# --- action learning set roles ---------------------------------------------------------------------------


def rotate_roles(participant_ids: Sequence[int], meeting_index: int, presenters: int = 2) -> dict[int, str]:
    """Suggested roles for a set's meeting number `meeting_index` (0-based): the presenters move on by
    `presenters` each meeting, the member after them facilitates, everyone else is a consultant."""
    ids = list(participant_ids)
    if not ids:
        return {}
    count = min(presenters, len(ids))
    start = (meeting_index * count) % len(ids)
    order = ids[start:] + ids[:start]
    roles: dict[int, str] = {pid: SetRole.CONSULTANT for pid in ids}
    for pid in order[:count]:
        roles[pid] = SetRole.PRESENTER
    if len(order) > count:
        roles[order[count]] = SetRole.FACILITATOR
    return roles


# --- reflections, one per occurrence ---------------------------------------------------------------------


def form_fields(activity: Activity | None) -> tuple[Field, ...]:
    model = (activity.reflective_model if activity else None) or "gibbs"
    return reflection_fields(model, bool(activity and activity.peer_reflection))


def reflection_for(
    session: Session, participant: ProgrammeParticipant, event: ProgrammeEvent
) -> ProgrammeReflection | None:
    return session.scalars(
        select(ProgrammeReflection).where(
            ProgrammeReflection.participant_id == participant.id, ProgrammeReflection.event_id == event.id
        )
    ).first()


class ReflectionIncomplete(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def save_reflection(
    session: Session,
    participant: ProgrammeParticipant,
    event: ProgrammeEvent,
    activity: Activity | None,
    values: Mapping[str, str],
    *,
    submit: bool,
) -> ProgrammeReflection:
    """Save (or submit) the participant's reflection on this occurrence; submitting needs every box."""
    fields = form_fields(activity)
    clean = {f.id: _text(values.get(f.id, "")) for f in fields}
    if submit:
        missing = [f.id for f in fields if f.required and not clean[f.id]]
        if missing:
            raise ReflectionIncomplete(missing)
    found = reflection_for(session, participant, event)
    if found is None:
        model = (activity.reflective_model if activity else None) or "gibbs"
        found = ProgrammeReflection(participant_id=participant.id, event_id=event.id, model=model,
                                    peer=bool(activity and activity.peer_reflection))  # fmt: skip
        session.add(found)
    if found.status == ReflectionStatus.SUBMITTED:
        raise BadRequest("This reflection is already submitted.", reason="programme_reflection_submitted")
    found.fields = clean
    if submit:
        found.status, found.submitted_at = ReflectionStatus.SUBMITTED, utcnow()
    session.flush()
    return found


def submitted_reflections(session: Session, user_id: int) -> list[tuple[ProgrammeReflection, ProgrammeEvent]]:
    """Every submitted programme reflection of a learner, for their CPD portfolio (oldest first)."""
    rows = session.execute(
        select(ProgrammeReflection, ProgrammeEvent)
        .join(ProgrammeEvent, ProgrammeEvent.id == ProgrammeReflection.event_id)
        .join(ProgrammeParticipant, ProgrammeParticipant.id == ProgrammeReflection.participant_id)
        .where(ProgrammeParticipant.user_id == user_id, ProgrammeReflection.status == ReflectionStatus.SUBMITTED)
        .order_by(ProgrammeReflection.submitted_at)
    )
    return [(r, e) for r, e in rows]
