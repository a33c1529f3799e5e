"""Deep Linking 2.0: turn a facilitator's choice of toolkits and parts into a signed response (§4.5).

Each choice becomes an `ltiResourceLink` whose custom parameters name the toolkit and part, so the
launch that follows knows what to open, with a line item (AGS 2.0 §3.2 "declarative" creation) so the
platform's gradebook has a column for it, and for L1 an optional due date (`submission.endDateTime`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import jwt
from sqlalchemy.orm import Session

from lti_tool.dates import UK_TIME
from lti_tool.lti import adapter
from lti_tool.services import keys
from toolkits.model import Toolkit

PARTS = {"l1": "L1 self-study", "l2": "L2 group session"}
SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class Choice:
    toolkit: Toolkit
    part: str  # l1 | l2
    due: date | None = None


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
    session: Session,
    *,
    client_id: str,
    issuer: str,
    deployment_id: str,
    settings: Mapping[str, Any],
    choices: Sequence[Choice],
    tool_url: str,
) -> str:
    """The signed `LtiDeepLinkingResponse` to form-post as `JWT` to `deep_link_return_url`."""
    claims = adapter.deep_linking_response_claims(
        client_id=client_id,
        issuer=issuer,
        deployment_id=deployment_id,
        settings=settings,
        items=[content_item(c, tool_url) for c in choices],
    )
    key = keys.signing_key(session)
    return jwt.encode(claims, key.private_pem, algorithm=keys.SIGNING_ALGORITHM, headers={"kid": key.kid})
