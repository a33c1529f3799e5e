"""A programme's dates take a time as the L2 plan page does (issue 13): "2yh", "10 y.b.", "2pm" and "14:00"
in the one time box (`lti_tool.forms.TimeOfDayField`), with the same hint and the same message for a time it
cannot read, in English and in Welsh; a time it cannot read changes nothing and keeps what was typed."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lti_tool.dates import to_uk
from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch
from lti_tool.models import ProgrammeEvent
from tests.lti_tool.l1_factories import sign_in
from tests.lti_tool.l2_factories import csrf_from
from tests.lti_tool.views.test_programme_views import World
from tests.lti_tool.views.test_programme_views import world as world

WELSH_HINT, ENGLISH_HINT = "Er enghraifft, 10yb neu 14:30", "For example, 10am or 14:30"
WELSH_ERROR, ENGLISH_ERROR = "Rhowch amser fel 10yb, 2:30yh neu 14:30", "Enter a time like 10am, 2:30pm or 14:30"


def _lead(world: World, locale: str) -> FlaskClient:
    cohort = world.a
    client = world.app.test_client()
    sign_in(client, CurrentLaunch(
        launch_id=f"times-{locale}", user_id=cohort.lead.id, platform_id=cohort.platform.id,
        context_id=cohort.context.id, resource_link_id=cohort.link.id, role=Role.FACILITATOR, toolkit_id="",
        part="programme", deployment_id="1", message_type="LtiResourceLinkRequest", locale=locale,
    ))  # fmt: skip
    return client


def _save(client: FlaskClient, url: str, start_time: str) -> TestResponse:
    return client.post(url, data={
        "csrf_token": csrf_from(client, url), "day": ["12", "10", "2027"], "start_time": start_time,
        "place": "Neuadd y Sir", "video_link": "https://meet.example/abc", "save": "1",
    })  # fmt: skip


def _event(world: World, event_id: int) -> ProgrammeEvent:
    with world.app.extensions["swott.db"].session() as session:
        event: ProgrammeEvent = session.get_one(ProgrammeEvent, event_id)
        session.expunge(event)
        return event


# A workshop, an action learning set meeting, a coaching one-to-one, a discovery day, protected time.
KINDS = ("assessment-workshop", "action-learning-set", "coaching", "discovery-day", "protected-time")


@pytest.mark.parametrize(
    ("activity", "typed", "meant"),
    [(KINDS[0], "2yh", time(14)), (KINDS[1], "10 y.b.", time(10)), (KINDS[2], "2:30 y.h.", time(14, 30)),
     (KINDS[3], "9yb", time(9)), (KINDS[4], "canol dydd", time(12))],
)  # fmt: skip
def test_a_welsh_lead_sets_a_date_with_a_welsh_12_hour_time(
    world: World, activity: str, typed: str, meant: time
) -> None:
    lead = _lead(world, "cy-GB")
    event = world.events(activity)[0]
    url = f"/programmes/{world.a.the_run.id}/events/{event.id}"
    page = lead.get(url).get_data(as_text=True)
    assert WELSH_HINT in page and ENGLISH_HINT not in page
    assert _save(lead, url, typed).status_code == 303
    saved = to_uk(_event(world, event.id).starts_at)
    assert (saved.date(), saved.time()) == (date(2027, 10, 12), meant)  # BST that day: the UK time as typed
    again = lead.get(url).get_data(as_text=True)  # the box shows the saved time as a Welsh page writes it
    shown = {time(14): "2yh", time(10): "10yb", time(14, 30): "2:30yh", time(9): "9yb", time(12): "12yh"}[meant]
    assert f'value="{shown}"' in again


@pytest.mark.parametrize(("typed", "meant"), [("2pm", time(14)), ("10:30 a.m.", time(10, 30)), ("14:00", time(14))])
def test_an_english_lead_sets_a_date_with_a_12_hour_time(world: World, typed: str, meant: time) -> None:
    lead = _lead(world, "en-GB")
    event = world.events("assessment-workshop")[0]
    url = f"/programmes/{world.a.the_run.id}/events/{event.id}"
    assert ENGLISH_HINT in lead.get(url).get_data(as_text=True)
    assert _save(lead, url, typed).status_code == 303
    saved = to_uk(_event(world, event.id).starts_at)
    assert (saved.date(), saved.time()) == (date(2027, 10, 12), meant)
    html = lead.get(f"/programmes/{world.a.the_run.id}").get_data(as_text=True)
    assert "12 October 2027" in html


@pytest.mark.parametrize(("locale", "message"), [("en-GB", ENGLISH_ERROR), ("cy-GB", WELSH_ERROR)])
def test_a_time_the_box_cannot_read_is_refused_keeps_what_was_typed_and_saves_nothing(
    world: World, locale: str, message: str
) -> None:
    lead = _lead(world, locale)
    event = world.events("action-learning-set")[0]
    before = _event(world, event.id)
    url = f"/programmes/{world.a.the_run.id}/events/{event.id}"
    refused = _save(lead, url, "half ten-ish")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert html.count(message) == 2  # the error summary and the box's own message
    assert 'value="half ten-ish"' in html and 'value="Neuadd y Sir"' in html
    assert 'value="https://meet.example/abc"' in html and 'value="12"' in html and 'value="2027"' in html
    after = _event(world, event.id)
    assert (after.starts_at, after.place, after.video_link, after.sequence) == (
        before.starts_at, before.place, before.video_link, before.sequence,
    )  # fmt: skip
