"""Valid launches the 1EdTech certification also sends: several roles, a short role, an unknown role,
no role, email only, names only, no personal data, no context. Each must open the right page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import Context, Enrolment, LtiUser
from sandbox_platform.forge import INSTRUCTOR, LEARNER, LTI, Forge
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login
from tests.lti_tool.lti.http_support import page_url

CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "several roles": ({LTI + "roles": [LEARNER, INSTRUCTOR]}, "/facilitator/", "facilitator"),
    "short role name": ({LTI + "roles": ["Instructor"]}, "/facilitator/", "facilitator"),
    "unknown role": ({LTI + "roles": ["http://example.com/roles#Juggler"]}, "/player/", "learner"),
    "no role": ({LTI + "roles": []}, "/player/", "learner"),
    "email only": ({"name": None, "email": "only@example.invalid"}, "/player/", "learner"),
    "names only": (
        {"name": None, "email": None, "given_name": "Ada", "family_name": "Lovelace"},
        "/player/",
        "learner",
    ),
    "no personal data": ({"name": None, "email": None}, "/player/", "learner"),
    "no context": ({LTI + "context": None}, "/player/", "learner"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_valid_certification_launch(case: str, lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge) -> None:
    changes, path, role = CASES[case]
    state, nonce = begin_login(lti_client, lti_platform)
    body = lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch", **changes)
    response = lti_client.post("/lti/launch", data={"id_token": lti_platform.sign(body), "state": state})
    # The launch answers with the page itself (no redirect), which names its own address.
    assert response.status_code == 200
    assert page_url(response).startswith(path)
    assert lti_client.get(page_url(response)).status_code == 200
    with lti_app.app_context():
        session = web.db_session()
        assert session.scalars(select(Enrolment)).one().role == role
        user = session.scalars(select(LtiUser)).one()
        if case == "names only":
            assert user.name == "Ada Lovelace" and user.email == ""
        if case == "no context":
            assert session.scalars(select(Context)).one().context_id == "_deployment:1"
