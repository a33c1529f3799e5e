"""Programme pages through the app: a lead starts a run, sets dates, takes registers and reads the cohort
view; participants follow their timeline, reflect on each meeting, keep one-to-one notes and subscribe
to their calendar — and nobody sees what is not theirs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_tool.dates import UK_TIME
from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from lti_tool.models import LtiUser, ProgrammeEvent, ProgrammeRun, ScoreRecord
from lti_tool.services.programmes import meetings, runs
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import csrf_from, local_platform
from tests.lti_tool.programme_factories import Cohort, make_cohort, template


@dataclass
class World:
    app: Flask
    a: Cohort
    b: Cohort  # another cohort of the same course
    other: Cohort  # another course

    def client(self, user: LtiUser, cohort: Cohort, *, role: str = "learner", part: str = "l1") -> FlaskClient:
        client = self.app.test_client()
        sign_in(client, CurrentLaunch(
            launch_id=f"pg-{user.id}-{role}", user_id=user.id, platform_id=cohort.platform.id,
            context_id=cohort.context.id, resource_link_id=cohort.link.id, role=Role(role), toolkit_id="",
            part=part, deployment_id="1", message_type="LtiResourceLinkRequest",
        ))  # fmt: skip
        return client

    def lead(self, cohort: Cohort | None = None) -> FlaskClient:
        cohort = cohort or self.a
        return self.client(cohort.lead, cohort, role="facilitator", part="programme")

    def events(self, activity_id: str, run: ProgrammeRun | None = None) -> list[ProgrammeEvent]:
        with self.app.extensions["swott.db"].session() as session:
            query = select(ProgrammeEvent).where(
                ProgrammeEvent.run_id == (run or self.a.the_run).id, ProgrammeEvent.activity_id == activity_id
            )
            found = list(session.scalars(query.order_by(ProgrammeEvent.starts_at)))
            session.expunge_all()  # keep the loaded values once the session rolls back
            return found


def make_world(app: Flask, learners: int = 3) -> World:
    """Cohort A with `learners` participants; cohort B (same course): 1; another course: 1."""
    with app.extensions["swott.db"].session() as session:
        platform = local_platform(session)
        a = make_cohort(session, learners=learners, platform=platform, name="Cohort A")
        b = make_cohort(session, learners=1, platform=platform, context=a.context, name="Cohort B")
        other = make_cohort(session, learners=1, platform=platform, name="Elsewhere")
        session.commit()
    return World(app, a, b, other)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    yield make_world(app)


def _post(client: FlaskClient, url: str, data: dict[str, object], form_page: str = "") -> TestResponse:
    token = csrf_from(client, form_page or url)
    return client.post(url, data={"csrf_token": token, **data})


def _text(response: TestResponse) -> str:
    return str(response.get_data(as_text=True))


def test_a_lead_starts_a_programme_and_a_wrong_form_comes_back_with_what_was_typed(world: World) -> None:
    lead = world.lead()
    page = lead.get("/programmes/")
    assert page.status_code == 200 and "Start a programme for a cohort" in _text(page)
    learners = [str(u.id) for u in world.a.learners]
    bad = _post(lead, "/programmes/", {"template": "ten-week-cohort", "cohort_name": "Cohort C",
                                       "nation": "england-and-wales", "participants": learners})  # fmt: skip
    assert bad.status_code == 400
    html = _text(bad)
    assert "There is a problem" in html and "Enter the start date" in html and 'value="Cohort C"' in html
    good = _post(lead, "/programmes/", {"template": "ten-week-cohort", "cohort_name": "Cohort C",
                                        "starts_on": ["6", "9", "2027"], "nation": "scotland",
                                        "participants": learners})  # fmt: skip
    assert good.status_code == 303
    run_page = lead.get(good.headers["Location"])
    html = _text(run_page)
    assert "Programme started" in html and "Cohort C" in html and "Monday 6 September 2027" in html
    with world.app.extensions["swott.db"].session() as session:
        run = session.scalars(select(ProgrammeRun).where(ProgrammeRun.cohort_name == "Cohort C")).one()
        assert run.nation == "scotland" and run.resource_link_id == world.a.link.id


def test_moving_a_date_onto_a_bank_holiday_is_pointed_out(world: World) -> None:
    lead = world.lead()
    workshop = world.events("assessment-workshop")[0]
    url = f"/programmes/{world.a.the_run.id}/events/{workshop.id}"
    bad = _post(lead, url, {"day": ["29", "3", "2027"], "start_time": "25:00", "place": "Hall", "save": "1"})
    assert bad.status_code == 400 and "Enter a time like 10am, 2:30pm or 14:30" in _text(bad)
    moved = _post(lead, url, {"day": ["29", "3", "2027"], "start_time": "13:30", "place": "Hall", "save": "1"})
    assert moved.status_code == 303
    html = _text(lead.get(f"/programmes/{world.a.the_run.id}"))
    assert "Bank holiday: Easter Monday" in html and "Monday 29 March 2027, 1:30pm" in html
    assert "fall on a bank holiday" in html


def test_registers_fill_the_cohort_view_csv_and_gradebook(world: World) -> None:
    lead = world.lead()
    launch = world.events("launch-workshop")[0]
    present = world.a.learners[:2]
    with world.app.extensions["swott.db"].session() as session:
        ids = {
            m.user.id: m.participant.id
            for m in runs.members(session, session.get_one(ProgrammeRun, world.a.the_run.id))
        }
    url = f"/programmes/{world.a.the_run.id}/events/{launch.id}/register"
    done = _post(lead, url, {"present": [str(ids[u.id]) for u in present]},
                 form_page=f"/programmes/{world.a.the_run.id}/events/{launch.id}")  # fmt: skip
    assert done.status_code == 303
    view = _text(lead.get(done.headers["Location"]))
    assert "Register saved" in view and "Falling behind" in view
    rows = list(csv.DictReader(io.StringIO(_text(lead.get(f"/programmes/{world.a.the_run.id}/cohort.csv")))))
    launch_rows = {r["participant"]: r["status"] for r in rows if r["activity"] == launch.title}
    assert sorted(launch_rows.values()) == ["Done", "Done", "Missed"]
    assert "Cohort B" not in {r["cohort"] for r in rows}
    with world.app.extensions["swott.db"].session() as session:
        scores = session.scalars(select(ScoreRecord).where(ScoreRecord.resource_link_id == world.a.link.id)).all()
        assert {s.user_id for s in scores} == {u.id for u in world.a.learners}


def test_who_may_see_what(world: World) -> None:
    run_a = world.a.the_run.id
    learner_a, learner_b = world.a.learners[0], world.b.learners[0]
    assert world.client(learner_a, world.a).get(f"/programmes/{run_a}/cohort").status_code == 403
    assert world.client(learner_b, world.b).get(f"/programmes/{run_a}/timeline").status_code == 404
    assert world.lead(world.other).get(f"/programmes/{run_a}").status_code == 404
    assert world.lead(world.other).get(f"/programmes/{run_a}/cohort.csv").status_code == 404
    mine = world.client(learner_a, world.a).get("/programmes/mine")
    assert mine.status_code == 303 and f"/programmes/{run_a}/timeline" in mine.headers["Location"]
    timeline = _text(world.client(learner_a, world.a).get(f"/programmes/{run_a}/timeline"))
    assert "Week 1" in timeline and learner_a.name not in timeline.replace("Your programme", "")
    assert world.a.learners[1].name not in timeline


def test_each_set_meeting_gives_its_own_reflection(world: World) -> None:
    lead = world.lead()
    learner = world.a.learners[0]
    client = world.client(learner, world.a)
    with world.app.extensions["swott.db"].session() as session:
        run = session.get_one(ProgrammeRun, world.a.the_run.id)
        ids = [m.participant.id for m in runs.members(session, run)]
        fields = meetings.form_fields(template().activity("action-learning-set"))
        session.expunge_all()
    sets = world.events("action-learning-set")
    closed = _post(client, f"/programmes/{run.id}/events/{sets[0].id}/reflection", {"description": "x"},
                   form_page=f"/programmes/{run.id}/plan")  # fmt: skip
    assert closed.status_code == 403
    for number, meeting in enumerate(sets, start=1):
        page = f"/programmes/{run.id}/events/{meeting.id}"
        roles = {f"role-{pid}": "consultant" for pid in ids}
        _post(lead, f"{page}/register", {"present": [str(i) for i in ids], **roles}, form_page=page)
        url = f"{page}/reflection"
        short = _post(client, url, {fields[0].id: "Only this", "submit": "1"})
        assert short.status_code == 400 and "There is a problem" in _text(short)
        assert "Only this" in _text(short)
        values = {f.id: f"Meeting {number}: {f.label}" for f in fields}
        assert _post(client, url, {**values, "submit": "1"}).status_code == 303
    timeline = _text(client.get(f"/programmes/{run.id}/timeline"))
    assert timeline.count("Reflection submitted") == 3


def test_the_calendar_feed_works_until_reset(world: World) -> None:
    client = world.client(world.a.learners[0], world.a)
    url = f"/programmes/{world.a.the_run.id}/calendar"
    made = _post(client, url, {})
    address = _text(made).split('id="feed-address" type="text" readonly value="')[1].split('"')[0]
    path = address.removeprefix("http://127.0.0.1:5000")
    feed = world.app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert len(events) == sum(len(a.occurrences) for a in template().activities)
    _post(client, url, {})
    assert world.app.test_client().get(path).status_code == 404
    one = world.events("launch-workshop")[0]
    single = client.get(f"/programmes/{world.a.the_run.id}/events/{one.id}.ics")
    assert str(Calendar.from_ical(single.data).walk("VEVENT")[0]["UID"]) == one.uid


def test_a_coach_sees_only_shared_notes_of_their_own_participants(world: World) -> None:
    lead = world.lead()
    run = world.a.the_run
    with world.app.extensions["swott.db"].session() as session:
        members = runs.members(session, session.get_one(ProgrammeRun, run.id))
        session.expunge_all()
    coach, other_coach = world.a.coaches
    data: dict[str, object] = {}
    for i, m in enumerate(members):
        data |= {f"coach-{m.participant.id}": str((coach if i == 0 else other_coach).id),
                 f"mentor-{m.participant.id}": "0", f"hours-{m.participant.id}": "12"}  # fmt: skip
    assert _post(lead, f"/programmes/{run.id}/pairings", data).status_code == 303
    first = world.events("coaching")[0]
    learner = world.client(members[0].user, world.a)
    url = f"/programmes/{run.id}/events/{first.id}/meeting"
    _post(learner, url, {"notes": "A private worry", "actions": "Plan the visit"})
    coach_client = world.client(coach, world.a, role="facilitator")
    page = _text(coach_client.get(f"/programmes/{run.id}/supporting"))
    assert "Plan the visit" in page and "A private worry" not in page
    _post(learner, url, {"notes": "A private worry", "actions": "Plan the visit", "shared": "y"})
    assert "A private worry" in _text(coach_client.get(f"/programmes/{run.id}/supporting"))
    # The development plan: set by the participant, seen by their coach only.
    goal = _post(
        learner, f"/programmes/{run.id}/plan", {"goal-text": "Lead a family group conference", "goal-add_goal": "1"}
    )
    assert goal.status_code == 303
    assert "Lead a family group conference" in _text(coach_client.get(f"/programmes/{run.id}/supporting"))
    elsewhere = _text(world.client(other_coach, world.a, role="facilitator").get(f"/programmes/{run.id}/supporting"))
    assert "A private worry" not in elsewhere and "Lead a family group conference" not in elsewhere


def test_goals_are_set_then_reviewed_and_a_blank_goal_comes_back_with_an_error(world: World) -> None:
    run_id = world.a.the_run.id
    learner = world.client(world.a.learners[0], world.a)
    url = f"/programmes/{run_id}/plan"
    blank = _post(learner, url, {"goal-text": "", "goal-add_goal": "1"})
    assert blank.status_code == 400 and "Write the goal" in _text(blank)
    _post(learner, url, {"goal-text": "Use genograms in every assessment", "goal-add_goal": "1"})
    _post(learner, url, {"goal-text": "Run a family meeting", "goal-add_goal": "1"})
    page = _text(learner.get(url))
    assert page.count('name="review-save_review"') == 2 and 'id="review-save-1"' in page
    goal_id = int(page.split("/plan?goal=")[1].split("&")[0].split('"')[0])
    done = _post(learner, f"{url}?goal={goal_id}", {"review-review": "Done on four cases", "review-save_review": "1"},
                 form_page=url)  # fmt: skip
    assert done.status_code == 303
    assert "Done on four cases" in _text(learner.get(url))
    # Another participant's plan is theirs alone.
    assert "Use genograms" not in _text(world.client(world.a.learners[1], world.a).get(url))


def test_a_toolkit_l2_runs_in_the_l2_session_mode_and_its_attendance_and_reflection_come_back(world: World) -> None:
    """The lead opens the programme's toolkit L2 from its date, runs it on the L2 control page; the
    participants join from their timeline; closing it fills the programme's statuses, and an attendee's
    L2 reflection reaches their portfolio."""
    lead = world.lead()
    run_id = world.a.the_run.id
    event = world.events("participation-l2")[0]
    page = f"/programmes/{run_id}/events/{event.id}"
    assert "Open the L2 session" in _text(lead.get(page))
    learner, absent = world.a.learners[0], world.a.learners[2]
    client = world.client(learner, world.a)
    assert client.get(f"{page}/l2").status_code == 404  # not opened yet
    local = event.starts_at.astimezone(UK_TIME)
    placed = _post(lead, page, {"day": [str(local.day), str(local.month), str(local.year)],
                                "start_time": local.strftime("%H:%M"), "place": "Room 2", "save": "1"})  # fmt: skip
    assert placed.status_code == 303  # an L2 session needs a place or a video link
    opened = _post(lead, f"{page}/l2", {}, form_page=page)
    assert opened.status_code == 303
    control = lead.get(opened.headers["Location"])
    assert control.status_code == 303 and "/l2/sessions/" in control.headers["Location"]
    run_page = control.headers["Location"]
    assert "Cohort A: Group session: participatory practice" in _text(lead.get(run_page))
    group_id = int(run_page.split("/l2/sessions/")[1].split("/")[0])
    launch_q = run_page.split("?", 1)[1]
    control_url = f"/l2/sessions/{group_id}/control?{launch_q}"
    assert f"/programmes/{run_id}/events/{event.id}/l2" in _text(client.get(f"/programmes/{run_id}/timeline"))
    joined = client.get(f"{page}/l2")
    assert joined.status_code == 303 and f"/l2/sessions/{group_id}/live" in joined.headers["Location"]
    assert client.get(joined.headers["Location"]).status_code == 200
    present = [str(u.id) for u in world.a.learners[:2]]
    steps: list[dict[str, object]] = [
        {"action": "start", "confirmed": "yes"},
        {"action": "attendance", "present": present},
        {"action": "close", "confirmed": "yes"},
    ]
    for data in steps:
        assert _post(lead, control_url, data, form_page=run_page).status_code == 303
    rows = list(csv.DictReader(io.StringIO(_text(lead.get(f"/programmes/{run_id}/cohort.csv")))))
    statuses = {r["participant"]: r["status"] for r in rows if r["activity"] == event.title and
                r["cohort"] == "Cohort A"}  # fmt: skip
    assert statuses[learner.name] == "Done" and statuses[absent.name] == "Missed"
    assert sorted(statuses.values()) == ["Done", "Done", "Missed"]

    after = client.get(f"{page}/l2")
    assert after.status_code == 303 and "/l2/reflection" in after.headers["Location"]
    reflection_page = after.headers["Location"]
    assert _post(client, reflection_page.replace("/l2/reflection", "/l2/reflection/start"), {},
                 form_page=reflection_page).status_code == 303  # fmt: skip
    from lti_tool.services import l2
    from tests.lti_tool.programme_factories import catalogue

    fields = l2.reflection_form_fields(catalogue().get("participatory-practice"))  # type: ignore[arg-type]
    values: dict[str, object] = {f.id: f"My {f.label}" for f in fields}
    values.update(cpd_date="2027-01-20", cpd_type="Reflective group discussion", version="1", action="submit")
    assert _post(client, reflection_page, values).status_code == 303
    portfolio = _text(client.get("/portfolio/"))
    assert "participatory" in portfolio.lower() and "Submitted" in _text(client.get(reflection_page))
