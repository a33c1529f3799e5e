"""Random damage to a toolkit's files never raises out of the validator (issue 9, defect 5).

A fixed seed keeps the run repeatable: each case copies the minimal fixture, damages one to four of its
YAML or Markdown files (YAML syntax inserted, a byte changed, bytes cut, a line repeated) and validates.
The assertion is the one an operator cares about: a list of problems, never an exception.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from tests.toolkits.faults import MINI, copy_mini
from toolkits.loader import Problem, validate_toolkit

CASES = 150
FILES = sorted(p.relative_to(MINI).as_posix() for p in MINI.rglob("*") if p.suffix in (".md", ".yaml"))
SNIPPETS = ["[", "]", "{", "}", ": ", "- ", "&a ", "*a", "!!int ", "!!binary ", "? ", "\t", "'", '"', "|", ">",
            "---", "...", '"\\ud800"', '"\\0"', "%YAML 1.1\n", "<<: *a\n", "\n  ", "~", "1e999", "2020-02-30",
            "\x85", "\ufeff", "[" * 40, "../" * 80]  # fmt: skip


def _damage(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randint(0, len(data))
    choice = rng.random()
    if choice < 0.35:
        return data[:pos] + rng.choice(SNIPPETS).encode("utf-8", "surrogatepass") + data[pos:]
    if choice < 0.55:
        return data[:pos] + bytes([rng.randint(0, 255)]) + data[pos + 1 :]
    if choice < 0.75:
        return data[:pos] + data[pos + rng.randint(1, 40) :]
    lines = data.split(b"\n")
    lines.insert(rng.randrange(len(lines)), rng.choice(lines))
    return b"\n".join(lines)


def test_random_damage_gives_problems_never_an_exception(tmp_path: Path) -> None:
    rng = random.Random(9)
    reported = 0
    for case in range(CASES):
        root = copy_mini(tmp_path / str(case))
        for _ in range(rng.randint(1, 4)):
            path = root / rng.choice(FILES)
            path.write_bytes(_damage(rng, path.read_bytes()))
        problems = validate_toolkit(root)
        assert all(isinstance(p, Problem) and p.line >= 1 and p.message for p in problems)
        "\n".join(map(str, problems)).encode("utf-8")  # printable: no lone surrogate reaches a terminal
        reported += bool(problems)
        shutil.rmtree(tmp_path / str(case))
    assert reported > CASES // 2, "the damage should usually be found"
