"""The claims of the id_tokens the platform sends (LTI Core 1.3 §5.3–5.4, Deep Linking 2.0 §4.4).

Pure functions: they take the model objects and return dicts; signing happens in `Platform`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sandbox_platform.model import (
    AGS_CLAIM,
    AGS_SCOPES,
    DEEP_LINKING_REQUEST,
    DL,
    LTI,
    NRPS_CLAIM,
    RESOURCE_LINK_REQUEST,
    SCOPE_NRPS,
    Course,
    Placement,
    Tool,
    User,
)


def substitution_values(user: User, course: Course, placement: Placement | None) -> dict[str, str]:
    values = {
        "$User.id": user.sub,
        "$User.username": user.key,
        "$Person.name.full": user.name,
        "$Person.name.given": user.given_name,
        "$Person.name.family": user.family_name,
        "$Person.email.primary": user.email,
        "$Context.id": course.id,
        "$Context.title": course.title,
        "$Context.label": course.label,
        "$CourseSection.title": course.title,
    }
    if placement is not None:
        values["$ResourceLink.id"] = placement.id
        values["$ResourceLink.title"] = placement.title
    return values


#: Custom parameter substitution variables we expand (LTI Core 1.3 Appendix C); the same list is
#: advertised as `variables` in the platform configuration.
SUBSTITUTION_VARIABLES = sorted(
    substitution_values(User("k", "s", "g", "f", "e", ()), Course("c", "l", "t"), Placement("r", "c", "t", "u"))
)


def expand_custom(custom: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """Replace values that are exactly a known `$Variable`; unknown ones stay as written (Core §5.4.6)."""
    return {name: values.get(value, value) for name, value in custom.items()}


def common_claims(
    *,
    issuer: str,
    tool: Tool,
    user: User,
    course: Course,
    nonce: str,
    lifetime: int,
    message_type: str,
    target_link_uri: str,
    return_url: str,
    product: tuple[str, str] = ("swott-sandbox", "1.0"),
    now: float | None = None,
) -> dict[str, Any]:
    """Claims shared by every message: OIDC identity (Security §5.1.2) and LTI Core §5.3/5.4."""
    issued = int(now if now is not None else time.time())
    return {
        "iss": issuer,
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": user.sub,
        "iat": issued,
        "exp": issued + lifetime,
        "nonce": nonce,
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "email": user.email,
        LTI + "version": "1.3.0",
        LTI + "message_type": message_type,
        LTI + "deployment_id": tool.deployment_id,
        LTI + "target_link_uri": target_link_uri,
        LTI + "roles": list(user.roles),
        LTI + "context": {"id": course.id, "label": course.label, "title": course.title, "type": [course.type]},
        LTI + "tool_platform": {
            "guid": issuer,
            "name": "SWOTT sandbox platform",
            "product_family_code": product[0],
            "version": product[1],
        },
        LTI + "launch_presentation": {"document_target": "iframe", "return_url": return_url, "locale": user.locale},
        LTI + "lis": {"person_sourcedid": f"sandbox:{user.sub}", "course_offering_sourcedid": f"sandbox:{course.id}"},
    }


def service_claims(*, tool: Tool, lineitems_url: str, lineitem_url: str | None, memberships_url: str) -> dict[str, Any]:
    """AGS 2.0 §3.1 endpoint claim and NRPS 2.0 §3.6.1 service claim, limited to the scopes the tool has."""
    claims: dict[str, Any] = {}
    ags_scopes = [scope for scope in AGS_SCOPES if scope in tool.scopes]
    if ags_scopes:
        endpoint: dict[str, Any] = {"scope": ags_scopes, "lineitems": lineitems_url}
        if lineitem_url:
            endpoint["lineitem"] = lineitem_url
        claims[AGS_CLAIM] = endpoint
    if SCOPE_NRPS in tool.scopes:
        claims[NRPS_CLAIM] = {"context_memberships_url": memberships_url, "service_versions": ["2.0"]}
    return claims


def resource_link_claims(placement: Placement, custom: dict[str, str]) -> dict[str, Any]:
    """The resource link (Core §5.3.5) and its custom parameters (Core §5.4.6)."""
    link: dict[str, Any] = {"id": placement.id, "title": placement.title}
    if placement.text:
        link["description"] = placement.text
    claims: dict[str, Any] = {LTI + "message_type": RESOURCE_LINK_REQUEST, LTI + "resource_link": link}
    if custom:
        claims[LTI + "custom"] = custom
    return claims


def deep_linking_claims(*, return_url: str, data: str, custom: dict[str, str]) -> dict[str, Any]:
    """The deep linking settings (Deep Linking 2.0 §4.4.1)."""
    claims: dict[str, Any] = {
        LTI + "message_type": DEEP_LINKING_REQUEST,
        DL + "deep_linking_settings": {
            "deep_link_return_url": return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": True,
            "title": "Add a toolkit",
            "text": "Choose the toolkits to add to the Sandbox course",
            "data": data,
        },
    }
    if custom:
        claims[LTI + "custom"] = custom
    return claims


def new_id() -> str:
    return uuid.uuid4().hex
