"""Post-response work of one web process: score delivery, roster refreshes, gradebook due dates.

Issue 15 measured what happens when this work runs inside requests: a page step spent 70 % of its
time posting an AGS score, the first roster sync of a large course took 11 s in the facilitator's
request, and with no access token cached every web worker waited on a token request whose
verification needed a free web worker to serve our JWKS — the tool deadlocked itself. So no AGS or
NRPS call happens inside a learner's or facilitator's request; it happens here, in two daemon threads
per process, started on first use and stopped again after a while with nothing to do:

- **passback** (when `SWOTT_PASSBACK=background`, the embedded default with no `swott worker`): the
  outbox's `after_commit` hook (`services.outbox`) hands committed score ids over, the thread wakes
  and runs `delivery.deliver_pending`, and keeps passing while scores wait to be retried. With
  `SWOTT_PASSBACK=worker` (production) only `swott worker` delivers. Both can run at once safely:
  records are leased (see `services.outbox`).
- **tasks**: one-off jobs by key (a roster refresh per course, a due-date update), each queued once
  however many pages ask for it; a task that raises is remembered as failed, so a page can say so.

Nothing here is durable: a score is durable in the outbox before it gets here, and a roster refresh
or due date lost with the process is asked for again by the next page view or change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import exists, select

from lti_tool.db import Database
from lti_tool.models import ScoreRecord, utcnow
from lti_tool.services import delivery, outbox

log = logging.getLogger(__name__)

IDLE_EXIT = 30.0  # seconds a thread waits with nothing to do before it stops (it restarts on demand)


class Background:
    """The post-response threads of one app (`app.extensions["swott.background"]`)."""

    def __init__(
        self,
        database: Database,
        *,
        redis_url: str = "",
        deliver_scores: bool = True,
        interval: float = 1.0,
        max_interval: float = 30.0,
        idle_exit: float = IDLE_EXIT,
    ) -> None:
        self.database = database
        self.redis_url = redis_url
        self.deliver_scores = deliver_scores
        self.interval = interval
        self.max_interval = max_interval
        self.idle_exit = idle_exit
        self._lock = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._passback: threading.Thread | None = None
        self._passing = False
        self._woken_with: set[int] = set()
        self._tasks: dict[str, Callable[[], object]] = {}
        self._running_task = ""
        self._worker: threading.Thread | None = None
        self._failed: dict[str, datetime] = {}
        self._succeeded: dict[str, datetime] = {}

    # -- passback ------------------------------------------------------------------------------------
    def scores_committed(self, ids: Iterable[int]) -> None:
        """The outbox's after-commit callback: wake the passback thread (never blocks the request)."""
        if not self.deliver_scores or self._stop.is_set():
            return
        with self._lock:
            self._woken_with.update(ids)
            self._wake.set()
            if self._passback is None:
                self._passback = threading.Thread(target=self._pass_loop, name="swott-passback", daemon=True)
                self._passback.start()

    def _pass_loop(self) -> None:
        service = delivery.default_grade_service(self.database, self.redis_url)
        sleep = self.interval
        idle = 0.0
        try:
            while not self._stop.is_set():
                with self._lock:
                    self._wake.clear()
                    woken = sorted(self._woken_with)
                    self._woken_with.clear()
                    self._passing = True
                try:
                    # Woken by a commit: those scores first (with the learners' earlier waiting ones), so
                    # they reach the gradebook at once; between wake-ups, everything due (retries).
                    report = delivery.deliver_pending(self.database, grades=service, only_ids=woken or None)
                    waiting = report.attempted > 0 or self._anything_pending()
                except Exception:
                    # The database is down or gone: back off, and stop after a while; the next commit
                    # (or `swott worker`) picks the waiting scores up again.
                    log.exception("background passback pass failed; trying again later")
                    report, waiting = delivery.DeliveryReport(), False
                with self._lock:
                    self._passing = False
                    self._lock.notify_all()
                sleep = self.interval if (report.delivered or woken) else min(sleep * 2, self.max_interval)
                idle = 0.0 if waiting else idle + sleep
                if idle >= self.idle_exit:
                    with self._lock:
                        if not self._wake.is_set():
                            self._passback = None
                            return
                    continue
                self._wake.wait(sleep)
        finally:
            service.close()
            with self._lock:
                if self._passback is threading.current_thread():
                    self._passback = None
                self._passing = False
                self._lock.notify_all()

    def _anything_pending(self) -> bool:
        with self.database.session() as session:
            return bool(session.scalar(select(exists().where(ScoreRecord.status == outbox.PENDING))))

    # -- one-off tasks -------------------------------------------------------------------------------
    def submit(self, key: str, task: Callable[[], object]) -> bool:
        """Run `task` soon in the task thread, unless a task with this key is already waiting."""
        if self._stop.is_set():
            return False
        with self._lock:
            if key in self._tasks:
                return False
            self._tasks[key] = task
            if self._worker is None:
                self._worker = threading.Thread(target=self._task_loop, name="swott-tasks", daemon=True)
                self._worker.start()
            self._lock.notify_all()
            return True

    def failed_at(self, key: str) -> datetime | None:
        """When the last task with this key failed, if it failed after its last success."""
        with self._lock:
            failed, succeeded = self._failed.get(key), self._succeeded.get(key)
        return failed if failed is not None and (succeeded is None or failed > succeeded) else None

    def _task_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                ready = self._lock.wait_for(lambda: bool(self._tasks) or self._stop.is_set(), timeout=self.idle_exit)
                if not ready or self._stop.is_set():
                    self._worker = None
                    return
                key = next(iter(self._tasks))
                task = self._tasks[key]
                self._running_task = key
            try:
                task()
            except Exception as error:
                # Detail for the operator; the page only says the list could not be fetched.
                log.info("background task %s failed (%s)", key.split(":", 1)[0], type(error).__name__)
                outcome = self._failed
            else:
                outcome = self._succeeded
            with self._lock:
                outcome[key] = utcnow()
                self._tasks.pop(key, None)
                self._running_task = ""
                self._lock.notify_all()
        with self._lock:
            self._worker = None

    # -- tests and shutdown --------------------------------------------------------------------------
    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no task waits or runs and no committed score waits for a pass (tests, the demo)."""

        def idle() -> bool:
            return not self._tasks and not self._running_task and not self._woken_with and not self._passing

        with self._lock:
            return self._lock.wait_for(idle, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            self._lock.notify_all()
            threads = [t for t in (self._passback, self._worker) if t is not None]
        for thread in threads:
            thread.join(timeout)
