"""One reflection form (issue 11): the model's stages carry into the Social Work England record boxes."""

from __future__ import annotations

import pytest

from toolkits import cpd


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
