"""The passback outbox: AGS scores written with the progress they report, then delivered, never lost.

AGS 2.0 §3.4 (Score publish service) lets a tool POST a learner's score and progress to a line item at
any time; the platform keeps the one with the latest `timestamp` and "MUST NOT update a result if the
last timestamp on record is later than the incoming score update". This module builds on that.

Guarantees
- **Nothing committed is lost.** `enqueue_score` adds a `score_record` row to the caller's session, so it
  commits (or rolls back) with the progress change it reports. A crash, a restart or a platform outage
  after the commit leaves the row pending in the database until it is delivered.
- **In order per learner and line item.** Only the earliest undelivered record of a learner on a resource
  link (its *head*) is ever sent. While it waits for a retry, later records of the same pair wait behind
  it. Each record carries the timestamp fixed when it was queued, strictly increasing per pair at
  one-second resolution (Moodle refuses a timestamp not newer than its own with 409); two requests
  committing in the same second are put one second apart when the later one is leased. After a
  FullyGraded score only FullyGraded scores may be queued (Moodle blanks the grade otherwise).
- **Marked delivered exactly once.** A process takes a short lease on a record before sending it (on
  PostgreSQL the candidates are picked with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers
  skip each other's rows; SQLite is single-writer and the lease is a compare-and-set), and writes the
  outcome only if it still holds the lease. Several workers never send the same record at once.
- **Idempotent on the platform.** If a process dies after the platform accepted a score but before the
  outcome was written, the lease expires and the score is sent again with the *same* timestamp: Moodle
  answers 409 and the spec tells other platforms to ignore it, so the gradebook changes once; the
  duplicate answer is reconciled by reading the result back (below). An old score a facilitator retries
  after newer ones were delivered keeps its old timestamp and cannot overwrite the newer grade.
- **Retries with backoff.** Timeouts, connection errors, 429 and 5xx schedule the next try after
  30 s, 1 min, 2 min … up to an hour (or the platform's Retry-After), for as long as it takes: a record
  is never dropped because a platform was down. As soon as the platform accepts any score again, its
  other waiting records are brought forward, so the gradebook catches up without sitting out the backoff.
  Other 4xx answers mark the record failed with the reason; failed records do not block later ones,
  and a facilitator can `retry` them.

- **Posted only when the gradebook would change.** `enqueue_score` queues nothing when the score has
  the same activityProgress, gradingProgress and scoreGiven as the last one sent or waiting.
- **One accepted post per score, whatever fails.** A read timeout or a killed sender leaves the record
  *in doubt* (its claim token stays set); the next try reads the learner's result back (AGS 2.0 §3.3,
  `result.readonly`) and posts again, with the same timestamp, only if the gradebook does not show
  it. A platform's "already have this score" answer (Moodle 409, Open edX `400 {"timestamp": [...]}`,
  any 4xx naming the timestamp) is checked the same way and counted as delivered when it matches, so
  facilitators see no false "not delivered". See docs/passback.md.

Timing: nothing is sent inside a learner's or facilitator's request. `enqueue_score` remembers the ids
in the session, and an `after_commit` hook hands them to `session.info[AFTER_COMMIT]`: in the web app,
the post-response background delivery (`lti_tool.background`, when `SWOTT_PASSBACK=background`, the
embedded default). `swott worker` (`lti_tool.worker`) runs `delivery.deliver_pending` in a loop for everything
(production), and prunes delivered progress-only records after 90 days. Facilitators see
`undelivered` scores of their course and `retry` them (`views/passback.py`).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, event, func, select
from sqlalchemy.orm import Session, aliased

from lti_tool.models import GradingProgress, LtiUser, ResourceLink, ScoreRecord, ScoreStatus, utcnow
from lti_tool.services.grades import ACTIVITY_PROGRESS, GRADING_PROGRESS

# `resource_link.link_id` of a placement the tool made itself, which has no gradebook column: a programme's
# toolkit L2 in a course that placed only the programme (`services.programmes.group_sessions`).
NO_COLUMN_PREFIX = "swott-programme-l2:"

log = logging.getLogger(__name__)

PENDING = ScoreStatus.PENDING
DELIVERED = ScoreStatus.DELIVERED
FAILED = ScoreStatus.FAILED

FULLY_GRADED = GradingProgress.FULLY_GRADED
RETENTION = timedelta(days=90)
# `session.info` keys: the records this transaction queued, and what to call with their ids after commit.
_QUEUED = "swott.outbox.queued"
AFTER_COMMIT = "swott.outbox.after_commit"


@dataclass(frozen=True)
class UndeliveredScore:
    """A score the platform has not got yet, for the facilitator page (shown, never logged)."""

    record_id: int
    user_id: int
    user_name: str
    resource_link_id: int
    link_title: str
    activity_progress: str
    grading_progress: str
    score_given: float | None
    score_maximum: float
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime
    created_at: datetime


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def aware(moment: datetime | str) -> datetime:
    """An aggregate's datetime in UTC (SQLite returns MAX() of a datetime column naive, or as text)."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def enqueue_score(
    session: Session,
    *,
    resource_link_id: int,
    user_id: int,
    score_given: float | None,
    score_maximum: float,
    activity_progress: str,
    grading_progress: str,
    comment: str = "",
) -> ScoreRecord | None:
    """Queue a score in the caller's transaction (it commits or rolls back with the progress change).

    Returns None, queuing nothing, when the score would not change what the gradebook shows: the
    learner's last score on this link that was sent or is waiting to be sent has the same
    activityProgress, gradingProgress, scoreGiven and scoreMaximum (a learner paging through L1 used
    to post an identical InProgress/Pending score on every page). That includes a failed last score:
    the facilitator's retry sends it, and piling up copies of it would only lengthen their list.

    The timestamp is now at whole seconds, or one second after the learner's previous score on this
    link when that is later (two steps in one second must still reach Moodle in order).
    Raises ValueError for values AGS does not allow, and for a score that is not FullyGraded after a
    FullyGraded one: Moodle would blank the learner's grade.

    After the transaction commits, the ids queued in it are handed to `session.info[AFTER_COMMIT]`
    when the session has one (the web app's background delivery, `lti_tool.background`); otherwise
    `swott worker` finds them.
    """
    if activity_progress not in ACTIVITY_PROGRESS:
        raise ValueError(f"unknown activityProgress {activity_progress!r}")
    if grading_progress not in GRADING_PROGRESS:
        raise ValueError(f"unknown gradingProgress {grading_progress!r}")
    if not score_maximum > 0:
        raise ValueError("score_maximum must be greater than 0")
    if score_given is not None and score_given < 0:
        raise ValueError("score_given must not be negative")
    link = session.get(ResourceLink, resource_link_id)
    if link is not None and link.link_id.startswith(NO_COLUMN_PREFIX):
        return None  # a placement the tool made for itself: the LMS has no column for it
    last, graded, latest = _history(session, user_id=user_id, resource_link_id=resource_link_id)
    if last is not None and gradebook_view(last) == (activity_progress, grading_progress, score_given, score_maximum):
        return None
    if grading_progress != FULLY_GRADED and graded:
        raise ValueError("a FullyGraded score was already queued: later scores must be FullyGraded (Moodle)")
    now = utcnow()
    timestamp = whole_second(now)
    if latest is not None:
        timestamp = max(timestamp, whole_second(aware(latest)) + timedelta(seconds=1))
    record = ScoreRecord(
        user_id=user_id,
        resource_link_id=resource_link_id,
        score_given=score_given,
        score_maximum=score_maximum,
        activity_progress=activity_progress,
        grading_progress=grading_progress,
        comment=comment,
        timestamp=timestamp,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        claim_token="",
        last_error="",
        created_at=now,
    )
    session.add(record)
    session.flush()  # the id is known at once, for delivery after commit
    session.info.setdefault(_QUEUED, []).append(record.id)
    return record


def _history(
    session: Session, *, user_id: int, resource_link_id: int
) -> tuple[ScoreRecord | None, bool, datetime | str | None]:
    """The learner's last score on the link, whether any was FullyGraded, and the latest timestamp.

    One statement (issue 15: a page step is at most four): the last record, with the other two as
    scalar subqueries over an alias of the table. No record at all means no FullyGraded one either.
    """
    row = session.execute(_history_statement(), {"user_id": user_id, "link_id": resource_link_id}).first()
    if row is None:
        return None, False, None
    return row[0], row[1] is not None, row[2]


@functools.cache
def _history_statement() -> Any:
    """`_history`'s query, built once per process (an alias and two subqueries are costly to build)."""
    other = aliased(ScoreRecord, name="earlier")
    user, link = bindparam("user_id", type_=Integer), bindparam("link_id", type_=Integer)
    same_pair = (other.user_id == user, other.resource_link_id == link)
    graded = select(other.id).where(*same_pair, other.grading_progress == FULLY_GRADED).limit(1).scalar_subquery()
    latest = select(func.max(other.timestamp)).where(*same_pair).scalar_subquery()
    return (
        select(ScoreRecord, graded, latest)
        .where(ScoreRecord.user_id == user, ScoreRecord.resource_link_id == link)
        .order_by(ScoreRecord.id.desc())
        .limit(1)
    )


def gradebook_view(record: ScoreRecord) -> tuple[str, str, float | None, float]:
    """What a score makes the gradebook show (AGS 2.0 §3.4): the comment and timestamp do not count."""
    return (record.activity_progress, record.grading_progress, record.score_given, record.score_maximum)


@event.listens_for(Session, "after_commit")
def _hand_over_after_commit(session: Session) -> None:
    """The transaction that queued scores has committed: hand their ids to the session's delivery.

    Runs for every session, so every caller of `enqueue_score` (L1, L2, anything later) gets delivery
    after commit without collecting ids itself. No SQL may run here; the callback only wakes a thread.
    """
    ids: list[int] = session.info.pop(_QUEUED, [])
    deliver = session.info.get(AFTER_COMMIT)
    if ids and deliver is not None:
        try:
            deliver(ids)
        except Exception:  # the scores are committed: the worker or the next pass sends them
            log.exception("passback: could not hand %d committed score(s) to background delivery", len(ids))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    """Scores queued in a transaction that rolled back were never written: nothing to deliver."""
    session.info.pop(_QUEUED, None)


def prune_delivered(session: Session, *, older_than: timedelta = RETENTION, now: datetime | None = None) -> int:
    """Delete delivered progress scores older than `older_than` (the caller commits); how many.

    Every page a learner views queues a score, so the table would only grow. The platform's gradebook
    holds what was sent; FullyGraded records are kept, since `enqueue_score` checks them.
    """
    cutoff = (now or utcnow()) - older_than
    result: Any = session.execute(
        delete(ScoreRecord).where(
            ScoreRecord.status == DELIVERED,
            ScoreRecord.grading_progress != FULLY_GRADED,
            ScoreRecord.delivered_at < cutoff,
        )
    )
    return int(result.rowcount or 0)


def _context_scope(context_id: int) -> Any:
    return ScoreRecord.resource_link_id.in_(select(ResourceLink.id).where(ResourceLink.context_id == context_id))


def retry(session: Session, record_id: int, *, context_id: int | None = None) -> ScoreRecord:
    """Put a failed or waiting record back at the front of the queue (the caller commits).

    Pass the facilitator's `context_id`: a record of another course is then not found (LookupError),
    so ids guessed from another course or platform reveal and change nothing.
    """
    query = select(ScoreRecord).where(ScoreRecord.id == record_id)
    if context_id is not None:
        query = query.where(_context_scope(context_id))
    record = session.scalar(query)
    if record is None:
        raise LookupError(f"no score record {record_id} in this course")
    if record.status != DELIVERED:
        record.status = PENDING
        record.next_attempt_at = utcnow()
        record.attempts = 0
        session.info.setdefault(_QUEUED, []).append(record.id)  # sent after the caller's commit
    return record


def undelivered(session: Session, context_id: int) -> list[UndeliveredScore]:
    """Scores of this course the platform has not got (waiting or failed), oldest first."""
    rows = session.execute(
        select(ScoreRecord, LtiUser.name, ResourceLink.title)
        .join(LtiUser, LtiUser.id == ScoreRecord.user_id)
        .join(ResourceLink, ResourceLink.id == ScoreRecord.resource_link_id)
        .where(and_(ResourceLink.context_id == context_id, ScoreRecord.status.in_((PENDING, FAILED))))
        .order_by(ScoreRecord.id)
    ).all()
    return [
        UndeliveredScore(
            record_id=record.id,
            user_id=record.user_id,
            user_name=name,
            resource_link_id=record.resource_link_id,
            link_title=title,
            activity_progress=record.activity_progress,
            grading_progress=record.grading_progress,
            score_given=record.score_given,
            score_maximum=record.score_maximum,
            status=record.status,
            attempts=record.attempts,
            last_error=record.last_error,
            next_attempt_at=record.next_attempt_at,
            created_at=record.created_at,
        )
        for record, name, title in rows
    ]
