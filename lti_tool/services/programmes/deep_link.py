"""The "Programme" choice in Deep Linking 2.0 (§4.5): one `ltiResourceLink` per programme template.

Kept here, self-contained, for `lti_tool/lti/deep_linking.py` and `views/lti.py` to call: the content
item's custom parameters name the programme (`programme_id`, `part=programme`), and its line item
(AGS 2.0 §3.2, declarative) is the programme's gradebook column (`services.programmes.gradebook`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lti_tool.lti import adapter
from lti_tool.models import LinkPart
from toolkits.programmes import Programme

PART = "programme"
# `resource_link.part` is two characters (`models.LinkPart`): a programme placement is stored as "pg".
LINK_PART = LinkPart.PROGRAMME
SCORE_MAXIMUM = 100


def content_item(programme: Programme, tool_url: str) -> adapter.ContentItem:
    title = f"Programme: {programme.title}"
    return adapter.ContentItem(
        title=title,
        url=tool_url,
        custom={"programme_id": programme.id, "part": PART},
        line_item_label=title,
        score_maximum=SCORE_MAXIMUM,
        resource_id=f"programme:{programme.id}",
        tag="swott-programme",
        text=f"{len(programme.weeks)} weeks of CPD for a cohort.",
        due="",
    )


@dataclass(frozen=True)
class ProgrammeChoice:
    """A programme ticked in the Deep Linking picker (an `lti.deep_linking.LinkItem`)."""

    programme: Programme

    def content_item(self, tool_url: str) -> adapter.ContentItem:
        return content_item(self.programme, tool_url)


def is_programme_launch(part: str) -> bool:
    """Whether a launch's part (as the launch recorded it) is a programme placement."""
    return part in (PART, LINK_PART)


def chosen_programme(custom: Mapping[str, Any], available: Mapping[str, Programme]) -> Programme | None:
    """The programme a launch's custom parameters name, if any (for the launch's routing)."""
    if str(custom.get("part", "")).strip().lower() != PART:
        return None
    return available.get(str(custom.get("programme_id", "")).strip())


def launch_endpoint(is_facilitator: bool) -> str:
    """Where a programme placement's launch opens: the lead's list of runs, or the participant's own."""
    return "programmes.index" if is_facilitator else "programmes.mine"
