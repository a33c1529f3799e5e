"""The learner's L2 home page for a launch with `locale` `cy-GB` (issue 13): `<html lang="cy">`, Welsh
interface text, the session's day and times in Welsh, no English interface string left outside the
toolkit's own content. (The other L2 pages are not translated yet: docs/welsh.md.)"""

from __future__ import annotations

import dataclasses
import re

from tests.lti_tool.l1_factories import RecordingOutbox
from tests.lti_tool.l2_factories import launch_of, run_closed_session, sign_in
from tests.lti_tool.views.test_l1_welsh import english_left, interface_text
from tests.lti_tool.views.test_l2 import World, _schedule, world  # noqa: F401 - the `world` fixture


def test_the_l2_home_page_is_in_welsh(world: World) -> None:  # noqa: F811 - the fixture
    _schedule(world, world.client("facilitator"))
    client = world.app.test_client()
    launch = launch_of(world.course, world.course.learners[0])
    sign_in(client, dataclasses.replace(launch, locale="cy-GB"))
    html = client.get("/l2/").get_data(as_text=True)
    assert '<html lang="cy"' in html and "&lt;" not in html.split("<body", 1)[1].replace("&lt;q&gt;", "")
    text = interface_text(html)
    assert "Eich sesiwn grŵp" in text and "Pryd" in text and "Ymuno â’r alwad fideo" in text
    assert "Dydd Mawrth 3 Rhagfyr 2030" in text  # the session's day, in Welsh
    assert english_left(html) == []


def test_the_l2_reflection_page_is_in_welsh(world: World) -> None:  # noqa: F811 - the fixture
    learner = world.course.learners[0]
    with world.app.extensions["swott.db"].session() as session:
        run_closed_session(session, world.course, [learner], RecordingOutbox())
        session.commit()
    client = world.app.test_client()
    sign_in(client, dataclasses.replace(launch_of(world.course, learner), locale="cy-GB"))
    keep = client.get("/l2/reflection").get_data(as_text=True)  # first: which feedforward to keep
    assert '<html lang="cy"' in keep and "Dechrau ysgrifennu" in interface_text(keep)
    assert english_left(keep) == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', keep)
    assert token is not None
    html = client.post("/l2/reflection/start", data={"csrf_token": token.group(1)}, follow_redirects=True)
    page = html.get_data(as_text=True)
    assert '<html lang="cy"' in page
    text = interface_text(page)
    assert "Eich cofnod DPP ar gyfer Social Work England" in text and "Cyflwyno’r myfyrdod" in text
    assert english_left(page) == []
    # The record's title starts as the toolkit's (English content) with the tool's own words in Welsh.
    assert re.search(r'name="cpd_title"[^>]*value="[^"]+\(sesiwn grŵp L2 SWOTT\)"', page), "the title box"
    assert "L2 group session" not in page


def test_the_l2_reflection_before_attending_says_why_in_welsh(world: World) -> None:  # noqa: F811 - the fixture
    client = world.app.test_client()
    sign_in(client, dataclasses.replace(launch_of(world.course, world.course.learners[1]), locale="cy-GB"))
    refused = client.get("/l2/reflection")
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    text = interface_text(html)
    assert "Mae’r myfyrdod L2 yn agor pan fyddwch wedi’ch marcio’n bresennol" in text
    assert "opens once you are marked as attending" not in text and english_left(html) == []


def test_the_group_session_page_of_the_player_is_in_welsh(world: World) -> None:  # noqa: F811 - the fixture
    client = world.app.test_client()
    sign_in(client, dataclasses.replace(launch_of(world.course, world.course.learners[0], part="l2"), locale="cy-GB"))
    html = client.get("/player/session").get_data(as_text=True)
    assert '<html lang="cy"' in html
    text = interface_text(html)
    assert "Sesiwn grŵp L2 · tua" in text and "Mae eich hwylusydd yn cynnal y sesiwn hon" in text
    assert "L2 group session" not in text and english_left(html) == []
