"""Issue 16's acceptance: a cohort of 12 runs the ten-week programme to its end, from the sandbox LMS.

Over real HTTP from the sandbox LMS: the lead, in the LMS's iframe in a real browser, adds the ten-week
programme for a cohort of 12 and pairs a coach and a mentor with each participant. With the programme
pages' clock injected (set past the programme's end), the programme runs to the end: the toolkit L2s
run in the L2 session mode (opened from the programme, started, attendance taken, closed), the
workshops and the discovery day get registers, the action learning set meets three times with its
roles, and every one-to-one is held (the participant opens it, their coach or mentor records it held).
Then a participant's timeline and the lead's cohort view (in the browser), the cohort CSV and the
sandbox gradebook (over HTTP) show every activity done, and a participant's portfolio holds a separate
peer reflection for each set meeting.

Twelve browser contexts are too heavy for a small machine, so only the lead's set-up and cohort view
and one participant's timeline and portfolio go through the browser; everything else is the same form
posts over real HTTP (`programme_http.Person`: a session launched from the sandbox placement, posting
the tool's forms with the CSRF token and launch its pages carry). The L1s too: each participant
launches each toolkit's L1 placement and works through its player (`programme_http.work_through_l1`),
last of all, so the gradebook shows what the completions themselves queued.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import (
    LtiUser,
    ProgrammeEvent,
    ProgrammeMeeting,
    ProgrammeParticipant,
    ProgrammeRun,
)
from lti_tool.services.programmes import meetings
from lti_tool.views.programmes import common, lead, learner
from sandbox_platform.model import User
from tests.lti_tool.browser.support import go_in_frame, open_in_lms_frame, tool_frame
from tests.lti_tool.l1_stack import Stack, running_stack
from tests.lti_tool.lti.programme_http import (
    PROGRAMME,
    Person,
    add_programme_placement,
    sandbox_gradebook,
    work_through_l1,
)
from tests.lti_tool.lti.test_programme_gradebook import run_toolkit_l2
from tests.lti_tool.programme_factories import catalogue, template

SHOTS = Path("/tmp/shots/programmes")
COHORT = 12
# Fictional people (RFC 2606 addresses) beside the sandbox's three learners and its facilitator.
EXTRA = ["Alex Morgan", "Bea Lund", "Cal Reid", "Dee Obi", "Eli Hart", "Fay Shah", "Gus Kerr", "Hana Ito", "Ivo Dale"]
SUPPORTERS = [("coach1", "Kim Ashby"), ("mentor1", "Lee Marsh")]


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stack, str]]:
    with running_stack(tmp_path, toolkits_dir="", toolkit_id="participatory-practice") as stack:
        platform = stack.platform
        student, staff = platform.user("learner1").roles, platform.user("facilitator").roles
        for n, name in enumerate(EXTRA, start=4):
            given, family = name.split()
            platform.users[f"learner{n}"] = User(f"learner{n}", str(2000 + n), given, family,
                                                 f"{given.lower()}@example.org", student)  # fmt: skip
        for n, (key, name) in enumerate(SUPPORTERS):
            given, family = name.split()
            platform.users[key] = User(key, str(3000 + n), given, family, f"{given.lower()}@example.org", staff)
        yield stack, add_programme_placement(platform)


def _inject_clock(monkeypatch: pytest.MonkeyPatch, moment: Any) -> None:
    for module in (common, lead, learner):
        monkeypatch.setattr(module, "now", lambda: moment)


def _l1_placements(stack: Stack) -> dict[str, str]:
    """An L1 placement in the course for each toolkit L1 the programme names, as a lead adds them in Moodle."""
    placements = {}
    for activity in template().activities:
        if activity.kind.value == "toolkit-l1" and activity.toolkit and activity.toolkit not in placements:
            kit = catalogue().get(activity.toolkit)
            assert kit is not None
            placement = stack.platform.add_placement(
                title=f"{kit.title}: L1",
                custom={"toolkit_id": kit.id, "part": "l1"},
                line_item={"label": f"{kit.title} L1", "scoreMaximum": 100},
            )
            placements[kit.id] = placement.id
    return placements


def test_a_cohort_of_twelve_runs_the_ten_week_programme_to_its_end(
    chromium: Any, stack: tuple[Stack, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_, placement = stack
    sandbox, tool = stack_.sandbox.url, stack_.tool.url
    keys = [f"learner{n}" for n in range(1, COHORT + 1)]
    people = {key: Person.launch_from(sandbox, tool, placement, key) for key in keys}  # the tool learns them
    supporters = {key: Person.launch_from(sandbox, tool, placement, key) for key, _ in SUPPORTERS}
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The lead, in the LMS's frame: start the programme for all twelve, then pair coaches and mentors.
    page = chromium.new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    open_in_lms_frame(page, sandbox, placement, "facilitator")
    frame = tool_frame(page)
    frame.get_by_text("Start a programme for a cohort").first.wait_for()
    frame.get_by_label("Ten weeks", exact=False).first.check()
    frame.fill("#cohort_name", "Cohort A")
    frame.fill("#starts_on-day", "1")
    frame.fill("#starts_on-month", "3")
    frame.fill("#starts_on-year", "2027")
    boxes = frame.locator("input[name=participants]").all()
    assert len(boxes) == COHORT
    for box in boxes:
        box.check()
    frame.get_by_role("button", name="Start the programme").click()
    frame = tool_frame(page)
    frame.get_by_text("Programme started").first.wait_for()
    with stack_.app.app_context():
        run_id = web.db_session().scalars(select(ProgrammeRun.id)).one()
        known = {u.sub: u.id for u in web.db_session().scalars(select(LtiUser))}
    coach, mentor = (str(known[stack_.platform.user(key).sub]) for key, _ in SUPPORTERS)
    frame = go_in_frame(page, f"/programmes/{run_id}/pairings", "Coaches, mentors and protected time")
    frame.locator("select[name^='coach-']").first.wait_for()
    assert frame.locator("select[name^='coach-']").count() == COHORT
    for select_box in frame.locator("select[name^='coach-']").all():
        select_box.select_option(value=coach)
    for select_box in frame.locator("select[name^='mentor-']").all():
        select_box.select_option(value=mentor)
    for hours in frame.locator("input[name^=hours-]").all():
        hours.fill("12")
    frame.get_by_role("button", name="Save pairings").click()
    frame = tool_frame(page)
    frame.get_by_text("Pairings saved.").first.wait_for()

    with stack_.app.app_context():
        session = web.db_session()
        events = list(session.scalars(
            select(ProgrammeEvent).where(ProgrammeEvent.run_id == run_id).order_by(ProgrammeEvent.starts_at)
        ))  # fmt: skip
        members = {u.sub: (p.id, u.id) for p, u in session.execute(
            select(ProgrammeParticipant, LtiUser).join(LtiUser, LtiUser.id == ProgrammeParticipant.user_id)
            .where(ProgrammeParticipant.run_id == run_id))}  # fmt: skip
        paired = {(p.coach_id is not None, p.mentor_id is not None, p.protected_hours) for p in session.scalars(
            select(ProgrammeParticipant).where(ProgrammeParticipant.run_id == run_id))}  # fmt: skip
        session.expunge_all()
    assert paired == {(True, True, 12)}
    assert len(members) == COHORT
    participant_ids = [pid for pid, _ in members.values()]
    user_ids = [uid for _, uid in members.values()]
    _inject_clock(monkeypatch, events[-1].starts_at + timedelta(days=7))  # the programme is over

    # The rest of the lead's steps as the same form posts over HTTP.
    lead_http = Person.launch_from(sandbox, tool, placement, "facilitator")
    set_meeting = 0
    for event in events:
        page_path = f"/programmes/{run_id}/events/{event.id}"
        if event.activity_id.endswith("-l2"):
            run_toolkit_l2(lead_http, run_id, event, user_ids)
        elif event.kind in ("group-session", "discovery-day"):
            data: dict[str, Any] = {"present": [str(p) for p in participant_ids]}
            if event.activity_id == "action-learning-set":
                roles = meetings.rotate_roles(participant_ids, set_meeting)
                data.update({f"role-{p}": r for p, r in roles.items()})
                set_meeting += 1
            lead_http.post(f"{page_path}/register", data, form_page=page_path)
        elif event.kind == "one-to-one":
            for person in people.values():  # each participant opens their meeting; it is then held
                person.get(f"{page_path}/meeting")
    assert set_meeting == 3
    with stack_.app.app_context():
        held = [(m.id, m.supporter_id) for m in web.db_session().scalars(select(ProgrammeMeeting))]
        supporter_keys = {u.id: u.sub for u in web.db_session().scalars(select(LtiUser))}
    assert len(held) == COHORT * 7
    by_sub = {stack_.platform.user(key).sub: key for key, _ in SUPPORTERS}
    for meeting_id, supporter_id in held:
        assert supporter_id is not None  # every participant has a coach and a mentor
        supporter = supporters[by_sub[supporter_keys[supporter_id]]]
        supporter.post(f"/programmes/{run_id}/supporting?meeting={meeting_id}", {},
                       form_page=f"/programmes/{run_id}/supporting")  # fmt: skip

    # Every participant reflects on each set meeting: three separate peer reflections each.
    fields = meetings.form_fields(template().activity("action-learning-set"))
    sets = [e for e in events if e.activity_id == "action-learning-set"]
    for person in people.values():
        for number, meeting in enumerate(sets, start=1):
            values = {f.id: f"Set meeting {number}: {f.label}" for f in fields}
            person.post(f"/programmes/{run_id}/events/{meeting.id}/reflection", {**values, "submit": "1"})
    # Before they do, each timeline says where self-study is done.
    before = people["learner2"].get(f"/programmes/{run_id}/timeline").text
    assert "from your course page in your LMS" in before
    # Last, every participant works through each toolkit's L1 in the L1 player, launched from the course's
    # L1 placement. Each completion moves the programme line by itself: the lead never presses "Send
    # programme scores" in this run, so the gradebook below shows what the completions queued.
    for kit_id, l1_placement in _l1_placements(stack_).items():
        kit = catalogue().get(kit_id)
        assert kit is not None
        for key in keys:
            done = work_through_l1(sandbox, tool, l1_placement, key, kit, "2027-05-01")
            assert "You have completed L1" in done, (key, kit_id)
    stack_.settle()

    # The lead's cohort view in the browser: nobody falling behind, nothing missed.
    frame = go_in_frame(page, f"/programmes/{run_id}/cohort", "Cohort A")
    page.screenshot(path=str(SHOTS / "acceptance-cohort.png"), full_page=True)
    text = frame.inner_text("main")
    assert "Missed" not in text and "Not started" not in text
    rows = list(csv.DictReader(io.StringIO(lead_http.get(f"/programmes/{run_id}/cohort.csv").text)))
    assert len({r["participant"] for r in rows}) == COHORT
    assert {r["status"] for r in rows} == {"Done"}, sorted({(r["activity"], r["status"]) for r in rows})
    assert {r["coach"] for r in rows} == {"Kim Ashby"} and {r["protected hours a week"] for r in rows} == {"12"}

    # Every participant's timeline (over HTTP): all ten weeks done, nothing missed or still to start.
    for key, person in people.items():
        text = person.get(f"/programmes/{run_id}/timeline").text
        assert "Week 10" in text and "Missed" not in text and "Not started" not in text, key
        assert "from your course page" not in text, key  # no self-study left to point to

    # One participant's timeline and portfolio in the browser.
    sam = chromium.new_context().new_page()
    sam.set_viewport_size({"width": 1280, "height": 900})
    open_in_lms_frame(sam, sandbox, placement, "learner1")
    frame = go_in_frame(sam, f"/programmes/{run_id}/timeline", "Your programme: Cohort A")
    timeline = frame.inner_text("main")
    assert "Week 10" in timeline and "Missed" not in timeline and "Not started" not in timeline
    assert timeline.count("Reflection submitted") >= 3
    sam.screenshot(path=str(SHOTS / "acceptance-timeline.png"), full_page=True)
    frame = go_in_frame(sam, "/portfolio/", "portfolio")
    portfolio = frame.inner_text("main")
    sam.screenshot(path=str(SHOTS / "acceptance-portfolio.png"), full_page=True)
    # One record per set meeting, each a peer reflection (its title is the participant's own).
    assert all(f"Set meeting {n}: Title" in portfolio for n in (1, 2, 3)), portfolio
    assert len(re.findall(r"Peer reflection\s+Yes", portfolio)) == 3
    assert re.search(r"With peer reflection\s+3 of 1", portfolio)

    # The sandbox gradebook: the programme complete for all twelve, each activity column complete.
    book = sandbox_gradebook(sandbox)
    names = [stack_.platform.user(k).name for k in keys]
    for label, column in book.items():
        if label == PROGRAMME or label.startswith("Cohort A: "):
            assert all(column[n].startswith("100 | Completed") for n in names), (label, column)
    assert len([label for label in book if label.startswith("Cohort A: ")]) == 3
