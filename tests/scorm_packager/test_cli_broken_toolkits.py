"""`swott package` with broken toolkits beside good ones: the good ones are packaged, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.toolkits.faults import copy_mini
from tests.toolkits.hostile import hostile_root

SWOTT = str(Path(sys.executable).parent / "swott")
BROKEN = ("NUL byte in toolkit.yaml", "alias bomb (billion laughs)", "a symbolic link that loops",
          "lone surrogate in the toolkit title", "over-long page path", "invalid UTF-8")  # fmt: skip


def _swott(*args: str, cwd: Path, toolkits: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWOTT_")}
    env["SWOTT_TOOLKITS_DIR"] = str(toolkits)
    return subprocess.run([SWOTT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def test_package_all_skips_the_broken_toolkits(tmp_path: Path) -> None:
    toolkits = hostile_root(tmp_path / "toolkits", BROKEN)
    result = _swott("package", "--all", "--format", "scorm12", "--out", "dist", cwd=tmp_path, toolkits=toolkits)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["mini-1.0.0-scorm12.zip"]
    assert "problem(s) hide some toolkits" in result.stderr


def test_packaging_a_broken_toolkit_says_why(tmp_path: Path) -> None:
    toolkits = hostile_root(tmp_path / "toolkits", BROKEN)
    for index in range(len(BROKEN)):
        result = _swott("package", f"toolkits/bad-{index:02d}", "--format", "scorm12", cwd=tmp_path,
                        toolkits=toolkits)  # fmt: skip
        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
        assert f"toolkits/bad-{index:02d} is not a valid toolkit" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_an_unwritable_output_folder_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "dist").write_text("a file, not a folder", encoding="utf-8")
    result = _swott("package", "--all", "--format", "html", "--out", "dist/html", cwd=tmp_path,
                    toolkits=hostile_root(tmp_path / "toolkits", ()))  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "cannot write the package" in result.stderr


def _big_toolkit(dest: Path, files: int, per_file: int, options: int) -> Path:
    """The mini toolkit with `files` extra check pages of `per_file` multiple-choice questions each."""
    root = copy_mini(dest)
    listed = []
    for f in range(files):
        lines = ["---", "kind: check", f"title: Big check {f}", "questions:"]
        for q in range(per_file):
            lines += [f"  - id: big-{f}-{q}", "    type: multiple", "    prompt: Which?", "    options:"]
            lines += [f"      - {{text: O{o}, correct: {'true' if o == 0 else 'false'}, feedback: F}}"
                      for o in range(options)]  # fmt: skip
        (root / "l1" / f"big-{f}.md").write_text("\n".join([*lines, "---", "Answer them all."]), encoding="utf-8")
        listed.append(f"    - l1/big-{f}.md\n")
    yaml_path = root / "toolkit.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("    - l1/03-thinking.md\n", "    - l1/03-thinking.md\n" + "".join(listed)),
                         encoding="utf-8")  # fmt: skip
    return root


@pytest.mark.slow
def test_packaging_a_toolkit_too_big_for_scorm12_suspend_data_says_why(tmp_path: Path) -> None:
    toolkits = tmp_path / "toolkits"
    toolkits.mkdir()
    _big_toolkit(toolkits, files=3, per_file=345, options=6)
    result = _swott("package", "mini", "--format", "scorm12", "--out", "dist", cwd=tmp_path, toolkits=toolkits)
    assert result.returncode == 0, result.stderr
    assert "mini: note: its state could need" in result.stderr
    assert "over SCORM 1.2's 4096" in result.stderr and "scorm2004-4" in result.stderr
    assert (tmp_path / "dist" / "mini-1.0.0-scorm12.zip").is_file()
