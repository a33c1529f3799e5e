"""`swott programme list|validate` as an author runs them: the real console script, real files."""

from __future__ import annotations

from pathlib import Path

from tests.toolkits.test_cli import run
from tests.toolkits.test_programmes import line_of
from toolkits.programmes import default_root

TEN_WEEKS = default_root() / "ten-week-cohort.yaml"


def test_list_shows_the_shipped_programmes() -> None:
    result = run("programme", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("ten-week-cohort") and "10 weeks" in line for line in lines), lines
    assert any(line.startswith("six-week-cohort") and "6 weeks" in line for line in lines), lines


def test_validate_shipped_templates_exits_0() -> None:
    result = run("programme", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "2 programme(s) valid: six-week-cohort, ten-week-cohort"


def test_four_injected_faults_in_the_ten_week_template(tmp_path: Path) -> None:
    """Issue 16 acceptance: unknown toolkit, week out of range, unknown kind, malformed date."""
    copy = tmp_path / "ten-week-cohort.yaml"
    text = TEN_WEEKS.read_text(encoding="utf-8")
    faults = [
        ("toolkit: making-safeguarding-personal\n    week: 6", "toolkit: making-safeguarding-persnal\n    week: 6",
         "making-safeguarding-persnal", "unknown toolkit `making-safeguarding-persnal`"),
        ("    week: 8\n    day: 3", "    week: 12\n    day: 3", "week: 12",
         "week 12 is outside the programme (its weeks are numbered 1 to 10)"),
        ("kind: discovery-day", "kind: away-day", "kind: away-day", "`kind` must be one of"),
        ("    week: 10\n    day: 2\n    minutes: 180",
         "    week: 10\n    day: 2\n    date: 2027-02-30\n    minutes: 180",
         "date: 2027-02-30", "`date` 2027-02-30 is not a real day of the calendar"),
    ]  # fmt: skip
    for old, new, _, _ in faults:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    copy.write_text(text, encoding="utf-8")
    result = run("programme", "validate", "ten-week-cohort.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for _, _, marker, message in faults:
        expected = f"ten-week-cohort.yaml:{line_of(copy, marker)}: "
        assert any(line.startswith(expected) and message in line for line in lines), (expected, message, lines)
    assert len(lines) == 4
    assert "4 problem(s) found." in result.stderr


def test_validate_a_folder_and_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "ten-week-cohort.yaml").write_text(TEN_WEEKS.read_text(encoding="utf-8"), encoding="utf-8")
    ok = run("programme", "validate", str(tmp_path))
    assert ok.returncode == 0 and "1 programme(s) valid: ten-week-cohort" in ok.stdout
    missing = run("programme", "validate", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 1 and "the file does not exist" in missing.stdout
    assert "Traceback" not in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run("programme", "validate", str(empty))
    assert none.returncode == 1 and "holds no programme" in none.stdout


def test_toolkit_validate_is_not_fooled_by_the_programmes_folder() -> None:
    everything = run("toolkit", "validate")
    assert everything.returncode == 0 and "3 toolkit(s) valid" in everything.stdout
    result = run("toolkit", "validate", str(default_root()))
    assert result.returncode == 1
    assert "holds programmes, not toolkits: run `swott programme validate`" in result.stdout
    assert "Traceback" not in result.stderr
