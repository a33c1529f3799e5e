"""Learning-design warnings and evidence rules (toolkits/design.py), as an author meets them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shipped_catalogue
from tests.toolkits.faults import copy_mini, replace
from toolkits.design import design_warnings
from toolkits.loader import default_root, load_toolkit, validate_toolkit
from toolkits.model import ScoringMode

SWOTT = str(Path(sys.executable).parent / "swott")
WARNING_LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): warning: (?P<message>.+)$")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SWOTT, *args], capture_output=True, text=True, cwd=cwd, timeout=60, check=False)


def _correct_first(path: Path) -> None:
    """Rewrite a check page so every question lists its correct options first (the old pattern)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i < end and lines[i].startswith("      - text:"):
            blocks: list[list[str]] = []
            while i < end and lines[i].startswith("      "):
                if lines[i].startswith("      - "):
                    blocks.append([])
                blocks[-1].append(lines[i])
                i += 1
            right = [b for b in blocks if any("correct: true" in line for line in b)]
            for block in right + [b for b in blocks if b not in right]:
                out.extend(block)
            continue
        out.append(lines[i])
        i += 1
    path.write_text("".join(out), encoding="utf-8")


def test_shipped_toolkits_have_no_design_warnings() -> None:
    for toolkit in shipped_catalogue():
        assert [str(w) for w in design_warnings(toolkit)] == [], toolkit.id


def test_validate_prints_no_warning_for_the_shipped_toolkits() -> None:
    result = run("toolkit", "validate", cwd=Path.cwd())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout
    assert "3 toolkit(s) valid:" in result.stdout


def test_a_copy_with_every_correct_option_first_warns_with_path_and_line(tmp_path: Path) -> None:
    copy = tmp_path / "participatory-practice"
    shutil.copytree(default_root() / "participatory-practice", copy)
    for page in sorted((copy / "l1").glob("*check*.md")):
        _correct_first(page)
    result = run("toolkit", "validate", "participatory-practice", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # warnings never fail validation
    warnings = [m for m in map(WARNING_LINE.match, result.stdout.splitlines()) if m]
    place = next(m for m in warnings if "option 1 in 6 of 6 single-answer questions" in m["message"])
    # The path:line names the first such question, as an editor would open it.
    named = (tmp_path / place["path"]).read_text(encoding="utf-8").splitlines()[int(place["line"]) - 1]
    assert named.strip().startswith("- id: ")
    blocks = [m for m in warnings if "sit together in one block" in m["message"]]
    assert len(blocks) == 3  # the three multiple-answer questions
    assert "warning(s)" in result.stdout


def test_correct_options_longest_in_most_questions_warns(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    # A third question whose right answer is the longest, so 2 of 3 questions share the pattern.
    longer = "      - text: This one, which is right for several careful reasons\n"
    replace("l1/02-check.md", "      - text: This one\n", longer)(root)
    replace(
        "l1/02-check.md",
        "---\nAnswer both questions.",
        "  - id: q-three\n    type: single\n    prompt: And this?\n    options:\n"
        "      - text: Not this\n        feedback: No.\n"
        "      - text: The long and detailed right answer\n        correct: true\n        feedback: Yes.\n"
        "---\nAnswer both questions.",
    )(root)
    warnings = design_warnings(load_toolkit(root), "mini")
    longest = [w for w in warnings if "is the longest in 2 of 3 questions" in w.message]
    assert longest and longest[0].path == "mini/l1/02-check.md" and longest[0].line == 5


def test_an_agenda_item_too_short_for_its_stage_warns_at_its_line(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    long_stage = "\n".join(["The family's story goes on, and on, in a long paragraph of ten words."] * 60)
    replace("l2/stage-2.md", "---\n", "---\n", 1)(root)
    text = (root / "l2/stage-2.md").read_text(encoding="utf-8")
    (root / "l2/stage-2.md").write_text(text + "\n" + long_stage + "\n", encoding="utf-8")
    replace(
        "toolkit.yaml",
        "    - {title: Case study, stages: [1, 2, 3], minutes: 40}",
        "    - {title: Case study, minutes: 35, stages: [1, 3]}\n    - {title: Stage 2, minutes: 5, stages: [2]}",
    )(root)
    warnings = [w for w in design_warnings(load_toolkit(root), "mini") if "`Stage 2` has 5 minutes" in w.message]
    assert len(warnings) == 1
    lines = (root / "toolkit.yaml").read_text(encoding="utf-8").splitlines()
    assert "title: Stage 2" in lines[warnings[0].line - 1]
    assert "words" in warnings[0].message and "prompts" in warnings[0].message


def test_stages_no_agenda_item_covers_warn(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    replace("toolkit.yaml", " stages: [1, 2, 3],", "")(root)
    warnings = design_warnings(load_toolkit(root), "mini")
    assert any("no agenda item says it covers stage(s) 1, 2, 3" in w.message for w in warnings)


def test_review_dates_are_required_and_ordered(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    replace("toolkit.yaml", "review_date: 2027-12-01", "review_date: 2025-01-01")(root)
    replace("toolkit.yaml", "last_reviewed: 2026-12-01", "last_reviewed: soon")(root)
    messages = [p.message for p in validate_toolkit(root)]
    assert any("`last_reviewed` must be a date" in m for m in messages)
    other = copy_mini(tmp_path / "b")
    replace("toolkit.yaml", "review_date: 2027-12-01\n", "")(other)
    assert any("`review_date` is missing" in p.message for p in validate_toolkit(other))
    toolkit = load_toolkit(copy_mini(tmp_path / "c"))
    assert toolkit.last_reviewed is not None and toolkit.review_date is not None
    assert toolkit.last_reviewed.isoformat() == "2026-12-01"


@pytest.mark.parametrize(("value", "expected"), [(None, ScoringMode.FIRST), ("best", ScoringMode.BEST)])
def test_scoring_defaults_to_first(tmp_path: Path, value: str | None, expected: ScoringMode) -> None:
    root = copy_mini(tmp_path)
    if value:
        replace("toolkit.yaml", "  pass_mark: 50\n", f"  pass_mark: 50\n  scoring: {value}\n")(root)
    assert load_toolkit(root).l1.scoring is expected


def test_an_unknown_scoring_mode_is_an_error(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    replace("toolkit.yaml", "  pass_mark: 50\n", "  pass_mark: 50\n  scoring: average\n")(root)
    assert any("`scoring` must be first, best or latest" in p.message for p in validate_toolkit(root))


def test_a_pinned_option_is_read(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    replace("l1/02-check.md", "        feedback: No.\n", "        feedback: No.\n        pin: true\n")(root)
    question = load_toolkit(root).l1.questions[0]
    assert [o.pinned for o in question.options] == [False, True]


def test_a_citation_naming_no_reference_is_an_error(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    replace("l1/01-intro.md", "---\n", "---\n", 1)(root)
    intro = root / "l1/01-intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\nAs shown [(Nobody, 1999)](#ref-nobody-1999).\n")
    problems = validate_toolkit(root)
    found = [p for p in problems if "`#ref-nobody-1999` names no reference" in p.message]
    assert found and found[0].path.endswith("l1/01-intro.md")
    assert "#ref-nobody-1999" in intro.read_text(encoding="utf-8").splitlines()[found[0].line - 1]
    intro.write_text(intro.read_text(encoding="utf-8").replace("#ref-nobody-1999", "#ref-tester-2020"))
    assert validate_toolkit(root) == []


def test_every_shipped_citation_names_a_reference() -> None:
    for toolkit in shipped_catalogue():
        keys = {r.key for r in toolkit.references}
        assert len(keys) == len(toolkit.references), f"{toolkit.id}: two references share a key"
        cited = re.findall(r"\(#ref-([a-z0-9-]+)\)", "".join(p.body for p in toolkit.l1.pages))
        assert cited and set(cited) <= keys
