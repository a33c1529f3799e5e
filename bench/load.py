"""Load benchmark: simulated learners launching and working through L1 at once, on loopback, bounded.

The tool runs as it is deployed: `--server gunicorn` (default) is gunicorn with `--workers` sync
workers on PostgreSQL + Redis next to a `swott worker` process; `--server embedded` is the README's
embedded default, `swott serve` (waitress) on SQLite, with a `swott worker`. The LMS is the sandbox
platform, in this process; every learner is a thread with its own cookies, opening a new connection
for every request. Three phases, each bounded in time (every request also times out after 30 s):

1. first launches: every learner launches for the first time at the same moment (users, enrolments
   and attempts created in a race) and takes one page step;
2. warm: `--seconds` of learners launching again and stepping through `--steps` L1 pages each, with
   `--think` seconds between pages, the access-token cache warm;
3. empty token cache: the same after deleting every cached AGS/NRPS token (Redis and database) and
   expiring them at the platform, with as many *new* learners: a score is posted only when it changes
   the gradebook, so returning learners paging on queue none, while each new learner's first steps
   queue two (Started, then InProgress) that need a new token under load.

For each phase it prints the requests to the tool, errors (5xx, timeouts, refused connections, and
launches that did not reach an L1 page), journeys completed, and p50/p95/p99 of the tool's response
times; after it, the passback outbox (scores delivered, failed, still pending after up to 60 s).

    .venv/bin/python bench/load.py [--learners 200] [--seconds 90] [--server gunicorn|embedded]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import support
from launch import advance
from sqlalchemy import delete, func, select

from lti_tool.db import Database
from lti_tool.models import AccessToken, ScoreRecord, ScoreStatus
from sandbox_platform.model import Placement

TIMEOUT = 30


@dataclass
class Tally:
    """What every learner thread of one phase saw, merged under a lock."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    journeys: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, timed: support.Timed, errors: Counter[str], journeys: int) -> None:
        with self.lock:
            self.latencies.extend(timed.latencies)
            self.errors.update(errors)
            self.server_errors += sum(1 for s in timed.statuses if s >= 500)
            self.journeys += journeys


class Learner:
    """One simulated learner: launch from the course, then page steps."""

    def __init__(self, platform: support.Platform, placement: Placement, key: str, tool_url: str) -> None:
        self.platform = platform
        self.placement = placement
        self.key = key
        self.tool_url = tool_url

    def launch(self, session: requests.Session) -> requests.Response:
        """Login and the launch POST (which answers with the page); Start for a first-time learner."""
        page, _started = support.launch_to_l1(
            session, self.platform.launch_url(user=self.key, placement=self.placement)
        )
        return page

    def journey(self, timed: support.Timed, errors: Counter[str], steps: int, think: float, until: float) -> bool:
        """Launch and take up to `steps` page steps; whether it completed without an error."""
        session = support.client(timed)
        try:
            page = self.launch(session)
            if page.status_code != 200 or "/l1/page/" not in support.address(page):
                errors[f"launch ended on HTTP {page.status_code}"] += 1
                return False
            for _ in range(steps):
                if time.monotonic() + think > until:
                    break
                time.sleep(think)
                try:
                    page = advance(session, page)
                except SystemExit:  # the last page of the module: start again from the top
                    break
                if page.status_code != 200:
                    errors[f"page step HTTP {page.status_code}"] += 1
                    return False
        except (requests.Timeout, requests.ConnectionError) as error:
            kind = "timeout" if isinstance(error, requests.Timeout) else "connection error"
            url = error.request.url if error.request is not None else ""
            errors[f"{kind} at the {'tool' if (url or '').startswith(self.tool_url) else 'platform'}"] += 1
            return False
        finally:
            session.close()
        return True


def run_phase(learners: list[Learner], *, seconds: float, steps: int, think: float, once: bool) -> Tally:
    """Every learner in its own thread, started together; `once`: one journey each, else until time is up."""
    tally = Tally()
    barrier = threading.Barrier(len(learners))
    until = time.monotonic() + seconds

    def work(learner: Learner) -> None:
        timed, errors, done = support.Timed(learner.tool_url), Counter[str](), 0
        barrier.wait()
        while True:
            if learner.journey(timed, errors, steps, think, until):
                done += 1
            if once or time.monotonic() >= until:
                break
        tally.merge(timed, errors, done)

    threads = [threading.Thread(target=work, args=(learner,), daemon=True) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 10 * TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        tally.errors["learner still running at the time limit"] += sum(1 for t in threads if t.is_alive())
    return tally


def report(name: str, tally: Tally, seconds: float) -> None:
    n = len(tally.latencies)
    failed = sum(tally.errors.values())
    print(f"{name}: {n} tool requests in {seconds:.0f} s ({n / seconds:.1f}/s), {tally.journeys} journeys completed")
    reasons = f" ({', '.join(f'{k}: {v}' for k, v in tally.errors.most_common())})" if failed else ""
    print(f"  errors: {tally.server_errors} responses 5xx; {failed} journeys failed{reasons}")
    p50, p95, p99 = (support.percentile(tally.latencies, f) for f in (0.50, 0.95, 0.99))
    print(f"  tool response time: p50 {support.ms(p50)}  p95 {support.ms(p95)}  p99 {support.ms(p99)}")


def outbox(database: Database, wait: float) -> str:
    """Scores by status once nothing is pending (or after `wait` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        with database.session() as session:
            counts = dict(session.execute(select(ScoreRecord.status, func.count()).group_by(ScoreRecord.status)).all())
        if not counts.get(ScoreStatus.PENDING) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "no scores"


def empty_token_cache(database: Database, redis_url: str, platform: support.Platform) -> None:
    with database.session() as session:
        session.execute(delete(AccessToken))
        session.commit()
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
        for name in client.scan_iter("swott:access-token:*"):
            client.delete(name)
        client.close()
    platform.script.revoke_tokens()


@contextlib.contextmanager
def _database(kind: str) -> Iterator[tuple[str, str]]:
    if kind == "gunicorn":
        support.flush_redis()
        with support.postgres_schema() as url:
            yield url, support.REDIS_URL
        support.flush_redis()
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'embedded.sqlite3'}", ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=90, help="length of the warm and the empty-cache phase")
    parser.add_argument("--steps", type=int, default=4, help="L1 pages per journey")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a learner reads each page")
    parser.add_argument("--server", choices=("gunicorn", "embedded"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args(argv)
    if not 1 <= args.learners <= 1000 or not 0 < args.seconds <= 600:
        parser.error("keep it bounded: 1 to 1000 learners, at most 600 s per phase")
    support.quiet()
    from lti_tool import migrate

    with _database(args.server) as (database_url, redis_url):
        migrate.upgrade(database_url)
        server = support.sandbox()
        platform = server.platform
        port = support.free_port()
        tool_url = f"http://127.0.0.1:{port}"
        env = support.tool_env(database_url, tool_url, redis_url)
        if args.server == "gunicorn":
            web = support.gunicorn("lti_tool:create_app()", port=port, env=env, workers=args.workers, ready="/healthz")
            described = f"gunicorn {args.workers} sync workers + PostgreSQL + Redis"
        else:
            web = support.swott("serve", "--port", str(port), env=env, port=port, ready="/healthz")
            described = "swott serve (waitress) + SQLite"
        database = Database(database_url)
        try:
            with web, support.swott("worker", env=env):
                support.connect_tool(platform, tool_url, database_url)
                l1 = next(p for p in platform.placements if p.custom.get("part") == "l1")
                learners = [
                    Learner(platform, l1, key, tool_url) for key in support.add_learners(platform, args.learners)
                ]
                print(
                    f"Load: {args.learners} learners, {described}, a `swott worker`; sandbox platform and learners in "
                    f"this process; {args.steps} pages a journey, {args.think:g} s reading each; loopback."
                )
                started = time.monotonic()
                tally = run_phase(learners, seconds=args.seconds, steps=1, think=args.think, once=True)
                report("1. first launches, all at once", tally, time.monotonic() - started)
                print(f"  outbox: {outbox(database, 60)}")
                for name, cold in (("2. warm token cache", False), ("3. empty token cache, new learners", True)):
                    if cold:
                        empty_token_cache(database, redis_url, platform)
                        keys = support.add_learners(platform, args.learners, prefix="new")
                        learners = [Learner(platform, l1, key, tool_url) for key in keys]
                    started = time.monotonic()
                    tally = run_phase(learners, seconds=args.seconds, steps=args.steps, think=args.think, once=False)
                    report(name, tally, time.monotonic() - started)
                    print(f"  outbox: {outbox(database, 60)}")
                tokens, scores = len(platform.token_requests), len(platform.scores)
                print(f"Token requests the platform answered: {tokens}; scores it holds: {scores}")
        finally:
            database.dispose()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
