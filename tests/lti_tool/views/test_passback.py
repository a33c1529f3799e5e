"""The facilitator's passback page: scores the LMS has not received, and retrying them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool.db import Database
from lti_tool.lti.roles import Role
from lti_tool.lti.session import SESSION_KEY, CurrentLaunch
from lti_tool.models import LtiUser
from lti_tool.services import delivery, outbox
from tests.lti_tool.services.ags_platform import AgsPlatform
from tests.lti_tool.services.passback_support import Course, seed_course, start_platform

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RETRY = re.compile(r'action="([^"]*/passback/(\d+)/retry[^"]*)"')


@pytest.fixture
def ags(app: Flask) -> Iterator[AgsPlatform]:
    platform = start_platform(app.extensions["swott.db"])
    yield platform
    platform.stop()


def _signed_in(app: Flask, course: Course, *, role: Role, launch_id: str = "launch-1") -> FlaskClient:
    database: Database = app.extensions["swott.db"]
    with database.session() as session:
        teacher = LtiUser(platform_id=course.platform_id, sub=f"teacher-{launch_id}", name="Team Manager")
        session.add(teacher)
        session.commit()
        teacher_id = teacher.id
    launch = CurrentLaunch(
        launch_id=launch_id,
        user_id=teacher_id,
        platform_id=course.platform_id,
        context_id=course.context_id,
        resource_link_id=course.link_id,
        role=role,
        toolkit_id="participatory-practice",
        part="l1",
        deployment_id="1",
        message_type="LtiResourceLinkRequest",
    )
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session[SESSION_KEY] = [launch.to_dict()]
    return client


def _queue_started(database: Database, course: Course, learner: int) -> int:
    with database.session() as session:
        record = outbox.enqueue_score(
            session,
            resource_link_id=course.link_id,
            user_id=course.learners[learner].id,
            score_given=None,
            score_maximum=100.0,
            activity_progress="Started",
            grading_progress="NotReady",
        )
        session.commit()
        assert record is not None
        return record.id


def test_learners_cannot_see_the_page(app: Flask, ags: AgsPlatform) -> None:
    course = seed_course(app.extensions["swott.db"], ags)
    client = _signed_in(app, course, role=Role.LEARNER)
    assert client.get("/passback/?launch=launch-1").status_code == 403


def test_facilitator_sees_waiting_scores_and_retries_them(app: Flask, ags: AgsPlatform) -> None:
    database: Database = app.extensions["swott.db"]
    course = seed_course(database, ags)
    ags.fail_with = 503
    first, second = _queue_started(database, course, 0), _queue_started(database, course, 1)
    delivery.deliver_pending(database)
    ags.fail_with = None

    client = _signed_in(app, course, role=Role.FACILITATOR)
    page = client.get("/passback/?launch=launch-1").get_data(as_text=True)
    assert "Learner 0" in page and "Learner 1" in page
    assert page.count("Waiting to retry") == 2 and page.count("(tried 1 time)") == 2
    assert "token request refused: HTTP 503" in page
    token = CSRF.search(page)
    retry_urls = {int(record): url.replace("&amp;", "&") for url, record in RETRY.findall(page)}
    assert token is not None and set(retry_urls) == {first, second}

    response = client.post(retry_urls[first], data={"csrf_token": token.group(1)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    # The retry is sent after the commit, off the facilitator's request.
    assert "Sending now: reload this page in a moment" in page
    assert app.extensions["swott.background"].wait_idle()
    page = client.get("/passback/?launch=launch-1").get_data(as_text=True)
    assert "Learner 0" not in page
    assert [s["userId"] for s in ags.scores_for(course.subs[0])] == [course.subs[0]]

    response = client.post("/passback/retry-all?launch=launch-1", data={"csrf_token": token.group(1)})
    assert response.status_code == 303
    assert app.extensions["swott.background"].wait_idle()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every score has reached your LMS." in page
    assert len(ags.scores) == 2 and ags.score_posts == 2  # each score reached the LMS once


def test_a_score_of_another_course_cannot_be_retried(app: Flask, ags: AgsPlatform) -> None:
    database: Database = app.extensions["swott.db"]
    course = seed_course(database, ags)
    other = seed_course(database, ags, issuer="https://other-council.example.org")
    ags.fail_with = 503
    ours, theirs = _queue_started(database, course, 0), _queue_started(database, other, 0)
    delivery.deliver_pending(database)
    client = _signed_in(app, course, role=Role.FACILITATOR)
    page = client.get("/passback/?launch=launch-1").get_data(as_text=True)
    assert {int(record) for _url, record in RETRY.findall(page)} == {ours}  # the other platform's is not listed
    token = CSRF.search(page)
    assert token is not None
    response = client.post(f"/passback/{theirs}/retry?launch=launch-1", data={"csrf_token": token.group(1)})
    assert response.status_code == 404


def test_the_facilitator_page_links_to_waiting_scores(app: Flask, ags: AgsPlatform) -> None:
    database: Database = app.extensions["swott.db"]
    course = seed_course(database, ags)
    ags.fail_with = 503
    _queue_started(database, course, 0)
    _queue_started(database, course, 1)
    delivery.deliver_pending(database)

    client = _signed_in(app, course, role=Role.FACILITATOR)
    page = client.get("/facilitator/?launch=launch-1").get_data(as_text=True)
    assert "Grades waiting to reach the gradebook" in page
    assert "(2 not delivered yet)" in page
    assert "/passback/?launch=launch-1" in page.replace("&amp;", "&")
