"""No time limit a learner can run into inside 20 hours (WCAG 2.2 SC 2.2.1, the 20-hour exception).

A social worker may leave L1 open overnight between visits; the launch token that carries a cookieless
launch and the CSRF token of every form must both still work the next morning.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask

from lti_tool import csrf
from lti_tool.errors import Forbidden
from lti_tool.lti.roles import Role
from lti_tool.lti.session import CurrentLaunch, current_launch, launch_token

HOUR = 3600
_REAL_TIME = time.time
LAUNCH = CurrentLaunch(
    launch_id="launch-overnight",
    user_id=1,
    platform_id=1,
    context_id=1,
    resource_link_id=1,
    role=Role.LEARNER,
    toolkit_id="participatory-practice",
    part="l1",
    deployment_id="1",
    message_type="LtiResourceLinkRequest",
    cookieless=True,
)


def _later(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    now = _REAL_TIME()
    monkeypatch.setattr(time, "time", lambda: now + hours * HOUR)


def test_a_cookieless_launch_still_works_after_21_hours(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.test_request_context("/"):
        token = launch_token(LAUNCH)
    _later(monkeypatch, 21)
    with app.test_request_context(f"/?lt={token}"):
        assert current_launch() == LAUNCH
    _later(monkeypatch, 25)
    with app.test_request_context(f"/?lt={token}"):
        assert current_launch() is None


def test_a_form_still_submits_after_21_hours(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.test_request_context("/"):
        lt = launch_token(LAUNCH)
    with app.test_request_context(f"/?lt={lt}"):
        token = csrf.csrf_token()
    _later(monkeypatch, 21)
    with app.test_request_context(f"/?lt={lt}", method="POST", data={csrf.FIELD: token}):
        csrf.check(app)
    _later(monkeypatch, 25)
    with app.test_request_context(f"/?lt={lt}", method="POST", data={csrf.FIELD: token}), pytest.raises(Forbidden):
        csrf.check(app)
