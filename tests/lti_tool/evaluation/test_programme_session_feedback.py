"""Session feedback after a programme's workshops and action learning set meetings, over HTTP (issue 12):
offered to attendees once the register is in, from the timeline and the meeting's page; skippable; one
answer per participant per meeting; and in the cohort and programme reports only from 5 people."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from lti_tool.models import LtiUser, ProgrammeEvent, ProgrammeRun, SessionFeedback
from lti_tool.services.evaluation import feedback, programme_reports
from lti_tool.services.evaluation.reports import NOT_ENOUGH
from lti_tool.services.programmes import group_sessions, runs
from tests.lti_tool.evaluation.programme_support import AFTER_END, answer_programme
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import local_platform
from tests.lti_tool.programme_factories import Cohort, catalogue, make_cohort, template
from tests.lti_tool.views.test_portfolio_welsh import _assert_welsh
from tests.lti_tool.views.test_programme_views import World, _post, _text, make_world


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """Cohort A: 5 participants; cohort B (same course): 1; another course: 1."""
    yield make_world(app, learners=5)


def _participant_ids(world: World, cohort: Cohort) -> dict[int, int]:
    with world.app.extensions["swott.db"].session() as session:
        run = session.get_one(ProgrammeRun, cohort.the_run.id)
        return {m.user.id: m.participant.id for m in runs.members(session, run)}


def _register(world: World, event: ProgrammeEvent, present: list[LtiUser], cohort: Cohort | None = None) -> None:
    cohort = cohort or world.a
    ids = _participant_ids(world, cohort)
    page = f"/programmes/{cohort.the_run.id}/events/{event.id}"
    data: dict[str, object] = {"present": [str(ids[u.id]) for u in present]}
    if event.activity_id == "action-learning-set":
        data.update({f"role-{pid}": "consultant" for pid in ids.values()})
    done = _post(world.lead(cohort), f"{page}/register", data, form_page=page)
    assert done.status_code == 303


def _feedback_url(world: World, event: ProgrammeEvent) -> str:
    return f"/programmes/{world.a.the_run.id}/events/{event.id}/feedback"


def _rows(world: World) -> list[SessionFeedback]:
    with world.app.extensions["swott.db"].session() as session:
        found = list(session.scalars(select(SessionFeedback).where(SessionFeedback.event_id.is_not(None))))
        session.expunge_all()
        return found


def _give(world: World, client: FlaskClient, event: ProgrammeEvent, usefulness: int, change: str = "",
          share: bool = False) -> None:  # fmt: skip
    data: dict[str, object] = {"action": "send", "usefulness": str(usefulness), "change": change}
    if share:
        data["share"] = "y"
    assert _post(client, _feedback_url(world, event), data).status_code == 303


def test_an_attendee_is_offered_feedback_after_the_register_and_answers_once(world: World) -> None:
    workshop = world.events("launch-workshop")[0]
    there, absent = world.a.learners[0], world.a.learners[1]
    client = world.client(there, world.a)
    timeline_url = f"/programmes/{world.a.the_run.id}/timeline"
    # Before the register: nothing offered, and the form is closed.
    assert "Give feedback" not in _text(client.get(timeline_url))
    assert client.get(_feedback_url(world, workshop)).status_code == 403

    lead_page = _text(world.lead().get(f"/programmes/{world.a.the_run.id}/events/{workshop.id}"))
    assert "everyone marked present is asked two questions about the session" in lead_page
    _register(world, workshop, [there])
    timeline = _text(client.get(timeline_url))
    assert "How did it go?" in timeline and f"Give feedback on {workshop.title}" in timeline
    assert client.get(_feedback_url(world, workshop)).status_code == 200
    # Someone who missed it is asked nothing, and cannot open the form.
    away = world.client(absent, world.a)
    assert "Give feedback" not in _text(away.get(timeline_url))
    assert away.get(_feedback_url(world, workshop)).status_code == 403
    # Another cohort's participant: not their run.
    assert world.client(world.b.learners[0], world.b).get(_feedback_url(world, workshop)).status_code == 404

    # Sending without a rating comes back with the error and what was typed.
    refused = _post(client, _feedback_url(world, workshop), {"action": "send", "change": "More breaks"})
    assert refused.status_code == 400
    assert "Choose how useful the session was" in _text(refused) and "More breaks" in _text(refused)

    sent = _post(client, _feedback_url(world, workshop),
                 {"action": "send", "usefulness": "4", "change": "More breaks", "share": "y"})  # fmt: skip
    assert sent.status_code == 303 and "feedback=sent" in sent.headers["Location"]
    after = _text(client.get(sent.headers["Location"]))
    assert "your feedback on the session is sent" in after and "Feedback sent" in after
    assert "How did it go?" not in after
    # One answer: the form now goes back to the timeline, and a second POST changes nothing.
    assert client.get(_feedback_url(world, workshop)).status_code == 303
    _post(
        client,
        _feedback_url(world, workshop),
        {"action": "send", "usefulness": "1"},
        form_page=f"/programmes/{world.a.the_run.id}/plan",
    )
    rows = _rows(world)
    assert [(r.event_id, r.usefulness, r.change_text, r.share_text) for r in rows] == [
        (workshop.id, 4, "More breaks", True)
    ]


def test_each_set_meeting_asks_its_own_and_a_skip_is_kept(world: World) -> None:
    learner = world.a.learners[0]
    client = world.client(learner, world.a)
    sets = world.events("action-learning-set")
    assert len(sets) >= 2
    for meeting in sets[:2]:
        _register(world, meeting, world.a.learners)
    # The meeting's own page (its reflection) offers it too, apart from the reflection.
    page = _text(client.get(f"/programmes/{world.a.the_run.id}/events/{sets[0].id}/reflection"))
    assert "Separately from your reflection" in page and _feedback_url(world, sets[0]) in page

    skipped = _post(client, _feedback_url(world, sets[0]), {"action": "skip"})
    assert skipped.status_code == 303
    timeline = _text(client.get(skipped.headers["Location"]))
    assert "you will not be asked about it again" in timeline
    assert _feedback_url(world, sets[0]) not in timeline  # skipped: asked no more
    assert _feedback_url(world, sets[1]) in timeline  # the next meeting asks its own
    _give(world, client, sets[1], 5)
    page = _text(client.get(f"/programmes/{world.a.the_run.id}/events/{sets[1].id}/reflection"))
    assert "Separately from your reflection" not in page
    assert sorted((r.event_id, r.status, r.usefulness) for r in _rows(world)) == sorted(
        [(sets[0].id, "skipped", 0), (sets[1].id, "answered", 5)]
    )


def _summary_value(page: str, key: str) -> str:
    found = re.search(re.escape(key) + r"\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", page)
    assert found is not None, key
    return found.group(1)


def test_the_cohort_report_shows_feedback_from_5_people_and_not_from_4(world: World) -> None:
    lead = world.lead()
    run_id = world.a.the_run.id
    workshop = world.events("launch-workshop")[0]
    sets = world.events("action-learning-set")
    _register(world, workshop, world.a.learners)
    _register(world, sets[0], world.a.learners)
    four = world.a.learners[:4]
    for index, user in enumerate(four):
        client = world.client(user, world.a)
        _give(world, client, workshop, 5 - index % 2, f"Start on time {index}", share=index != 3)
        _give(world, client, sets[0], 3)  # 8 answers, still only 4 people
    page = _text(lead.get(f"/evaluation/cohort/{run_id}"))
    section = page.split('id="session-feedback"', 1)[1]
    assert NOT_ENOUGH in section and "4 so far" in section
    assert 'id="feedback-table"' not in page and "Start on time" not in page
    rows = list(csv.reader(io.StringIO(_text(lead.get(f"/evaluation/cohort/{run_id}.csv")))))
    assert ["Session feedback", "How useful the session was", "4", *[""] * 6, NOT_ENOUGH] in rows
    assert not any("Start on time" in cell for r in rows for cell in r)

    fifth = world.client(world.a.learners[4], world.a)
    _give(world, fifth, workshop, 2, "Ask Mrs Patel to come back", share=True)
    page = _text(lead.get(f"/evaluation/cohort/{run_id}"))
    section = page.split('id="session-feedback"', 1)[1]
    assert NOT_ENOUGH not in section and "9 answers from 5 people." in section
    table = section.split('id="feedback-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'govuk-table__cell--numeric">([^<]*)<', table) == ["0", "1", "4", "2", "2", "3.6"]
    # Shared words only (not number 3's), in alphabetical order, a name flagged.
    assert "Start on time 3" not in page
    assert page.index("Ask Mrs Patel") < page.index("Start on time 0") < page.index("Start on time 2")
    assert re.search(r"Ask Mrs Patel to come back <strong[^>]*>May identify someone:", page)
    rows = list(csv.reader(io.StringIO(_text(lead.get(f"/evaluation/cohort/{run_id}.csv")))))
    assert ["Session feedback", "How useful the session was", "5", "0", "1", "4", "2", "2", "3.6", ""] in rows
    assert ["Session feedback", "Answers", "9", *[""] * 6, ""] in rows
    said = [r for r in rows if r[0] == "What people would change"]
    assert [r[1] for r in said] == ["Ask Mrs Patel to come back", "Start on time 0", "Start on time 1",
                                    "Start on time 2"]  # fmt: skip
    assert said[0][-1].startswith("May identify someone: a name")
    # The programme report (every cohort of the council's courses) holds the same answers.
    whole = _text(lead.get(f"/evaluation/programme/{template().id}"))
    assert "9 answers from 5 people." in whole


def test_finished_the_programme_counts_those_who_answered_at_the_end(app: Flask) -> None:
    """The run is still running and nobody has every activity done, yet all 5 answered the after questions."""
    with app.extensions["swott.db"].session() as session:
        cohort = make_cohort(session, learners=5, platform=local_platform(session))
        for user in cohort.learners:
            answer_programme(session, cohort.the_run, user, 2, 4)
        session.commit()
    app.extensions["swott.clock"] = lambda: AFTER_END
    world = World(app, cohort, cohort, cohort)
    page = _text(world.lead(cohort).get(f"/evaluation/cohort/{cohort.the_run.id}"))
    assert _summary_value(page, "Finished the programme (asked at the end)") == "5"
    assert "5 (100% of those asked); 0 skipped" in page
    rows = list(csv.reader(io.StringIO(_text(world.lead(cohort).get(f"/evaluation/cohort/{cohort.the_run.id}.csv")))))
    assert ["Response rate", "Answered at the end", "5", *[""] * 6, "100%"] in rows


def test_the_feedback_page_and_the_cohort_report_heading_are_in_welsh(world: World) -> None:
    with world.app.extensions["swott.db"].session() as session:  # the lead's own words for the cohort
        session.get_one(ProgrammeRun, world.a.the_run.id).cohort_name = "Carfan A"
        session.commit()
    workshop = world.events("launch-workshop")[0]
    _register(world, workshop, world.a.learners[:1])
    learner = world.a.learners[0]
    client = world.app.test_client()
    sign_in(client, CurrentLaunch(
        launch_id=f"cy-{learner.id}", user_id=learner.id, platform_id=world.a.platform.id,
        context_id=world.a.context.id, resource_link_id=world.a.link.id, role=Role.LEARNER,
        toolkit_id="ten-week-cohort", part="pg", deployment_id="1", message_type="LtiResourceLinkRequest",
        locale="cy-GB",
    ))  # fmt: skip
    timeline = _text(client.get(f"/programmes/{world.a.the_run.id}/timeline"))
    _assert_welsh(timeline, "Sut aeth hi?", "Rhoi adborth ar y sesiwn")
    form = _text(client.get(_feedback_url(world, workshop)))
    _assert_welsh(form, "Adborth ar y sesiwn", "Pa mor ddefnyddiol oedd y sesiwn hon i’ch ymarfer?",
                  "Ddim yn ddefnyddiol o gwbl", "Anfon adborth", "Hepgor")  # fmt: skip
    refused = _post(client, _feedback_url(world, workshop), {"action": "send"})
    assert refused.status_code == 400
    _assert_welsh(_text(refused), "Dewiswch pa mor ddefnyddiol oedd y sesiwn")

    lead = world.app.test_client()
    sign_in(lead, dataclasses.replace(CurrentLaunch(
        launch_id=f"cy-lead-{world.a.lead.id}", user_id=world.a.lead.id, platform_id=world.a.platform.id,
        context_id=world.a.context.id, resource_link_id=world.a.link.id, role=Role.FACILITATOR, toolkit_id="",
        part="programme", deployment_id="1", message_type="LtiResourceLinkRequest",
    ), locale="cy-GB"))  # fmt: skip
    report = _text(lead.get(f"/evaluation/cohort/{world.a.the_run.id}"))
    assert "Adroddiad gwerthuso ar gyfer un garfan: Carfan A" in report
    assert "Yr adroddiad ar gyfer pob carfan o’r rhaglen hon" in report
    whole = _text(lead.get(f"/evaluation/programme/{template().id}"))
    assert "Adroddiad gwerthuso ar gyfer pob carfan o’r rhaglen hon" in whole


def test_the_cohort_report_counts_the_feedback_on_its_toolkit_l2_sessions_too(app: Flask) -> None:
    """A toolkit L2 occurrence runs as an L2 group session, whose feedback the L2 pages ask for."""
    with app.extensions["swott.db"].session() as session:
        cohort = make_cohort(session, learners=5, platform=local_platform(session))
        run = cohort.the_run
        programme = template()
        event = next(e for e in runs.events(session, run) if e.activity_id == "participation-l2")
        activity = programme.activity(event.activity_id)
        assert activity is not None and activity.toolkit
        toolkit = catalogue().get(activity.toolkit)
        assert toolkit is not None
        event.place = "Civic Centre, room 4"
        group = group_sessions.open_session(session, run, event, toolkit)
        for user in cohort.learners:
            feedback.give(session, group, user_id=user.id, usefulness=4, change_text="", share_text=False,
                          now=AFTER_END)  # fmt: skip
        report = programme_reports.build(session, programme=programme, runs=[run], now=AFTER_END)
        assert report.feedback is not None and report.feedback.usefulness is not None
        assert (report.feedback.respondents, report.feedback.usefulness.counts) == (5, (0, 0, 0, 5, 0))
        other = make_cohort(session, learners=1, platform=cohort.platform, name="Cohort B")
        alone = programme_reports.build(session, programme=programme, runs=[other.the_run], now=AFTER_END)
        assert alone.feedback is not None and alone.feedback.respondents == 0
