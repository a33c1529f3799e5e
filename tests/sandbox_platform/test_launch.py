"""Launches over real HTTP: login initiation, the authentication request and the signed id_token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from sandbox_platform import SandboxServer, browser
from sandbox_platform.model import AGS_CLAIM, DL, LTI, NRPS_CLAIM, ROLE_INSTRUCTOR, ROLE_LEARNER
from sandbox_platform.platform import Platform

from .conftest import FakeTool


def test_learner_launch_reaches_the_tool_with_a_verifiable_id_token(
    platform: Platform, registered_tool: FakeTool
) -> None:
    placement = platform.add_placement(
        title="Toolkit L1",
        custom={"toolkit": "participatory-practice", "part": "l1", "who": "$User.id"},
        line_item={"label": "Toolkit L1", "scoreMaximum": 100, "resourceId": "participatory-practice:l1"},
    )

    response = browser.follow(requests.Session(), platform.launch_url(user="learner2", placement=placement.id))

    assert response.status_code == 200
    claims = response.json()
    learner = platform.user("learner2")
    assert claims["iss"] == platform.issuer
    assert claims["aud"] == claims["azp"] == registered_tool.client_id
    assert claims["sub"] == learner.sub
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "deployment_id"] == platform.tool().deployment_id
    assert claims[LTI + "resource_link"] == {"id": placement.id, "title": "Toolkit L1"}
    assert claims[LTI + "target_link_uri"] == registered_tool.url + "/launch"
    assert ROLE_LEARNER in claims[LTI + "roles"]
    assert claims[LTI + "context"]["title"] == "Sandbox course"
    assert claims[LTI + "context"]["type"] == ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]
    assert claims[LTI + "custom"] == {"toolkit": "participatory-practice", "part": "l1", "who": learner.sub}
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"
    assert claims["email"] == learner.email
    assert claims["given_name"] == learner.given_name
    ags = claims[AGS_CLAIM]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in ags["scope"]
    assert "?type_id=" in ags["lineitem"]
    assert ags["lineitem"].startswith(platform.issuer)
    assert claims[NRPS_CLAIM]["service_versions"] == ["2.0"]


def test_id_token_names_its_key_and_verifies_with_the_platform_jwks(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    platform.add_placement(title="Toolkit L1")
    browser.follow(requests.Session(), platform.launch_url(user="facilitator"))

    launch = registered_tool.launches[-1]
    assert ROLE_INSTRUCTOR in launch[LTI + "roles"]
    jwks = requests.get(sandbox.url + "/.well-known/jwks.json", timeout=5).json()
    assert [key["alg"] for key in jwks["keys"]] == ["RS256"]
    assert "d" not in jwks["keys"][0]  # never the private part


def test_deep_linking_launch_carries_the_settings(platform: Platform, registered_tool: FakeTool) -> None:
    browser.follow(requests.Session(), platform.deep_link_url())

    claims = registered_tool.launches[-1]
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    settings = claims[DL + "deep_linking_settings"]
    assert settings["deep_link_return_url"] == platform.issuer + "/deep_linking/return"
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_multiple"] is True
    assert settings["data"]
    assert LTI + "resource_link" not in claims


def test_login_initiation_carries_the_third_party_login_parameters(
    platform: Platform, registered_tool: FakeTool
) -> None:
    placement = platform.add_placement(title="Toolkit L1")

    url = platform.launch_url(user="learner1", placement=placement)

    parts = urlsplit(url)
    params = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == registered_tool.url + "/login"
    assert params["iss"] == platform.issuer
    assert params["client_id"] == registered_tool.client_id
    assert params["lti_deployment_id"] == platform.tool().deployment_id
    assert params["target_link_uri"] == placement.url
    assert params["login_hint"] and params["lti_message_hint"]


def test_home_page_buttons_launch_through_the_browser_path(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    placement = platform.add_placement(title="Toolkit L1")
    session = requests.Session()
    home = session.get(sandbox.url + "/", timeout=5).text
    assert "Launch as learner" in home and "Launch as facilitator" in home and "Add a toolkit (deep link)" in home

    form = next(f for f in browser.forms(home) if f.fields.get("placement") == placement.id)
    assert form.fields["user"] == "learner1"  # the first learner is preselected
    form.fields["user"] = "learner3"
    page = session.get(sandbox.url + form.action, params=form.fields, timeout=5)
    assert "<iframe" in page.text
    response = browser.follow(session, sandbox.url + f"/launch?placement={placement.id}&user=learner3")
    assert response.json()["sub"] == platform.user("learner3").sub


# ----- refusals of the authentication request ---------------------------------------------------


def _auth_params(platform: Platform, tool: FakeTool) -> dict[str, str]:
    platform.add_placement(title="Toolkit L1")
    login = urlsplit(platform.launch_url(user="learner1"))
    initiation = {name: values[0] for name, values in parse_qs(login.query).items()}
    return {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": tool.client_id,
        "redirect_uri": tool.url + "/launch",
        "login_hint": initiation["login_hint"],
        "lti_message_hint": initiation["lti_message_hint"],
        "state": "s1",
        "nonce": "n1",
    }


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"response_mode": "query"}, "invalid_request"),
        ({"prompt": "login"}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
        ({"login_hint": "learner2"}, "login_required"),
        ({"lti_message_hint": "made-up"}, "invalid_request"),
    ],
)
def test_bad_authentication_requests_are_sent_back_as_errors(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool, change: dict[str, str], error: str
) -> None:
    params = {**_auth_params(platform, registered_tool), **change}

    response = requests.get(sandbox.url + "/auth?" + urlencode(params), timeout=5)

    assert response.status_code == 400
    form = browser.forms(response.text)[0]
    assert form.action == registered_tool.url + "/launch"
    assert form.fields["error"] == error
    assert form.fields["state"] == "s1"
    assert "id_token" not in form.fields


@pytest.mark.parametrize(
    "change", [{"client_id": "unknown"}, {"client_id": ""}, {"redirect_uri": "http://127.0.0.1:9/elsewhere"}]
)
def test_unknown_client_or_redirect_uri_is_refused_without_redirecting(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool, change: dict[str, str]
) -> None:
    params = {**_auth_params(platform, registered_tool), **change}

    response = requests.post(sandbox.url + "/auth", data=params, timeout=5)

    assert response.status_code == 400
    assert "Launch refused" in response.text
    assert "127.0.0.1:9" not in response.text
    assert all(form.action != change.get("redirect_uri") for form in browser.forms(response.text))


def test_a_launch_answers_one_authentication_request_only(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    params = _auth_params(platform, registered_tool)

    first = requests.post(sandbox.url + "/auth", data=params, timeout=5)
    again = requests.post(sandbox.url + "/auth", data=params, timeout=5)

    assert first.status_code == 200
    token = browser.forms(first.text)[0].fields["id_token"]
    assert jwt.get_unverified_header(token)["kid"] == platform.key.kid
    assert jwt.decode(token, options={"verify_signature": False})["nonce"] == "n1"
    assert again.status_code == 400
    assert "already been used" in again.text


def test_a_launch_for_another_tool_is_refused(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    params = _auth_params(platform, registered_tool)
    other = platform.register_tool(
        initiate_login_uri="http://127.0.0.1:9/login", redirect_uris=["http://127.0.0.1:9/launch"], jwks_uri="http://x"
    )
    params.update(client_id=other.client_id, redirect_uri="http://127.0.0.1:9/launch")

    response = requests.post(sandbox.url + "/auth", data=params, timeout=5)

    assert response.status_code == 400
    assert browser.forms(response.text)[0].fields["error"] == "invalid_request"


def test_login_initiation_can_be_a_form_post(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    placement = platform.add_placement(title="Toolkit L1")
    session = requests.Session()

    first = session.get(sandbox.url + "/launch", params={"placement": placement.id, "user": "learner1", "post": "1"})
    form = browser.forms(first.text)[0]
    assert form.method == "post"
    assert form.action == registered_tool.url + "/login"
    assert form.fields["iss"] == platform.issuer

    assert browser.settle(session, first).json()["sub"] == platform.user("learner1").sub


def test_tool_platform_claim_names_the_sandbox(platform: Platform, registered_tool: FakeTool) -> None:
    platform.add_placement(title="Toolkit L1")

    claims = browser.follow(requests.Session(), platform.launch_url()).json()

    assert claims[LTI + "tool_platform"]["guid"] == platform.issuer
    assert claims[LTI + "tool_platform"]["product_family_code"] == platform.config.product_family_code
    assert claims[LTI + "launch_presentation"]["return_url"] == platform.issuer + "/"


def test_storage_launches_name_the_parent_as_storage_target(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    placement = platform.add_placement(title="Toolkit L1")

    url = platform.launch_url(user="learner1", placement=placement, storage_target="_parent")
    page = requests.get(sandbox.url + "/play", params={"placement": placement.id, "user": "learner1", "storage": "1"})

    assert parse_qs(urlsplit(url).query)["lti_storage_target"] == ["_parent"]
    assert "lti_storage_target" not in platform.launch_url(user="learner1", placement=placement)
    assert "lti.put_data" in page.text and "storage=1" in page.text
    assert f'var toolOrigin = "{registered_tool.url}"' in page.text


def test_a_rotated_key_signs_from_then_on_and_the_old_one_stays_published(sandbox: SandboxServer) -> None:
    key = sandbox.platform.key
    old = key.kid
    key.rotate()
    published = requests.get(sandbox.url + "/.well-known/jwks.json", timeout=5).json()["keys"]
    assert [k["kid"] for k in published] == [old, key.kid]
    token = key.sign({"sub": "x"})
    assert jwt.get_unverified_header(token)["kid"] == key.kid
    assert jwt.decode(token, jwt.PyJWK(published[1]), algorithms=["RS256"]) == {"sub": "x"}
    assert key.fetches == 1
