"""Names and Role Provisioning Services 2.0: the context membership container.

Spec: https://www.imsglobal.org/spec/lti-nrps/v2p0 §2.2 (membership container), §2.3 (role filter)
and §2.4 (paging with `limit` and a `Link: <...>; rel="next"` header).
"""

from __future__ import annotations

from typing import Any

from sandbox_platform.model import Course, User

MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def member_json(user: User) -> dict[str, Any]:
    return {
        "status": "Active",
        "user_id": user.sub,
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "email": user.email,
        "roles": list(user.roles),
    }


def role_matches(member: dict[str, Any], role: str) -> bool:
    """Match a full role URI, or a short name like `Learner` against the role's last segment (§2.3)."""
    roles = member.get("roles")
    return isinstance(roles, list) and any(
        isinstance(r, str) and (r == role or r.rsplit("#", 1)[-1] == role) for r in roles
    )


def membership_page(
    *, url: str, course: Course, members: list[dict[str, Any]], offset: int, limit: int
) -> tuple[dict[str, Any], int | None]:
    """One page of members and the offset of the next page, if any."""
    body = {
        "id": url,
        "context": {"id": course.id, "label": course.label, "title": course.title},
        "members": members[offset : offset + limit],
    }
    following = offset + limit
    return body, following if following < len(members) else None
