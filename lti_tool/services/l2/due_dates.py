"""The LMS due dates of the L1 and L2 line items (AGS 2.0 §3.2.7), pushed in the background."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.lti.service_client import PlatformEndpoint
from lti_tool.models import (
    Context,
    GroupSession,
    Platform,
    ResourceLink,
)
from lti_tool.services import delivery
from lti_tool.services.grades import SCOPE_LINEITEM, AgsError, GradeService
from lti_tool.services.l2.scheduling import ends_at
from toolkits.model import Toolkit

log = logging.getLogger(__name__)


# --- The LMS due date ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueDateUpdate:
    updated: int
    skipped: int
    failed: int


def l2_due(session: Session, *, context_id: int, toolkit: Toolkit) -> datetime | None:
    """When L2 is due in the gradebook: the end of the latest session scheduled for the course."""
    groups = session.scalars(
        select(GroupSession).where(GroupSession.context_id == context_id, GroupSession.toolkit_id == toolkit.id)
    ).all()
    return max((ends_at(g, toolkit) for g in groups), default=None)


def due_date_links(
    session: Session, *, context_id: int, toolkit_id: str, part: str
) -> list[tuple[ResourceLink, Platform]]:
    """The `part` links of the course whose line item the platform lets us change (AGS 2.0 §3.2.7).

    A link is left out when the platform gave no line item URL or no `lineitem` scope (Moodle gives
    the scope only when the tool asked for it at registration).
    """
    links = session.execute(
        select(ResourceLink, Platform)
        .join(Context, Context.id == ResourceLink.context_id)
        .join(Platform, Platform.id == Context.platform_id)
        .where(ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit_id, ResourceLink.part == part)
    ).all()
    return [
        (link, platform) for link, platform in links if link.lineitem_url and SCOPE_LINEITEM in (link.ags_scopes or [])
    ]


def push_due_date(
    session: Session, grades: GradeService, *, context_id: int, toolkit_id: str, part: str, deadline: datetime | None
) -> DueDateUpdate:
    """Set the `part` line items' `endDateTime` to `deadline` where the platform lets us (AGS 2.0 §3.2.7).

    L1: the facilitator's L1 deadline. L2: the end of the latest scheduled session (`l2_due`).
    Runs in the background (`lti_tool.background`), never in the facilitator's request. Failures are
    counted, never raised: the deadline is saved here either way, and the dashboard uses ours.
    """
    every = session.scalar(
        select(func.count(ResourceLink.id)).where(
            ResourceLink.context_id == context_id, ResourceLink.toolkit_id == toolkit_id, ResourceLink.part == part
        )
    )
    targets = due_date_links(session, context_id=context_id, toolkit_id=toolkit_id, part=part)
    updated = failed = 0
    for link, platform in targets:
        try:
            grades.update_line_item_end_date(PlatformEndpoint.of(platform), link.lineitem_url, deadline)
            updated += 1
        except AgsError as error:  # an LMS refusing a due date must not lose the deadline we saved
            log.info("line item end date not updated: HTTP %s", error.status)
            failed += 1
    return DueDateUpdate(updated, int(every or 0) - len(targets), failed)


def due_date_task(
    database: Database,
    redis_url: str,
    *,
    context_id: int,
    toolkit_id: str,
    part: str,
    deadline: datetime | None,
) -> Callable[[], DueDateUpdate]:
    """`push_due_date` as a background task (`lti_tool.background`): its own session and grade service."""

    def push() -> DueDateUpdate:
        grades = delivery.default_grade_service(database, redis_url)
        try:
            with database.session() as session:
                return push_due_date(
                    session, grades, context_id=context_id, toolkit_id=toolkit_id, part=part, deadline=deadline
                )
        finally:
            grades.close()

    return push
