"""The portfolio lists every kind of CPD the tool holds: a programme reflection, and the impact on
practice a learner kept from a follow-up, each with its facts, counted in the regulator's counter, and
with no link that would lead to another record. "Download all my data" holds the evaluation and
programme data too, and erasure removes what the learner wrote there."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from lti_tool.models import FollowUp, ProgrammeEvent, ProgrammeGoal, ProgrammeParticipant, ProgrammeReflection, utcnow
from lti_tool.services.programmes import runs
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import csrf_from, local_platform
from tests.lti_tool.programme_factories import Cohort, make_cohort


@dataclass
class World:
    app: Flask
    cohort: Cohort
    programme_reflection_id: int
    follow_up_id: int

    def learner(self) -> FlaskClient:
        client = self.app.test_client()
        person = self.cohort.learners[0]
        sign_in(client, CurrentLaunch(
            launch_id=f"merged-{person.id}", user_id=person.id, platform_id=self.cohort.platform.id,
            context_id=self.cohort.context.id, resource_link_id=self.cohort.link.id, role=Role.LEARNER,
            toolkit_id="ten-week-cohort", part="pg", deployment_id="1", message_type="LtiResourceLinkRequest",
        ))  # fmt: skip
        return client


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with app.extensions["swott.db"].session() as session:
        cohort = make_cohort(session, learners=2, platform=local_platform(session))
        person = cohort.learners[0]
        participant = runs.participant_for(session, cohort.the_run, person.id)
        assert participant is not None
        event = session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.run_id == cohort.the_run.id)).first()
        assert event is not None
        today = utcnow().date().isoformat()
        reflection = ProgrammeReflection(
            participant_id=participant.id, event_id=event.id, model="gibbs", status="submitted",
            submitted_at=utcnow(), peer=True,
            fields={"cpd_title": "Case discussion with my set", "cpd_date": today,
                    "cpd_type": "Reflective group discussion",
                    "cpd_peer": "We compared how we ask about risk"},
        )  # fmt: skip
        follow_up = FollowUp(
            user_id=person.id, context_id=cohort.context.id, toolkit_id="participatory-practice", status="answered",
            carried_out="yes", what_happened="I tried the family meeting plan", impact="The family led the plan",
            in_portfolio=True, answered_at=utcnow(),
        )  # fmt: skip
        kept_back = FollowUp(
            user_id=person.id, context_id=cohort.context.id, toolkit_id="making-safeguarding-personal",
            status="answered", carried_out="no", what_happened="Not kept", impact="Not for my portfolio",
            in_portfolio=False, answered_at=utcnow(),
        )  # fmt: skip
        goal = ProgrammeGoal(participant_id=participant.id, text="Lead a family group conference")
        session.add_all([reflection, follow_up, kept_back, goal])
        session.commit()
        yield World(app, cohort, reflection.id, follow_up.id)


def test_programme_reflections_and_kept_impact_records_are_listed_and_counted(world: World) -> None:
    response = world.learner().get("/portfolio/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Both records, with where they came from.
    assert "Case discussion with my set" in page
    assert "Ten weeks of practice development (programme)" in page
    assert "Impact on practice: " in page
    assert "(the planned length of the programme session)" in page  # the time the tool knows
    assert "(follow-up)" in page and "The family led the plan" in page
    assert "Not for my portfolio" not in page  # an answer the learner did not keep
    # The regulator's counter counts them (Social Work England: 2 pieces, 1 with peer reflection).
    assert "2 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met." in page
    # Each has its own anchor, and no "read"/"share"/"change" link that would open another record.
    assert f'id="programme-{world.programme_reflection_id}"' in page
    assert f'id="impact-{world.follow_up_id}"' in page
    assert f'href="#programme-{world.programme_reflection_id}"' in page
    for link in re.findall(r'href="([^"]*/portfolio/(?:reflections|records)/[^"]*)"', page):
        assert f"/reflections/{world.programme_reflection_id}" not in link
        assert f"/records/{world.follow_up_id}/" not in link


def test_my_data_holds_evaluation_and_programme_data_and_erasure_removes_them(world: World) -> None:
    client = world.learner()
    mine = client.get("/portfolio/my-data.json")
    assert mine.status_code == 200
    data = json.loads(mine.get_data(as_text=True))
    follow_ups = data["evaluation"]["follow_ups"]
    assert {f["impact"] for f in follow_ups} == {"The family led the plan", "Not for my portfolio"}
    (run,) = data["programmes"]
    assert run["cohort"] == "Cohort A" and run["programme"] == "ten-week-cohort"
    assert [r["fields"]["cpd_title"] for r in run["reflections"]] == ["Case discussion with my set"]
    assert [g["goal"] for g in run["development_plan"]] == ["Lead a family group conference"]

    page = client.get("/portfolio/").get_data(as_text=True)
    assert "Erase my reflections" in page and "questionnaire and follow-up answers" in page
    token = csrf_from(client, "/portfolio/")
    done = client.post("/portfolio/erase", data={"csrf_token": token, "confirm": "erase"})
    assert done.status_code == 303
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "have been erased" in after
    assert "Case discussion with my set" not in after and "The family led the plan" not in after
    assert "Erase my reflections" not in after  # nothing left to erase
    data = json.loads(client.get("/portfolio/my-data.json").get_data(as_text=True))
    assert data["evaluation"]["follow_ups"] == []
    (run,) = data["programmes"]
    assert run["cohort"] == "Cohort A"  # still in the run: the course's record of the programme stays
    assert run["reflections"] == [] and run["development_plan"] == []
    # The other participant's place in the programme is untouched.
    other = world.cohort.learners[1].id
    with world.app.extensions["swott.db"].session() as session:
        assert session.scalars(select(ProgrammeParticipant).where(ProgrammeParticipant.user_id == other)).first()


def test_a_programme_learner_finds_their_timeline_from_the_portfolio_and_the_header(world: World) -> None:
    client = world.learner()
    page = client.get("/portfolio/").get_data(as_text=True)
    assert "Your programme" in page
    timeline = re.search(r'href="([^"]*/programmes/\d+/timeline[^"]*)">Your timeline: Cohort A<', page)
    assert timeline is not None
    opened = client.get(timeline.group(1).replace("&amp;", "&"))
    assert opened.status_code == 200 and "Your programme: Cohort A" in opened.get_data(as_text=True)
    header = re.search(r'href="([^"]*/programmes/mine[^"]*)">Your programme<', page)
    assert header is not None  # the header link (the learner came by the programme placement)
    followed = client.get(header.group(1).replace("&amp;", "&"), follow_redirects=True)
    assert "Your programme: Cohort A" in followed.get_data(as_text=True)


def test_the_exports_hold_the_programme_and_impact_records(world: World) -> None:
    client = world.learner()
    text = client.get("/portfolio/portfolio.txt").get_data(as_text=True)
    assert "Case discussion with my set" in text and "The family led the plan" in text
    exported = client.get("/portfolio/portfolio.json").get_data(as_text=True)
    assert "Case discussion with my set" in exported and "The family led the plan" in exported
    pdf = client.get("/portfolio/portfolio.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Case discussion with my set" in pages
    assert client.get("/portfolio/portfolio.xlsx").status_code == 200
