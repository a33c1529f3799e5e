"""NRPS 2.0 over real HTTP: the membership container, its media type, role filter and paging."""

from __future__ import annotations

import re

import requests

from sandbox_platform.model import NRPS_CLAIM, SCOPE_NRPS, SCOPE_SCORE
from sandbox_platform.platform import Platform

from .conftest import FakeTool, get_token

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def _next_link(response: requests.Response) -> str | None:
    match = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link", ""))
    return match.group(1) if match else None


def test_members_come_in_pages_linked_by_rel_next(platform: Platform, registered_tool: FakeTool) -> None:
    token = get_token(platform, registered_tool, (SCOPE_NRPS,))
    url: str | None = platform.memberships_url(platform.tool())
    pages = []
    while url:
        response = requests.get(url, headers={"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(MEDIA_TYPE)
        pages.append(response.json())
        url = _next_link(response)

    assert [len(page["members"]) for page in pages] == [2, 2]  # the sandbox fixture's page size is 2
    members = [member for page in pages for member in page["members"]]
    assert sorted(m["user_id"] for m in members) == sorted(user.sub for user in platform.users.values())
    assert pages[0]["context"]["title"] == "Sandbox course"
    facilitator = next(m for m in members if m["user_id"] == platform.facilitator.sub)
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" in facilitator["roles"]
    assert facilitator["status"] == "Active"


def test_role_filter_and_limit(platform: Platform, registered_tool: FakeTool) -> None:
    token = get_token(platform, registered_tool, (SCOPE_NRPS,))
    url = platform.memberships_url(platform.tool())

    learners = requests.get(
        url, params={"role": "Learner", "limit": "1"}, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )

    assert [m["user_id"] for m in learners.json()["members"]] == [platform.learners[0].sub]
    following = _next_link(learners)
    assert following is not None and "role=Learner" in following


def test_memberships_need_a_token_with_the_nrps_scope(platform: Platform, registered_tool: FakeTool) -> None:
    url = platform.memberships_url(platform.tool())
    score_only = get_token(platform, registered_tool, (SCOPE_SCORE,))

    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {score_only}"}, timeout=5).status_code == 403


def test_the_launch_claim_points_at_the_memberships(platform: Platform, registered_tool: FakeTool) -> None:
    from sandbox_platform import browser

    platform.add_placement(title="L1")
    claims = browser.follow(requests.Session(), platform.launch_url()).json()

    assert claims[NRPS_CLAIM]["context_memberships_url"] == platform.memberships_url(platform.tool())
