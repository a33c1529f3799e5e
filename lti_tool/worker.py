"""`swott worker`: delivers the passback outbox in a loop (`lti_tool.services.outbox`, `.delivery`).

Run one or more next to the web processes. Each pass sends every due score; between passes it sleeps,
longer while there is nothing to do (up to `--max-interval`), and wakes at once on SIGTERM or SIGINT to
finish cleanly: a score being sent is finished and recorded, nothing is left half done (an interrupted
send is retried after its lease expires anyway). `--once` does a single pass, for cron and tests.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

import click

from lti_tool.db import Database
from lti_tool.services.delivery import DeliveryReport, default_grade_service, deliver_pending
from lti_tool.services.outbox import prune_delivered
from lti_tool.services.portfolio import purge_expired

log = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0  # seconds between clean-ups of old delivered scores


def run(
    database: Database,
    *,
    redis_url: str = "",
    retention_days: int = 0,
    once: bool = False,
    interval: float = 2.0,
    max_interval: float = 30.0,
    stop: threading.Event | None = None,
    on_pass: Callable[[DeliveryReport], None] | None = None,
) -> int:
    """Deliver until stopped (or once); returns how many scores were delivered."""
    stop = stop or threading.Event()
    service = default_grade_service(database, redis_url)
    delivered = 0
    sleep = interval
    last_prune = -PRUNE_EVERY
    try:
        while not stop.is_set():
            if time.monotonic() - last_prune >= PRUNE_EVERY:
                last_prune = time.monotonic()
                _prune(database, retention_days)
            try:
                report = deliver_pending(database, grades=service)
            except Exception:
                # A database hiccup must not kill the worker; the next pass tries again.
                log.exception("passback pass failed")
                report = DeliveryReport()
            delivered += len(report.delivered)
            if on_pass is not None:
                on_pass(report)
            if once:
                break
            # Busy: come back soon. Idle or the platform is down: back off, up to max_interval.
            sleep = interval if report.delivered else min(sleep * 2, max_interval)
            stop.wait(sleep)
    finally:
        service.close()
    return delivered


def _prune(database: Database, retention_days: int) -> None:
    """Hourly clean-up: old delivered scores, and reflections past the retention period (UK GDPR)."""
    try:
        with database.session() as session:
            removed = prune_delivered(session)
            purged = purge_expired(session, retention_days=retention_days)
            session.commit()
    except Exception:
        log.exception("worker clean-up failed")
        return
    if removed:
        log.info("worker: removed %d delivered progress scores past retention", removed)
    if purged.reflections or purged.notes or purged.feedback:
        log.info(
            "worker: past the retention period, deleted %d reflections, %d notes, %d feedback items",
            purged.reflections,
            purged.notes,
            purged.feedback,
        )


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: signal %s received, stopping after the current send", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option("--interval", default=2.0, show_default=True, type=float, help="Seconds between busy passes.")
@click.option("--max-interval", default=30.0, show_default=True, type=float, help="Longest idle sleep in seconds.")
def worker(once: bool, interval: float, max_interval: float) -> None:
    """Deliver grade and completion passback (AGS scores) to the platforms, retrying while they are down."""
    # The app (and Flask) only when the command runs: `swott --help` stays quick (swott/cli.py).
    from lti_tool import create_app
    from lti_tool.settings import ConfigurationError

    try:
        app = create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    database: Database = app.extensions["swott.db"]
    stop = threading.Event()
    if not once and threading.current_thread() is threading.main_thread():
        _stop_on_signals(stop)

    def report(pass_report: DeliveryReport) -> None:
        if once or pass_report.attempted:
            click.echo(f"Passback: {pass_report.summary()}.")

    try:
        run(
            database,
            redis_url=app.extensions["swott.settings"].redis_url,
            retention_days=app.extensions["swott.settings"].reflection_retention_days,
            once=once,
            interval=interval,
            max_interval=max_interval,
            stop=stop,
            on_pass=report,
        )
    finally:
        database.dispose()
    if not once:
        click.echo("Worker stopped.")
