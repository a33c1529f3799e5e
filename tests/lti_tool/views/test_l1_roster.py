"""The facilitator page's L1 roster: every course member from NRPS with their L1 status.

Over real HTTP: the tool and the sandbox platform run in threads, people launch from the sandbox's
course page (OIDC login, signed id_token), and the roster comes from the sandbox's NRPS endpoint.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import requests

from sandbox_platform import browser
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture
from tests.lti_tool.lti.http_support import page_url

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(
    r'<tr class="govuk-table__row">\s*<th scope="row" class="govuk-table__header">([^<]*)</th>\s*'
    r'<td class="govuk-table__cell">([^<]*)</td>',
    re.S,
)


class Person:
    """Someone in the sandbox course with their own browser session, after launching the L1 link."""

    def __init__(self, stack: Stack, user: str) -> None:
        self.stack = stack
        self.http = requests.Session()
        response = browser.follow(self.http, stack.launch_url(user))
        assert response.status_code == 200, response.text
        # The launch answers with the page itself, which names its own address (with the launch id).
        found = re.search(r"[?&]launch=([\w-]+)", page_url(response))
        assert found is not None, response.url
        self.launch_id = found.group(1)
        self.page = response.text
        # Reload the page the launch answered with (its own address), not the launch POST.
        self.url = urljoin(response.url, page_url(response))

    def reload(self) -> str:
        """Load the page again, once the background work the last view asked for is done."""
        assert self.stack.app.extensions["swott.background"].wait_idle()
        response = self.http.get(self.url, timeout=10)
        assert response.status_code == 200, response.text
        self.page = response.text
        return self.page

    def get(self, path: str) -> str:
        response = self.http.get(f"{self.stack.tool.url}{path}", params={"launch": self.launch_id}, timeout=10)
        assert response.status_code == 200, response.text
        return response.text

    def view(self, step: str) -> str:
        """Move to a step as Next does: a POST (a GET never records progress)."""
        return self.post(f"/l1/page/{step}/view", {})

    def post(self, path: str, data: dict[str, str | list[str]]) -> str:
        token = CSRF.search(self.get(path.removesuffix("/answer").removesuffix("/view")))
        assert token is not None
        response = self.http.post(
            f"{self.stack.tool.url}{path}",
            params={"launch": self.launch_id},
            data={**data, "csrf_token": token.group(1)},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.text


def _roster(page: str) -> dict[str, str]:
    return {html.unescape(name): " ".join(status.split()) for name, status in ROW.findall(page)}


def _complete(person: Person, *, right: bool) -> None:
    for step in ("01-intro", "02-check", "03-thinking"):
        person.view(step)
    person.post("/l1/page/02-check/answer", {"question": "q-one", "option": "a" if right else "b"})
    person.post("/l1/page/02-check/answer", {"question": "q-two", "option": ["a", "b"]})
    boxes = ["description", "feelings", "evaluation", "analysis", "conclusion", "action_plan",
             "cpd_title", "cpd_type", "cpd_description", "cpd_learnt", "cpd_impact"]  # fmt: skip
    values: dict[str, str | list[str]] = {box: "Written" for box in boxes}
    page = person.post("/l1/page/reflection", {**values, "cpd_date": "2026-11-20", "version": "0", "action": "submit"})
    assert "You have completed L1" in page


def test_every_member_is_listed_with_their_l1_status(stack: Stack) -> None:
    platform = stack.platform
    sam = Person(stack, "learner1")
    for step in ("01-intro", "02-check"):
        sam.view(step)
    _complete(Person(stack, "learner2"), right=False)
    # learner3 never opens the activity: only the roster (NRPS) knows them.
    facilitator = Person(stack, "facilitator")
    assert "You are the <strong>facilitator</strong>" in facilitator.page
    # The first sync runs in the background, never in the facilitator's request: the page says so...
    assert "We are fetching the course list from your LMS" in facilitator.page
    assert platform.user("learner3").name not in _roster(facilitator.page)
    # ... and a moment later the whole course is listed, with when it came from the LMS.
    roster = _roster(facilitator.reload())
    assert "Course list from your LMS, last updated at" in facilitator.page
    assert roster == {
        platform.user("learner1").name: "In progress, 33% done",  # 2 of 3 pages, 0 of 2 questions, no reflection
        platform.user("learner2").name: "Completed, score 50% (passed)",
        platform.user("learner3").name: "Not started",
    }
    assert platform.user("facilitator").name not in roster


def test_without_the_platforms_roster_the_table_lists_who_has_launched_and_says_so(stack: Stack) -> None:
    Person(stack, "learner1").view("01-intro")
    stack.platform.script.fail(503, count=20, services=("nrps",))
    facilitator = Person(stack, "facilitator")
    facilitator.reload()  # the background refresh has failed by now
    assert "could not get the course list from your LMS" in facilitator.page
    assert "last updated" not in facilitator.page
    assert _roster(facilitator.page) == {stack.platform.user("learner1").name: "In progress, 16% done"}
