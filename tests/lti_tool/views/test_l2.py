"""L2 pages through the app: planning, running a session, participants following, feedback, the L2
reflection and the dashboard — and who may see what."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.dates import to_uk
from lti_tool.lti import deep_linking
from lti_tool.models import GroupFeedback, GroupSession, ScoreRecord, utcnow
from lti_tool.services import l2
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import csrf_from, finish_l1, launch_of, local_platform, sign_in, toolkit


@dataclass
class World:
    app: Flask
    course: Course
    other: Course

    def session(self) -> Session:
        db = self.app.extensions["swott.db"]
        session: Session = db.sessions()
        return session

    def client(self, who: str, *, course: Course | None = None) -> FlaskClient:
        """A browser launched as 'facilitator', 'a', 'b' or 'c' into the course (or `course`)."""
        course = course or self.course
        client = self.app.test_client()
        if who == "facilitator":
            sign_in(client, launch_of(course, course.facilitator, role="facilitator"))
        else:
            sign_in(client, launch_of(course, course.learners["abc".index(who)]))
        return client


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with app.extensions["swott.db"].session() as session:
        platform = local_platform(session)
        course = make_course(session, learners=3, platform=platform)
        other = make_course(session, learners=1, platform=platform)
        finish_l1(session, course, course.learners[0])
        session.commit()
    yield World(app, course, other)


def _post(client: FlaskClient, url: str, form_page: str, data: dict[str, object]) -> object:
    token = csrf_from(client, form_page)
    return client.post(url, data={"csrf_token": token, **data})


def _schedule(world: World, client: FlaskClient) -> GroupSession:
    response = _post(
        client,
        "/l2/sessions",
        "/l2/plan",
        {
            "day": ["3", "12", "2030"],
            "start_time": "10am",
            "place": "Civic Centre, room 4",
            "video_link": "https://meet.example.org/l2",
            "group_format": "swott-default",
            "participants": [str(u.id) for u in world.course.learners[:2]],
        },
    )
    assert getattr(response, "status_code", 0) == 303
    with world.session() as session:
        return session.scalars(select(GroupSession).order_by(GroupSession.id.desc())).first()  # type: ignore[return-value]


def test_a_facilitator_sets_the_deadline_and_schedules_a_session(world: World) -> None:
    client = world.client("facilitator")
    response = _post(
        client, "/l2/plan/deadline", "/l2/plan", {"deadline_day": ["1", "12", "2026"], "deadline_time": "5pm"}
    )
    assert getattr(response, "status_code", 0) == 303
    group = _schedule(world, client)
    page = client.get("/l2/plan").get_data(as_text=True)
    assert "1 December 2026, 5pm" in page
    assert "Civic Centre, room 4" in page
    assert "2 invited" in page
    # UK time in winter is UTC.
    assert group.starts_at.hour == 10


def test_learners_cannot_use_facilitator_pages(world: World) -> None:
    learner = world.client("a")
    for url in ("/l2/plan", "/l2/dashboard", "/l2/dashboard.csv"):
        assert learner.get(url).status_code == 403, url


def test_another_course_cannot_see_or_run_this_courses_session(world: World) -> None:
    group = _schedule(world, world.client("facilitator"))
    stranger = world.client("facilitator", course=world.other)
    assert stranger.get(f"/l2/sessions/{group.id}/run").status_code == 404
    assert stranger.get(f"/l2/sessions/{group.id}/screen").status_code == 404
    board = stranger.get("/l2/dashboard").get_data(as_text=True)
    assert all(u.name not in board for u in world.course.learners)
    # A learner not invited cannot follow the session either.
    assert world.client("c").get(f"/l2/sessions/{group.id}/live").status_code == 403


def test_running_a_session_with_participants_following(world: World) -> None:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)
    run_page = f"/l2/sessions/{group.id}/run"
    control = f"/l2/sessions/{group.id}/control"
    a, b = world.client("a"), world.client("b")
    a_id, b_id = world.course.learners[0].id, world.course.learners[1].id
    stages = toolkit().l2.stages

    assert "has not started yet" in a.get(f"/l2/sessions/{group.id}/live").get_data(as_text=True)
    _post(facilitator, control, run_page, {"action": "start", "confirmed": "yes"})
    _post(facilitator, control, run_page, {"action": "reveal"})
    live = a.get(f"/l2/sessions/{group.id}/live").get_data(as_text=True)
    assert stages[0].title in live
    assert stages[1].title not in live

    # The participant's page polls: 204 while nothing changed, new HTML once the facilitator moves on.
    with world.session() as session:
        revision = session.get_one(GroupSession, group.id).revision
    fragment = f"/l2/sessions/{group.id}/live-fragment?view=participant&since={revision}"
    assert a.get(fragment).status_code == 204
    _post(facilitator, control, run_page, {"action": "reveal"})
    moved = a.get(fragment)
    assert moved.status_code == 200
    assert stages[1].title in moved.get_data(as_text=True)
    # A learner cannot ask for the facilitator's view with its moderation queue.
    assert a.get(f"/l2/sessions/{group.id}/live-fragment?view=control").status_code == 403

    sent = _post(
        a,
        f"/l2/sessions/{group.id}/feedback",
        f"/l2/sessions/{group.id}/live",
        {"kind": "feedforward", "recipient": str(b_id), "text": "Ask Maya what she wants"},
    )
    assert getattr(sent, "status_code", 0) == 303
    _post(
        b,
        f"/l2/sessions/{group.id}/feedback",
        f"/l2/sessions/{group.id}/live",
        {"kind": "feedback", "text": "Your recording was vivid", "anonymous": "1"},
    )
    assert "Ask Maya" not in b.get(f"/l2/sessions/{group.id}/live").get_data(as_text=True)
    control_page = facilitator.get(run_page).get_data(as_text=True)
    assert "Ask Maya what she wants" in control_page and "from Anonymous" in control_page
    screen = facilitator.get(f"/l2/sessions/{group.id}/screen").get_data(as_text=True)
    assert "Ask Maya" not in screen  # the shared screen never shows unmoderated items

    with world.session() as session:
        items = {f.text: f.id for f in session.scalars(select(GroupFeedback))}
    _post(facilitator, control, run_page, {"action": "approve", "feedback_id": items["Ask Maya what she wants"]})
    _post(facilitator, control, run_page, {"action": "reject", "feedback_id": items["Your recording was vivid"]})
    live_b = b.get(f"/l2/sessions/{group.id}/live").get_data(as_text=True)
    assert "Ask Maya what she wants" in live_b
    assert "Your recording was vivid" not in live_b

    _post(facilitator, control, run_page, {"action": "attendance", "present": [str(a_id), str(b_id)]})
    _post(facilitator, control, run_page, {"action": "close", "confirmed": "yes"})
    with world.session() as session:
        closed = session.get_one(GroupSession, group.id)
        assert closed.status == "closed"
        queued = session.scalars(select(ScoreRecord).where(ScoreRecord.resource_link_id == world.course.l2.id)).all()
        assert sorted(r.user_id for r in queued) == sorted([a_id, b_id])
        assert {(r.activity_progress, r.grading_progress) for r in queued} == {("InProgress", "Pending")}

    # b keeps the feedforward, writes and submits the reflection: completion and full score are queued.
    assert "Ask Maya what she wants" in b.get("/l2/reflection").get_data(as_text=True)
    _post(b, "/l2/reflection/start", "/l2/reflection", {"keep": [str(items["Ask Maya what she wants"])]})
    form = b.get("/l2/reflection").get_data(as_text=True)
    # The peer box starts empty; the kept feedforward is beside it as a prompt (issue 11).
    assert 'class="govuk-inset-text kept-feedforward"' in form and "“Ask Maya what she wants”" in form
    assert re.search(r'<textarea[^>]*name="cpd_peer"[^>]*>\s*</textarea>', form)
    token = csrf_from(b, "/l2/reflection")
    values = {f.id: f"My {f.label}" for f in l2.reflection_form_fields(toolkit())}
    values.update(cpd_date="2026-12-03", cpd_type="Reflective group discussion")
    incomplete = b.post("/l2/reflection", data={"csrf_token": token, "version": "1", "action": "submit", "what": ""})
    assert incomplete.status_code == 400
    done = b.post("/l2/reflection", data={"csrf_token": token, "version": "1", "action": "submit", **values})
    assert done.status_code == 303
    assert "Submitted" in b.get("/l2/reflection").get_data(as_text=True)
    with world.session() as session:
        last = session.scalars(
            select(ScoreRecord).where(ScoreRecord.user_id == b_id).order_by(ScoreRecord.id.desc())
        ).first()
        assert last is not None
        assert (last.activity_progress, last.grading_progress, last.score_given) == ("Completed", "FullyGraded", 100.0)

    # The dashboard and its CSV show it.
    board = facilitator.get("/l2/dashboard").get_data(as_text=True)
    assert "Attended" in board
    rows = list(csv.DictReader(io.StringIO(facilitator.get("/l2/dashboard.csv").get_data(as_text=True))))
    by_name = {r["Name"]: r for r in rows}
    learner_b = world.course.learners[1].name
    assert by_name[learner_b]["L2 attendance"] == "Attended"
    assert by_name[learner_b]["L2 reflection submitted"] == "yes"
    assert by_name[world.course.learners[0].name]["L2 reflection submitted"] == "no"
    assert by_name[world.course.learners[2].name]["L2 attendance"] == "Not invited"
    assert "My What?" not in facilitator.get("/l2/dashboard.csv").get_data(as_text=True)


def test_the_reflection_waits_for_attendance(world: World) -> None:
    response = world.client("a").get("/l2/reflection")
    assert response.status_code == 403
    assert "marked as attending" in response.get_data(as_text=True)


def test_bells_that_ring_roles_are_set_from_the_control_page(world: World) -> None:
    facilitator = world.client("facilitator")
    response = _post(
        facilitator,
        "/l2/sessions",
        "/l2/plan",
        {
            "day": ["3", "12", "2030"],
            "start_time": "10am",
            "place": "Room 1",
            "group_format": "bells-that-ring",
            "participants": [str(u.id) for u in world.course.learners],
        },
    )
    assert getattr(response, "status_code", 0) == 303
    with world.session() as session:
        group = session.scalars(select(GroupSession)).one()
    a, b, c = (u.id for u in world.course.learners)
    run_page = f"/l2/sessions/{group.id}/run"
    _post(
        facilitator,
        f"/l2/sessions/{group.id}/control",
        run_page,
        {"action": "roles", f"role_{a}": "presenter", f"role_{b}": "consultant", f"role_{c}": "action_planner"},
    )
    page = facilitator.get(run_page).get_data(as_text=True)
    assert f"Presenter: {world.course.learners[0].name}" in page
    bad = _post(
        facilitator,
        f"/l2/sessions/{group.id}/control",
        run_page,
        {"action": "roles", f"role_{a}": "presenter", f"role_{b}": "presenter", f"role_{c}": "action_planner"},
    )
    assert getattr(bad, "status_code", 0) == 400


def test_forms_need_their_csrf_token(world: World) -> None:
    facilitator = world.client("facilitator")
    response = facilitator.post(
        "/l2/sessions", data={"day": ["3", "12", "2030"], "start_time": "10am", "place": "Room"}
    )
    assert response.status_code == 403


def test_the_invitation_list_is_changed_from_the_control_page(world: World) -> None:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)
    a, _b, c = world.course.learners
    run_page = f"/l2/sessions/{group.id}/run"
    response = _post(
        facilitator,
        f"/l2/sessions/{group.id}/control",
        run_page,
        {"action": "participants", "participants": [str(a.id), str(c.id)]},
    )
    assert getattr(response, "status_code", 0) == 303
    assert world.client("c").get(f"/l2/sessions/{group.id}/live").status_code == 200
    assert world.client("b").get(f"/l2/sessions/{group.id}/live").status_code == 403
    stranger = world.other.learners[0].id
    refused = _post(
        facilitator,
        f"/l2/sessions/{group.id}/control",
        run_page,
        {"action": "participants", "participants": [str(stranger)]},
    )
    assert getattr(refused, "status_code", 0) == 400


# --- Issue 10: forms on the same page, confirm steps, one deadline, autosave --------------------------


def test_a_scheduling_error_comes_back_on_the_same_page_with_every_field_kept(world: World) -> None:
    facilitator = world.client("facilitator")
    a, b, _c = world.course.learners
    response = _post(
        facilitator,
        "/l2/sessions",
        "/l2/plan",
        {
            "title": "Team Blue catch-up",
            "day": ["4", "12", "2030"],
            "start_time": "2:30pm",
            "place": "",
            "video_link": "",
            "group_format": "action-learning-set",
            "participants": [str(a.id), str(b.id)],
        },
    )
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "govuk-error-summary" in page and page.count("Enter a place, a video link, or both") == 2
    assert "<title>Error: " in page
    assert 'value="Team Blue catch-up"' in page and 'value="2:30pm"' in page
    assert re.search(r'id="day-day"[^>]*value="4"', page)
    assert re.search(r'id="day-year"[^>]*value="2030"', page)
    assert re.search(r'value="action-learning-set"\s+checked', page)
    ticked = set(re.findall(r'name="participants"[^>]*value="(\d+)"[^>]*checked', page))
    assert ticked == {str(a.id), str(b.id)}
    with world.session() as session:
        assert session.scalars(select(GroupSession)).first() is None


def test_a_session_in_the_past_is_scheduled_only_once_confirmed(world: World) -> None:
    facilitator = world.client("facilitator")
    fields: dict[str, object] = {
        "day": ["2", "3", "2021"],
        "start_time": "10am",
        "place": "Room 2",
        "group_format": "swott-default",
    }
    warned = _post(facilitator, "/l2/sessions", "/l2/plan", fields)
    page = warned.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "This session starts in the past: Tuesday 2 March 2021, 10am" in page
    assert "Yes, schedule it in the past" in page and 'value="Room 2"' in page
    with world.session() as session:
        assert session.scalars(select(GroupSession)).first() is None
    done = _post(facilitator, "/l2/sessions", "/l2/plan", {**fields, "confirmed": "yes"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    with world.session() as session:
        assert session.scalars(select(GroupSession)).one().place == "Room 2"


def test_a_deadline_error_keeps_the_page_and_removing_it_asks_first(world: World) -> None:
    facilitator = world.client("facilitator")
    bad = _post(
        facilitator, "/l2/plan/deadline", "/l2/plan", {"deadline_day": ["31", "2", "2027"], "deadline_time": "5pm"}
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "Enter a real date" in bad.get_data(as_text=True)  # type: ignore[attr-defined]
    _post(
        facilitator, "/l2/plan/deadline", "/l2/plan", {"deadline_day": ["15", "7", "2027"], "deadline_time": "4:30pm"}
    )
    plan = facilitator.get("/l2/plan").get_data(as_text=True)
    assert "15 July 2027, 4:30pm" in plan and 'value="4:30pm"' in plan  # BST, written in UK time
    asked = _post(facilitator, "/l2/plan/deadline/remove", "/l2/plan", {})
    assert "Remove the L1 deadline?" in asked.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "govuk-button--warning" in asked.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "15 July 2027" in facilitator.get("/l2/plan").get_data(as_text=True)
    _post(facilitator, "/l2/plan/deadline/remove", "/l2/plan", {"confirmed": "yes"})
    assert "No deadline set." in facilitator.get("/l2/plan").get_data(as_text=True)


def test_the_deep_linking_due_date_is_the_end_of_that_day_in_uk_time() -> None:
    assert deep_linking.due_moment(date(2027, 1, 31)) == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert deep_linking.due_moment(date(2027, 6, 30)) == datetime(2027, 6, 30, 22, 59, 59, tzinfo=UTC)


def test_starting_on_another_day_and_closing_ask_first(world: World) -> None:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)  # 3 December 2030
    run_page, control = f"/l2/sessions/{group.id}/run", f"/l2/sessions/{group.id}/control"
    asked = _post(facilitator, control, run_page, {"action": "start"}).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Start the session today?" in asked
    assert "scheduled for Tuesday 3 December 2030, 10am, not today" in asked
    with world.session() as session:
        assert session.get_one(GroupSession, group.id).status == "scheduled"
    _post(facilitator, control, run_page, {"action": "start", "confirmed": "yes"})
    asked = _post(facilitator, control, run_page, {"action": "close"}).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Close the session?" in asked and "govuk-button--warning" in asked
    with world.session() as session:
        assert session.get_one(GroupSession, group.id).status == "running"


def test_learners_see_their_session_and_a_running_now_banner(world: World) -> None:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)
    a = world.client("a")
    home = a.get("/l2/").get_data(as_text=True)
    assert "Tuesday 3 December 2030, 10am to 11:40am" in home and "Civic Centre, room 4" in home
    assert "Join the video call" in home and "running now" not in home
    run_page = f"/l2/sessions/{group.id}/run"
    _post(facilitator, f"/l2/sessions/{group.id}/control", run_page, {"action": "start", "confirmed": "yes"})
    home = a.get("/l2/").get_data(as_text=True)
    assert "Your session is running now:" in home
    assert re.search(rf'href="/l2/sessions/{group.id}/live[^"]*">join</a>', home)


def test_a_feedback_error_keeps_the_live_page_and_the_text(world: World) -> None:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)
    _post(
        facilitator,
        f"/l2/sessions/{group.id}/control",
        f"/l2/sessions/{group.id}/run",
        {"action": "start", "confirmed": "yes"},
    )
    a = world.client("a")
    live = f"/l2/sessions/{group.id}/live"
    refused = _post(a, f"/l2/sessions/{group.id}/feedback", live, {"kind": "feedback", "text": "x" * 2001})
    page = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert refused.status_code == 400 and "Keep it to a few sentences" in page  # type: ignore[attr-defined]
    assert "x" * 2001 in page and "govuk-error-summary" in page


def _attend_and_close(world: World) -> GroupSession:
    facilitator = world.client("facilitator")
    group = _schedule(world, facilitator)
    run_page, control = f"/l2/sessions/{group.id}/run", f"/l2/sessions/{group.id}/control"
    _post(facilitator, control, run_page, {"action": "start", "confirmed": "yes"})
    _post(facilitator, control, run_page, {"action": "attendance", "present": [str(world.course.learners[0].id)]})
    _post(facilitator, control, run_page, {"action": "close", "confirmed": "yes"})
    return group


def test_the_l2_reflection_autosaves_with_a_version_and_its_date_starts_as_today(world: World) -> None:
    _attend_and_close(world)
    a = world.client("a")
    _post(a, "/l2/reflection/start", "/l2/reflection", {})
    page = a.get("/l2/reflection").get_data(as_text=True)
    today = to_uk(utcnow()).date()
    assert 'data-autosave="reflection"' in page
    assert re.search(rf'id="field-cpd_date-day"[^>]*value="{today.day}"', page)
    assert re.search(rf'id="field-cpd_date-year"[^>]*value="{today.year}"', page)
    token = csrf_from(a, "/l2/reflection")
    saved = a.post("/l2/reflection", data={"csrf_token": token, "version": "1", "autosave": "1", "what": "Typed"})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    version = saved.get_json()["version"]
    # A second tab still on version 1 is refused, and the first tab's text stays.
    stale = a.post("/l2/reflection", data={"csrf_token": token, "version": "1", "autosave": "1", "what": "Other"})
    assert stale.status_code == 409 and stale.get_json()["conflict"] is True
    assert "Typed" in a.get("/l2/reflection").get_data(as_text=True)
    again = a.post(
        "/l2/reflection",
        data={"csrf_token": token, "version": str(version), "autosave": "1", "what": "Typed more"},
    )
    assert again.status_code == 200 and again.get_json()["version"] == version + 1
