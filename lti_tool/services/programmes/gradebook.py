"""The programme's gradebook line: the share of required activities done, Completed when all are.

Goes through the one passback outbox (`lti_tool.services.outbox`): `enqueue_score` writes the score in
the caller's transaction and it is delivered after commit, never inside a request; the outbox itself
skips a score that would not change what the gradebook shows. A run added without its own placement
(no `resource_link_id`) has no column, so nothing is queued. Scores are always FullyGraded: once a
FullyGraded score was sent, Moodle blanks the grade on anything else (docs/passback.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from lti_tool.models import ActivityProgress, GradingProgress
from lti_tool.services import outbox
from lti_tool.services.programmes.cohort import CohortView
from lti_tool.services.progress import EnqueueScore

SCORE_MAXIMUM = 100.0


def queue_scores(session: Session, view: CohortView, user_ids: Iterable[int] | None = None,
                 enqueue: EnqueueScore | None = None) -> int:  # fmt: skip
    """Queue each participant's programme score (or only `user_ids`'); returns how many were queued."""
    link_id = view.run.resource_link_id
    if link_id is None:
        return 0
    send: EnqueueScore = enqueue or outbox.enqueue_score
    wanted = set(user_ids) if user_ids is not None else None
    queued = 0
    for row in view.rows:
        if wanted is not None and row.user_id not in wanted:
            continue
        record = send(
            session,
            resource_link_id=link_id,
            user_id=row.user_id,
            score_given=round(row.share_done * SCORE_MAXIMUM, 2),
            score_maximum=SCORE_MAXIMUM,
            activity_progress=ActivityProgress.COMPLETED if row.complete else ActivityProgress.IN_PROGRESS,
            grading_progress=GradingProgress.FULLY_GRADED,
            comment=f"{row.done_required} of {row.total_required} required activities done",
        )
        queued += record is not None
    return queued
