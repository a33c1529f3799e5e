"""Deep Linking 2.0: turn a facilitator's choice of items into a signed response (§4.5).

Each item becomes an `ltiResourceLink` whose custom parameters say what to open, so the launch that
follows knows, with a line item (AGS 2.0 §3.2 "declarative" creation) so the platform's gradebook has a
column for it. Today's items are a toolkit's parts (`Choice`: L1, with an optional due date as
`submission.endDateTime`, or L2); any other kind of item (a programme, say) is a class with a
`content_item(tool_url)` method (`LinkItem`), offered by the picker (`views.lti.deep_linking.OFFERS`).

The response is signed with the tool's current key, passed in (`ToolKey`), so this module needs no
domain import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

import jwt

from lti_tool.dates import UK_TIME
from lti_tool.lti import adapter
from lti_tool.models import ToolKey
from toolkits.model import Toolkit

PARTS = {"l1": "L1 self-study", "l2": "L2 group session"}
SCORE_MAXIMUM = 100


class LinkItem(Protocol):
    """Anything a facilitator can add to a course: it says which content item it becomes."""

    def content_item(self, tool_url: str) -> adapter.ContentItem: ...


@dataclass(frozen=True)
class Choice:
    """A toolkit's part (a key of `PARTS`), launched with custom `toolkit_id` and `part`."""

    toolkit: Toolkit
    part: str  # l1 | l2
    due: date | None = None

    def content_item(self, tool_url: str) -> adapter.ContentItem:
        return content_item(self, tool_url)


def due_moment(day: date) -> datetime:
    """The L1 due date picked in the picker as one moment: the end of that day in UK time (GMT or BST,
    docs/dates.md), in UTC. The same moment goes to the LMS and becomes the plan page's L1 deadline."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UK_TIME).astimezone(UTC)


def content_item(choice: Choice, tool_url: str) -> adapter.ContentItem:
    title = f"{choice.toolkit.title}: {PARTS[choice.part]}"
    minutes = choice.toolkit.l1.minutes if choice.part == "l1" else choice.toolkit.l2.minutes
    due = ""
    if choice.due is not None and choice.part == "l1":
        # End of the chosen day in UK time, sent in UTC: platforms show it in the learner's own time zone.
        due = due_moment(choice.due).strftime("%Y-%m-%dT%H:%M:%SZ")
    return adapter.ContentItem(
        title=title,
        url=tool_url,
        custom={"toolkit_id": choice.toolkit.id, "part": choice.part},
        line_item_label=title,
        score_maximum=SCORE_MAXIMUM,
        resource_id=f"{choice.toolkit.id}:{choice.part}",
        tag=f"swott-{choice.part}",
        text=f"About {minutes} minutes.",
        due=due,
    )


def response_jwt(
    key: ToolKey,
    *,
    client_id: str,
    issuer: str,
    deployment_id: str,
    settings: Mapping[str, Any],
    choices: Sequence[LinkItem],
    tool_url: str,
) -> str:
    """The signed `LtiDeepLinkingResponse` to form-post as `JWT` to `deep_link_return_url`.

    Signed with `key` (the tool's current signing key) and the algorithm its public JWK names.
    """
    claims = adapter.deep_linking_response_claims(
        client_id=client_id,
        issuer=issuer,
        deployment_id=deployment_id,
        settings=settings,
        items=[c.content_item(tool_url) for c in choices],
    )
    algorithm = str(key.public_jwk.get("alg", "RS256"))
    return jwt.encode(claims, key.private_pem, algorithm=algorithm, headers={"kid": key.kid})
