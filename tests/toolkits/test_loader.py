"""The validator tells an author every problem as path:line: sentence, and loads valid toolkits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.toolkits.faults import FAULTS, MINI, Fault, assert_reported, copy_mini
from toolkits.loader import Catalogue, load_toolkit, validate_many, validate_toolkit
from toolkits.model import GroupFormat, PageKind, QuestionType


def test_minimal_fixture_is_valid_and_fully_loaded() -> None:
    toolkit = load_toolkit(MINI)
    assert toolkit.id == "mini"
    assert [p.kind for p in toolkit.l1.pages] == [PageKind.PAGE, PageKind.CHECK, PageKind.THINKING]
    check = toolkit.l1.pages[1]
    assert [q.type for q in check.questions] == [QuestionType.SINGLE, QuestionType.MULTIPLE]
    assert check.questions[1].correct_option_ids == {"a", "c"}
    assert check.questions[1].is_correct({"a", "c"}) and not check.questions[1].is_correct({"a"})
    assert toolkit.l1.reflection.model == "gibbs" and not toolkit.l1.reflection.peer_reflection
    assert toolkit.l2.format is GroupFormat.SWOTT_DEFAULT
    assert sum(a.minutes for a in toolkit.l2.agenda) == toolkit.l2.minutes == 60
    assert [s.id for s in toolkit.l2.stages] == ["stage-1", "stage-2", "stage-3"]
    assert toolkit.l2.reflection.peer_reflection
    assert toolkit.references[0].citation() == "Tester, A. (2020) A book about tests."


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_is_reported_with_file_line_and_sentence(fault: Fault, tmp_path: Path) -> None:
    problems, error = assert_reported(fault, tmp_path)
    assert error.problems == problems


def test_several_faults_are_all_reported_at_once(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    by_name = {f.name: f for f in FAULTS}
    chosen = [
        by_name[n]
        for n in ("missing key", "L1 too long", "duplicate question id", "agenda does not add up", "script tag")
    ]
    for fault in chosen:
        fault.mutate(root)
    messages = [p.message for p in validate_toolkit(root)]
    for fault in chosen:
        assert any(fault.message in m for m in messages), (fault.name, messages)


def test_folder_without_toolkit_yaml(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    problems = validate_toolkit(tmp_path / "empty")
    assert [p.message for p in problems] == ["the toolkit folder has no toolkit.yaml"]


def test_two_folders_with_the_same_id_are_reported(tmp_path: Path) -> None:
    first = copy_mini(tmp_path / "a")
    second = copy_mini(tmp_path / "b")
    toolkits, problems = validate_many([first, second])
    assert len(toolkits) == 1
    assert any("duplicate toolkit id `mini`" in p.message for p in problems)


def test_catalogue_leaves_out_an_invalid_toolkit_but_keeps_the_others(tmp_path: Path) -> None:
    copy_mini(tmp_path)
    broken = copy_mini(tmp_path, "broken")
    (broken / "toolkit.yaml").write_text("id: broken\n", encoding="utf-8")
    catalogue = Catalogue(tmp_path)
    assert catalogue.ids() == ["mini"]
    assert catalogue.problems and all("broken" in p.path for p in catalogue.problems)
