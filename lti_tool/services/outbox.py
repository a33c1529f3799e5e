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
  answers 409 and the spec tells other platforms to ignore it, so the gradebook changes once. A 409 is
  therefore recorded as delivered (the platform holds this score or a newer one). So the *HTTP post*
  is at least once; its *effect* in the gradebook is exactly once. An old score a facilitator retries
  after newer ones were delivered keeps its old timestamp and cannot overwrite the newer grade.
- **Retries with backoff.** Timeouts, connection errors, 429 and 5xx schedule the next try after
  30 s, 1 min, 2 min … up to an hour (or the platform's Retry-After), for as long as it takes: a record
  is never dropped because a platform was down. As soon as the platform accepts any score again, its
  other waiting records are brought forward, so the gradebook catches up without sitting out the backoff.
  Other 4xx answers mark the record failed with the reason; failed records do not block later ones,
  and a facilitator can `retry` them.

Timing: `deliver_after_commit` sends the request's records straight after its commit (best effort, short
timeouts); `swott worker` (`lti_tool.worker`) runs `deliver_pending` in a loop for everything else, and
prunes delivered progress-only records after 90 days. Facilitators see `undelivered` scores of their
course and `retry` them (`views/passback.py`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from lti_tool.db import Database
from lti_tool.models import Context, LtiUser, Platform, ResourceLink, ScoreRecord, utcnow
from lti_tool.services.access_tokens import DEFAULT_TIMEOUT, AccessTokens, PlatformEndpoint
from lti_tool.services.grades import (
    ACTIVITY_PROGRESS,
    AGS_SCOPES,
    GRADING_PROGRESS,
    SCOPE_LINEITEM,
    SCOPE_SCORE,
    AgsError,
    GradeService,
    Score,
    ScoreConflict,
)

log = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

FULLY_GRADED = "FullyGraded"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# Longer than a token request plus a score post at their timeouts, so a lease never expires mid-send.
LEASE = timedelta(minutes=2)
BATCH = 50
INLINE_TIMEOUT: tuple[float, float] = (2.0, 5.0)
RETENTION = timedelta(days=90)


@dataclass
class DeliveryReport:
    """What one `deliver_pending` call did (ids only: no personal data)."""

    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.failed)

    def summary(self) -> str:
        return f"{len(self.delivered)} delivered, {len(self.retrying)} waiting to retry, {len(self.failed)} failed"


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


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _aware(moment: datetime | str) -> datetime:
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
) -> ScoreRecord:
    """Queue a score in the caller's transaction (it commits or rolls back with the progress change).

    The timestamp is now at whole seconds, or one second after the learner's previous score on this
    link when that is later (two steps in one second must still reach Moodle in order).
    Raises ValueError for values AGS does not allow, and for a score that is not FullyGraded after a
    FullyGraded one: Moodle would blank the learner's grade.
    """
    if activity_progress not in ACTIVITY_PROGRESS:
        raise ValueError(f"unknown activityProgress {activity_progress!r}")
    if grading_progress not in GRADING_PROGRESS:
        raise ValueError(f"unknown gradingProgress {grading_progress!r}")
    if not score_maximum > 0:
        raise ValueError("score_maximum must be greater than 0")
    if score_given is not None and score_given < 0:
        raise ValueError("score_given must not be negative")
    pair = (ScoreRecord.user_id == user_id, ScoreRecord.resource_link_id == resource_link_id)
    if grading_progress != FULLY_GRADED:
        graded = session.scalar(
            select(ScoreRecord.id).where(*pair, ScoreRecord.grading_progress == FULLY_GRADED).limit(1)
        )
        if graded is not None:
            raise ValueError("a FullyGraded score was already queued: later scores must be FullyGraded (Moodle)")
    now = utcnow()
    timestamp = _whole_second(now)
    latest = session.scalar(select(func.max(ScoreRecord.timestamp)).where(*pair))
    if latest is not None:
        timestamp = max(timestamp, _whole_second(_aware(latest)) + timedelta(seconds=1))
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
    session.flush()  # the id is known at once, for deliver_after_commit
    return record


def default_grade_service(
    database: Database, redis_url: str = "", timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> GradeService:
    """A grade service over the shared token cache (Redis when configured, else the database)."""
    return GradeService(AccessTokens(database, redis_url=redis_url, timeout=timeout), timeout=timeout)


def deliver_pending(
    database: Database,
    *,
    only_ids: list[int] | None = None,
    now: datetime | None = None,
    grades: GradeService | None = None,
    batch: int = BATCH,
) -> DeliveryReport:
    """Send every due record, head by head, until nothing due is left.

    With `only_ids`, only those records are sent, with any earlier due records of the same learner and
    link ahead of them (order first); a record waiting behind a retry stays for the worker.

    `now` decides what is due (tests pass a later time instead of sleeping through a backoff).
    Without `grades`, a grade service with the database token cache is made for this call. `batch`
    is how many heads one pass leases at a time: smaller shares the work between workers sooner.
    """
    own_service = grades is None
    service = grades or default_grade_service(database)
    report = DeliveryReport()
    recovered: set[int] = set()
    try:
        while True:
            clock = now or utcnow()
            claimed = _claim_heads(database, clock, only_ids, batch)
            if not claimed:
                break
            unavailable: dict[int, AgsError] = {}
            for record_id, token in claimed:
                _deliver_one(database, service, record_id, token, clock, unavailable, recovered, report)
    finally:
        if own_service:
            service.tokens.close()
            service.http.close()
    if report.attempted:
        log.info("passback: %s", report.summary())
    return report


def _claim_heads(database: Database, now: datetime, only_ids: list[int] | None, batch: int) -> list[tuple[int, str]]:
    """Lease the due heads (earliest pending record per learner and link) to this process."""
    earlier = aliased(ScoreRecord)
    earlier_pending = exists().where(
        earlier.user_id == ScoreRecord.user_id,
        earlier.resource_link_id == ScoreRecord.resource_link_id,
        earlier.status == PENDING,
        earlier.id < ScoreRecord.id,
    )
    lease_free = or_(ScoreRecord.claimed_until.is_(None), ScoreRecord.claimed_until <= now)
    query = (
        select(ScoreRecord.id)
        .where(ScoreRecord.status == PENDING, ScoreRecord.next_attempt_at <= now, lease_free, ~earlier_pending)
        .order_by(ScoreRecord.id)
        .limit(batch)
    )
    if only_ids is not None:
        if not only_ids:
            return []
        # The named records, and the learner's earlier undelivered ones on the same link (due, they go first).
        named = aliased(ScoreRecord)
        query = query.where(
            exists().where(
                named.id.in_(only_ids),
                named.user_id == ScoreRecord.user_id,
                named.resource_link_id == ScoreRecord.resource_link_id,
                named.id >= ScoreRecord.id,
            )
        )
    with database.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for.
            query = query.with_for_update(skip_locked=True, of=ScoreRecord)
        ids = list(session.scalars(query))
        claimed: list[tuple[int, str]] = []
        for record_id in ids:
            token = str(uuid.uuid4())
            # Compare-and-set: on SQLite this is what stops two processes taking the same record.
            result: Any = session.execute(
                update(ScoreRecord)
                .where(ScoreRecord.id == record_id, ScoreRecord.status == PENDING, lease_free)
                .values(claimed_until=now + LEASE, claim_token=token)
            )
            if result.rowcount == 1:
                claimed.append((record_id, token))
                _keep_timestamps_increasing(session, record_id)
        session.commit()
        return claimed


def _keep_timestamps_increasing(session: Session, record_id: int) -> None:
    """Move a record's timestamp after those of the learner's earlier scores already delivered.

    Two requests of the same learner committing at the same moment can queue equal timestamps, and
    Moodle would refuse the second with 409. Only scores queued *earlier* (smaller id) count: a score a
    facilitator retries after newer ones were delivered keeps its old timestamp, so the platform keeps
    the newer grade. Done while the lease is taken, so a re-send after a crash reuses the same value.
    """
    record = session.get(ScoreRecord, record_id)
    if record is None:
        return
    earlier = aliased(ScoreRecord)
    latest = session.scalar(
        select(func.max(earlier.timestamp)).where(
            earlier.user_id == record.user_id,
            earlier.resource_link_id == record.resource_link_id,
            earlier.status == DELIVERED,
            earlier.id < record.id,
        )
    )
    if latest is not None:
        latest = _aware(latest)
        if latest >= record.timestamp:
            record.timestamp = _whole_second(latest) + timedelta(seconds=1)


@dataclass(frozen=True)
class _Job:
    platform: PlatformEndpoint
    lineitem_url: str
    lineitems_url: str
    link_id: str
    link_label: str
    resource_id: str
    tag: str
    scopes: tuple[str, ...]
    score: Score
    resource_link_pk: int


def _load_job(session: Session, record: ScoreRecord) -> _Job | str:
    """Everything needed to send the record, or the reason it cannot be sent."""
    row = session.execute(
        select(ResourceLink, Context, Platform, LtiUser)
        .join(Context, ResourceLink.context_id == Context.id)
        .join(Platform, Context.platform_id == Platform.id)
        .join(LtiUser, LtiUser.id == record.user_id)
        .where(ResourceLink.id == record.resource_link_id)
    ).one_or_none()
    if row is None:
        return "the learner or the resource link no longer exists"
    link, context, platform, user = row
    if user.platform_id != platform.id:
        return "the learner belongs to another platform than the resource link"
    scopes = tuple(sorted(set(link.ags_scopes or ()) & AGS_SCOPES))
    if SCOPE_SCORE not in scopes:
        return "the platform did not offer grade passback (no AGS score scope in the launch)"
    if not link.lineitem_url and not context.lineitems_url:
        return "the platform gave no line item and no line items URL for this link"
    if not link.lineitem_url and SCOPE_LINEITEM not in scopes:
        return "the platform gave no line item and does not let the tool create one (lineitem scope)"
    score = Score(
        user_id=user.sub,
        score_given=record.score_given,
        score_maximum=record.score_maximum,
        activity_progress=record.activity_progress,
        grading_progress=record.grading_progress,
        timestamp=record.timestamp,
        comment=record.comment,
    )
    return _Job(
        platform=PlatformEndpoint.of(platform),
        lineitem_url=link.lineitem_url,
        lineitems_url=context.lineitems_url,
        link_id=link.link_id,
        link_label=link.title,
        resource_id=f"{link.toolkit_id}:{link.part}",
        tag=link.part,
        scopes=scopes,
        score=score,
        resource_link_pk=link.id,
    )


def _line_item(database: Database, service: GradeService, job: _Job) -> str:
    """The launch's line item, else the one found or created for the link (saved for next time)."""
    if job.lineitem_url:
        return job.lineitem_url
    with database.session() as session:
        query = select(ResourceLink).where(ResourceLink.id == job.resource_link_pk)
        if session.get_bind().dialect.name == "postgresql":
            # One process at a time looks for or creates a link's line item, so there is never two.
            query = query.with_for_update()
        link = session.scalars(query).one()
        if link.lineitem_url:
            return link.lineitem_url
        url = service.find_or_create_line_item(
            job.platform,
            job.lineitems_url,
            resource_link_id=job.link_id,
            label=job.link_label,
            score_maximum=job.score.score_maximum,
            resource_id=job.resource_id,
            tag=job.tag,
            scopes=job.scopes,
        )
        link.lineitem_url = url
        session.commit()
        return url


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    delay: timedelta = min(BACKOFF_BASE * 2 ** min(max(0, attempts - 1), 16), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), BACKOFF_CAP))
    return delay


def _deliver_one(
    database: Database,
    service: GradeService,
    record_id: int,
    token: str,
    now: datetime,
    unavailable: dict[int, AgsError],
    recovered: set[int],
    report: DeliveryReport,
) -> None:
    with database.session() as session:
        record = session.get(ScoreRecord, record_id)
        if record is None:
            return
        job = _load_job(session, record)
        attempts = record.attempts + 1
    outcome: dict[str, Any]
    if isinstance(job, str):
        outcome = {"status": FAILED, "last_error": job}
    elif job.platform.platform_id in unavailable:
        # This platform was just down for an earlier record: do not hammer it, try again later.
        error = unavailable[job.platform.platform_id]
        outcome = _retry_outcome(attempts, error, now)
    else:
        try:
            service.submit_score(job.platform, _line_item(database, service, job), job.score, job.scopes)
        except ScoreConflict:
            outcome = {
                "status": DELIVERED,
                "delivered_at": utcnow(),
                "response_status": 409,
                "last_error": "the platform already holds this score or a newer one (409)",
            }
        except AgsError as error:
            if error.retryable:
                unavailable[job.platform.platform_id] = error
                outcome = _retry_outcome(attempts, error, now)
            else:
                outcome = {"status": FAILED, "last_error": str(error)[:500], "response_status": error.status}
        except Exception as error:
            # A bug or a broken dependency must not stall the other records: retry this one later.
            log.exception("passback: record %s could not be sent", record_id)
            unexpected = AgsError(f"internal error ({type(error).__name__})", status=None, retryable=True)
            outcome = _retry_outcome(attempts, unexpected, now)
        else:
            outcome = {"status": DELIVERED, "delivered_at": utcnow(), "response_status": 200, "last_error": ""}
    with database.session() as session:
        result: Any = session.execute(
            update(ScoreRecord)
            .where(ScoreRecord.id == record_id, ScoreRecord.claim_token == token, ScoreRecord.status == PENDING)
            .values(attempts=attempts, claimed_until=None, claim_token="", **outcome)
        )
        session.commit()
    if result.rowcount != 1:
        log.warning("passback: record %s changed hands while it was being sent", record_id)
        return
    {DELIVERED: report.delivered, FAILED: report.failed, PENDING: report.retrying}[outcome["status"]].append(record_id)
    if outcome["status"] == DELIVERED and not isinstance(job, str) and job.platform.platform_id not in recovered:
        recovered.add(job.platform.platform_id)
        _platform_is_back(database, job.platform.platform_id, now)
    if outcome["status"] == FAILED:
        log.warning("passback: record %s failed: %s", record_id, outcome["last_error"])


def _platform_is_back(database: Database, platform_id: int, now: datetime) -> None:
    """The platform accepted a score: bring its other waiting records forward instead of letting them sit
    out their backoff (up to an hour), so the gradebook catches up as soon as the LMS is back."""
    links = (
        select(ResourceLink.id)
        .join(Context, ResourceLink.context_id == Context.id)
        .where(Context.platform_id == platform_id)
    )
    with database.session() as session:
        result: Any = session.execute(
            update(ScoreRecord)
            .where(
                ScoreRecord.status == PENDING,
                ScoreRecord.attempts > 0,
                ScoreRecord.next_attempt_at > now,
                ScoreRecord.resource_link_id.in_(links),
            )
            .values(next_attempt_at=now)
        )
        session.commit()
    if result.rowcount:
        log.info(
            "passback: platform %s answers again; %d waiting score(s) brought forward", platform_id, result.rowcount
        )


def _retry_outcome(attempts: int, error: AgsError, now: datetime) -> dict[str, Any]:
    return {
        "status": PENDING,
        "next_attempt_at": now + _backoff(attempts, error.retry_after),
        "last_error": str(error)[:500],
        "response_status": error.status,
    }


class _HasExtensions(Protocol):
    extensions: dict[str, Any]


def deliver_after_commit(app_or_database: _HasExtensions | Database, ids: Sequence[int]) -> DeliveryReport | None:
    """Send the records a request just committed (best effort, short timeouts): the worker does the rest.

    Never raises: a learner's page must not fail because the LMS is down.
    """
    if not ids:
        return None
    if isinstance(app_or_database, Database):
        database, redis_url = app_or_database, ""
    else:
        database = app_or_database.extensions["swott.db"]
        redis_url = app_or_database.extensions["swott.settings"].redis_url
    service = default_grade_service(database, redis_url, timeout=INLINE_TIMEOUT)
    try:
        return deliver_pending(database, only_ids=list(ids), grades=service)
    except Exception:
        log.exception("passback after commit failed; swott worker will deliver the scores")
        return None
    finally:
        service.tokens.close()
        service.http.close()


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
