"""The programme's gradebook line: the share of required activities done, Completed when all are.

Goes through the one passback outbox (`lti_tool.services.outbox`): `enqueue_score` writes the score in
the caller's transaction and it is delivered after commit, never inside a request; the outbox itself
skips a score that would not change what the gradebook shows. A run added without its own placement
(no `resource_link_id`) has no column, so nothing is queued. Scores are always FullyGraded: once a
FullyGraded score was sent, Moodle blanks the grade on anything else (docs/passback.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import ActivityProgress, GradingProgress, ProgressStatus, ResourceLink
from lti_tool.services import outbox
from lti_tool.services.programmes import columns
from lti_tool.services.programmes.cohort import CohortView
from lti_tool.services.progress import EnqueueScore
from toolkits.programmes import Activity, Programme

SCORE_MAXIMUM = 100.0


def queue_scores(session: Session, view: CohortView, user_ids: Iterable[int] | None = None,
                 enqueue: EnqueueScore | None = None, programme: Programme | None = None) -> int:  # fmt: skip
    """Queue each participant's programme score (or only `user_ids`'), and with `programme` each score
    of the activities that have their own column; returns how many were queued."""
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
    if programme is not None:
        queued += queue_activity_scores(session, view, programme, wanted, send)
    return queued


def activity_link(session: Session, view: CohortView, activity: Activity) -> ResourceLink | None:
    """The resource link row standing for this activity's column (made on first use), or None with no
    programme placement to bind it to."""
    placement = session.get(ResourceLink, view.run.resource_link_id) if view.run.resource_link_id else None
    if placement is None:
        return None
    link_id = columns.link_id_for(placement, view.run.id, activity.id)
    found = session.scalars(
        select(ResourceLink).where(ResourceLink.context_id == placement.context_id, ResourceLink.link_id == link_id)
    ).first()
    if found is not None:
        return found
    link = ResourceLink(
        context_id=placement.context_id,
        link_id=link_id,
        title=f"{view.run.cohort_name}: {activity.title}"[:255],
        toolkit_id=(activity.toolkit or view.run.template_id)[:64],
        part=columns.PART,
        lineitem_url="",  # found or created by the first delivery (`services.delivery`)
        ags_scopes=list(placement.ags_scopes or []),
    )
    session.add(link)
    session.flush()
    return link


def queue_activity_scores(
    session: Session, view: CohortView, programme: Programme, wanted: set[int] | None, send: EnqueueScore
) -> int:
    """Each participant's score in each activity column: the share of its occurrences done (a set meeting
    three times: a third each), Completed when all are. Nothing is sent while none has happened yet
    (the cell is "not started": done, missed or past are what a gradebook should show)."""
    queued = 0
    for activity in programme.activities:
        if not activity.line_item:
            continue
        indexes = [i for i, c in enumerate(view.columns) if c.activity_id == activity.id and not c.cancelled]
        if not indexes:
            continue
        link = activity_link(session, view, activity)
        if link is None:
            return queued
        for row in view.rows:
            if wanted is not None and row.user_id not in wanted:
                continue
            cells = [row.cells[i].status for i in indexes]
            if all(s == ProgressStatus.NOT_STARTED.value for s in cells):
                continue
            done = sum(s == ProgressStatus.DONE.value for s in cells)
            record = send(
                session,
                resource_link_id=link.id,
                user_id=row.user_id,
                score_given=round(done / len(cells) * SCORE_MAXIMUM, 2),
                score_maximum=SCORE_MAXIMUM,
                activity_progress="Completed" if done == len(cells) else "InProgress",
                grading_progress="FullyGraded",  # as the programme's column: Moodle blanks it otherwise
                comment=f"{done} of {len(cells)} done",
            )
            queued += record is not None
    return queued
