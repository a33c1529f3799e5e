"""`swott toolkit list|validate` as an author or operator runs them: the real console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.toolkits.faults import FAULTS, copy_mini

SWOTT = str(Path(sys.executable).parent / "swott")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SWOTT, *args], capture_output=True, text=True, cwd=cwd, timeout=60, check=False)


def test_list_shows_every_shipped_toolkit_with_minutes() -> None:
    result = run("toolkit", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for toolkit_id in ("making-safeguarding-personal", "participatory-practice", "social-ecological-assessment"):
        line = next(line for line in lines if line.startswith(toolkit_id))
        assert "L1" in line and "L2" in line and "min" in line


def test_validate_all_shipped_toolkits_exits_0() -> None:
    result = run("toolkit", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 toolkit(s) valid" in result.stdout


def test_five_injected_faults_are_all_printed_and_exit_1(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    by_name = {f.name: f for f in FAULTS}
    chosen = [by_name[n] for n in ("wrong type", "missing file", "no correct answer", "agenda does not add up",
                                   "event handler")]  # fmt: skip
    for fault in chosen:
        fault.mutate(root)
    result = run("toolkit", "validate", "mini", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for fault in chosen:
        expected = f"mini/{fault.file}:{fault.line}: "
        assert any(line.startswith(expected) and fault.message in line for line in lines), (fault.name, lines)
    assert "5 problem(s) found." in result.stderr


def test_validate_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = run("toolkit", "validate", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "no toolkit.yaml" in result.stdout
    assert "Traceback" not in result.stderr
