"""Every link in a shipped toolkit's L2 documents opens a tool page inside the launch (issue 10, item 5)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool.services import l2
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import catalogue, launch_of, local_platform, sign_in
from toolkits.render import is_internal, render_markdown

SHIPPED = ("making-safeguarding-personal", "participatory-practice", "social-ecological-assessment")
BODY = re.compile(r'<div class="[^"]*\bpage-body\b[^"]*">(.*?)</div>', re.S)
LINK = re.compile(r'(?:href|src)="([^"]+)"')


def course_for(app: Flask, toolkit_id: str) -> Course:
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=1, platform=local_platform(session), toolkit_id=toolkit_id)
        session.commit()
        return course


def client_for(app: Flask, course: Course, who: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    if who == "facilitator":
        launch = launch_of(course, course.facilitator, role="facilitator")
    else:
        launch = launch_of(course, course.learners[0])
    sign_in(client, launch)
    return client, launch.launch_id


def toolkit_links(html: str) -> list[str]:
    """The links and images of the toolkit's Markdown on a page (its `page-body` blocks)."""
    return [href.replace("&amp;", "&") for body in BODY.findall(html) for href in LINK.findall(body)]


def follow_all(client: FlaskClient, launch_id: str, page: str) -> list[str]:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    found = [href for href in toolkit_links(response.get_data(as_text=True)) if not href.startswith(("http", "mailto"))]
    for href in found:
        assert parse_qs(urlsplit(href).query).get("launch") == [launch_id], f"{href} on {page} loses the launch"
        opened = client.get(href.split("#")[0])
        status = opened.status_code
        opened.close()  # an asset is streamed from its file
        assert status == 200, f"{href} on {page} gives {status}"
    return found


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_each_link_in_the_facilitators_documents_opens_in_the_launch(app: Flask, toolkit_id: str) -> None:
    course = course_for(app, toolkit_id)
    client, launch_id = client_for(app, course, "facilitator")
    followed = []
    for name in ("facilitator-guide", "participant-sheet", "case-study"):
        followed += follow_all(client, launch_id, f"/l2/document/{name}?launch={launch_id}")
    kit = catalogue().get(toolkit_id)
    assert kit is not None
    if "](case-study.md)" in kit.l2.facilitator_guide.body:
        assert any("/l2/document/case-study" in href for href in followed)


def document_link(page: str, name: str) -> str:
    """The page's link to an L2 document (any attribute order)."""
    for tag in re.findall(r"<a\b[^>]*>", page):
        found = re.search(r'href="([^"]*/l2/document/' + name + r'[^"]*)"', tag)
        if found:
            return html.unescape(found.group(1))
    raise AssertionError(f"no link to {name} on the page")


def back_link(page: str) -> str:
    for tag in re.findall(r"<a\b[^>]*>", page):
        if "govuk-back-link" in tag and (found := re.search(r'href="([^"]+)"', tag)):
            return html.unescape(found.group(1))
    raise AssertionError("no back link on the page")


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_each_link_in_the_participants_documents_opens_in_the_launch(app: Flask, toolkit_id: str) -> None:
    course = course_for(app, toolkit_id)
    client, launch_id = client_for(app, course, "learner")
    # The L2 home page links to the sheet (not a copy folded into the page), with the way back to it.
    sheet_href = document_link(client.get(f"/l2/?launch={launch_id}").get_data(as_text=True), "participant-sheet")
    assert parse_qs(urlsplit(sheet_href).query).get("launch") == [launch_id]
    on_sheet = follow_all(client, launch_id, sheet_href)
    kit = catalogue().get(toolkit_id)
    assert kit is not None
    in_sheet = [h for h in LINK.findall(render_markdown(kit.l2.participant_sheet.body)) if is_internal(h)]
    assert len(on_sheet) >= len(in_sheet)
    assert f"/l2/?launch={launch_id}" in back_link(client.get(sheet_href).get_data(as_text=True))
    for name in ("participant-sheet", "case-study"):
        follow_all(client, launch_id, f"/l2/document/{name}?launch={launch_id}")


def test_the_guide_link_to_the_sheet_shows_it_with_a_back_link_to_the_guide(app: Flask) -> None:
    course = course_for(app, "social-ecological-assessment")
    client, launch_id = client_for(app, course, "facilitator")
    guide = client.get(f"/l2/document/facilitator-guide?launch={launch_id}").get_data(as_text=True)
    sheet_href = next(h for h in toolkit_links(guide) if "/l2/document/participant-sheet" in h)
    sheet = client.get(sheet_href).get_data(as_text=True)
    kit = catalogue().get("social-ecological-assessment")
    assert kit is not None
    heading = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', sheet)
    assert heading and html.unescape(heading.group(1)) == kit.l2.participant_sheet.title
    back = re.search(r'<a href="([^"]+)" class="govuk-back-link"', sheet)
    assert back and "/l2/document/facilitator-guide" in back.group(1) and f"launch={launch_id}" in back.group(1)


def test_learners_cannot_open_the_facilitator_guide_nor_see_the_stages_early(app: Flask) -> None:
    course = course_for(app, "participatory-practice")
    client, launch_id = client_for(app, course, "learner")
    refused = client.get(f"/l2/document/facilitator-guide?launch={launch_id}")
    assert refused.status_code == 403
    assert "for course facilitators" in refused.get_data(as_text=True)
    case = client.get(f"/l2/document/case-study?launch={launch_id}").get_data(as_text=True)
    kit = catalogue().get("participatory-practice")
    assert kit is not None
    assert kit.l2.stages[1].title not in case
    assert "shown during the group session" in case


def test_an_unknown_document_is_a_plain_not_found_page(app: Flask) -> None:
    course = course_for(app, "participatory-practice")
    client, launch_id = client_for(app, course, "facilitator")
    response = client.get(f"/l2/document/toolkit.yaml?launch={launch_id}")
    assert response.status_code == 404
    assert "There is no such document" in response.get_data(as_text=True)


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_each_link_in_the_guide_on_the_run_page_opens_in_the_launch(app: Flask, toolkit_id: str) -> None:
    course = course_for(app, toolkit_id)
    kit = catalogue().get(toolkit_id)
    assert kit is not None
    with app.extensions["swott.db"].session() as session:
        group = l2.schedule_session(
            session,
            context_id=course.context.id,
            toolkit=kit,
            starts_at=datetime.now(UTC) + timedelta(days=3),
            place="Town hall",
        )
        session.commit()
        group_id = group.id
    client, launch_id = client_for(app, course, "facilitator")
    run_page = client.get(f"/l2/sessions/{group_id}/run?launch={launch_id}").get_data(as_text=True)
    guide_href = document_link(run_page, "facilitator-guide")
    followed = follow_all(client, launch_id, guide_href)
    guide_links = [h for h in LINK.findall(render_markdown(kit.l2.facilitator_guide.body)) if is_internal(h)]
    assert len(followed) >= len(guide_links)
    # The guide's Back link returns to the run page, in the launch.
    back = back_link(client.get(guide_href).get_data(as_text=True))
    assert f"/l2/sessions/{group_id}/run" in back and f"launch={launch_id}" in back
