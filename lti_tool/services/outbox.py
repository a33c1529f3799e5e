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
embedded default). `swott worker` (`lti_tool.worker`) runs `deliver_pending` in a loop for everything
(production), and prunes delivered progress-only records after 90 days. Facilitators see
`undelivered` scores of their course and `retry` them (`views/passback.py`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, delete, event, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from lti_tool.db import Database
from lti_tool.lti.service_client import DEFAULT_TIMEOUT, PlatformEndpoint
from lti_tool.models import Context, LtiUser, Platform, ResourceLink, ScoreRecord, utcnow
from lti_tool.services.access_tokens import AccessTokens
from lti_tool.services.grades import (
    ACTIVITY_PROGRESS,
    AGS_SCOPES,
    GRADING_PROGRESS,
    SCOPE_LINEITEM,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    AgsError,
    GradeService,
    Result,
    Score,
    ScoreAlreadyRecorded,
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
RETENTION = timedelta(days=90)
# `session.info` keys: the records this transaction queued, and what to call with their ids after commit.
_QUEUED = "swott.outbox.queued"
AFTER_COMMIT = "swott.outbox.after_commit"


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
    pair = (ScoreRecord.user_id == user_id, ScoreRecord.resource_link_id == resource_link_id)
    last = session.scalars(select(ScoreRecord).where(*pair).order_by(ScoreRecord.id.desc()).limit(1)).first()
    if last is not None and _gradebook_view(last) == (activity_progress, grading_progress, score_given, score_maximum):
        return None
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
    session.flush()  # the id is known at once, for delivery after commit
    session.info.setdefault(_QUEUED, []).append(record.id)
    return record


def _gradebook_view(record: ScoreRecord) -> tuple[str, str, float | None, float]:
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
            for claim in claimed:
                _deliver_one(database, service, claim, clock, unavailable, recovered, report)
    finally:
        if own_service:
            service.close()
    if report.attempted:
        log.info("passback: %s", report.summary())
    return report


@dataclass(frozen=True)
class _Claim:
    record_id: int
    token: str
    # A POST of this record may have reached the platform without our hearing the answer: the process
    # sending it died (its lease expired with the claim still set) or the platform did not answer in time.
    in_doubt: bool


def _claim_heads(database: Database, now: datetime, only_ids: list[int] | None, batch: int) -> list[_Claim]:
    """Lease the due heads (earliest pending record per learner and link) to this process.

    `claim_token` stays set while a send's outcome is unknown: the outcome update clears it, except
    after a read timeout. So a record claimed while its previous token is still there is *in doubt*:
    its earlier POST may have landed, and `_deliver_one` reads the result back before posting again.
    """
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
        rows = session.execute(select(ScoreRecord.id, ScoreRecord.claim_token).where(ScoreRecord.id.in_(ids)))
        previous = {record_id: claim for record_id, claim in rows}
        claimed: list[_Claim] = []
        for record_id in ids:
            token = str(uuid.uuid4())
            # Compare-and-set: on SQLite this is what stops two processes taking the same record.
            result: Any = session.execute(
                update(ScoreRecord)
                .where(ScoreRecord.id == record_id, ScoreRecord.status == PENDING, lease_free)
                .values(claimed_until=now + LEASE, claim_token=token)
            )
            if result.rowcount == 1:
                in_doubt = bool(previous.get(record_id))
                claimed.append(_Claim(record_id, token, in_doubt))
                if not in_doubt:  # a re-send keeps the timestamp it may already have reached the platform with
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
    claim: _Claim,
    now: datetime,
    unavailable: dict[int, AgsError],
    recovered: set[int],
    report: DeliveryReport,
) -> None:
    record_id, token = claim.record_id, claim.token
    with database.session() as session:
        record = session.get(ScoreRecord, record_id)
        if record is None:
            return
        job = _load_job(session, record)
        attempts = record.attempts + 1
        shown = _gradebook_view(record)
        candidates = [shown, *_superseding(session, record)]
        repeat = _repeats_the_last_delivered(session, record)
    outcome: dict[str, Any]
    if isinstance(job, str):
        outcome = {"status": FAILED, "last_error": job}
    elif job.platform.platform_id in unavailable:
        # This platform was just down for an earlier record: do not hammer it, try again later.
        error = unavailable[job.platform.platform_id]
        outcome = _retry_outcome(attempts, error, now)
    elif repeat and not claim.in_doubt:
        # Two requests queued the same score at once: the gradebook already shows it.
        outcome = _delivered(None, "the platform already had this score (the same as the one before)")
    else:
        try:
            outcome = _send(database, service, job, claim.in_doubt, candidates)
        except AgsError as error:
            if error.retryable:
                unavailable[job.platform.platform_id] = error
                outcome = _retry_outcome(attempts, error, now)
                if error.sent:
                    # No answer in time: the platform may still apply it. Keep the claim token, so the next
                    # try reads the result back before posting again (and re-sends the same timestamp).
                    outcome["claim_token"] = token
            else:
                outcome = {"status": FAILED, "last_error": str(error)[:500], "response_status": error.status}
        except Exception as error:
            # A bug or a broken dependency must not stall the other records: retry this one later.
            log.exception("passback: record %s could not be sent", record_id)
            unexpected = AgsError(f"internal error ({type(error).__name__})", status=None, retryable=True)
            outcome = _retry_outcome(attempts, unexpected, now)
    with database.session() as session:
        result: Any = session.execute(
            update(ScoreRecord)
            .where(ScoreRecord.id == record_id, ScoreRecord.claim_token == token, ScoreRecord.status == PENDING)
            .values(**{"attempts": attempts, "claimed_until": None, "claim_token": "", **outcome})
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


_Shown = tuple[str, str, float | None, float]


def _send(
    database: Database, service: GradeService, job: _Job, in_doubt: bool, candidates: list[_Shown]
) -> dict[str, Any]:
    """Post the score, or find that the platform already has it; the outcome to record.

    In doubt (an earlier POST may have landed), a graded score is first read back: if the gradebook
    shows it, it is not posted again. A progress-only score cannot be told apart in the results (no
    grade either way), so it is re-sent with the *same* timestamp, which the platform refuses as a
    duplicate if it has it. A "duplicate" answer (Moodle 409, Open edX 400 naming the timestamp) is
    reconciled by reading the result back (AGS 2.0 §3.3) when the launch offered `result.readonly`.
    """
    lineitem = _line_item(database, service, job)
    can_read = SCOPE_RESULT_READONLY in job.scopes
    graded = job.score.grading_progress == FULLY_GRADED and job.score.score_given is not None
    if in_doubt and can_read and graded:
        readable, current = _read_back(service, job, lineitem)
        if readable and _shows(current, candidates[0]):
            return _delivered(None, "the platform had this score from an earlier try (read back)")
    try:
        service.submit_score(job.platform, lineitem, job.score, job.scopes)
    except ScoreAlreadyRecorded as duplicate:
        readable, current = _read_back(service, job, lineitem) if can_read else (False, None)
        if not readable:
            # AGS 2.0 §3.4: the platform keeps the score with the latest timestamp; this one or a newer
            # one is there. Without the result service we cannot look, so we trust the answer.
            return _delivered(duplicate.status, f"the platform already had this score (HTTP {duplicate.status})")
        if any(_shows(current, candidate) for candidate in candidates):
            return _delivered(
                duplicate.status, f"the platform already had this score (HTTP {duplicate.status}; read back)"
            )
        return {
            "status": FAILED,
            "response_status": duplicate.status,
            "last_error": f"the platform refused this score as already recorded (HTTP {duplicate.status}) "
            "but its gradebook shows another grade",
        }
    return _delivered(200, "")


def _read_back(service: GradeService, job: _Job, lineitem: str) -> tuple[bool, Result | None]:
    """(True, the learner's result), or (False, None) when the platform will not let us read it.

    An outage while reading (retryable) is raised: the record waits and tries again.
    """
    try:
        return True, service.read_result(job.platform, lineitem, job.score.user_id, job.scopes)
    except AgsError as error:
        if error.retryable:
            raise
        log.info("passback: result read-back refused by platform %s (HTTP %s)", job.platform.platform_id, error.status)
        return False, None


def _delivered(status: int | None, note: str) -> dict[str, Any]:
    return {"status": DELIVERED, "delivered_at": utcnow(), "response_status": status, "last_error": note}


def _shows(result: Result | None, shown: _Shown) -> bool:
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


def _superseding(session: Session, record: ScoreRecord) -> list[_Shown]:
    """Later scores of the learner on this link the platform has (a retried old score loses to them)."""
    rows = session.scalars(
        select(ScoreRecord).where(
            ScoreRecord.user_id == record.user_id,
            ScoreRecord.resource_link_id == record.resource_link_id,
            ScoreRecord.status == DELIVERED,
            ScoreRecord.timestamp > record.timestamp,
        )
    )
    return [_gradebook_view(row) for row in rows]


def _repeats_the_last_delivered(session: Session, record: ScoreRecord) -> bool:
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
    return (
        previous is not None and previous.status == DELIVERED and _gradebook_view(previous) == _gradebook_view(record)
    )


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
    """Send the records a transaction just committed, with the learners' earlier waiting ones first.

    The body of the web app's post-response delivery (`lti_tool.background`), never run inside a
    learner's or facilitator's request. Never raises: `swott worker` or the next pass retries.
    """
    if not ids:
        return None
    if isinstance(app_or_database, Database):
        database, redis_url = app_or_database, ""
    else:
        database = app_or_database.extensions["swott.db"]
        redis_url = app_or_database.extensions["swott.settings"].redis_url
    service = default_grade_service(database, redis_url)
    try:
        return deliver_pending(database, only_ids=list(ids), grades=service)
    except Exception:
        log.exception("passback after commit failed; it is retried later")
        return None
    finally:
        service.close()


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
