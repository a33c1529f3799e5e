"""No AGS or NRPS call inside a learner's or facilitator's request (issue 15 item 3).

Over real HTTP against the sandbox platform: every outbound HTTP request the tool makes is counted,
with whether it was made while a request to the tool was being served (on that request's thread).
Learners work through L1 and a facilitator opens their pages; the count inside requests must be 0,
while the background still brings the scores to the gradebook and the course list to the page, and
each change in what the gradebook shows is posted once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from tests.lti_tool.l1_stack import Stack, running_stack
from tests.lti_tool.views.test_l1_roster import Person, _complete, _roster


class OutboundCounter:
    """Counts outbound HTTP sends, split by whether a tool request was being served on that thread."""

    def __init__(self, app: Flask) -> None:
        self.serving = threading.local()
        self.in_requests: list[str] = []
        self.elsewhere: list[str] = []
        app.before_request(self._start)
        app.teardown_request(self._end)

    def _start(self) -> None:
        self.serving.active = True

    def _end(self, _error: BaseException | None) -> None:
        self.serving.active = False

    def record(self, url: str) -> None:
        (self.in_requests if getattr(self.serving, "active", False) else self.elsewhere).append(url)


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stack, OutboundCounter]]:
    with running_stack(tmp_path) as stack:
        counter = OutboundCounter(stack.app)
        send = requests.adapters.HTTPAdapter.send

        def counting_send(adapter: requests.adapters.HTTPAdapter, request: Any, **kwargs: Any) -> Any:
            counter.record(str(request.url))
            return send(adapter, request, **kwargs)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", counting_send)
        yield stack, counter


def test_learner_and_facilitator_requests_make_no_outbound_calls(counted: tuple[Stack, OutboundCounter]) -> None:
    stack, counter = counted
    background = stack.app.extensions["swott.background"]
    # A first launch may fetch the platform's signing keys (cached afterwards; registration may already
    # have): not a service call, so it is left out of the count.
    sam = Person(stack, "learner1")
    counter.in_requests.clear()

    chris = Person(stack, "learner2")
    _complete(chris, right=False)  # every page, both questions and the reflection
    for step in ("01-intro", "02-check", "01-intro", "02-check"):
        sam.view(step)  # paging back and forth (Next / Previous posts) changes nothing in the gradebook
    facilitator = Person(stack, "facilitator")
    facilitator.get("/passback/")
    roster = _roster(facilitator.reload())

    assert counter.in_requests == []  # no token, AGS or NRPS request while a page was being served
    assert background.wait_idle()
    assert any("/token" in url for url in counter.elsewhere)  # the background did the talking
    assert roster[stack.platform.user("learner3").name] == "Not started"  # NRPS arrived, off the request
    assert roster[stack.platform.user("learner2").name] == "Completed, score 50% (passed)"

    # The gradebook got every change once: no identical score twice, nothing refused as a duplicate.
    for user in ("learner1", "learner2"):
        shown = [
            (s["activityProgress"], s["gradingProgress"], s.get("scoreGiven")) for s in stack.accepted_scores(user)
        ]
        assert shown and all(a != b for a, b in itertools.pairwise(shown))
    assert stack.accepted_scores("learner2")[-1]["gradingProgress"] == "FullyGraded"
    assert [(s["activityProgress"], s["gradingProgress"]) for s in stack.accepted_scores("learner1")] == [
        ("Started", "NotReady"),
        ("InProgress", "Pending"),
    ]
    assert {s.status for s in stack.platform.scores} == {200}
