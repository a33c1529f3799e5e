"""Cohort and programme evaluation reports over HTTP: nothing below 5, figures from 5, CSV the same."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask

from lti_tool.services.evaluation.reports import NOT_ENOUGH
from tests.lti_tool.evaluation.programme_support import AFTER_END, answer_programme
from tests.lti_tool.l2_factories import local_platform
from tests.lti_tool.programme_factories import make_cohort, template
from tests.lti_tool.views.test_programme_views import World, _text


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """Cohort A has 5 participants, cohort B (another course of the same council) 4; all answer."""
    with app.extensions["swott.db"].session() as session:
        platform = local_platform(session)
        a = make_cohort(session, learners=5, platform=platform, name="Cohort A")
        b = make_cohort(session, learners=4, platform=platform, name="Cohort B")
        other = make_cohort(session, learners=1, platform=platform, name="Elsewhere", template_id="six-week-cohort")
        for user in a.learners:
            answer_programme(session, a.the_run, user, 2, 4, text="Cohort A words", share=True)
        for index, user in enumerate(b.learners):
            answer_programme(session, b.the_run, user, 1 + index, 5, text=f"Only B {index}", share=True)
        session.commit()
    app.extensions["swott.clock"] = lambda: AFTER_END
    yield World(app, a, b, other)


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_cohort_of_4_shows_nothing_and_a_cohort_of_5_shows_the_change(world: World) -> None:
    small = world.lead(world.b)
    run_b = world.b.the_run.id
    page = _text(small.get(f"/evaluation/cohort/{run_b}"))
    assert "Evaluation report for one cohort: Cohort B" in page and NOT_ENOUGH in page
    assert 'id="confidence-table"' not in page and "Only B" not in page and "<svg" not in page
    rows = _csv(small.get(f"/evaluation/cohort/{run_b}.csv").get_data(as_text=True))
    assert ["Confidence", "All learning outcomes", "4", "", "", "", "", "", "", NOT_ENOUGH] in rows
    assert not any(r[0].startswith("Confidence before") for r in rows)
    assert not any("Only B" in cell for r in rows for cell in r)

    big = world.lead(world.a)
    run_a = world.a.the_run.id
    page = _text(big.get(f"/evaluation/cohort/{run_a}"))
    assert NOT_ENOUGH not in page.split('id="confidence"', 1)[1].split("What people wrote", 1)[0]
    assert "<svg" in page and 'id="confidence-table"' in page and "Cohort A words" in page
    assert "Feedback on the group sessions" in page  # its workshops' and set meetings' (none given yet)
    programme = template()
    assert programme.questionnaire is not None
    assert programme.questionnaire.confidence[0] in page
    rows = _csv(big.get(f"/evaluation/cohort/{run_a}.csv").get_data(as_text=True))
    before = [r for r in rows if r[0] == "Confidence before"]
    assert len(before) == len(programme.questionnaire.confidence)
    assert before[0][2:9] == ["5", "0", "5", "0", "0", "0", "2.0"]
    assert ["Response rate", "Answered before the programme", "5", *[""] * 6, "100%"] in rows


def test_the_programme_report_counts_every_cohort_of_the_council(world: World) -> None:
    lead = world.lead(world.b)
    page = _text(lead.get(f"/evaluation/programme/{template().id}"))
    assert "Evaluation report for every cohort of this programme" in page
    assert "<svg" in page and "Only B 0" in page and "Cohort A words" in page  # 9 together
    rows = _csv(lead.get(f"/evaluation/programme/{template().id}.csv").get_data(as_text=True))
    assert ["Response rate", "Answered both", "9", *[""] * 6, ""] in rows
    # Another course's cohort of another programme: not the lead's to see, and not in this report.
    assert lead.get("/evaluation/programme/six-week-cohort").status_code == 404
    assert lead.get(f"/evaluation/cohort/{world.a.the_run.id}").status_code == 404
    learner = world.client(world.b.learners[0], world.b, part="pg")
    assert learner.get(f"/evaluation/cohort/{world.b.the_run.id}").status_code == 403
