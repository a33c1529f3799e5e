"""`regulators:` in toolkit.yaml: SSSC core learning elements and mandatory learning, NISCC hours per part."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shipped_catalogue
from tests.toolkits.faults import copy_mini, first_problem, mini_with
from toolkits.loader import load_toolkit
from toolkits.model import RegulatorMapping

GOOD = """regulators:
  niscc_hours: {l1: 1.5, l2: 1}
  sssc_elements: [ethics-values-rights, communication-engagement-relationships]
  sssc_mandatory: [trauma]
"""


def test_a_toolkit_without_the_mapping_counts_for_nothing_extra(tmp_path: Path) -> None:
    assert load_toolkit(copy_mini(tmp_path)).regulators == RegulatorMapping()


def test_the_mapping_is_loaded(tmp_path: Path) -> None:
    root, _ = mini_with(tmp_path, GOOD)
    mapping = load_toolkit(root).regulators
    assert mapping.sssc_elements == ("ethics-values-rights", "communication-engagement-relationships")
    assert mapping.sssc_mandatory == ("trauma",)
    assert (mapping.hours_for("l1"), mapping.hours_for("l2"), mapping.hours_for("l3")) == (1.5, 1.0, None)


@pytest.mark.parametrize(
    ("block", "offset", "message"),
    [
        ("regulators:\n  sssc_elements: [ethics-values-right]\n", 1,
         "'ethics-values-right' is not an SSSC core learning element (did you mean `ethics-values-rights`?)"),
        ("regulators:\n  sssc_elements:\n    - ethics-values-rights\n    - ethics-values-rights\n", 3,
         "`ethics-values-rights` appears twice in `regulators.sssc_elements`"),
        ("regulators:\n  sssc_mandatory: [fire-safety]\n", 1,
         "'fire-safety' is not an SSSC mandatory learning topic (choose from trauma, protection)"),
        ("regulators:\n  niscc_hours: {l1: lots}\n", 1, "`niscc_hours.l1` must be a number of hours, not 'lots'"),
        ("regulators:\n  niscc_hours: {l2: 0}\n", 1, "`niscc_hours.l2` must be more than 0 and at most 40, not 0"),
        ("regulators:\n  niscc_hours: {l3: 2}\n", 1, "unknown key `l3`"),
        ("regulators:\n  niscc: {l1: 2}\n", 1, "unknown key `niscc` (did you mean `niscc_hours`?)"),
        ("regulators: [sssc]\n", 0, "`regulators` must be"),
    ],
)  # fmt: skip
def test_each_mapping_problem_names_its_line(tmp_path: Path, block: str, offset: int, message: str) -> None:
    root, first = mini_with(tmp_path, block)
    found = first_problem(root, message)
    assert found.path.endswith("mini/toolkit.yaml") and found.line == first + offset


def test_the_shipped_toolkits_give_niscc_hours_from_their_minutes() -> None:
    """Each shipped toolkit's NISCC hours are its L1 and L2 minutes / 60 (to two decimals)."""
    catalogue = shipped_catalogue()
    assert len(catalogue) == 3
    for toolkit in catalogue:
        for part, minutes in (("l1", toolkit.l1.minutes), ("l2", toolkit.l2.minutes)):
            assert toolkit.regulators.hours_for(part) == round(minutes / 60, 2), (toolkit.id, part)
