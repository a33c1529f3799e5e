"""A launch is two requests to the tool (issue 15, item 1): the login, then the launch POST, which
answers with the page the person is going to — no redirect chain through /player/ and /l1/."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask

from sandbox_platform.forge import INSTRUCTOR, LTI, Forge
from tests.lti_tool.lti.http_support import launch, page_url, submit


def _counting_session(tool_url: str) -> tuple[requests.Session, list[str]]:
    http = requests.Session()
    seen: list[str] = []

    def hook(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        if response.url.startswith(tool_url):
            seen.append(f"{response.request.method} {urlsplit(response.url).path} {response.status_code}")

    http.hooks["response"].append(hook)
    return http, seen


def test_a_returning_learner_lands_on_their_l1_page_in_two_tool_requests(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, _app = tool_server
    http, seen = _counting_session(url)
    first = launch(http, url, lti_platform, "learner")
    assert 'id="start"' in first.text
    assert seen == ["GET /lti/login 302", "POST /lti/launch 200"]
    # Start, Next: the learner stops on the second page.
    start = submit(http, first)
    assert re.search(r'<h1 class="govuk-heading-l" id="page-title">\s*Introduction\s*</h1>', start.text)
    following = next(f for f in _forms(start.text) if "/l1/page/02-check/view?" in f)

    http.post(url + following, data={"csrf_token": _token(start.text)}, timeout=10)
    seen.clear()
    again = launch(http, url, lti_platform, "learner")
    assert seen == ["GET /lti/login 302", "POST /lti/launch 200"]
    assert re.search(r'<h1 class="govuk-heading-l" id="page-title">\s*Check\s*</h1>', again.text)
    assert page_url(again).startswith("/l1/page/02-check?launch=")


def test_facilitator_and_picker_answer_directly(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, _app = tool_server
    lti_platform.scenarios["teach"] = {LTI + "roles": [INSTRUCTOR], "sub": "teacher-1"}
    http, seen = _counting_session(url)
    page = launch(http, url, lti_platform, "teach")
    assert "You are the <strong>facilitator</strong>" in page.text
    assert seen == ["GET /lti/login 302", "POST /lti/launch 200"]
    assert page_url(page).startswith("/facilitator/")


def _forms(page: str) -> list[str]:
    return [html.unescape(a) for a in re.findall(r'<form[^>]*action="([^"]+)"', page)]


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)
