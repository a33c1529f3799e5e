"""One reflection form (issue 11): the model's stages carry into the Social Work England record boxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.toolkits.faults import copy_mini
from toolkits import cpd
from toolkits.loader import validate_toolkit

SHIPPED = Path(__file__).resolve().parents[2] / "toolkits"


@pytest.mark.parametrize("model", sorted(cpd.REFLECTIVE_MODELS))
def test_every_model_says_which_stages_answer_each_record_box(model: str) -> None:
    stage_ids = {f.id for f in cpd.REFLECTIVE_MODELS[model][1]}
    carry = cpd.CARRY[model]
    assert set(carry) == {"cpd_description", "cpd_learnt", "cpd_impact"}
    assert all(set(sources) <= stage_ids for sources in carry.values())
    hints = {f.id: f.hint for f in cpd.reflection_fields(model, peer_reflection=True)}
    assert all("can be carried into this box" in hints[box] for box in carry)
    assert "carried" not in hints["cpd_peer"]


def test_carrying_fills_only_empty_boxes_and_keeps_the_learners_words() -> None:
    values = {
        "description": "A review meeting.",
        "analysis": "Audience was weak.",
        "conclusion": "Prepare the chair.",
        "action_plan": "Brief chairs.",
        "cpd_impact": "My own words on impact.",
    }
    carried = cpd.carry_into_record("gibbs", values)
    assert carried["cpd_description"] == "A review meeting."
    assert carried["cpd_learnt"] == "Analysis: Audience was weak.\n\nConclusion: Prepare the chair."
    assert carried["cpd_impact"] == "My own words on impact."  # never overwritten
    assert {k: carried[k] for k in values} == values
    assert "cpd_learnt" not in cpd.carry_into_record("gibbs", {"description": "Only this."})


def test_the_cpd_type_list_holds_the_types_the_tool_itself_fills_in() -> None:
    # An L1's default is the first type (an online module); the L2 and programme records name theirs.
    assert cpd.CPD_TYPES[0] == "Online learning, webinar or podcast"
    assert {"Reflective group discussion", "Course or training", "Other"} <= set(cpd.CPD_TYPES)
    assert len(set(cpd.CPD_TYPES)) == len(cpd.CPD_TYPES)


def test_guidance_naming_a_type_outside_the_list_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    reflection = root / "l1" / "reflection.md"
    reflection.write_text(
        reflection.read_text(encoding="utf-8")
        + '\nA suitable type of CPD is "Reflective group discussion".\n'
        + 'A suitable type of CPD is "peer learning" or\n"self-directed learning".\n',
        encoding="utf-8",
    )
    lines = reflection.read_text(encoding="utf-8").splitlines()
    wrong = next(i for i, line in enumerate(lines, 1) if "peer learning" in line)
    rendered = [str(p) for p in validate_toolkit(root)]
    type_problems = [r for r in rendered if "the guidance suggests the CPD type" in r]
    assert len(type_problems) == 2, rendered
    assert any(f"mini/l1/reflection.md:{wrong}: " in r and '"peer learning"' in r for r in type_problems)
    assert any(f"mini/l1/reflection.md:{wrong + 1}: " in r and '"self-directed learning"' in r for r in type_problems)
    assert not any('"Reflective group discussion"' in r for r in type_problems)


def test_shipped_guidance_names_only_types_from_the_list() -> None:
    for folder in sorted(SHIPPED.iterdir()):
        for path in folder.glob("l*/reflection.md"):
            for _, name in cpd.suggested_cpd_types(path.read_text(encoding="utf-8")):
                assert name in cpd.CPD_TYPES, f"{path}: {name}"
