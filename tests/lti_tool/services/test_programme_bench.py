"""bench/programmes.py runs, prints the cohort view's times and SQL count, and the count stays bounded."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_programme_bench_prints_times_and_a_bounded_query_count() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "programmes.py"), "--cohorts", "3", "--size", "4", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 cohorts x 4 participants" in done.stdout
    counts = [int(n) for n in re.findall(r"(\d+) SQL statements", done.stdout)]
    assert counts and max(counts) <= 4 and len(set(counts)) == 1, done.stdout
    assert "x baseline" in done.stdout
