"""The learner's evaluation pages for a `cy-GB` launch (issue 13): the before and after questionnaires
(with the error a send of nothing brings back, and the banner after the L2 submit), the follow-up and
its thank-you page are `<html lang="cy">` with no English interface string outside `lang="en-GB"`
(the method of tests/lti_tool/views/test_l1_welsh.py). The toolkit's title, statements and questions
are content, marked `lang="en-GB"`. English launches are covered, unchanged, by test_views.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.lti_tool.evaluation.support import T0, submit_l2
from tests.lti_tool.l2_factories import Course, csrf_from, launch_of, local_platform, make_course, sign_in, toolkit
from tests.lti_tool.views.test_portfolio_welsh import _assert_welsh


@pytest.fixture
def course(app: Flask) -> Iterator[Course]:
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=1, platform=local_platform(session))
        session.commit()
    yield course


def _welsh(app: Flask, course: Course, part: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, dataclasses.replace(launch_of(course, course.learners[0], part=part), locale="cy-GB"))
    return client


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_the_before_and_after_questionnaires_are_in_welsh(app: Flask, course: Course) -> None:
    client = _welsh(app, course, "l1")
    kit = toolkit()
    assert kit.questionnaire is not None
    url = "/evaluation/questionnaire/before"
    page = _text(client.get(url))
    _assert_welsh(page, "Cyn i chi ddechrau: pa mor hyderus ydych chi?", "Nesaf: L1 hunanastudio, tua",
                  "Nid yw arweinydd eich cwrs byth yn gweld eich atebion", "Ddim yn hyderus o gwbl", "Hyderus iawn",
                  "Gellir dangos fy atebion ysgrifenedig", "Anfon atebion", "Hepgor y cwestiynau hyn")  # fmt: skip
    assert f'<span lang="en-GB">{kit.title}</span>' in page  # the toolkit's title is content
    statement = kit.questionnaire.confidence[0].replace("'", "&#39;")
    assert f'<span lang="en-GB">{statement}</span>' in page
    refused = client.post(url, data={"csrf_token": csrf_from(client, url), "action": "send"})
    assert refused.status_code == 400
    _assert_welsh(_text(refused), "Mae yna broblem",
                  "Dewiswch pa mor hyderus ydych chi, neu dewiswch ‘Hepgor y cwestiynau hyn’")  # fmt: skip

    after = _text(_welsh(app, course, "l2").get("/evaluation/questionnaire/after?submitted=1"))
    _assert_welsh(after, "Nawr eich bod wedi gorffen: pa mor hyderus ydych chi?", "Llwyddiant",
                  "Mae eich myfyrdod L2 wedi’i gyflwyno", "Dyma’r cwestiynau a ofynnwyd i chi")  # fmt: skip


def test_the_follow_up_and_its_thanks_are_in_welsh(app: Flask, course: Course) -> None:
    with app.extensions["swott.db"].session() as session:
        submit_l2(session, course, course.learners[0], when=T0, action="Cwrdd â phob plentyn yn gyntaf")
        session.commit()
    app.extensions["swott.clock"] = lambda: T0 + timedelta(days=92)
    client = _welsh(app, course, "l2")
    page = _text(client.get("/player/session"))
    _assert_welsh(page, "A wnaethoch chi gyflawni eich cam gweithredu?", "Yr hyn a gynlluniwyd gennych",
                  "Cwrdd â phob plentyn yn gyntaf", "Yn rhannol", "Cadw fy ateb", "Gofynnwch i mi eto",
                  "Peidiwch â gofyn i mi eto", "Ionawr 2027")  # fmt: skip
    refused = client.post("/evaluation/follow-up", data={"csrf_token": csrf_from(client, "/evaluation/follow-up"),
                                                         "action": "send"})  # fmt: skip
    assert refused.status_code == 400
    _assert_welsh(_text(refused), "Dewiswch a wnaethoch chi gyflawni eich cam gweithredu")
    done = client.post("/evaluation/follow-up", data={
        "csrf_token": csrf_from(client, "/evaluation/follow-up"), "action": "send", "carried_out": "partly",
        "what_happened": "Fe wnes i gwrdd â nhw", "impact": "Cawsant eu clywed", "in_portfolio": "y",
    })  # fmt: skip
    assert done.status_code == 303
    thanks = _text(client.get(done.headers["Location"]))
    _assert_welsh(thanks, "Diolch", "Mae eich ateb wedi’i gadw", "Eich cofnodion o’r effaith ar ymarfer",
                  "Yn rhannol — Fe wnes i gwrdd â nhw", "Parhau i’ch gweithgaredd")  # fmt: skip
