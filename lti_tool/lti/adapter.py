"""The one module that uses pylti1p3 (house style: every library dependency behind one adapter).

What we take from pylti1p3: its per-message-type claim validators (LTI Core 1.3 §5.3-5.4, Deep
Linking 2.0 §4.4) as a second net after our own checks, and its Deep Linking response builder
(`DeepLink`, `DeepLinkResource`, `LineItem`). What we do not take, because of the known gaps the issue
lists: state and nonce handling (it never consumes the nonce), audience checks (only `aud[0]`, never
`azp`), signature verification (no clock leeway), and its platform key cache (never refreshed on an
unknown `kid`); those live in `lti_tool.lti.launch` and `lti_tool.lti.platform_keys`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from pylti1p3.message_validators import get_validators
from pylti1p3.registration import Registration


class MessageInvalid(Exception):
    """pylti1p3's validators refused the message; the text is theirs and holds no token data."""


def check_message(body: Mapping[str, Any]) -> None:
    """Run pylti1p3's validator for the body's message type (exactly one must apply)."""
    applicable = [v for v in get_validators() if v.can_validate(body)]  # type: ignore[no-untyped-call]
    if len(applicable) != 1:
        raise MessageInvalid("unrecognised message type")
    try:
        if not applicable[0].validate(body):
            raise MessageInvalid("message validation failed")
    except LtiException as error:
        raise MessageInvalid(str(error)) from None


@dataclass(frozen=True)
class ContentItem:
    """One `ltiResourceLink` for the Deep Linking response (Deep Linking 2.0 §3.1)."""

    title: str
    url: str
    custom: Mapping[str, str]
    line_item_label: str = ""
    score_maximum: float = 0
    resource_id: str = ""
    tag: str = ""
    text: str = ""
    due: str = ""  # ISO 8601; becomes `submission.endDateTime`


def deep_linking_response_claims(
    *,
    client_id: str,
    issuer: str,
    deployment_id: str,
    settings: Mapping[str, Any],
    items: Sequence[ContentItem],
    lifetime: int = 600,
) -> dict[str, Any]:
    """The claims of an `LtiDeepLinkingResponse` (Deep Linking 2.0 §4.5), built by pylti1p3.

    pylti1p3 has no field for `text` or a due date (`submission.endDateTime`), so those are added to
    its dictionaries; it also sets `url` and `title` to None when empty, which we drop.
    """
    registration = Registration().set_client_id(client_id).set_issuer(issuer)
    resources = []
    for item in items:
        resource = DeepLinkResource().set_title(item.title).set_url(item.url).set_custom_params(dict(item.custom))
        if item.score_maximum:
            line_item = LineItem().set_score_maximum(item.score_maximum).set_label(item.line_item_label or item.title)
            if item.resource_id:
                line_item.set_resource_id(item.resource_id)
            if item.tag:
                line_item.set_tag(item.tag)
            resource.set_lineitem(line_item)
        resources.append(resource)
    claims: dict[str, Any] = DeepLink(registration, deployment_id, dict(settings)).get_message_jwt(resources)  # type: ignore[arg-type]
    now = int(time.time())
    claims["iat"] = now
    claims["exp"] = now + lifetime
    content = []
    for item, data in zip(items, claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"], strict=True):
        data = {k: v for k, v in data.items() if v is not None}
        if item.text:
            data["text"] = item.text
        if item.due:
            data["submission"] = {"endDateTime": item.due}
        content.append(data)
    claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] = content
    if claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") is None:
        # Deep Linking 2.0 §4.5.5: echo `data` only when the request had it.
        del claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"]
    return claims
