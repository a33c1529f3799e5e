"""Programme services: a run's timeline from a template, dates, bank holidays, the cohort view, one-to-ones,
set meetings with a reflection each, calendars, the gradebook score — and who can see what."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.errors import BadRequest, Forbidden
from lti_tool.models import Attempt, EventStatus, ProgrammeEvent, ProgressStatus, SetRole, utcnow
from lti_tool.services.programmes import calendar, cohort, gradebook, holidays, meetings, runs, templates, timeline
from lti_tool.services.programmes import cpd as programme_cpd
from tests.lti_tool.l1_factories import RecordingOutbox, make_link, make_user
from tests.lti_tool.programme_factories import START, Cohort, catalogue, make_cohort, template


def _events(session: Session, c: Cohort, activity_id: str) -> list[ProgrammeEvent]:
    return [e for e in runs.events(session, c.the_run) if e.activity_id == activity_id]


def _view(session: Session, c: Cohort, now: datetime) -> cohort.CohortView:
    toolkit_of = {c.the_run.id: templates.toolkit_of(template())}
    return cohort.build_many(session, [c.the_run], now, toolkit_of)[0]


def test_the_timeline_has_one_event_per_occurrence_dated_from_the_start(session: Session) -> None:
    c = make_cohort(session)
    found = runs.events(session, c.the_run)
    assert len(found) == sum(len(a.occurrences) for a in template().activities)
    sets = _events(session, c, "action-learning-set")
    assert len(sets) == 3 and len({e.uid for e in found}) == len(found)
    # Week 4 day 2 of a programme starting Monday 1 March 2027 is Tuesday 23 March, 10am UK (GMT).
    assert sets[0].starts_at == datetime(2027, 3, 23, 10, 0, tzinfo=UTC)
    # After the clocks change (28 March 2027) 10am UK is 9am UTC.
    assert sets[1].starts_at == datetime(2027, 4, 13, 9, 0, tzinfo=UTC)


def test_moving_the_start_moves_every_date_not_fixed(session: Session) -> None:
    c = make_cohort(session)
    first, second, third = _events(session, c, "action-learning-set")
    runs.move_event(session, second, day=date(2027, 4, 14), at=time(13, 30), place="Room 4", video_link="")
    assert second.fixed and second.sequence == 1
    moved = runs.change_start(session, c.the_run, template(), START + timedelta(days=7))
    assert moved > 0
    # A week later, still 10am UK: the clocks changed in between, so 9am UTC.
    assert first.starts_at == datetime(2027, 3, 30, 9, 0, tzinfo=UTC) and first.sequence == 1
    assert second.starts_at == datetime(2027, 4, 14, 12, 30, tzinfo=UTC)  # fixed: stayed (1:30pm BST)
    assert third.starts_at.astimezone(UTC).hour == 9  # still 10am UK


def test_a_session_on_a_bank_holiday_is_pointed_out_for_the_runs_nation(session: Session) -> None:
    c = make_cohort(session)
    workshop = _events(session, c, "assessment-workshop")[0]
    runs.move_event(session, workshop, day=date(2027, 3, 29), at=time(10), place="Hall", video_link="")
    assert runs.holiday_warnings(c.the_run, [workshop]) == {workshop.id: "Easter Monday"}
    c.the_run.nation = "scotland"  # Easter Monday is not a bank holiday in Scotland
    assert runs.holiday_warnings(c.the_run, [workshop]) == {}
    assert holidays.holiday_on(date(2027, 3, 17), "northern-ireland") == "St Patrick’s Day"
    assert holidays.holiday_on(date(2027, 3, 17), "england-and-wales") is None


def test_participants_must_be_learners_of_the_course(session: Session) -> None:
    c = make_cohort(session)
    with pytest.raises(BadRequest):
        runs.create_run(session, context_id=c.context.id, programme=template(), cohort_name="B",
                        starts_on=START, participant_ids=[c.lead.id])  # fmt: skip


def test_cohort_view_statuses_attendance_and_who_is_behind(session: Session) -> None:
    c = make_cohort(session)
    a, b, d = c.learners
    l1_link = make_link(session, c.context, toolkit_id="participatory-practice", part="l1")
    session.add(Attempt(user_id=a.id, resource_link_id=l1_link.id, toolkit_id="participatory-practice",
                        status="completed", completed_at=utcnow()))  # fmt: skip
    launch = _events(session, c, "launch-workshop")[0]
    members = {m.user.id: m.participant.id for m in runs.members(session, c.the_run)}
    cohort.record_attendance(session, launch, members.values(), {members[a.id], members[b.id]})
    # A day after the launch workshop and the L1 deadline of participatory practice have both passed.
    l1 = _events(session, c, "participation-l1")[0]
    assert l1.due_at is not None
    view = _view(session, c, l1.due_at + timedelta(hours=1))
    columns = [col.activity_id for col in view.columns]
    assert "protected-time" not in columns
    rows = {r.user_id: r for r in view.rows}
    at = columns.index("launch-workshop"), columns.index("participation-l1")
    assert [rows[a.id].cells[i].status for i in at] == ["done", "done"]
    assert [rows[b.id].cells[i].status for i in at] == ["done", "missed"]
    assert [rows[d.id].cells[i].status for i in at] == ["missed", "missed"]
    assert rows[a.id].attended == 1 and rows[d.id].attended == 0
    assert rows[d.id].behind and rows[d.id].missed == rows[a.id].missed + 2
    later = columns.index("closing-workshop")
    assert rows[a.id].cells[later].status == "not_started"
    text = cohort.to_csv([view])
    assert text.splitlines()[0].startswith("cohort,participant,coach")
    assert f"Cohort A,{a.name}," in text and "Missed" in text


def test_cohort_view_runs_a_bounded_number_of_queries(db: Database, session: Session) -> None:
    small = make_cohort(session, learners=2)
    big = [make_cohort(session, learners=12, context=small.context, platform=small.platform) for _ in range(3)]
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("q")

    all_runs = [small.the_run, *(c.the_run for c in big)]
    toolkit_of = {r.id: templates.toolkit_of(template()) for r in all_runs}
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        cohort.build_many(session, all_runs[:1], utcnow(), toolkit_of)
        few = len(statements)
        statements.clear()
        views = cohort.build_many(session, all_runs, utcnow(), toolkit_of)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == few <= 4
    assert sum(len(v.rows) for v in views) == 38


def test_one_to_one_notes_stay_private_until_shared_and_only_with_the_coach(session: Session) -> None:
    c = make_cohort(session)
    mine, other = c.learners[0], c.learners[1]
    members = {m.user.id: m.participant for m in runs.members(session, c.the_run)}
    runs.set_pairings(session, c.the_run, {members[mine.id].id: (c.coaches[0].id, None, 12),
                                           members[other.id].id: (c.coaches[1].id, None, 12)})  # fmt: skip
    first, second, *_ = _events(session, c, "coaching")
    activity = template().activity("coaching")
    meeting = meetings.meeting_for(session, members[mine.id], first, activity)
    meetings.save_meeting(session, meeting, notes="My private worry", actions="Try a new visit plan", shared=False)
    assert meetings.supported_by(session, c.the_run.id, c.coaches[0].id)[members[mine.id].id][0].shared_notes == ""
    meetings.save_meeting(session, meeting, notes="My private worry", actions="Try a new visit plan", shared=True)
    seen = meetings.supported_by(session, c.the_run.id, c.coaches[0].id)
    assert seen[members[mine.id].id][0].shared_notes == "My private worry"
    assert members[mine.id].id not in meetings.supported_by(session, c.the_run.id, c.coaches[1].id)
    # The actions agreed carry into the next meeting.
    assert meetings.meeting_for(session, members[mine.id], second, activity).actions == "Try a new visit plan"
    with pytest.raises(Forbidden):
        meetings.mark_held(session, meeting, first, by_user_id=c.coaches[1].id, is_lead=False)
    meetings.mark_held(session, meeting, first, by_user_id=c.coaches[0].id, is_lead=False)
    row = next(r for r in _view(session, c, first.starts_at).rows if r.user_id == mine.id)
    assert "done" in [cell.status for cell in row.cells]


def test_a_set_meeting_three_times_gives_three_peer_reflections(session: Session) -> None:
    c = make_cohort(session)
    member = runs.members(session, c.the_run)[0]
    activity = template().activity("action-learning-set")
    ids = [m.participant.id for m in runs.members(session, c.the_run)]
    for index, meeting in enumerate(_events(session, c, "action-learning-set")):
        roles = meetings.rotate_roles(ids, index, presenters=1)
        cohort.record_attendance(session, meeting, ids, set(ids), roles)
        values = {f.id: f"Meeting {index + 1}: {f.label}" for f in meetings.form_fields(activity)}
        meetings.save_reflection(session, member.participant, meeting, activity, values, submit=True)
    written = meetings.submitted_reflections(session, member.user.id)
    assert len(written) == 3 and all(r.peer for r, _e in written)
    portfolio = programme_cpd.pieces(session, user_id=member.user.id, catalogue=catalogue())
    assert len(portfolio) == 3 and all(p.peer and p.part == "programme" for p in portfolio)
    assert {p.value("cpd_peer") for p in portfolio} == {f"Meeting {n}: Peer reflection" for n in (1, 2, 3)}
    other = runs.members(session, c.the_run)[1]
    assert programme_cpd.pieces(session, user_id=other.user.id, catalogue=catalogue()) == []
    assert "cpd_peer" in written[0][0].fields
    presenters = [meetings.rotate_roles(ids, i, presenters=1) for i in range(3)]
    assert len({next(p for p, r in roles.items() if r == SetRole.PRESENTER.value) for roles in presenters}) == 3


def test_an_incomplete_reflection_cannot_be_submitted(session: Session) -> None:
    c = make_cohort(session)
    member = runs.members(session, c.the_run)[0]
    meeting = _events(session, c, "action-learning-set")[0]
    with pytest.raises(meetings.ReflectionIncomplete):
        meetings.save_reflection(session, member.participant, meeting, template().activity("action-learning-set"),
                                 {"description": "only this"}, submit=True)  # fmt: skip


def test_timeline_shows_what_is_next_and_what_is_done(session: Session) -> None:
    c = make_cohort(session)
    member = runs.members(session, c.the_run)[0]
    launch = _events(session, c, "launch-workshop")[0]
    cohort.record_attendance(session, launch, [member.participant.id], {member.participant.id})
    weeks = timeline.build(session, c.the_run, member.participant, template(), launch.starts_at)
    assert [w.number for w in weeks][:2] == [1, 2] and weeks[0].title
    items = [i for w in weeks for i in w.items]
    # The launch workshop asks for no reflection (`reflection: false` in the template).
    assert items[0].event.activity_id == "launch-workshop" and items[0].status == "done"
    assert not items[0].reflection_open and not any(i.reflection_open for i in items[1:])
    assert sum(i.is_next for i in items) == 1


def test_calendar_files_parse_keep_uids_and_a_moved_session_replaces_its_entry(session: Session) -> None:
    c = make_cohort(session)
    member = runs.members(session, c.the_run)[0]
    token = calendar.reset_feed_token(session, member.participant)
    assert calendar.participant_by_token(session, token) is member.participant
    first = Calendar.from_ical(calendar.feed(session, member.participant, utcnow()))
    entries = {str(e["UID"]): e for e in first.walk("VEVENT")}
    assert len(entries) == len(runs.events(session, c.the_run))
    workshop = _events(session, c, "assessment-workshop")[0]
    runs.move_event(session, workshop, day=date(2027, 4, 1), at=time(11), place="Room 2", video_link="")
    second = Calendar.from_ical(calendar.feed(session, member.participant, utcnow()))
    moved = {str(e["UID"]): e for e in second.walk("VEVENT")}
    assert moved.keys() == entries.keys()
    assert moved[workshop.uid].decoded("SEQUENCE") == entries[workshop.uid].decoded("SEQUENCE") + 1
    assert moved[workshop.uid].decoded("DTSTART") == datetime(2027, 4, 1, 10, 0, tzinfo=UTC)
    assert str(moved[workshop.uid]["LOCATION"]) == "Room 2"
    runs.cancel_event(session, workshop)
    single = Calendar.from_ical(calendar.event_file(c.the_run, workshop, utcnow()))
    (only,) = single.walk("VEVENT")
    assert str(only["STATUS"]) == "CANCELLED" and str(only["UID"]) == workshop.uid
    # A reset address stops working at once.
    calendar.reset_feed_token(session, member.participant)
    assert calendar.participant_by_token(session, token) is None


def test_the_programme_score_is_the_share_of_required_activities_done(session: Session) -> None:
    c = make_cohort(session, learners=1)
    outbox = RecordingOutbox()
    member = runs.members(session, c.the_run)[0]
    for e in runs.events(session, c.the_run):
        if e.required and e.kind not in ("toolkit-l1",):
            cohort.mark(session, e, member.participant.id, ProgressStatus.DONE)
    view = _view(session, c, datetime(2027, 3, 2, tzinfo=UTC))
    assert gradebook.queue_scores(session, view, enqueue=outbox) == 0  # the recorder returns None
    (score,) = outbox.scores
    row = view.rows[0]
    assert 0 < score["score_given"] < 100 and score["activity_progress"] == "InProgress"
    assert score["resource_link_id"] == c.link.id and row.done_required < row.total_required
    assert score["grading_progress"] == "FullyGraded"


def test_a_cancelled_event_is_not_required(session: Session) -> None:
    c = make_cohort(session, learners=1)
    workshop = _events(session, c, "assessment-workshop")[0]
    before = _view(session, c, utcnow()).rows[0].total_required
    runs.cancel_event(session, workshop)
    assert workshop.status == EventStatus.CANCELLED.value
    assert _view(session, c, utcnow()).rows[0].total_required == before - 1


def test_a_learner_sees_only_runs_they_are_in(session: Session) -> None:
    a = make_cohort(session, name="Cohort A")
    b = make_cohort(session, name="Cohort B", context=a.context, platform=a.platform)
    assert runs.runs_of_learner(session, user_id=a.learners[0].id, context_id=a.context.id) == [a.the_run]
    assert runs.runs_of_learner(session, user_id=b.learners[0].id, context_id=a.context.id) == [b.the_run]
    stranger = make_user(session, a.platform, a.context)
    assert runs.runs_of_learner(session, user_id=stranger.id, context_id=a.context.id) == []


def test_a_programme_run_to_its_end_is_completed_in_the_gradebook(session: Session) -> None:
    c = make_cohort(session, learners=2)
    keen, absent = c.learners
    members = {m.user.id: m.participant for m in runs.members(session, c.the_run)}
    runs.set_pairings(session, c.the_run, {p.id: (c.coaches[0].id, c.coaches[1].id, 12) for p in members.values()})
    for toolkit_id in template().toolkit_ids:
        link = make_link(session, c.context, toolkit_id=toolkit_id, part="l1")
        session.add(Attempt(user_id=keen.id, resource_link_id=link.id, toolkit_id=toolkit_id, status="completed"))
    for e in runs.events(session, c.the_run):
        if e.kind == "one-to-one":
            activity = template().activity(e.activity_id)
            meeting = meetings.meeting_for(session, members[keen.id], e, activity)
            supporter = meeting.supporter_id
            assert supporter is not None
            meetings.mark_held(session, meeting, e, by_user_id=supporter, is_lead=False)
        elif e.kind in ("group-session", "discovery-day"):
            cohort.record_attendance(session, e, [p.id for p in members.values()], {members[keen.id].id})
    end = runs.end_of(runs.events(session, c.the_run))
    assert end is not None
    view = _view(session, c, end + timedelta(days=1))  # the clock at the end of the programme
    rows = {r.user_id: r for r in view.rows}
    assert rows[keen.id].complete and not rows[keen.id].behind
    assert rows[absent.id].done_required == 0 and rows[absent.id].behind
    outbox = RecordingOutbox()
    gradebook.queue_scores(session, view, enqueue=outbox)
    scores = {s["user_id"]: s for s in outbox.scores}
    assert scores[keen.id]["score_given"] == 100 and scores[keen.id]["activity_progress"] == "Completed"
    assert scores[absent.id]["score_given"] == 0 and scores[absent.id]["activity_progress"] == "InProgress"
    # The completion appears as one summary record in the keen participant's portfolio, not the other's.
    (summary,) = programme_cpd.completion_summaries(session, user_id=keen.id, catalogue=catalogue(), now=end)
    assert summary.title == f"Completed: {template().title}" and summary.part == "programme-summary"
    assert programme_cpd.completion_summaries(session, user_id=absent.id, catalogue=catalogue(), now=end) == []
