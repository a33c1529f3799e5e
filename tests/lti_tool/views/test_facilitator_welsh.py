"""The facilitator's pages and the live L2 pages for a launch with `locale` `cy-GB` (issue 13): the plan,
the control page before, during and after a session, the confirm step, the shared screen, a participant's
live page, the dashboard, a session-pack document, the facilitator's home with its L1 roster, the grades
waiting for the gradebook, the deep-link picker and the accessibility statement all come out with
`<html lang="cy">`, Welsh interface text, and no English interface string outside `lang="en-GB"` content
(the method of test_l1_welsh.py: every catalogue msgid whose Welsh differs is looked for in the text a
reader meets in the page's own language)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from lti_tool.lti import claims
from lti_tool.models import LtiUser, Platform
from lti_tool.services import subscriptions
from tests.lti_tool.l2_factories import csrf_from, launch_of, sign_in
from tests.lti_tool.views.test_l1_welsh import english_left, interface_text
from tests.lti_tool.views.test_l2 import World, _attend_and_close, _schedule, world  # noqa: F401 - `world`

NAMES = ("Eleri Jones", "Dafydd Rees", "Siân Hughes")


@pytest.fixture
def cymru(world: World) -> Iterator[World]:  # noqa: F811 - the fixture
    """The L2 test world with people named as a Welsh council's might be: the factories' "Learner 7"
    would otherwise read as an English interface word left untranslated."""
    with world.session() as session:
        for user, name in zip(world.course.learners, NAMES, strict=True):
            session.get(LtiUser, user.id).name = name  # type: ignore[union-attr]
        session.get(LtiUser, world.course.facilitator.id).name = "Gwen Morgan"  # type: ignore[union-attr]
        session.commit()
    yield world


def _welsh(place: World, who: str, *, part: str = "l2") -> FlaskClient:
    """A browser launched into the course with `locale` `cy-GB`: the facilitator, or learner 'a'."""
    client = place.app.test_client()
    course = place.course
    if who == "facilitator":
        launch = launch_of(course, course.facilitator, part=part, role="facilitator")
    else:
        launch = launch_of(course, course.learners["abc".index(who)], part=part)
    sign_in(client, dataclasses.replace(launch, locale="cy-GB"))
    return client


def _welsh_page(client: FlaskClient, url: str, *expected: str, status: int = 200) -> str:
    """GET `url`: in Welsh, with each `expected` Welsh phrase, no escaped markup and no English left."""
    response = client.get(url)
    assert response.status_code == status, url
    return _checked(response.get_data(as_text=True), url, *expected)


def _checked(html: str, url: str, *expected: str) -> str:
    assert '<html lang="cy"' in html, url
    assert "&lt;span" not in html and "&lt;p" not in html and "&lt;strong" not in html, url
    text = interface_text(html)
    for phrase in expected:
        assert phrase in text, (url, phrase)
    assert english_left(html) == [], url
    return html


def _post(client: FlaskClient, url: str, form_page: str, data: dict[str, object]) -> tuple[int, str]:
    token = csrf_from(client, form_page)
    response = client.post(url, data={"csrf_token": token, **data})
    return response.status_code, response.get_data(as_text=True)


def test_planning_and_the_dashboard_are_in_welsh(cymru: World) -> None:
    facilitator = _welsh(cymru, "facilitator")
    _welsh_page(facilitator, "/l2/plan", "Cynllunio L1 ac L2", "Dim dyddiad cau wedi’i osod.", "Trefnu sesiwn")

    # A form error: the summary, the inline messages and the title in Welsh, what was typed kept.
    status, html = _post(facilitator, "/l2/sessions", "/l2/plan", {"start_time": "half ten"})
    assert status == 400
    _checked(html, "/l2/sessions (error)", "Mae yna broblem", "Rhowch amser fel 10yb, 2:30yh neu 14:30")
    assert "<title>Gwall:" in html

    status, _html = _post(
        facilitator, "/l2/plan/deadline", "/l2/plan", {"deadline_day": ["1", "12", "2030"], "deadline_time": "5pm"}
    )
    assert status == 303
    group = _schedule(cymru, facilitator)
    plan = _welsh_page(
        facilitator,
        f"/l2/plan?scheduled={group.id}",
        "Sesiwn wedi’i threfnu",
        "Dydd Mawrth 3 Rhagfyr 2030",  # the session's day, in Welsh
        "2 wedi’u gwahodd",
        "Cynnal y sesiwn hon",
    )
    assert re.search(r"Dyddiad cau L1.*1 Rhagfyr 2030, 5yh", interface_text(plan))

    # Removing the deadline asks first, in Welsh.
    status, html = _post(facilitator, "/l2/plan/deadline/remove", "/l2/plan", {})
    assert status == 200
    _checked(
        html, "confirm: remove the deadline", "Dileu’r dyddiad cau L1?", "Ie, dileu’r dyddiad cau", "Na, mynd yn ôl"
    )

    _welsh_page(facilitator, "/l2/dashboard", "Pwy sy’n barod, pwy sydd wedi gorffen", "Lawrlwytho fel CSV", "Pawb")
    _welsh_page(facilitator, "/l2/dashboard?filter=completed", "L1 wedi’i gwblhau")
    _welsh_page(facilitator, "/l2/document/case-study?back=/l2/plan", "Yn ôl")


def test_running_a_session_and_following_it_are_in_welsh(cymru: World) -> None:
    facilitator = _welsh(cymru, "facilitator")
    group = _schedule(cymru, facilitator)
    run = f"/l2/sessions/{group.id}/run"
    control = _welsh_page(facilitator, run, "Rheoli’r sesiwn", "Dechrau’r sesiwn", "Presenoldeb", "Agenda")
    learner = _welsh(cymru, "a")
    live = f"/l2/sessions/{group.id}/live"
    waiting = _welsh_page(
        learner, live, "Nid yw’r sesiwn wedi dechrau eto.", "Gallwch anfon adborth pan fydd y sesiwn yn dechrau."
    )
    screen = _welsh_page(facilitator, f"/l2/sessions/{group.id}/screen")
    for page in (control, waiting, screen):  # the toolkit's title in the default title: English content, marked
        assert re.search(r'<h1 class="govuk-heading-l[^"]*"><span lang="en-GB">[^<]+</span>: sesiwn grŵp L2</h1>', page)

    # Starting on another day than the one scheduled asks first (the confirm step), in Welsh.
    status, html = _post(facilitator, f"/l2/sessions/{group.id}/control", run, {"action": "start"})
    assert status == 200
    _checked(html, "confirm: start", "Dechrau’r sesiwn heddiw?", "Ie, ei dechrau heddiw", "Dydd Mawrth 3 Rhagfyr 2030")
    status, _html = _post(facilitator, f"/l2/sessions/{group.id}/control", run, {"action": "start", "confirmed": "yes"})
    assert status == 303
    _post(facilitator, f"/l2/sessions/{group.id}/control", run, {"action": "reveal"})

    _welsh_page(facilitator, run, "Eitem nesaf yr agenda", "Dangos y cam nesaf", "Nawr", "Yn aros i chi ei gymeradwyo")
    page = _welsh_page(learner, live, "Astudiaeth achos", "Rhoi adborth neu adborth ymlaen", "Eich geiriau")
    assert "Adborth ymlaen: syniad am yr hyn y gallen nhw ei wneud nesaf" in interface_text(page)

    # Feedback sent, waiting for approval, then shared: the kinds and "for the whole group" in Welsh.
    status, html = _post(learner, f"/l2/sessions/{group.id}/feedback", live, {"kind": "feedback", "text": ""})
    assert status == 400
    _checked(html, "feedback error", "Mae yna broblem", "Ysgrifennwch rywbeth cyn ei anfon")
    status, _html = _post(
        learner, f"/l2/sessions/{group.id}/feedback", live, {"kind": "feedforward", "text": "Try a genogram."}
    )
    assert status == 303
    control = _welsh_page(facilitator, run, "Cymeradwyo", "Cuddio")
    assert "Adborth ymlaen i Y grŵp gan" in interface_text(control)
    _welsh_page(facilitator, f"/l2/sessions/{group.id}/screen", "Adborth ac adborth ymlaen a rannwyd")

    status, html = _post(facilitator, f"/l2/sessions/{group.id}/control", run, {"action": "close"})
    assert status == 200
    _checked(html, "confirm: close", "Cau’r sesiwn?", "Ie, cau’r sesiwn")
    _post(facilitator, f"/l2/sessions/{group.id}/control", run, {"action": "close", "confirmed": "yes"})
    _welsh_page(facilitator, run, "Mae’r sesiwn hon ar gau.")
    _welsh_page(learner, live, "Mae’r sesiwn ar gau.", "Ysgrifennu eich myfyrdod L2")


def test_the_facilitator_home_passback_picker_and_statement_are_in_welsh(cymru: World) -> None:
    facilitator = _welsh(cymru, "facilitator", part="l1")
    _welsh_page(
        facilitator,
        "/facilitator/",
        "Hwylusydd",
        "Beth i’w wneud nesaf",
        "Pwy sydd wedi gwneud L1",
        "Wedi cwblhau, sgôr",  # learner a finished L1
        "Heb ddechrau",
    )
    _welsh_page(facilitator, "/passback/", "Graddau nad ydynt yn eich LMS eto", "Mae pob sgôr wedi cyrraedd eich LMS.")
    _welsh_page(facilitator, "/accessibility", "Datganiad hygyrchedd SWOTT Connect", "Statws cydymffurfio")

    with cymru.session() as session:  # the picker offers what the platform subscribes to
        subscriptions.grant(session, session.get(Platform, cymru.course.platform.id), [None])  # type: ignore[arg-type]
    picker = cymru.app.test_client()
    launch = launch_of(cymru.course, cymru.course.facilitator, role="facilitator")
    deep_link = dataclasses.replace(
        launch,
        resource_link_id=None,
        part="",
        message_type=claims.DEEP_LINKING_REQUEST,
        deep_link={"deep_link_return_url": "https://lms.example.org/return", "accept_multiple": True},
        locale="cy-GB",
    )
    sign_in(picker, deep_link)
    page = _welsh_page(picker, "/lti/deep-link", "Ychwanegu pecyn cymorth SWOTT at eich cwrs", "Ychwanegu at y cwrs")
    assert "Hunanastudio L1" in interface_text(page) or "L1 hunanastudio" in interface_text(page)
    status, html = _post(picker, "/lti/deep-link", "/lti/deep-link", {})
    assert status == 400
    _checked(html, "picker error", "Mae yna broblem", "Dewiswch o leiaf un rhan o becyn cymorth")


def test_the_l2_reflections_autosave_replies_and_warnings_are_in_welsh(cymru: World) -> None:
    """The messages services/reflections.py writes in English (a stale tab, an over-long box, details that
    may identify someone) reach a Welsh learner in Welsh: in autosave's JSON and on the page."""
    _attend_and_close(cymru)
    learner = _welsh(cymru, "a")
    _post(learner, "/l2/reflection/start", "/l2/reflection", {})
    token = csrf_from(learner, "/l2/reflection")
    typed = {"csrf_token": token, "autosave": "1", "what": "I met Mrs Khan at SW1A 1AA."}
    saved = learner.post("/l2/reflection", data={**typed, "version": "1"})
    assert saved.status_code == 200
    warnings = {w["message"] for w in saved.get_json()["warnings"]}
    assert "Mae “Mrs Khan” yn edrych fel teitl a chyfenw." in warnings
    assert "Mae “SW1A 1AA” yn edrych fel cod post." in warnings

    stale = learner.post("/l2/reflection", data={**typed, "version": "1"})
    assert stale.status_code == 409
    assert stale.get_json()["message"].startswith("Cafodd y myfyrdod hwn ei newid mewn tab neu ffenestr arall")
    assert stale.get_json()["advice"].startswith("Copïwch unrhyw beth rydych am ei gadw")

    long = learner.post("/l2/reflection", data={**typed, "version": "2", "what": "x" * 20_001})
    assert long.status_code == 400
    assert "nod o hyd. Gall blwch fod yn 20,000 nod ar y mwyaf." in long.get_json()["message"]

    page = _welsh_page(learner, "/l2/reflection", "Mae “Mrs Khan” yn edrych fel teitl a chyfenw.")
    assert "looks like" not in page
