"""Every benchmark in bench/ still runs and prints its figures (at the smallest size, so they cannot rot).

Each runs as a person runs it, `.venv/bin/python bench/NAME.py ...`, from the clone's root, in a fresh
process; the figures themselves are for people (and the lead's full runs), not asserted here beyond
being printed. The PostgreSQL + Redis ones use the test servers (their own schema; the test Redis DB).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _bench(name: str, *args: str, env: dict[str, str] | None = None, timeout: int = 400) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.fixture
def services(redis_url: str) -> dict[str, str]:
    postgres = require_service("SWOTT_TEST_POSTGRES_URL", "PostgreSQL")
    return {"SWOTT_BENCH_POSTGRES_URL": postgres, "SWOTT_BENCH_REDIS_URL": redis_url}


def test_launch_bench_compares_swott_with_bare_flask_and_pylti1p3() -> None:
    out = _bench("launch.py", "--runs", "1", "--launches", "1")

    for label in ("bare Flask GET", "pylti1p3: login + launch", "SWOTT: page step", "SWOTT: answer a question"):
        assert label in out
    assert "x bare" in out and "SWOTT first launch vs pylti1p3" in out
    # The launch POST answers with the page: login + launch for a returning learner; a first-time learner's
    # launch answers with the before questions (issue 12), and their Skip answers with the first L1 page
    # itself (issue 15); Next and Check answer are each one POST answered with the page (issue 15).
    assert _tool_requests(out, "SWOTT: returning launch to L1 page") == 2
    assert _tool_requests(out, "SWOTT: first launch to L1 page") == 3
    assert _tool_requests(out, "SWOTT: page step (new page)") == 1
    assert _tool_requests(out, "SWOTT: answer a question") == 1


def test_launch_bench_compares_two_checkouts_and_profiles_one_operation() -> None:
    # This checkout against itself: what matters is that both are served, interleaved and reported.
    out = _bench("launch.py", "--runs", "1", "--launches", "1", "--compare", str(ROOT), "--profile", "again")

    assert "before: returning launch to L1 page" in out
    assert "SWOTT vs before, page step (new page): wall" in out
    assert _tool_requests(out, "before: returning launch to L1 page") == 2
    # Only the returning launch's two tool requests were profiled (login and the launch POST).
    assert "cProfile of the tool's requests for --profile again" in out and "profiled requests: 2" in out


def _tool_requests(out: str, label: str) -> int:
    """The "tool reqs" column of `label`'s row in the launch bench's table."""
    row = next(line for line in out.splitlines() if line.startswith(label))
    return int(row[len(label) :].split()[0])


@pytest.mark.postgres
@pytest.mark.redis
def test_dashboard_bench_on_postgres(services: dict[str, str]) -> None:
    out = _bench("dashboard.py", "--learners", "30", "--runs", "1", env=services)

    assert "30 learners (postgres" in out
    assert "first NRPS sync of 30 members" in out and "roster refresh" in out
    assert "CSV of 33 rows" in out


@pytest.mark.postgres
@pytest.mark.redis
def test_load_bench_on_gunicorn_postgres_and_redis(services: dict[str, str]) -> None:
    out = _bench("load.py", "--learners", "3", "--seconds", "2", "--steps", "1", "--think", "0.1", env=services)

    for phase in ("1. first launches", "2. warm token cache", "3. empty token cache"):
        assert phase in out
    assert "p95" in out and "outbox:" in out


def test_load_bench_on_the_embedded_default() -> None:
    out = _bench(
        "load.py", "--server", "embedded", "--learners", "3", "--seconds", "2", "--steps", "1", "--think", "0.1"
    )

    assert "swott serve (waitress) + SQLite" in out
    assert "3. empty token cache" in out


def test_the_other_benches_print_their_figures() -> None:
    assert "vs plain markdown-it" in _bench("content.py")
    assert "cmi5" in _bench("package.py", "--repeat", "1")
    assert "scores per second" in _bench("passback.py", "--scores", "3")
