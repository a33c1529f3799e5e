"""Per-activity gradebook columns of a programme (issue 16 §7, "activities with their own line items").

An activity the template marks `line_item: true` gets its own column beside the programme's. Each is a
`resource_link` row of part `pa` standing for "this activity of this run", so the one outbox path
(`services.outbox` → `services.delivery` → `services.grades`) carries its scores unchanged: the first
delivery finds or creates its line item (AGS 2.0 §3.2.5–3.2.6), never a learner's request.

The line item is bound to the programme's own placement (`resourceLinkId` is the LMS's id of the
programme link: Moodle refuses a line item naming a resource link it does not know) and told apart
from the programme's column by its `resourceId`, `programme-activity:<run>:<activity>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lti_tool.models import LinkPart, ResourceLink

PART = LinkPart.PROGRAMME_ACTIVITY
TAG = "swott-programme-activity"
SEPARATOR = "#activity:"


@dataclass(frozen=True)
class ActivityColumn:
    placement_link_id: str  # the LMS's resource link id of the programme placement
    run_id: int
    activity_id: str

    @property
    def resource_id(self) -> str:
        return f"programme-activity:{self.run_id}:{self.activity_id}"


def link_id_for(placement: ResourceLink, run_id: int, activity_id: str) -> str:
    return f"{placement.link_id}{SEPARATOR}{run_id}:{activity_id}"


def parse(link: ResourceLink) -> ActivityColumn | None:
    """The activity column a resource link row stands for, or None for an LMS's own placement."""
    if link.part != PART or SEPARATOR not in link.link_id:
        return None
    placement, _, rest = link.link_id.rpartition(SEPARATOR)
    run, _, activity = rest.partition(":")
    if not run.isdigit() or not activity:
        return None
    return ActivityColumn(placement, int(run), activity)
