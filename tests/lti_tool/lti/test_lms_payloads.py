"""Replay launches shaped like real Moodle and Canvas ones, signed with a test key.

Moodle shape: mod/lti/locallib.php (`lti_build_request`, `lti_build_standard_message`) and the LTI 1.3
claim mapping in `lti_convert_to_jwt` / `lti_get_jwt_claim_mapping` (Moodle 4.1): short-lived token
(60 s), `context.type` CourseSection, roles with institution + membership + system URIs, AGS URLs with
`?type_id=N`, NRPS under `/mod/lti/services.php/CourseSection/...`.
Canvas shape: Canvas LMS docs "LTI Launch Overview" (Canvas API docs, file.lti_launch_overview) and
lib/lti/messages/jwt_message.rb: issuer https://canvas.instructure.com for every instance, `azp`,
deployment ids `N:hash`, opaque `sub` and context ids, Canvas's extra claims.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_tool import web
from lti_tool.models import Context, Enrolment, LtiUser, Platform, ResourceLink, utcnow
from lti_tool.services import registrations, subscriptions
from sandbox_platform.forge import SigningKey
from tests.conftest import make_app
from tests.lti_tool.lti.conftest import TOOLKITS, row_counts
from tests.lti_tool.lti.http_support import query

MOODLE = "https://moodle.council.example"
CANVAS = "https://canvas.instructure.com"
CANVAS_DEPLOYMENT = "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
TOOL = "http://127.0.0.1:5000/lti/launch"


def moodle_claims(nonce: str, roles: list[str]) -> dict[str, Any]:
    now = int(time.time())
    return {
        "nonce": nonce,
        "iat": now,
        "exp": now + 60,
        "iss": MOODLE,
        "aud": "sXk2Ic2b0LIJyB1",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "3",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": TOOL,
        "sub": "27",
        "https://purl.imsglobal.org/spec/lti/claim/lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
        "https://purl.imsglobal.org/spec/lti/claim/roles": roles,
        "https://purl.imsglobal.org/spec/lti/claim/context": {
            "id": "14",
            "label": "CSW-2026",
            "title": "Children's social work CPD 2026",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"],
        },
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"title": "Participation toolkit", "id": "41"},
        "https://purl.imsglobal.org/spec/lti-bos/claim/basicoutcomesservice": {},
        "given_name": "Sam",
        "family_name": "Example",
        "name": "Sam Example",
        "https://purl.imsglobal.org/spec/lti/claim/ext": {"user_username": "sam.example", "lms": "moodle-2"},
        "email": "sam@council.example",
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
            "locale": "en",
            "document_target": "iframe",
            "return_url": MOODLE + "/mod/lti/return.php?course=14&launch_container=3&instanceid=41&sesskey=abc",
        },
        "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
            "product_family_code": "moodle",
            "version": "2022112800",
            "guid": "moodle.council.example",
            "name": "Council Learning",
            "description": "Council Learning",
        },
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": MOODLE + "/mod/lti/services.php/14/lineitems?type_id=3",
            "lineitem": MOODLE + "/mod/lti/services.php/14/lineitems/88/lineitem?type_id=3",
        },
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": MOODLE + "/mod/lti/services.php/CourseSection/14/bindings/3/memberships",
            "service_versions": ["1.0", "2.0"],
        },
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"toolkit_id": "mini", "part": "l1"},
    }


def canvas_claims(nonce: str, roles: list[str]) -> dict[str, Any]:
    now = int(time.time())
    return {
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {
            "id": "6a8aaca162bfc4393804afd4cd53cd94413c48bb",
            "description": None,
            "title": "Participation toolkit",
            "validation_context": None,
            "errors": {"errors": {}},
        },
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": "https://council.instructure.com/api/lti/courses/512/line_items",
            "lineitem": "https://council.instructure.com/api/lti/courses/512/line_items/97",
            "validation_context": None,
            "errors": {"errors": {}},
        },
        "aud": "10000000000042",
        "azp": "10000000000042",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": CANVAS_DEPLOYMENT,
        "exp": now + 3600,
        "iat": now,
        "iss": CANVAS,
        "nonce": nonce,
        "sub": "535fa085-2a33-4c1c-9c6b-4fc3a7c1e0a0",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": TOOL,
        "https://purl.imsglobal.org/spec/lti/claim/context": {
            "id": "4dde05e8ca1973bcca9bffc13e1548820eee93a3",
            "label": "CSW",
            "title": "Children's social work CPD",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            "validation_context": None,
            "errors": {"errors": {}},
        },
        "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
            "guid": "Wr3dPNpk9IeG3BPbzzwgbBqGkfK3NBeRDQZD4O1i:canvas-lms",
            "name": "Council",
            "version": "cloud",
            "product_family_code": "canvas",
            "validation_context": None,
            "errors": {"errors": {}},
        },
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
            "document_target": "iframe",
            "height": 400,
            "width": 800,
            "return_url": "https://council.instructure.com/courses/512/external_content/success/external_tool_redirect",
            "locale": "en-GB",
            "validation_context": None,
            "errors": {"errors": {}},
        },
        "locale": "en-GB",
        "https://purl.imsglobal.org/spec/lti/claim/roles": roles,
        "https://purl.imsglobal.org/spec/lti/claim/custom": {
            "toolkit_id": "mini",
            "part": "l2",
            "canvas_course_id": "512",
        },
        "https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id": "a1b2c3",
        "https://purl.imsglobal.org/spec/lti/claim/lti1p1": {"user_id": "a1b2c3", "validation_context": None},
        "errors": {"errors": {}},
        "https://www.instructure.com/placement": None,
    }


@pytest.fixture
def lms_key() -> SigningKey:
    return SigningKey()


def _register(app: Flask, issuer: str, client_id: str, deployment: str, key: SigningKey, login: str) -> None:
    """Register with the key set already cached: the real LMS key set URL is never contacted."""
    with app.app_context():
        session = web.db_session()
        platform = registrations.add_platform(
            session,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=login,
            auth_token_url=issuer + "/token",
            key_set_url=issuer + "/jwks",
            deployment_ids=[deployment],
        )
        platform.key_set = {"keys": [key.public_jwk()]}
        platform.key_set_fetched_at = utcnow()
        subscriptions.grant(session, platform, [None])


@pytest.fixture
def lms_app(tmp_path: Path, lms_key: SigningKey) -> Flask:
    app = make_app(tmp_path, toolkits_dir=str(TOOLKITS))
    _register(app, MOODLE, "sXk2Ic2b0LIJyB1", "3", lms_key, MOODLE + "/mod/lti/auth.php")
    _register(
        app,
        CANVAS,
        "10000000000042",
        CANVAS_DEPLOYMENT,
        lms_key,
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
    )
    return app


def _login(client: FlaskClient, issuer: str, client_id: str, deployment: str) -> tuple[str, str]:
    response = client.post(
        "/lti/login",
        data={
            "iss": issuer,
            "login_hint": "27",
            "target_link_uri": TOOL,
            "lti_message_hint": "opaque",
            "client_id": client_id,
            "lti_deployment_id": deployment,
        },
    )
    assert response.status_code == 302
    auth = query(response.headers["Location"])
    assert auth["lti_message_hint"] == "opaque" and auth["prompt"] == "none"
    return auth["state"], auth["nonce"]


def _post_launch(client: FlaskClient, state: str, token: str) -> TestResponse:
    """The platform's form post of the id_token to the tool, redirects followed."""
    return client.post("/lti/launch", data={"id_token": token, "state": state}, follow_redirects=True)


def test_moodle_teacher_launch_in_a_course_section(lms_app: Flask, lms_key: SigningKey) -> None:
    client = lms_app.test_client()
    state, nonce = _login(client, MOODLE, "sXk2Ic2b0LIJyB1", "3")
    roles = [
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    ]
    response = _post_launch(client, state, lms_key_sign(lms_key, moodle_claims(nonce, roles)))
    assert response.status_code == 200
    assert "You are the <strong>facilitator</strong>" in response.get_data(as_text=True)
    with lms_app.app_context():
        session = web.db_session()
        context = session.scalars(select(Context)).one()
        assert context.context_id == "14" and context.title == "Children's social work CPD 2026"
        assert context.memberships_url.endswith("/CourseSection/14/bindings/3/memberships")
        link = session.scalars(select(ResourceLink)).one()
        assert link.lineitem_url.endswith("/lineitems/88/lineitem?type_id=3")
        assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
        assert session.scalars(select(Enrolment)).one().role == "facilitator"


def test_moodle_student_launch_without_client_id_in_login(lms_app: Flask, lms_key: SigningKey) -> None:
    """Moodle before 4.0 omitted client_id at login; one registration for the issuer is enough."""
    client = lms_app.test_client()
    response = client.get(
        "/lti/login", query_string={"iss": MOODLE, "login_hint": "27", "target_link_uri": TOOL, "lti_message_hint": "x"}
    )
    assert response.status_code == 302
    auth = query(response.headers["Location"])
    token = lms_key_sign(
        lms_key, moodle_claims(auth["nonce"], ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    )
    page = _post_launch(client, auth["state"], token)
    assert page.status_code == 200 and 'id="start"' in page.get_data(as_text=True)


def test_canvas_student_launch_with_n_hash_deployment(lms_app: Flask, lms_key: SigningKey) -> None:
    client = lms_app.test_client()
    state, nonce = _login(client, CANVAS, "10000000000042", CANVAS_DEPLOYMENT)
    roles = [
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#User",
    ]
    page = _post_launch(client, state, lms_key_sign(lms_key, canvas_claims(nonce, roles)))
    assert page.status_code == 200
    assert "L2 group session" in page.get_data(as_text=True)
    with lms_app.app_context():
        session = web.db_session()
        user = session.scalars(select(LtiUser)).one()
        platform = session.get(Platform, user.platform_id)
        assert platform is not None and platform.issuer == CANVAS
        assert session.scalars(select(ResourceLink)).one().part == "l2"


def test_canvas_deployment_of_another_council_is_refused(lms_app: Flask, lms_key: SigningKey) -> None:
    """Same issuer and client, a deployment id that was never registered: 403, nothing written."""
    client = lms_app.test_client()
    before = row_counts(lms_app)
    state, nonce = _login(client, CANVAS, "10000000000042", CANVAS_DEPLOYMENT)
    claims = canvas_claims(nonce, [])
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "13:0000aa05b4b79b64a91a86042e43af5ea8ae79eb"
    response = client.post("/lti/launch", data={"id_token": lms_key_sign(lms_key, claims), "state": state})
    assert response.status_code == 403
    assert row_counts(lms_app) == before


def lms_key_sign(key: SigningKey, claims: dict[str, Any]) -> str:
    import jwt

    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})
