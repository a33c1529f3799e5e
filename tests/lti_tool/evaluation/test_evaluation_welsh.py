"""The learner's evaluation pages for a `cy-GB` launch (issue 13): the before and after questionnaires
(with the error a send of nothing brings back, and the banner after the L2 submit), the follow-up and
its thank-you page, the session feedback and the "finished" page are `<html lang="cy">` with no English
interface string outside `lang="en-GB"` (the method of tests/lti_tool/views/test_l1_welsh.py). The
toolkit's title, statements and questions are content, marked `lang="en-GB"`. English launches are
covered, unchanged, by test_views.py."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from lti_tool.models import GroupParticipant, GroupSession
from lti_tool.services.evaluation import responses
from lti_tool.views.admin import admin_link
from tests.lti_tool.evaluation.support import T0, answer_both, complete_toolkit, submit_l2
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import course_in, csrf_from, launch_of, local_platform, sign_in, toolkit
from tests.lti_tool.views.test_portfolio_welsh import _assert_welsh
from toolkits.model import Phase


@pytest.fixture
def course(app: Flask) -> Course:
    return course_in(app, learners=1)


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
                  "Cwrdd â phob plentyn yn gyntaf", "Yn rhannol", "Cadw fy ateb", "Gofynnwch i mi nes ymlaen",
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


def test_the_session_feedback_and_the_finished_page_are_in_welsh(app: Flask, course: Course) -> None:
    kit = toolkit()
    learner = course.learners[0]
    with app.extensions["swott.db"].session() as session:
        complete_toolkit(session, course, learner)
        responses.skip(session, user_id=learner.id, context_id=course.context.id, toolkit=kit, phase=Phase.AFTER,
                       now=T0)  # fmt: skip
        group = GroupSession(context_id=course.context.id, toolkit_id=kit.id, title=f"{kit.title}: L2 group session",
                             starts_at=T0 - timedelta(hours=2), format="swott-default", status="closed")  # fmt: skip
        session.add(group)
        session.flush()
        session.add(GroupParticipant(session_id=group.id, user_id=learner.id, attended=True))
        session.commit()
        url = f"/evaluation/sessions/{group.id}/feedback"
    client = _welsh(app, course, "l2")
    asked = client.get("/evaluation/after?submitted=1")
    assert asked.status_code == 303 and url in asked.headers["Location"]
    page = _text(client.get(asked.headers["Location"]))
    _assert_welsh(page, "Adborth ar eich sesiwn grŵp", ": sesiwn grŵp L2, ", "Dau gwestiwn, ar gyfer pwy bynnag",
                  "Pa mor ddefnyddiol oedd y sesiwn grŵp hon i’ch ymarfer?", "Ddim yn ddefnyddiol o gwbl",
                  "Mae eich myfyrdod L2 wedi’i gyflwyno", "Anfon adborth", "Hepgor")  # fmt: skip
    assert f'<span lang="en-GB">{kit.title}</span>: sesiwn grŵp L2' in page  # the title inside, marked
    refused = client.post(url, data={"csrf_token": csrf_from(client, url), "action": "send"})
    assert refused.status_code == 400
    _assert_welsh(_text(refused), "Dewiswch pa mor ddefnyddiol oedd y sesiwn, neu dewiswch ‘Hepgor’")
    sent = client.post(url, data={"csrf_token": csrf_from(client, url), "action": "send", "usefulness": "4"})
    assert sent.status_code == 303
    finished = _text(client.get(sent.headers["Location"]))
    _assert_welsh(finished, "Rydych wedi gorffen y sesiwn grŵp", "Cael eich tystysgrif ar gyfer y pecyn cymorth hwn",
                  "Darllen neu newid eich myfyrdod L2")  # fmt: skip


def test_the_operator_report_across_councils_is_in_welsh_for_a_welsh_session(app: Flask) -> None:
    """The operator's page has no launch: it follows the session's choice made with the language switch."""
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=5, platform=local_platform(session))
        for user in course.learners:
            answer_both(session, course, user, 2, 4, text="Geiriau a rannwyd", share=True)
        session.commit()
    client = app.test_client()
    with app.test_request_context():
        token = admin_link().split("token=", 1)[1]
    url = f"/evaluation/operator?token={token}&toolkit={toolkit().id}"
    assert client.get(f"/language/cy?next={quote(url)}").status_code in (302, 303)
    page = _text(client.get(url))
    _assert_welsh(page, "Tîm SWOTT", "Gwerthuso ar draws cynghorau", "Fesul cyngor", "Cyngor", "Wedi ateb y ddwy waith",
                  "Hyder cyfartalog ar draws pob deilliant dysgu")  # fmt: skip
    assert f'<span lang="en-GB">{toolkit().title}</span>' in page


def test_the_calendar_page_and_its_feed_are_in_welsh(app: Flask, course: Course) -> None:
    """The feed is fetched without a launch: the address a Welsh learner copies says `?lang=cy`."""
    with app.extensions["swott.db"].session() as session:
        submit_l2(session, course, course.learners[0], when=T0)
        session.commit()
    app.extensions["swott.clock"] = lambda: T0 + timedelta(days=1)
    client = _welsh(app, course, "l2")
    done = client.post("/calendar/", data={"csrf_token": csrf_from(client, "/calendar/")})
    page = _text(done)
    _assert_welsh(page, "Cael cyfeiriad calendr newydd")
    found = re.search(r'id="feed-address"[^>]*value="([^"]+)"', page)
    assert found is not None and found.group(1).endswith("?lang=cy")
    feed = app.test_client().get("/" + found.group(1).split("://", 1)[1].split("/", 1)[1])
    calendar = Calendar.from_ical(feed.data)
    assert str(calendar["x-wr-calname"]) == "SWOTT Connect: eich dyddiadau"
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == f"Dilyniant: a wnaethoch chi gyflawni eich cam gweithredu? ({toolkit().title})"
    assert "bydd SWOTT Connect yn gofyn" in str(event["description"])
