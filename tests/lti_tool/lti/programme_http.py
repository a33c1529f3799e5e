"""Driving a programme over real HTTP from the sandbox LMS, as a browser's form posts would.

Shared by the gradebook test and the acceptance test: a person launches a sandbox placement, then
posts the tool's forms with the CSRF token and launch id the tool's own pages carry. Every request is
real HTTP to the tool server; nothing reaches into Flask's test client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from lti_tool.services import progress, reflections
from sandbox_platform.browser import follow
from toolkits.model import Toolkit

TOKEN = re.compile(r'<input(?=[^>]*name="csrf_token")[^>]*value="([^"]+)"')


PROGRAMME = "Programme: Ten weeks of practice development"


def add_programme_placement(platform: Any) -> str:
    """The course's placement for the ten-week programme, with its gradebook column, as a lead adds it in
    Moodle; returns the placement's id."""
    placement = platform.add_placement(
        title=PROGRAMME,
        custom={"programme_id": "ten-week-cohort", "part": "programme"},
        line_item={"label": PROGRAMME, "scoreMaximum": 100, "resourceId": "programme:ten-week-cohort",
                   "tag": "swott-programme"},
    )  # fmt: skip
    return str(placement.id)


@dataclass
class Person:
    """One person's HTTP session in the tool, launched from a sandbox placement."""

    http: requests.Session
    tool_url: str
    launch: str  # the launch id the tool's links carry

    @classmethod
    def launch_from(cls, sandbox_url: str, tool_url: str, placement_id: str, user: str) -> Person:
        http = requests.Session()
        page = follow(http, f"{sandbox_url}/launch?user={user}&placement={placement_id}")
        assert page.status_code == 200, page.text[:500]
        found = re.search(r"[?&]launch=([A-Za-z0-9_~-]+)", page.text)
        assert found, "the launched page carries no launch id"
        return cls(http, tool_url, found.group(1))

    def url(self, path: str, launch: str = "") -> str:
        return f"{self.tool_url}{path}{'&' if '?' in path else '?'}launch={launch or self.launch}"

    def get(self, path: str, launch: str = "") -> requests.Response:
        response = self.http.get(self.url(path, launch), timeout=20)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response

    def post(self, path: str, data: dict[str, Any], *, form_page: str = "", launch: str = "") -> requests.Response:
        """Post a form as the page at `form_page` (default `path`) offers it; the page it ends on."""
        page = self.get(form_page or path, launch)
        token = TOKEN.search(page.text)
        assert token, f"no form on {form_page or path}"
        response = self.http.post(self.url(path, launch), data={"csrf_token": token.group(1), **data}, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text[:1500])
        return response


def work_through_l1(sandbox_url: str, tool_url: str, placement_id: str, user: str, kit: Toolkit, day: str) -> str:
    """Launch `kit`'s L1 placement as `user` and complete it in the L1 player as a learner's browser
    would: skip the before questions if asked, step through every page (the Next buttons' POSTs),
    answer each knowledge check rightly, and submit the CPD reflection. Returns the last page's HTML."""
    person = Person.launch_from(sandbox_url, tool_url, placement_id, user)
    landing = person.get("/l1/")
    token = TOKEN.search(landing.text)
    assert token, "the L1 page carries no form"

    def post(path: str, data: dict[str, Any]) -> str:
        response = person.http.post(person.url(path), data={"csrf_token": token.group(1), **data}, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text[:1500])
        return response.text

    if "/questionnaire/before" in landing.text:
        post("/questionnaire/before", {"action": "skip"})
    for step in progress.steps(kit):
        post(f"/l1/page/{step}/view", {})
        page = kit.l1.page(step)
        for question in page.questions if page is not None else ():
            post(f"/l1/page/{step}/answer", {"question": question.id, "option": sorted(question.correct_option_ids)})
    values = {f.id: f"{kit.title} L1: {f.label}" for f in reflections.form_fields(kit)}
    return post("/l1/page/reflection", {**values, "cpd_date": day, "version": "0", "action": "submit"})


def launch_of(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("launch", [""])[0]


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._tables += 1
        elif tag == "tr" and self._tables == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self._tables == 1:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def sandbox_gradebook(sandbox_url: str) -> dict[str, dict[str, str]]:
    """The sandbox's gradebook page as {column label: {person: cell text}} (its first table)."""
    page = requests.get(f"{sandbox_url}/gradebook", timeout=20)
    assert page.status_code == 200
    parser = _Table()
    parser.feed(page.text)
    header, *rows = parser.rows
    labels = [h.split(" | ")[0] for h in header[1:]]
    return {label: {row[0]: row[i + 1] for row in rows} for i, label in enumerate(labels)}
