"""What the gradebook shows, and whether a platform's answer means it already has our score.

Used by `services.delivery` in two situations where a post's effect is uncertain (docs/passback.md):
- the platform answered "already have this score" (Moodle 409, Open edX 400 naming the timestamp);
- an earlier post got no answer (a read timeout, a killed sender), so it may have been applied.
In both, the learner's result is read back (AGS 2.0 §3.3, scope `result.readonly`) and compared with
what this score, or a later one already delivered, makes the gradebook show.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.lti.service_client import PlatformEndpoint
from lti_tool.models import ScoreRecord
from lti_tool.services.grades import AgsError, GradeService, Result
from lti_tool.services.outbox import DELIVERED, FAILED, FULLY_GRADED, gradebook_view

log = logging.getLogger(__name__)

Shown = tuple[str, str, float | None, float]  # activityProgress, gradingProgress, scoreGiven, scoreMaximum


def read_back(
    service: GradeService, platform: PlatformEndpoint, lineitem: str, user_id: str, scopes: tuple[str, ...]
) -> tuple[bool, Result | None]:
    """(True, the learner's result), or (False, None) when the platform will not let us read it.

    An outage while reading (retryable) is raised: the record waits and tries again.
    """
    try:
        return True, service.read_result(platform, lineitem, user_id, scopes)
    except AgsError as error:
        if error.retryable:
            raise
        log.info("passback: result read-back refused by platform %s (HTTP %s)", platform.platform_id, error.status)
        return False, None


def shows(result: Result | None, shown: Shown) -> bool:
    """Whether the platform's result is what this score makes the gradebook show.

    A progress-only score shows no grade (Moodle blanks scoreGiven unless FullyGraded); a graded one
    shows its score, compared as a fraction because the platform may scale it to the line item.
    """
    _activity, grading, given, maximum = shown
    if grading != FULLY_GRADED or given is None:
        return result is None or result.result_score is None
    if result is None or result.result_score is None:
        return False
    result_maximum = result.result_maximum or maximum
    return abs(result.result_score / result_maximum - given / maximum) < 1e-6


def superseding(session: Session, record: ScoreRecord) -> list[Shown]:
    """Later scores of the learner on this link the platform has (a retried old score loses to them)."""
    rows = session.scalars(
        select(ScoreRecord).where(
            ScoreRecord.user_id == record.user_id,
            ScoreRecord.resource_link_id == record.resource_link_id,
            ScoreRecord.status == DELIVERED,
            ScoreRecord.timestamp > record.timestamp,
        )
    )
    return [gradebook_view(row) for row in rows]


def repeats_the_last_delivered(session: Session, record: ScoreRecord) -> bool:
    previous = session.scalars(
        select(ScoreRecord)
        .where(
            ScoreRecord.user_id == record.user_id,
            ScoreRecord.resource_link_id == record.resource_link_id,
            ScoreRecord.id < record.id,
            ScoreRecord.status != FAILED,
        )
        .order_by(ScoreRecord.id.desc())
        .limit(1)
    ).first()
    return previous is not None and previous.status == DELIVERED and gradebook_view(previous) == gradebook_view(record)
