"""Sending the outbox's scores to the platforms (AGS 2.0 §3.4), exactly once in effect.

`services.outbox` is the queue (what is waiting, written in the caller's transaction); this module
empties it: `deliver_pending` leases the due heads, posts them through the grade service and writes
each outcome only while it still holds the lease. `swott worker` and the web process's background
thread (`lti_tool.background`) both call it; several at once are safe. Reconciling a platform's
"already have this score" answer, and a post whose answer never came, is `services.reconcile`'s.
The guarantees are listed in `services.outbox`; the platform facts in docs/passback.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from lti_tool.db import Database
from lti_tool.lti.service_client import DEFAULT_TIMEOUT, PlatformEndpoint
from lti_tool.models import Context, LtiUser, Platform, ResourceLink, ScoreRecord, utcnow
from lti_tool.services import reconcile
from lti_tool.services.access_tokens import AccessTokens
from lti_tool.services.grades import (
    AGS_SCOPES,
    SCOPE_LINEITEM,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    AgsError,
    GradeService,
    Score,
    ScoreAlreadyRecorded,
)
from lti_tool.services.outbox import DELIVERED, FAILED, FULLY_GRADED, PENDING, aware, gradebook_view, whole_second
from lti_tool.services.programmes import columns as activity_columns

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# Longer than a token request plus a score post at their timeouts, so a lease never expires mid-send.
LEASE = timedelta(minutes=2)
BATCH = 50


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
        latest = aware(latest)
        if latest >= record.timestamp:
            record.timestamp = whole_second(latest) + timedelta(seconds=1)


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
    distinct_resource: bool = False


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
    column = activity_columns.parse(link)
    return _Job(
        platform=PlatformEndpoint.of(platform),
        lineitem_url=link.lineitem_url,
        lineitems_url=context.lineitems_url,
        link_id=column.placement_link_id if column else link.link_id,
        link_label=link.title,
        resource_id=column.resource_id if column else f"{link.toolkit_id}:{link.part}",
        tag=activity_columns.TAG if column else link.part,
        scopes=scopes,
        score=score,
        resource_link_pk=link.id,
        distinct_resource=column is not None,
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
            distinct_resource=job.distinct_resource,
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
        shown = gradebook_view(record)
        candidates = [shown, *reconcile.superseding(session, record)]
        repeat = reconcile.repeats_the_last_delivered(session, record)
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


def _send(
    database: Database, service: GradeService, job: _Job, in_doubt: bool, candidates: list[reconcile.Shown]
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
        readable, current = reconcile.read_back(service, job.platform, lineitem, job.score.user_id, job.scopes)
        if readable and reconcile.shows(current, candidates[0]):
            return _delivered(None, "the platform had this score from an earlier try (read back)")
    try:
        service.submit_score(job.platform, lineitem, job.score, job.scopes)
    except ScoreAlreadyRecorded as duplicate:
        readable, current = (
            reconcile.read_back(service, job.platform, lineitem, job.score.user_id, job.scopes)
            if can_read
            else (False, None)
        )
        if not readable:
            # AGS 2.0 §3.4: the platform keeps the score with the latest timestamp; this one or a newer
            # one is there. Without the result service we cannot look, so we trust the answer.
            return _delivered(duplicate.status, f"the platform already had this score (HTTP {duplicate.status})")
        if any(reconcile.shows(current, candidate) for candidate in candidates):
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


def _delivered(status: int | None, note: str) -> dict[str, Any]:
    return {"status": DELIVERED, "delivered_at": utcnow(), "response_status": status, "last_error": note}


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
