"""Deep Linking 2.0 return: the platform verifies the tool's signed response and adds placements."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox_platform import SandboxServer, browser
from sandbox_platform.model import DL, LTI
from sandbox_platform.platform import Platform

from .conftest import FakeTool


def _request_claims(platform: Platform, tool: FakeTool) -> dict[str, Any]:
    browser.follow(requests.Session(), platform.deep_link_url(user="facilitator"))
    return tool.launches[-1]


def _response_claims(platform: Platform, tool: FakeTool, request: dict[str, Any], items: list[Any]) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": tool.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": uuid.uuid4().hex,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": request[LTI + "deployment_id"],
        DL + "data": request[DL + "deep_linking_settings"]["data"],
        DL + "content_items": items,
    }


ITEMS: list[dict[str, Any]] = [
    {
        "type": "ltiResourceLink",
        "title": "Participatory practice — L1",
        "url": "TOOL/launch",
        "custom": {"toolkit": "participatory-practice", "part": "l1"},
        "lineItem": {"label": "Participatory practice L1", "scoreMaximum": 100, "resourceId": "pp:l1", "tag": "l1"},
        "submission": {"endDateTime": "2026-12-01T17:00:00Z"},
    },
    {
        "type": "ltiResourceLink",
        "title": "Participatory practice — L2",
        "custom": {"toolkit": "participatory-practice"},
    },
]


def _items(tool: FakeTool) -> list[dict[str, Any]]:
    return [{**item, "url": item["url"].replace("TOOL", tool.url)} if "url" in item else item for item in ITEMS]


def _post(sandbox: SandboxServer, token: str) -> requests.Response:
    return requests.post(sandbox.url + "/deep_linking/return", data={"JWT": token}, timeout=5)


def test_a_signed_response_adds_placements_with_line_items_and_due_dates(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    request = _request_claims(platform, registered_tool)
    token = registered_tool.sign(_response_claims(platform, registered_tool, request, _items(registered_tool)))

    response = _post(sandbox, token)

    assert response.status_code == 200
    assert "2 placement(s) added" in response.text
    first, second = platform.placements
    assert first.title == "Participatory practice — L1"
    assert first.custom == {"toolkit": "participatory-practice", "part": "l1"}
    assert first.due == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert first.line_item_id is not None
    item = platform.line_item(None, first.line_item_id)
    assert (item.label, item.score_maximum, item.resource_id, item.tag) == (
        "Participatory practice L1",
        100,
        "pp:l1",
        "l1",
    )
    assert item.resource_link_id == first.id
    assert second.url == registered_tool.url + "/launch"
    assert second.line_item_id is None
    home = requests.get(response.url.split("/deep_linking")[0] + "/?added=2", timeout=5).text
    assert "Participatory practice — L1" in home and "due 01 Dec 2026" in home

    claims = browser.follow(requests.Session(), platform.launch_url(user="learner1", placement=first)).json()
    assert claims[LTI + "custom"]["part"] == "l1"


def _tamper(change: dict[str, Any]) -> Any:
    def apply(claims: dict[str, Any]) -> dict[str, Any]:
        claims.update(change)
        return claims

    return apply


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_tamper({"aud": "http://127.0.0.1:1"}), "aud"),
        (_tamper({LTI + "message_type": "LtiResourceLinkRequest"}), "message_type"),
        (_tamper({LTI + "version": "1.1"}), "version"),
        (_tamper({LTI + "deployment_id": "999"}), "deployment_id"),
        (_tamper({DL + "data": "forged"}), "data"),
        (_tamper({"nonce": ""}), "nonce"),
        (_tamper({"exp": 1_000_000, "iat": 999_000}), "expired"),
        (_tamper({DL + "content_items": [{"type": "html", "html": "<p>hi</p>"}]}), "not accepted"),
        (_tamper({DL + "content_items": [{"type": "ltiResourceLink", "lineItem": {"scoreMaximum": -1}}]}), "lineItem"),
    ],
)
def test_bad_responses_are_refused_and_add_nothing(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool, mutate: Any, reason: str
) -> None:
    request = _request_claims(platform, registered_tool)
    claims = mutate(_response_claims(platform, registered_tool, request, _items(registered_tool)))

    response = _post(sandbox, registered_tool.sign(claims))

    assert response.status_code == 400
    assert reason in response.text
    assert platform.placements == []


def test_a_response_is_accepted_once(sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool) -> None:
    request = _request_claims(platform, registered_tool)
    token = registered_tool.sign(_response_claims(platform, registered_tool, request, _items(registered_tool)))

    assert _post(sandbox, token).status_code == 200
    assert _post(sandbox, token).status_code == 400
    assert len(platform.placements) == 2


def test_a_response_signed_with_another_key_is_refused(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    request = _request_claims(platform, registered_tool)
    claims = _response_claims(platform, registered_tool, request, _items(registered_tool))
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": registered_tool.kid})
    unsigned = jwt.encode(claims, "", algorithm="none")

    assert "signature" in _post(sandbox, forged).text
    assert _post(sandbox, unsigned).status_code == 400
    assert platform.placements == []


def test_a_response_without_a_jwt_is_refused(sandbox: SandboxServer, platform: Platform) -> None:
    assert requests.post(sandbox.url + "/deep_linking/return", data={}, timeout=5).status_code == 400


def test_the_tools_messages_are_shown_to_the_user(
    sandbox: SandboxServer, platform: Platform, registered_tool: FakeTool
) -> None:
    request = _request_claims(platform, registered_tool)
    claims = _response_claims(platform, registered_tool, request, [])
    claims[DL + "errormsg"] = "Your subscription has ended"

    response = _post(sandbox, registered_tool.sign(claims))

    assert response.status_code == 200
    assert "The tool reported a problem: Your subscription has ended" in response.text
    assert "window.top.location" not in response.text
    assert platform.placements == []
