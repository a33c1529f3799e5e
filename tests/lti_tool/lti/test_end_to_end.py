"""End to end over real HTTP: the tool served by Werkzeug in a thread, the test platform with its own
keys, and a client that follows the redirects and submits the auto-posting forms as a browser would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import requests
from flask import Flask
from sqlalchemy import select

from lti_tool import web
from lti_tool.models import Context, Enrolment, LtiUser, Platform, ResourceLink, Subscription, ToolkitSchedule
from lti_tool.services import registrations, subscriptions
from sandbox_platform.forge import DL, INSTRUCTOR, LTI, Forge
from tests.lti_tool.lti.conftest import registration_params, sandbox
from tests.lti_tool.lti.http_support import forms, launch, page_url, submit

OFFERED = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


def _delete_all(app: Flask, model: type[Platform] | type[Subscription]) -> None:
    with app.app_context():
        session = web.db_session()
        for row in session.scalars(select(model)):
            session.delete(row)
        session.commit()


def _verify_with_tool_jwks(token: str, tool_url: str, **kwargs: Any) -> dict[str, Any]:
    keys = requests.get(tool_url + "/lti/jwks.json", timeout=5).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    return dict(jwt.decode(token, key, algorithms=["RS256"], **kwargs))


def test_learner_launch_reaches_the_l1_start_page(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, app = tool_server
    lti_platform.scenarios["learner"] = {}
    http = requests.Session()
    page = launch(http, url, lti_platform, "learner")
    assert page.status_code == 200
    assert page_url(page).startswith("/player/")
    assert "A minimal test toolkit" in page.text
    assert "Introduction" in page.text and "Thinking" in page.text  # the contents list
    assert 'id="start"' in page.text
    assert "frame-ancestors 'self' " + lti_platform.base_url in page.headers["Content-Security-Policy"]
    with app.app_context():
        session = web.db_session()
        user = session.scalars(select(LtiUser)).one()
        assert user.sub == "user-1" and user.name == "Test Person"
        enrolment = session.scalars(select(Enrolment)).one()
        assert enrolment.role == "learner"
        link = session.scalars(select(ResourceLink)).one()
        assert (link.toolkit_id, link.part, link.link_id) == ("mini", "l1", "link-1")
        assert session.scalars(select(Context)).one().title == "Social work practice"


def test_instructor_launch_reaches_the_facilitator_page(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, _app = tool_server
    lti_platform.scenarios["teach"] = {LTI + "roles": [INSTRUCTOR], "sub": "teacher-9"}
    page = launch(requests.Session(), url, lti_platform, "teach")
    assert page.status_code == 200
    assert page_url(page).startswith("/facilitator/")
    assert "You are the <strong>facilitator</strong>" in page.text
    assert "Social work practice" in page.text and "L1 self-study" in page.text


def test_l2_link_opens_the_session_landing_page(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, _app = tool_server
    lti_platform.scenarios["l2"] = {LTI + "custom": {"toolkit_id": "mini", "part": "l2"}}
    page = launch(requests.Session(), url, lti_platform, "l2")
    assert page_url(page).startswith("/l2/")
    assert "L2 group session" in page.text and "Your group session" in page.text


def _picker_subscribed_to_mini_only(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> tuple[str, requests.Session, requests.Response]:
    """An instructor's deep-linking picker on a platform subscribed to "mini" only (not "second")."""
    url, app = tool_server
    _delete_all(app, Subscription)
    with app.app_context():
        session = web.db_session()
        platform = registrations.find_platform(session, lti_platform.issuer, lti_platform.client_id)
        assert platform is not None
        subscriptions.grant(session, platform, ["mini"])
    lti_platform.scenarios["dl"] = lti_platform.deep_link_request([INSTRUCTOR])
    http = requests.Session()
    return url, http, launch(http, url, lti_platform, "dl")


def test_deep_linking_returns_a_signed_jwt_with_the_chosen_items(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, http, picker = _picker_subscribed_to_mini_only(tool_server, lti_platform)
    assert picker.status_code == 200 and page_url(picker).startswith("/lti/deep-link")
    assert "A minimal test toolkit" in picker.text
    assert "A second test toolkit" not in picker.text
    offered = {v for f in forms(picker.text) for n, v, t in f["fields"] if n == "item"}
    assert offered == {"mini:l1", "mini:l2"}

    returned = submit(http, picker, {"item": ["mini:l1", "mini:l2"], "due-mini": ["31", "1", "2027"]})
    assert returned.status_code == 200 and lti_platform.deep_link_return_url in returned.text
    final = submit(http, returned)  # the sandbox checks the response and adds both items to the course
    assert final.status_code == 200 and "2 placement(s) added to the course." in final.text
    token = lti_platform.deep_link_returns[-1]
    claims = _verify_with_tool_jwks(token, url, audience=lti_platform.issuer, issuer=lti_platform.client_id)
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == lti_platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data"
    assert claims["nonce"]
    items = claims[DL + "content_items"]
    assert [i["custom"] for i in items] == [{"toolkit_id": "mini", "part": "l1"}, {"toolkit_id": "mini", "part": "l2"}]
    assert all(i["type"] == "ltiResourceLink" and i["url"] == url + "/lti/launch" for i in items)
    assert items[0]["lineItem"] == {
        "scoreMaximum": 100,
        "label": "A minimal test toolkit: L1 self-study",
        "resourceId": "mini:l1",
        "tag": "swott-l1",
    }
    assert items[0]["submission"] == {"endDateTime": "2027-01-31T23:59:59Z"}
    assert "submission" not in items[1]
    # One L1 deadline (issue 10): the same moment is the plan page's deadline for the course.
    with tool_server[1].extensions["swott.db"].session() as session:
        deadlines = session.scalars(select(ToolkitSchedule.l1_deadline).where(ToolkitSchedule.toolkit_id == "mini"))
        assert [d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in deadlines] == [
            datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
        ]


def test_deep_linking_refuses_a_toolkit_that_was_not_offered(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, http, picker = _picker_subscribed_to_mini_only(tool_server, lti_platform)
    refused = submit(http, picker, {"item": "second:l1"})
    assert refused.status_code == 400 and "Choose at least one" in refused.text
    # And the form's CSRF token is required.
    form = forms(picker.text)[0]
    fields = {n: v for n, v, t in form["fields"] if n != "csrf_token"}
    forged = http.post(url + "/lti/deep-link", data={**fields, "item": "mini:l1"}, timeout=5)
    assert forged.status_code == 403


def test_a_picker_error_comes_back_on_the_same_page_with_the_choices_kept(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    """Canvas's assignment selection takes one item (`accept_multiple` false); a past due date is refused."""
    url, http, _picker = _picker_subscribed_to_mini_only(tool_server, lti_platform)
    lti_platform.scenarios["dl"][DL + "deep_linking_settings"]["accept_multiple"] = False
    picker = launch(http, url, lti_platform, "dl")
    assert "Your course takes one item here." in picker.text
    refused = submit(http, picker, {"item": ["mini:l1", "mini:l2"], "due-mini": ["1", "1", "2001"]})
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "choose only one" in refused.text and "The due date must be today or in the future" in refused.text
    assert refused.text.count("checked") >= 2 and 'value="2001"' in refused.text
    assert lti_platform.deep_link_returns == []


def test_learner_cannot_deep_link(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, _app = tool_server
    lti_platform.scenarios["dl"] = lti_platform.deep_link_request()
    page = launch(requests.Session(), url, lti_platform, "dl")
    assert page.status_code == 403 and "Only course facilitators" in page.text


def test_dynamic_registration_completes_against_a_platform_registration_endpoint(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, app = tool_server
    # A platform offering three of the five service scopes the tool would ask for.
    with sandbox(client_id="not-registered-by-hand", scopes_supported=OFFERED) as lms:
        params = registration_params(lms)
        approval = requests.get(url + "/lti/register", params=params, timeout=10)
        assert approval.status_code == 200 and "Register SWOTT Connect" in approval.text
        assert lms.registrations == []  # nothing sent until the administrator confirms
        page = requests.post(url + "/lti/register", data=params, timeout=10)
        assert page.status_code == 200
        registered = lms.registered  # the sandbox's answer: a new client_id and deployment
        assert registered is not None
        assert "org.imsglobal.lti.close" in page.text and f"Deployment {registered.deployment_id}" in page.text
        sent = lms.registrations[-1]
        assert sent["initiate_login_uri"] == url + "/lti/login"
        assert sent["redirect_uris"] == [url + "/lti/launch"]
        assert sent["jwks_uri"] == url + "/lti/jwks.json"
        assert sent["token_endpoint_auth_method"] == "private_key_jwt"
        assert set(sent["scope"].split()) == set(OFFERED)  # only what the platform offers
        tool_config = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        assert {m["type"] for m in tool_config["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
        with app.app_context():
            session = web.db_session()
            platform = registrations.find_platform(session, lms.issuer, registered.client_id)
            assert platform is not None and platform.registered_by == "dynamic"
            assert platform.status == "pending"  # nobody invited it: an operator approves it first
            assert [d.deployment_id for d in platform.deployments] == [registered.deployment_id]
            assert platform.subscriptions == []  # nothing until an operator grants it


def test_dynamic_registration_refuses_a_wrong_token_and_a_foreign_issuer(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, app = tool_server
    config = lti_platform.configuration_url
    bad_token = requests.post(
        url + "/lti/register", data={"openid_configuration": config, "registration_token": "wrong"}, timeout=10
    )
    assert bad_token.status_code == 400 and "did not complete" in bad_token.text
    foreign = requests.post(
        url + "/lti/register",
        data={
            "openid_configuration": config.replace("127.0.0.1", "localhost"),
            "registration_token": lti_platform.registration_token,
        },
        timeout=10,
    )
    assert foreign.status_code == 400 and "issuer does not match" in foreign.text
    with app.app_context():
        assert web.db_session().scalars(select(Platform)).all()[-1].client_id == lti_platform.client_id


def test_platform_key_rotation_is_picked_up_on_an_unknown_kid(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    url, _app = tool_server
    lti_platform.scenarios["learner"] = {}
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200
    fetches = lti_platform.jwks_requests
    lti_platform.rotate()
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200
    assert lti_platform.jwks_requests == fetches + 1


def test_unknown_kid_refresh_is_rate_limited(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, app = tool_server
    app.extensions.pop("swott.platform_keys", None)
    app.config["SWOTT_PLATFORM_KEYS_MIN_REFRESH"] = 3600
    lti_platform.scenarios["learner"] = {}
    assert launch(requests.Session(), url, lti_platform, "learner").status_code == 200
    fetches = lti_platform.jwks_requests
    lti_platform.rotate()  # the platform rotates, then forged kids flood in: one fetch at most
    for _ in range(3):
        assert launch(requests.Session(), url, lti_platform, "learner").status_code == 401
    assert lti_platform.jwks_requests == fetches


def test_canvas_developer_key_json_points_at_the_tool(tool_server: tuple[str, Flask], lti_platform: Forge) -> None:
    url, _app = tool_server
    config = requests.get(url + "/lti/canvas.json", timeout=5).json()
    assert config["oidc_initiation_url"] == url + "/lti/login"
    assert config["target_link_uri"] == url + "/lti/launch"
    assert config["public_jwk_url"] == url + "/lti/jwks.json"
    placements = config["extensions"][0]["settings"]["placements"]
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_registration_page_may_be_framed_by_the_registering_platform(
    tool_server: tuple[str, Flask], lti_platform: Forge
) -> None:
    """Even before it is registered (and when registration fails), the platform can show our page."""
    url, app = tool_server
    _delete_all(app, Platform)
    assert requests.get(url + "/healthz", timeout=5).headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    page = requests.get(
        url + "/lti/register",
        params={
            "openid_configuration": lti_platform.configuration_url,
            "registration_token": "wrong-token",
        },
        timeout=10,
    )
    assert page.status_code == 400
    assert page.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {lti_platform.base_url}"
