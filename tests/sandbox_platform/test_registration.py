"""Dynamic Registration 1.0 (platform side): configuration, registration endpoint, single-use token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox_platform import SandboxServer, browser
from sandbox_platform.model import PLATFORM_CONFIGURATION, TOOL_CONFIGURATION
from sandbox_platform.platform import Platform
from sandbox_platform.registration import validate_registration

from .conftest import FakeTool


def _token_from(url: str) -> tuple[str, str]:
    params = parse_qs(urlsplit(url).query)
    return params["openid_configuration"][0], params["registration_token"][0]


def test_a_tool_registers_itself_and_can_then_launch(platform: Platform, fake_tool: FakeTool) -> None:
    url = platform.start_registration(fake_tool.url + "/register")

    page = requests.get(url, timeout=5)

    assert "org.imsglobal.lti.close" in page.text
    answer = fake_tool.registrations[-1]
    tool = platform.tool(answer["client_id"])
    assert tool.name == "Fake tool"
    assert answer[TOOL_CONFIGURATION]["deployment_id"] == tool.deployment_id
    assert tool.redirect_uris == [fake_tool.url + "/launch"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in answer["scope"]

    platform.add_placement(title="Toolkit L1")
    assert browser.follow(requests.Session(), platform.launch_url()).json()["aud"] == tool.client_id


def test_openid_configuration_describes_the_platform(platform: Platform, fake_tool: FakeTool) -> None:
    config_url, token = _token_from(platform.start_registration(fake_tool.url + "/register"))

    config = requests.get(config_url, headers={"Authorization": f"Bearer {token}"}, timeout=5).json()

    assert config["issuer"] == platform.issuer
    assert config_url.startswith(config["issuer"])
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["response_types_supported"] == ["id_token"]
    assert config["jwks_uri"] == platform.issuer + "/.well-known/jwks.json"
    assert "openid" in config["scopes_supported"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in config["scopes_supported"]
    lti = config[PLATFORM_CONFIGURATION]
    assert {message["type"] for message in lti["messages_supported"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    assert "$User.id" in lti["variables"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "registration_endpoint"):
        assert config[endpoint].startswith(platform.issuer)


def test_openid_configuration_needs_the_registration_token(sandbox: SandboxServer) -> None:
    response = requests.get(sandbox.url + "/.well-known/openid-configuration", timeout=5)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _post(platform: Platform, token: str, body: Any) -> requests.Response:
    return requests.post(
        platform.issuer + "/registration", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def test_the_registration_token_is_single_use(platform: Platform, fake_tool: FakeTool) -> None:
    _, token = _token_from(platform.start_registration(fake_tool.url + "/register"))

    first = _post(platform, token, fake_tool.registration_request())
    second = _post(platform, token, fake_tool.registration_request())

    assert first.status_code == 201
    assert second.status_code == 401
    assert len(platform.tools) == 1


def test_registration_without_a_token_is_refused(platform: Platform, fake_tool: FakeTool) -> None:
    response = requests.post(platform.issuer + "/registration", json=fake_tool.registration_request(), timeout=5)

    assert response.status_code == 401
    assert platform.tools == []


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda b: {**b, "application_type": "native"}, "invalid_client_metadata"),
        (lambda b: {**b, "grant_types": ["implicit"]}, "invalid_client_metadata"),
        (lambda b: {**b, "response_types": ["code"]}, "invalid_client_metadata"),
        (lambda b: {**b, "token_endpoint_auth_method": "client_secret_basic"}, "invalid_client_metadata"),
        (lambda b: _without(b, "initiate_login_uri"), "invalid_client_metadata"),
        (lambda b: {**b, "redirect_uris": []}, "invalid_redirect_uri"),
        (lambda b: {**b, "redirect_uris": ["not a url"]}, "invalid_redirect_uri"),
        (lambda b: _without(b, "jwks_uri"), "invalid_client_metadata"),
        (lambda b: _without(b, TOOL_CONFIGURATION), "invalid_client_metadata"),
        (
            lambda b: {**b, TOOL_CONFIGURATION: {**b[TOOL_CONFIGURATION], "domain": "elsewhere.example"}},
            "invalid_client_metadata",
        ),
        (
            lambda b: {
                **b,
                TOOL_CONFIGURATION: {**b[TOOL_CONFIGURATION], "messages": [{"type": "LtiSubmissionReview"}]},
            },
            "invalid_client_metadata",
        ),
    ],
)
def test_invalid_registrations_are_refused_and_the_token_kept(
    platform: Platform, fake_tool: FakeTool, mutate: Any, error: str
) -> None:
    _, token = _token_from(platform.start_registration(fake_tool.url + "/register"))

    refused = _post(platform, token, mutate(fake_tool.registration_request()))

    assert refused.status_code == 400
    assert refused.json()["error"] == error
    assert platform.tools == []
    assert _post(platform, token, fake_tool.registration_request()).status_code == 201


def test_register_page_opens_the_tool_in_an_iframe(sandbox: SandboxServer, fake_tool: FakeTool) -> None:
    session = requests.Session()
    tools_page = session.get(sandbox.url + "/tools", timeout=5)
    form = next(f for f in browser.forms(tools_page.text) if f.action.endswith("/tools/register"))
    form.fields["url"] = fake_tool.url + "/register"

    page = browser.submit(session, tools_page, form)

    assert page.status_code == 200
    assert "org.imsglobal.lti.close" in page.text
    assert fake_tool.url + "/register?openid_configuration=" in page.text.replace("&amp;", "&")


def test_manual_registration_form_adds_a_tool(sandbox: SandboxServer, platform: Platform) -> None:
    session = requests.Session()
    tools_page = session.get(sandbox.url + "/tools", timeout=5)
    form = next(f for f in browser.forms(tools_page.text) if f.action.endswith("/tools/manual"))
    form.fields.update(
        client_id="manual-1",
        initiate_login_uri="http://127.0.0.1:5000/lti/login",
        redirect_uris="http://127.0.0.1:5000/lti/launch",
        jwks_uri="http://127.0.0.1:5000/lti/jwks.json",
    )

    page = browser.submit(session, tools_page, form)

    assert page.status_code == 200
    assert "manual-1" in page.text
    assert platform.tool("manual-1").redirect_uris == ["http://127.0.0.1:5000/lti/launch"]


def test_platform_forms_refuse_a_post_without_their_token(sandbox: SandboxServer, platform: Platform) -> None:
    response = requests.post(
        sandbox.url + "/tools/manual",
        data={"initiate_login_uri": "http://a/l", "redirect_uris": "http://a/r", "jwks_uri": "http://a/k"},
        timeout=5,
    )

    assert response.status_code == 400
    assert platform.tools == []


def test_the_configuration_can_be_served_openly_as_moodle_does() -> None:
    with SandboxServer(config={"require_token_for_configuration": False}) as server:
        response = requests.get(server.url + "/.well-known/openid-configuration", timeout=5)

    assert response.status_code == 200
    assert response.json()["issuer"] == server.url


def test_a_token_for_a_registered_tool_updates_that_registration(platform: Platform, fake_tool: FakeTool) -> None:
    requests.get(platform.start_registration(fake_tool.url + "/register"), timeout=5)
    first = fake_tool.registrations[-1]
    token = platform.new_registration_token(first["client_id"])
    answer = platform.register_client(
        token, validate_registration(dict(fake_tool.registration_request(), client_name="Renamed tool"))
    )
    assert answer["client_id"] == first["client_id"]
    assert answer[TOOL_CONFIGURATION]["deployment_id"] == first[TOOL_CONFIGURATION]["deployment_id"]
    assert [tool.name for tool in platform.tools] == ["Renamed tool"]


def test_the_configuration_offers_only_the_scopes_configured() -> None:
    offered = ("https://purl.imsglobal.org/spec/lti-ags/scope/score",)
    with SandboxServer(config={"scopes_supported": offered, "require_token_for_configuration": False}) as server:
        config = requests.get(server.url + "/.well-known/openid-configuration", timeout=5).json()
    assert config["scopes_supported"] == ["openid", *offered]
