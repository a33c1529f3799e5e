"""AGS 2.0 over real HTTP: the token endpoint, line items, and scores with Moodle's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sandbox_platform import SandboxServer
from sandbox_platform.model import SCOPE_LINEITEM, SCOPE_NRPS, SCOPE_RESULT_READONLY, SCOPE_SCORE
from sandbox_platform.platform import Platform

from .conftest import FakeTool, get_token

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
T0 = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


def _token_request(platform: Platform, assertion: str, scope: str = SCOPE_SCORE) -> requests.Response:
    return requests.post(
        platform.issuer + "/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        },
        timeout=5,
    )


def test_token_endpoint_grants_the_requested_registered_scopes(platform: Platform, registered_tool: FakeTool) -> None:
    response = _token_request(
        platform, registered_tool.client_assertion(platform.issuer + "/token"), f"{SCOPE_SCORE} {SCOPE_NRPS} other"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_NRPS}
    assert len(platform.token_requests) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"aud": "http://127.0.0.1:1/token"}, 401, "invalid_client"),
        ({"sub": "someone-else"}, 401, "invalid_client"),
        ({"iss": "unknown-client"}, 401, "invalid_client"),
        ({"exp": 1_000_000}, 401, "invalid_client"),
        ({"jti": ""}, 401, "invalid_client"),
    ],
)
def test_bad_client_assertions_get_no_token(
    platform: Platform, registered_tool: FakeTool, overrides: dict[str, Any], status: int, error: str
) -> None:
    response = _token_request(platform, registered_tool.client_assertion(platform.issuer + "/token", **overrides))

    assert response.status_code == status
    assert response.json()["error"] == error
    assert "access_token" not in response.json()
    assert [request.granted for request in platform.token_requests] == [False]


def test_a_replayed_client_assertion_is_refused(platform: Platform, registered_tool: FakeTool) -> None:
    assertion = registered_tool.client_assertion(platform.issuer + "/token")

    first = _token_request(platform, assertion)
    replay = _token_request(platform, assertion)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert "replay" in replay.json()["error_description"]


def test_an_assertion_signed_with_an_unpublished_key_is_refused(platform: Platform, registered_tool: FakeTool) -> None:
    assertion = registered_tool.client_assertion(platform.issuer + "/token")
    registered_tool.kid = "rotated-away"  # the JWKS now publishes a different kid

    response = _token_request(platform, assertion)

    assert response.status_code == 401


def test_unregistered_scopes_and_grant_types_are_refused(platform: Platform, registered_tool: FakeTool) -> None:
    token_url = platform.issuer + "/token"
    assert _token_request(platform, registered_tool.client_assertion(token_url), "openid").json()["error"] == (
        "invalid_scope"
    )
    response = requests.post(token_url, data={"grant_type": "password"}, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


# ----- scores ----------------------------------------------------------------------------------


@pytest.fixture
def graded(platform: Platform, registered_tool: FakeTool) -> dict[str, Any]:
    placement = platform.add_placement(title="L1", line_item={"label": "L1", "scoreMaximum": 100})
    assert placement.line_item_id is not None
    tool = platform.tool()
    lineitem = platform.line_item_url(tool, placement.line_item_id)
    return {"line_item_id": placement.line_item_id, "lineitem": lineitem, "token": get_token(platform, registered_tool)}


def _scores_url(lineitem: str) -> str:
    path, _, query = lineitem.partition("?")
    return f"{path}/scores?{query}"


def _score(user: str, when: datetime, **fields: Any) -> dict[str, Any]:
    body = {
        "userId": user,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": when.isoformat(),
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def _post_score(graded: dict[str, Any], body: dict[str, Any], content_type: str = SCORE_TYPE) -> requests.Response:
    return requests.post(
        _scores_url(graded["lineitem"]),
        json=body,
        headers={"Authorization": f"Bearer {graded['token']}", "Content-Type": content_type},
        timeout=5,
    )


def test_a_score_lands_in_the_gradebook_scaled_to_the_line_item(
    sandbox: SandboxServer, platform: Platform, graded: dict[str, Any]
) -> None:
    learner = platform.user("learner1")

    response = _post_score(graded, _score(learner.sub, T0))

    assert response.status_code == 200
    grade = platform.grade(graded["line_item_id"], "learner1")
    assert grade is not None and grade.score_given == 7 and grade.score_maximum == 10
    page = requests.get(sandbox.url + "/gradebook", timeout=5).text
    assert learner.name in page
    assert "<strong>70</strong>" in page
    assert "Completed" in page and "FullyGraded" in page


def test_missing_score_maximum_counts_as_one(platform: Platform, graded: dict[str, Any]) -> None:
    sub = platform.user("learner1").sub

    assert _post_score(graded, _score(sub, T0, scoreGiven=0.5, scoreMaximum=None)).status_code == 200

    grade = platform.grade(graded["line_item_id"], "learner1")
    assert grade is not None and grade.score_maximum == 1


@pytest.mark.parametrize("grading", ["Pending", "PendingManual", "Failed", "NotReady"])
def test_anything_but_fully_graded_blanks_the_score(platform: Platform, graded: dict[str, Any], grading: str) -> None:
    sub = platform.user("learner2").sub

    assert (
        _post_score(graded, _score(sub, T0, gradingProgress=grading, activityProgress="Submitted")).status_code == 200
    )

    grade = platform.grade(graded["line_item_id"], "learner2")
    assert grade is not None
    assert grade.score_given is None
    assert grade.activity_progress == "Submitted"


@pytest.mark.parametrize(
    "later", [T0, T0 + timedelta(milliseconds=900), T0 - timedelta(seconds=5)], ids=["same", "same-second", "older"]
)
def test_a_score_not_newer_than_the_stored_one_is_a_conflict(
    platform: Platform, graded: dict[str, Any], later: datetime
) -> None:
    sub = platform.user("learner1").sub
    assert _post_score(graded, _score(sub, T0, scoreGiven=9)).status_code == 200

    response = _post_score(graded, _score(sub, later, scoreGiven=1))

    assert response.status_code == 409
    grade = platform.grade(graded["line_item_id"], "learner1")
    assert grade is not None and grade.score_given == 9
    assert [record.status for record in platform.scores] == [200, 409]


def test_a_newer_score_replaces_the_old_one(platform: Platform, graded: dict[str, Any]) -> None:
    sub = platform.user("learner1").sub
    _post_score(graded, _score(sub, T0, scoreGiven=3))

    assert _post_score(graded, _score(sub, T0 + timedelta(seconds=1), scoreGiven=8)).status_code == 200

    grade = platform.grade(graded["line_item_id"], "learner1")
    assert grade is not None and grade.score_given == 8


@pytest.mark.parametrize("missing", ["userId", "timestamp", "activityProgress", "gradingProgress"])
def test_moodle_required_fields(platform: Platform, graded: dict[str, Any], missing: str) -> None:
    body = _score(platform.user("learner1").sub, T0)
    del body[missing]

    response = _post_score(graded, body)

    assert response.status_code == 400
    assert platform.grade(graded["line_item_id"], "learner1") is None


def test_scores_need_the_score_media_type(platform: Platform, graded: dict[str, Any]) -> None:
    response = _post_score(graded, _score(platform.user("learner1").sub, T0), content_type="application/json")

    assert response.status_code == 415


def test_scores_appended_after_the_query_string_do_not_land(platform: Platform, graded: dict[str, Any]) -> None:
    response = requests.post(
        graded["lineitem"] + "/scores",
        json=_score(platform.user("learner1").sub, T0),
        headers={"Authorization": f"Bearer {graded['token']}", "Content-Type": SCORE_TYPE},
        timeout=5,
    )

    assert response.status_code >= 400
    assert platform.grade(graded["line_item_id"], "learner1") is None


def test_scores_need_a_token_with_the_score_scope(
    platform: Platform, registered_tool: FakeTool, graded: dict[str, Any]
) -> None:
    body = _score(platform.user("learner1").sub, T0)
    assert _post_score({**graded, "token": "nonsense"}, body).status_code == 401
    readonly = get_token(platform, registered_tool, (SCOPE_NRPS,))
    assert _post_score({**graded, "token": readonly}, body).status_code == 403
    wrong_type = {**graded, "lineitem": graded["lineitem"].replace("type_id=1", "type_id=99")}
    assert _post_score(wrong_type, body).status_code == 403
    assert platform.grade(graded["line_item_id"], "learner1") is None


def test_unknown_learners_are_refused(platform: Platform, graded: dict[str, Any]) -> None:
    assert _post_score(graded, _score("no-such-user", T0)).status_code == 400


def test_a_hundred_scores_with_one_token_make_one_token_request(platform: Platform, graded: dict[str, Any]) -> None:
    sub = platform.user("learner3").sub

    statuses = {
        _post_score(graded, _score(sub, T0 + timedelta(seconds=i), scoreGiven=i % 10)).status_code for i in range(100)
    }

    assert statuses == {200}
    assert len(platform.token_requests) == 1
    assert len(platform.scores) == 100
    assert [record.body["scoreGiven"] for record in platform.scores][:3] == [0, 1, 2]


# ----- line items ------------------------------------------------------------------------------


def test_line_items_can_be_created_listed_filtered_and_given_a_due_date(
    platform: Platform, registered_tool: FakeTool
) -> None:
    token = get_token(platform, registered_tool, (SCOPE_LINEITEM,))
    headers = {"Authorization": f"Bearer {token}"}
    container = platform.line_items_url(platform.tool())
    created = requests.post(
        container,
        json={"label": "L2 attendance", "scoreMaximum": 1, "tag": "l2", "resourceId": "tk:l2"},
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
        timeout=5,
    )
    requests.post(container, json={"label": "Other", "scoreMaximum": 5, "tag": "x"}, headers=headers, timeout=5)

    assert created.status_code == 201
    item_url = created.json()["id"]
    assert "?type_id=" in item_url
    listed = requests.get(container, params={"tag": "l2"}, headers=headers, timeout=5)
    assert listed.headers["Content-Type"].startswith("application/vnd.ims.lis.v2.lineitemcontainer+json")
    assert [item["label"] for item in listed.json()] == ["L2 attendance"]
    assert [
        i["label"] for i in requests.get(container, params={"resource_id": "tk:l2"}, headers=headers, timeout=5).json()
    ] == ["L2 attendance"]

    due = "2026-12-01T17:00:00+00:00"
    item = requests.get(item_url, headers=headers, timeout=5).json()  # a PUT sends the whole line item
    updated = requests.put(item_url, json={**item, "endDateTime": due}, headers=headers, timeout=5)
    assert updated.status_code == 200
    assert requests.get(item_url, headers=headers, timeout=5).json()["endDateTime"] == due
    # What the PUT leaves out is cleared (AGS 2.0 §3.2.8: the body replaces the line item).
    assert requests.put(item_url, json={"label": "L2", "scoreMaximum": 1}, headers=headers, timeout=5).ok
    assert "endDateTime" not in requests.get(item_url, headers=headers, timeout=5).json()
    assert requests.put(item_url, json={"endDateTime": due}, headers=headers, timeout=5).status_code == 400


def test_a_line_item_needs_a_label_and_a_positive_maximum(platform: Platform, registered_tool: FakeTool) -> None:
    token = get_token(platform, registered_tool, (SCOPE_LINEITEM,))
    container = platform.line_items_url(platform.tool())

    response = requests.post(
        container, json={"label": "x", "scoreMaximum": 0}, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )

    assert response.status_code == 400
    assert platform.line_items() == []


# ----- failures ------------------------------------------------------------------------------


def test_injected_failures_answer_503_then_recover(platform: Platform, graded: dict[str, Any]) -> None:
    sub = platform.user("learner1").sub
    platform.script.fail(503, count=2)

    first = _post_score(graded, _score(sub, T0))
    second = _post_score(graded, _score(sub, T0))
    third = _post_score(graded, _score(sub, T0))

    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["Retry-After"]
    assert len(platform.scores) == 1


def test_a_fault_lasts_until_it_is_cleared_and_cannot_be_set_over_http(
    platform: Platform, graded: dict[str, Any]
) -> None:
    platform.script.fail(503, services=("ags",))
    assert _post_score(graded, _score(platform.user("learner1").sub, T0)).status_code == 503
    platform.script.clear()
    assert _post_score(graded, _score(platform.user("learner1").sub, T0)).status_code == 200
    # Fault scripting is in-process only: the HTTP switch the sandbox once had is gone.
    assert requests.post(platform.issuer + "/admin/faults", json={"services": ["ags"]}, timeout=5).status_code == 404


def test_a_stopped_platform_refuses_connections_and_comes_back_with_its_state(
    sandbox: SandboxServer, platform: Platform, graded: dict[str, Any]
) -> None:
    sub = platform.user("learner1").sub
    assert _post_score(graded, _score(sub, T0)).status_code == 200
    port = sandbox.port

    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        _post_score(graded, _score(sub, T0 + timedelta(seconds=1)))
    sandbox.start()

    assert sandbox.port == port
    assert _post_score(graded, _score(sub, T0 + timedelta(seconds=2), scoreGiven=4)).status_code == 200
    assert [record.status for record in platform.scores] == [200, 200]


def test_revoked_access_tokens_are_refused(platform: Platform, graded: dict[str, Any]) -> None:
    assert [request.granted for request in platform.token_requests] == [True]
    platform.script.revoke_tokens()

    response = _post_score(graded, _score(platform.user("learner1").sub, T0))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_tools_new_key_is_fetched_when_it_signs_with_an_unknown_kid(
    platform: Platform, registered_tool: FakeTool
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    token_url = platform.issuer + "/token"
    assert _token_request(platform, registered_tool.client_assertion(token_url)).status_code == 200
    registered_tool.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    registered_tool.kid = "tool-key-2"

    assert _token_request(platform, registered_tool.client_assertion(token_url)).status_code == 200
    assert platform.tool_keys.fetches == 2


def test_results_report_the_score_on_the_line_items_scale(
    platform: Platform, registered_tool: FakeTool, graded: dict[str, Any]
) -> None:
    learner = platform.user("learner2")
    _post_score(graded, _score(learner.sub, T0, scoreGiven=3, scoreMaximum=4, comment="Well argued"))
    token = get_token(platform, registered_tool, (SCOPE_RESULT_READONLY,))
    path, _, query = graded["lineitem"].partition("?")

    response = requests.get(f"{path}/results?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.ims.lis.v2.resultcontainer+json")
    assert response.json() == [
        {
            "id": platform.line_item_url(platform.tool(), graded["line_item_id"], f"/results/{learner.sub}"),
            "scoreOf": graded["lineitem"],
            "userId": learner.sub,
            "resultScore": 75.0,
            "resultMaximum": 100.0,
            "comment": "Well argued",
        }
    ]


def test_a_tool_cannot_see_another_tools_line_items(platform: Platform, graded: dict[str, Any]) -> None:
    other = FakeTool()
    other.server.start()
    try:
        other.register_with(platform)
        token = get_token(platform, other, (SCOPE_LINEITEM,))
        theirs = platform.tool(other.client_id)
        url = platform.line_item_url(theirs, graded["line_item_id"])

        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        listed = requests.get(platform.line_items_url(theirs), headers={"Authorization": f"Bearer {token}"}, timeout=5)
    finally:
        other.server.stop()

    assert response.status_code == 404
    assert listed.json() == []
