"""A hostile or broken toolkit file is one more `path:line: sentence`; nothing raises (issue 9, defect 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.toolkits.faults import Fault, assert_reported, copy_mini
from tests.toolkits.hostile import HOSTILE, hostile_root
from toolkits import limits
from toolkits.loader import Catalogue

SWOTT = str(Path(sys.executable).parent / "swott")


@pytest.mark.parametrize("fault", HOSTILE, ids=[f.name for f in HOSTILE])
def test_each_hostile_input_is_reported_with_file_line_and_sentence(fault: Fault, tmp_path: Path) -> None:
    assert_reported(fault, tmp_path)


def test_a_catalogue_with_every_hostile_toolkit_keeps_the_good_one(tmp_path: Path) -> None:
    catalogue = Catalogue(hostile_root(tmp_path))
    assert catalogue.ids() == ["mini"]
    left_out = catalogue.left_out()
    assert sorted(left_out) == [f"bad-{i:02d}" for i in range(len(HOSTILE))]
    assert all(problems for problems in left_out.values()), left_out


def test_validate_prints_every_hostile_problem_without_a_traceback(tmp_path: Path) -> None:
    root = hostile_root(tmp_path / "toolkits")
    result = subprocess.run([SWOTT, "toolkit", "validate", "toolkits"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for index, fault in enumerate(HOSTILE):
        expected = f"toolkits/bad-{index:02d}/{fault.file}:{fault.line}: "
        assert any(line.startswith(expected) and fault.message in line for line in lines), (fault.name, lines)
    assert not any(line.startswith("toolkits/mini/") for line in lines)
    assert root.is_dir()


def test_a_toolkit_folder_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = copy_mini(tmp_path / "elsewhere")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "mini").symlink_to(real)
    catalogue = Catalogue(tmp_path / "root")
    assert len(catalogue) == 0
    assert any("toolkit folder is a symbolic link" in p.message for p in catalogue.problems)


def test_the_readme_states_the_limits_the_code_applies() -> None:
    readme = (Path(__file__).resolve().parents[2] / "toolkits" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    expected = [
        f"| {limits.MAX_TEXT_BYTES // 1024} KiB",
        f"| {limits.MAX_ASSET_BYTES // (1024 * 1024)} MiB |",
        f"| {limits.MAX_FILES} |",
        f"| {limits.MAX_PATH_CHARS} characters, each folder or file name at most {limits.MAX_NAME_CHARS}",
        f"| {limits.MAX_YAML_DEPTH} levels |",
        f"| {limits.MAX_YAML_ALIASES}, and at most {limits.MAX_YAML_NODES} values",
    ]
    for text in expected:
        assert text in section, text
