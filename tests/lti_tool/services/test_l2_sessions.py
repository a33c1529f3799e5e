"""L2 group sessions: scheduling, live state, formats, moderated feedback, closing, and the L2 reflection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.models import Attempt, GroupSession, utcnow
from lti_tool.services import l2, reflections
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l1_factories import RecordingOutbox
from tests.lti_tool.l2_factories import l2_values, run_closed_session, toolkit
from toolkits.model import GroupFormat


@pytest.fixture
def course(session: Session) -> Course:
    return make_course(session, learners=3)


def _schedule(session: Session, course: Course, **kwargs: object) -> GroupSession:
    params: dict[str, object] = {
        "context_id": course.context.id,
        "toolkit": toolkit(),
        "starts_at": datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        "video_link": "https://meet.example.org/swott-l2",
        "participant_ids": [u.id for u in course.learners],
    }
    params.update(kwargs)
    return l2.schedule_session(session, **params)  # type: ignore[arg-type]


def test_the_l1_deadline_is_set_changed_and_cleared(session: Session, course: Course) -> None:
    deadline = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    l2.set_l1_deadline(session, context_id=course.context.id, toolkit_id="participatory-practice", deadline=deadline)
    assert l2.l1_deadline(session, context_id=course.context.id, toolkit_id="participatory-practice") == deadline
    l2.set_l1_deadline(session, context_id=course.context.id, toolkit_id="participatory-practice", deadline=None)
    assert l2.l1_deadline(session, context_id=course.context.id, toolkit_id="participatory-practice") is None


def test_a_session_is_scheduled_with_its_participants_from_the_course(session: Session, course: Course) -> None:
    group = _schedule(session, course, place="Civic Centre, room 4")
    assert group.status == "scheduled"
    assert group.format == "swott-default"
    assert {p.user_id for p in l2.participants(session, group)} == {u.id for u in course.learners}
    assert l2.sessions_for(session, context_id=course.context.id, toolkit_id="participatory-practice") == [group]
    assert l2.ends_at(group, toolkit()) == group.starts_at + timedelta(minutes=100)


def test_participants_must_be_learners_of_this_course(session: Session, course: Course) -> None:
    other = make_course(session, learners=1)
    with pytest.raises(BadRequest) as refused:
        _schedule(session, course, participant_ids=[other.learners[0].id])
    assert refused.value.reason == "participant_not_in_course"
    with pytest.raises(BadRequest):
        _schedule(session, course, participant_ids=[course.facilitator.id])


def test_a_session_needs_a_place_or_a_proper_video_link(session: Session, course: Course) -> None:
    with pytest.raises(BadRequest) as no_place:
        _schedule(session, course, video_link="")
    assert no_place.value.reason == "no_place"
    with pytest.raises(BadRequest) as bad_link:
        _schedule(session, course, video_link="javascript:alert(1)")
    assert bad_link.value.reason == "bad_video_link"


def test_another_course_cannot_reach_a_session(session: Session, course: Course) -> None:
    group = _schedule(session, course)
    other = make_course(session, learners=0)
    with pytest.raises(NotFound):
        l2.get_session(session, group.id, context_id=other.context.id)
    assert l2.get_session(session, group.id, context_id=course.context.id) is group


def test_the_invitation_list_can_change_until_the_session_closes(session: Session, course: Course) -> None:
    group = _schedule(session, course, participant_ids=[course.learners[0].id])
    l2.set_participants(session, group, [course.learners[1].id, course.learners[2].id])
    assert {p.user_id for p in l2.participants(session, group)} == {
        course.learners[1].id,
        course.learners[2].id,
    }


def test_running_a_session_moves_through_the_agenda_with_a_timer(session: Session, course: Course) -> None:
    kit = toolkit()
    group = _schedule(session, course)
    t0 = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    l2.start(session, group, kit, now=t0)
    running = l2.timer(group, kit)
    assert running is not None
    assert (running.title, running.seconds) == ("Check-in and ground rules", 300)
    assert running.remaining(t0 + timedelta(seconds=90)) == 210
    l2.go_to_agenda_item(session, group, kit, 4, now=t0 + timedelta(minutes=30))
    running = l2.timer(group, kit)
    assert running is not None
    assert (running.title, running.remaining(t0 + timedelta(minutes=31))) == (
        "Applying theory and hypothesising: Stage 2",
        840,
    )
    # Over time is shown, not enforced: the facilitator decides when to move on.
    assert running.remaining(t0 + timedelta(minutes=50)) == -300
    with pytest.raises(BadRequest):
        l2.go_to_agenda_item(session, group, kit, 99)


def test_stages_are_revealed_one_by_one_and_participants_never_get_the_rest(session: Session, course: Course) -> None:
    kit = toolkit()
    group = _schedule(session, course)
    with pytest.raises(Conflict):
        l2.reveal_next_stage(session, group, kit)  # not running yet
    l2.start(session, group, kit)
    before = group.revision
    assert l2.reveal_next_stage(session, group, kit) == 1
    assert group.revision > before
    state = l2.live_state(session, group, kit, for_facilitator=False)
    assert [s["title"] for s in state["stages"]] == [kit.l2.stages[0].title]
    assert kit.l2.stages[1].title not in str(state)
    assert state["stages"][0]["prompts"] == list(kit.l2.stages[0].prompts)
    for _ in range(len(kit.l2.stages) - 1):
        l2.reveal_next_stage(session, group, kit)
    with pytest.raises(Conflict) as no_more:
        l2.reveal_next_stage(session, group, kit)
    assert no_more.value.reason == "no_more_stages"


def test_format_presets_give_their_own_agenda(session: Session, course: Course) -> None:
    kit = toolkit()
    assert l2.agenda_for(kit, "swott-default") == kit.l2.agenda
    als = l2.agenda_for(kit, "action-learning-set")
    assert [a.title for a in als][:3] == ["The issue", "Clarifying questions", "Open questions"]
    assert 30 <= sum(a.minutes for a in als) <= 40
    bells = l2.agenda_for(kit, "bells-that-ring")
    assert "Observers' reflecting conversation (the presenter listens)" in [a.title for a in bells]
    assert l2.PRESETS[GroupFormat.BELLS_THAT_RING].roles == (
        "presenter",
        "consultant",
        "observer",
        "action_planner",
    )
    with pytest.raises(BadRequest):
        _schedule(session, course, group_format="fishbowl")


def test_bells_that_ring_roles_one_each_and_the_rest_observe(session: Session, course: Course) -> None:
    learners = course.learners
    extra = make_course(session, learners=0)
    del extra
    group = _schedule(session, course, group_format="bells-that-ring")
    a, b, c = (u.id for u in learners)
    with pytest.raises(BadRequest) as two_presenters:
        l2.assign_roles(session, group, {a: "presenter", b: "presenter", c: "action_planner"})
    assert two_presenters.value.reason == "bad_roles"
    with pytest.raises(BadRequest):
        l2.assign_roles(session, group, {a: "presenter", b: "consultant"})  # no action planner
    l2.assign_roles(session, group, {a: "presenter", b: "consultant", c: "action_planner"})
    roles = {p.user_id: p.role for p in l2.participants(session, group)}
    assert roles == {a: "presenter", b: "consultant", c: "action_planner"}
    state = l2.live_state(session, group, toolkit(), for_facilitator=False)
    assert sorted(state["roles"].values()) == ["Action planner", "Consultant", "Presenter"]
    default = _schedule(session, course)
    with pytest.raises(BadRequest):
        l2.assign_roles(session, default, {a: "presenter"})


def test_feedback_is_hidden_until_the_facilitator_approves_it(session: Session, course: Course) -> None:
    kit = toolkit()
    a, b, c = course.learners
    group = _schedule(session, course)
    with pytest.raises(Conflict):
        l2.give_feedback(session, group, author_id=a.id, kind="feedback", text="Too early")
    l2.start(session, group, kit)
    item = l2.give_feedback(
        session, group, author_id=a.id, kind="feedforward", text="Try a drawing with Theo", recipient_id=b.id
    )
    anonymous = l2.give_feedback(
        session, group, author_id=c.id, kind="feedback", text="You listened to Maya well", anonymous=True
    )
    participant_view = l2.live_state(session, group, kit, for_facilitator=False)
    assert participant_view["feedback"] == []
    assert "Try a drawing" not in str(participant_view)
    facilitator_view = l2.live_state(session, group, kit, for_facilitator=True)
    assert [p["text"] for p in facilitator_view["pending"]] == ["Try a drawing with Theo", "You listened to Maya well"]
    assert facilitator_view["pending"][1]["from"] == "Anonymous"
    assert c.name not in str(facilitator_view["pending"])

    l2.moderate(session, group, item.id, approve=True)
    l2.moderate(session, group, anonymous.id, approve=False)
    shown = l2.live_state(session, group, kit, for_facilitator=False)["feedback"]
    assert [(i["text"], i["from"], i["to"]) for i in shown] == [("Try a drawing with Theo", a.name, b.name)]


def test_feedback_comes_only_from_participants_and_is_sensible(session: Session, course: Course) -> None:
    kit = toolkit()
    a, b, _ = course.learners
    group = _schedule(session, course, participant_ids=[a.id, b.id])
    l2.start(session, group, kit)
    with pytest.raises(Forbidden):
        l2.give_feedback(session, group, author_id=course.learners[2].id, kind="feedback", text="Hi")
    with pytest.raises(BadRequest):
        l2.give_feedback(session, group, author_id=a.id, kind="feedback", text="   ")
    with pytest.raises(BadRequest):
        l2.give_feedback(session, group, author_id=a.id, kind="praise", text="Nice")
    with pytest.raises(BadRequest):
        l2.give_feedback(session, group, author_id=a.id, kind="feedback", text="Me", recipient_id=a.id)
    with pytest.raises(BadRequest):
        l2.give_feedback(session, group, author_id=a.id, kind="feedback", text="x" * 2001)


def test_closing_makes_attendance_final_and_tells_the_l2_line_item(session: Session, course: Course) -> None:
    kit = toolkit()
    outbox = RecordingOutbox()
    a, b, c = course.learners
    group = _schedule(session, course)
    l2.start(session, group, kit)
    l2.set_attendance(session, group, a.id, True)
    l2.set_attendance(session, group, b.id, True)
    assert l2.close(session, group, kit, enqueue=outbox) == 2
    assert group.status == "closed"
    assert {s["user_id"] for s in outbox.scores} == {a.id, b.id}
    assert outbox.progress == [("InProgress", "Pending")] * 2
    assert all(s["resource_link_id"] == course.l2.id and s["score_given"] is None for s in outbox.scores)
    with pytest.raises(Conflict):
        l2.set_attendance(session, group, c.id, True)
    with pytest.raises(Conflict):
        l2.close(session, group, kit, enqueue=outbox)


def test_the_l2_reflection_opens_only_after_attending_a_closed_session(session: Session, course: Course) -> None:
    kit = toolkit()
    outbox = RecordingOutbox()
    a, b, c = course.learners
    with pytest.raises(Forbidden):
        l2.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit)
    run_closed_session(session, course, [a, b, c], outbox, absent=1)
    assert l2.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit).status == "draft"
    with pytest.raises(Forbidden) as absent:
        l2.start_reflection(session, user_id=c.id, link=course.l2, toolkit=kit)
    assert absent.value.reason == "l2_not_attended"
    with pytest.raises(BadRequest):
        l2.start_reflection(session, user_id=a.id, link=course.l1, toolkit=kit)


def test_the_peer_box_starts_empty_with_the_kept_feedforward_beside_it(session: Session, course: Course) -> None:
    kit = toolkit()
    a, b, c = course.learners
    group = _schedule(session, course)
    l2.start(session, group, kit)
    for user in (a, b, c):
        l2.set_attendance(session, group, user.id, True)
    kept = l2.give_feedback(
        session, group, author_id=b.id, kind="feedforward", text="Ask Maya first", recipient_id=a.id
    )
    dropped = l2.give_feedback(session, group, author_id=c.id, kind="feedforward", text="Use a timeline")
    for_someone_else = l2.give_feedback(
        session, group, author_id=a.id, kind="feedforward", text="Meet Marcus", recipient_id=c.id
    )
    feedback_only = l2.give_feedback(
        session, group, author_id=c.id, kind="feedback", text="Good notes", recipient_id=a.id
    )
    unapproved = l2.give_feedback(
        session, group, author_id=c.id, kind="feedforward", text="Not approved", recipient_id=a.id
    )
    for item in (kept, dropped, for_someone_else, feedback_only):
        l2.moderate(session, group, item.id, approve=True)
    l2.close(session, group, kit, enqueue=RecordingOutbox())

    offered = l2.feedforward_for(session, user_id=a.id, context_id=course.context.id, toolkit_id=kit.id)
    assert [i.text for i in offered] == ["Ask Maya first", "Use a timeline"]
    draft = l2.start_reflection(
        session, user_id=a.id, link=course.l2, toolkit=kit, keep_ids=[kept.id, unapproved.id, for_someone_else.id]
    )
    assert draft.fields["cpd_peer"] == ""  # the learner's own words, not colleagues'
    beside = l2.kept_feedforward(session, draft, user_id=a.id, context_id=course.context.id, toolkit_id=kit.id)
    assert [i.text for i in beside] == ["Ask Maya first"]  # only what was offered to a, and approved
    assert draft.fields["cpd_type"] == "Reflective group discussion"
    assert draft.model == kit.l2.reflection.model == "driscoll"


def test_submitting_the_l2_reflection_sends_completion_and_full_score(session: Session, course: Course) -> None:
    kit = toolkit()
    outbox = RecordingOutbox()
    a, b, _ = course.learners
    run_closed_session(session, course, [a, b], outbox)
    draft = l2.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit)
    draft = l2.save_reflection(
        session, user_id=a.id, link=course.l2, toolkit=kit, values={"what": "We met"}, version=draft.version
    )
    with pytest.raises(reflections.ReflectionIncomplete):
        l2.submit_reflection(
            session,
            user_id=a.id,
            link=course.l2,
            toolkit=kit,
            values={"what": "We met"},
            version=draft.version,
            enqueue=outbox,
        )
    with pytest.raises(Conflict):  # a stale tab
        l2.save_reflection(session, user_id=a.id, link=course.l2, toolkit=kit, values={}, version=1)
    submitted = l2.submit_reflection(
        session,
        user_id=a.id,
        link=course.l2,
        toolkit=kit,
        values=l2_values("mine"),
        version=draft.version,
        enqueue=outbox,
    )
    assert submitted.status == "submitted"
    assert "cpd_peer" in submitted.fields
    final = outbox.scores[-1]
    assert (final["user_id"], final["resource_link_id"]) == (a.id, course.l2.id)
    assert (final["activity_progress"], final["grading_progress"]) == ("Completed", "FullyGraded")
    assert (final["score_given"], final["score_maximum"]) == (100.0, 100.0)
    assert "peer reflection" in final["comment"]
    # Exactly one graded score for the learner, after the attendance one.
    mine = [s for s in outbox.scores if s["user_id"] == a.id]
    assert [(s["activity_progress"], s["grading_progress"]) for s in mine] == [
        ("InProgress", "Pending"),
        ("Completed", "FullyGraded"),
    ]
    # The L2 reflection is not an L1 attempt: no progress row appears on the L2 link.
    assert session.scalars(select(Attempt).where(Attempt.resource_link_id == course.l2.id)).all() == []


def test_the_l2_form_has_driscoll_then_the_cpd_fields_with_peer_reflection() -> None:
    ids = [f.id for f in l2.reflection_form_fields(toolkit())]
    assert ids[:3] == ["what", "so_what", "now_what"]
    assert ids[-1] == "cpd_peer"
    assert "cpd_date" in ids


def test_a_learner_sees_their_upcoming_sessions(session: Session, course: Course) -> None:
    a = course.learners[0]
    later = _schedule(session, course, starts_at=utcnow() + timedelta(days=9))
    sooner = _schedule(session, course, starts_at=utcnow() + timedelta(days=2), participant_ids=[a.id])
    found = l2.upcoming_for_learner(
        session, user_id=a.id, context_id=course.context.id, toolkit_id="participatory-practice"
    )
    assert found == [sooner, later]


def test_the_reflection_opens_in_the_session_at_the_written_reflections_item(session: Session, course: Course) -> None:
    kit = toolkit()
    a, b, _ = course.learners
    group = _schedule(session, course)
    l2.start(session, group, kit)
    l2.set_attendance(session, group, a.id, True)
    agenda = l2.agenda_for(kit, group.format)
    item = l2.reflection_item_index(agenda)
    assert agenda[item].title == "Actions and written reflections"

    def is_open(user_id: int) -> bool:
        return l2.reflection_open(session, user_id=user_id, context_id=course.context.id, toolkit=kit)

    l2.go_to_agenda_item(session, group, kit, item - 1)
    assert not is_open(a.id)
    with pytest.raises(Forbidden):
        l2.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit)
    l2.go_to_agenda_item(session, group, kit, item)
    assert is_open(a.id) and not is_open(b.id)  # b is not marked as attending
    l2.set_attendance(session, group, b.id, True)  # attendance taken late still opens it
    assert is_open(b.id)
    outbox = RecordingOutbox()
    draft = l2.start_reflection(session, user_id=a.id, link=course.l2, toolkit=kit)
    done = l2.submit_reflection(
        session, user_id=a.id, link=course.l2, toolkit=kit, values=l2_values("in the room"), version=draft.version,
        enqueue=outbox,
    )  # fmt: skip
    assert done.status == "submitted" and group.status == l2.RUNNING
    assert [(s["activity_progress"], s["score_given"]) for s in outbox.scores] == [("Completed", 100.0)]
    # Closing later does not queue an in-progress score over a's full grade (Moodle would blank it).
    closing = RecordingOutbox()
    l2.close(session, group, kit, enqueue=closing)
    assert [s["user_id"] for s in closing.scores] == [b.id]
