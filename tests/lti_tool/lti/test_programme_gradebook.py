"""A programme's gradebook over real HTTP against the sandbox LMS: the programme's own column, and one
column per activity the template gives a line item (its toolkit L2s), each showing who attended.

The lead and the learners launch the programme placement from the sandbox course; the lead starts a
run, runs each toolkit L2 in the L2 session mode (start, attendance, close) and the tool sends the
scores after each request through the outbox. The activity columns are created by that delivery
(AGS line items service), bound to the programme's placement and told apart by their resourceId.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool import web
from lti_tool.dates import UK_TIME
from lti_tool.models import LtiUser, ProgrammeEvent, ProgrammeRun, ResourceLink
from tests.lti_tool.l1_stack import Stack, running_stack
from tests.lti_tool.lti.programme_http import (
    PROGRAMME,
    Person,
    add_programme_placement,
    launch_of,
    sandbox_gradebook,
    work_through_l1,
)

L2S = ("participation-l2", "assessment-l2", "safeguarding-l2")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Stack, str]]:
    with running_stack(tmp_path, toolkits_dir="", toolkit_id="participatory-practice") as stack:
        yield stack, add_programme_placement(stack.platform)


def run_toolkit_l2(lead: Person, run_id: int, event: ProgrammeEvent, present_user_ids: list[int]) -> None:
    """The lead gives the session a place, opens it in the L2 session mode, runs and closes it."""
    page = f"/programmes/{run_id}/events/{event.id}"
    local = event.starts_at.astimezone(UK_TIME)
    lead.post(page, {"day": [str(local.day), str(local.month), str(local.year)],
                     "start_time": local.strftime("%H:%M"), "place": "Civic Centre", "save": "1"})  # fmt: skip
    control = lead.post(f"{page}/l2", {}, form_page=page)
    assert "/l2/sessions/" in control.url and "Civic Centre" in control.text
    group = control.url.split("/l2/sessions/")[1].split("/")[0]
    l2_launch, run_page = launch_of(control.url), f"/l2/sessions/{group}/run"
    for data in ({"action": "start", "confirmed": "yes"},
                 {"action": "attendance", "present": [str(i) for i in present_user_ids]},
                 {"action": "close", "confirmed": "yes"}):  # fmt: skip
        lead.post(f"/l2/sessions/{group}/control", data, form_page=run_page, launch=l2_launch)


def test_the_sandbox_gradebook_shows_a_column_per_activity(stack: tuple[Stack, str]) -> None:
    stack_, placement = stack
    sandbox, tool = stack_.sandbox.url, stack_.tool.url
    for name in ("learner1", "learner2", "learner3"):
        Person.launch_from(sandbox, tool, placement, name)  # the tool learns the course's people
    lead = Person.launch_from(sandbox, tool, placement, "facilitator")
    with stack_.app.app_context():
        users = {u.sub: u.id for u in web.db_session().scalars(select(LtiUser))}
    learner_ids = [users[stack_.platform.user(n).sub] for n in ("learner1", "learner2", "learner3")]
    started = lead.post("/programmes/", {"template": "ten-week-cohort", "cohort_name": "Cohort A",
                                         "starts_on": ["1", "3", "2027"], "nation": "england-and-wales",
                                         "participants": [str(i) for i in learner_ids]})  # fmt: skip
    assert "Programme started" in started.text
    with stack_.app.app_context():
        session = web.db_session()
        run = session.scalars(select(ProgrammeRun)).one()
        events = {e.activity_id: e for e in session.scalars(select(ProgrammeEvent).where(
            ProgrammeEvent.run_id == run.id, ProgrammeEvent.activity_id.in_(L2S)))}  # fmt: skip
        run_id = run.id
        session.expunge_all()
    # Sam and Chris attend every L2; Taylor only the last.
    for activity in L2S:
        present = learner_ids[:2] + (learner_ids[2:] if activity == "safeguarding-l2" else [])
        run_toolkit_l2(lead, run_id, events[activity], present)
    stack_.settle()
    assert not [s for s in stack_.platform.scores if s.status not in (200, 201, 204)]  # every score was taken

    book = sandbox_gradebook(sandbox)
    titles = {
        "participation-l2": "Cohort A: Group session: participatory practice",
        "assessment-l2": "Cohort A: Group session: social-ecological assessment",
        "safeguarding-l2": "Cohort A: Group session: making safeguarding personal",
    }
    assert set(titles.values()) | {PROGRAMME} <= set(book), sorted(book)
    for activity, title in titles.items():
        column = book[title]
        assert column["Sam Okafor"].startswith("100 | Completed · FullyGraded")
        expected = "100 | Completed" if activity == "safeguarding-l2" else "0 | InProgress"
        assert column["Taylor Brennan"].startswith(expected), (title, column)
        assert "FullyGraded" in column["Taylor Brennan"]
        assert column["Jordan Reyes"] == "—"  # the lead is not a participant
    # The programme's own column is kept: a share of the required activities, in progress.
    assert book[PROGRAMME]["Sam Okafor"].split(" | ")[1] == "InProgress · FullyGraded"
    with stack_.app.app_context():
        links = web.db_session().scalars(select(ResourceLink).where(ResourceLink.part == "pa")).all()
        assert len(links) == 3 and all(link.lineitem_url for link in links)
    # Each activity's line item is bound to the programme's own placement, told apart by resourceId.
    items = {i.label: i for i in stack_.platform.line_items()}
    assert {items[t].resource_link_id for t in titles.values()} == {placement}
    assert len({items[t].resource_id for t in titles.values()}) == 3


def test_an_l1_completed_in_the_player_moves_the_programme_column_by_itself(stack: tuple[Stack, str]) -> None:
    """Issue 16: the lead never presses "Send programme scores"; finishing the L1 is enough."""
    stack_, placement = stack
    sandbox, tool = stack_.sandbox.url, stack_.tool.url
    for name in ("learner1", "learner2", "learner3"):
        Person.launch_from(sandbox, tool, placement, name)
    lead = Person.launch_from(sandbox, tool, placement, "facilitator")
    with stack_.app.app_context():
        users = {u.sub: u.id for u in web.db_session().scalars(select(LtiUser))}
    in_programme = [users[stack_.platform.user(n).sub] for n in ("learner1", "learner2")]
    started = lead.post("/programmes/", {"template": "ten-week-cohort", "cohort_name": "Cohort A",
                                         "starts_on": ["1", "3", "2027"], "nation": "england-and-wales",
                                         "participants": [str(i) for i in in_programme]})  # fmt: skip
    assert "Programme started" in started.text
    kit = web_catalogue(stack_).get("participatory-practice")
    assert kit is not None
    # Sam (in the cohort) and Taylor (not in it) finish the course's participatory-practice L1.
    for name in ("learner1", "learner3"):
        done = work_through_l1(sandbox, tool, stack_.placement_id, name, kit, "2027-03-05")
        assert "You have completed L1" in done
    stack_.settle()

    column = sandbox_gradebook(sandbox)[PROGRAMME]
    sam, chris, taylor = (stack_.platform.user(n).name for n in ("learner1", "learner2", "learner3"))
    score, progress = column[sam].split(" | ")[:2]
    assert 0 < float(score) < 100 and progress == "InProgress · FullyGraded", column[sam]
    assert column[chris] == "—"  # nothing of Chris's changed, so nothing was sent for them
    assert column[taylor] == "—"  # not in the programme: their L1 is only their L1
    # Sam's L1 column has its own score too, as any L1's.
    assert [s for s in stack_.accepted_scores("learner1") if s.get("scoreGiven") == 100.0]


def web_catalogue(stack: Stack) -> Any:
    with stack.app.app_context():
        return web.catalogue()
