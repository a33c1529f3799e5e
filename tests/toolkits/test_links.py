"""Every relative link in a toolkit's Markdown goes where the tool and a SCORM package can serve it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.toolkits.faults import copy_mini
from toolkits import links
from toolkits.loader import load_toolkit, validate_toolkit

SWOTT = str(Path(sys.executable).parent / "swott")

GOOD_GUIDE = """---
kind: guide
title: Facilitator guide
---
Read [the case](case-study.md#top), [stage 2](stage-2.md) and [the sheet](participant-sheet.md).
Learners start with [the intro](../l1/01-intro.md) and see ![a diagram](../assets/diagram.svg).
"""

BROKEN_GUIDE = """---
kind: guide
title: Facilitator guide
---
Read [the case](case-study.md) first.

See [the settings](../toolkit.yaml) and [notes](notes.md).

Print [the sheet](participant-sheet.md) and show ![a chart](../assets/chart.svg).
"""


def test_links_to_documents_and_assets_resolve_to_what_each_face_serves(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    (root / "l2" / "facilitator-guide.md").write_text(GOOD_GUIDE, encoding="utf-8")
    toolkit = load_toolkit(root)
    source = toolkit.l2.facilitator_guide.source
    assert links.resolve(toolkit, source, "case-study.md#top") == links.Target("l2", "case-study", "top")
    assert links.resolve(toolkit, source, "stage-2.md") == links.Target("l2", "case-study", "stage-stage-2")
    assert links.resolve(toolkit, source, "../l1/01-intro.md") == links.Target("l1", "01-intro")
    assert links.resolve(toolkit, source, "../assets/diagram.svg") == links.Target("asset", "assets/diagram.svg")
    assert links.resolve(toolkit, source, "#later") == links.Target("l2", "facilitator-guide", "later")


def test_broken_links_in_a_guide_are_reported_at_path_and_line(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    (root / "l2" / "facilitator-guide.md").write_text(BROKEN_GUIDE, encoding="utf-8")
    rendered = [str(p) for p in validate_toolkit(root)]
    guide = "mini/l2/facilitator-guide.md"
    assert any(f"{guide}:7: the link `../toolkit.yaml` goes to a file outside `assets/`" in r for r in rendered), (
        rendered
    )
    assert any(f"{guide}:7: the link `notes.md` goes to no" in r for r in rendered), rendered
    assert any(f"{guide}:9: the link `../assets/chart.svg` goes to a file that does not exist" in r for r in rendered)
    assert not any(f"{guide}:5:" in r for r in rendered), rendered


def test_a_non_asset_file_link_is_refused_even_when_the_file_exists(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    sheet = root / "l2" / "participant-sheet.md"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n[The settings](../toolkit.yaml)\n", encoding="utf-8")
    rendered = [str(p) for p in validate_toolkit(root)]
    assert any("l2/participant-sheet.md:7: the link `../toolkit.yaml` goes to a file outside `assets/`" in r
               for r in rendered), rendered  # fmt: skip


def test_validate_prints_each_broken_link_as_path_line_message(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    (root / "l2" / "facilitator-guide.md").write_text(BROKEN_GUIDE, encoding="utf-8")
    result = subprocess.run([SWOTT, "toolkit", "validate", "mini"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=60, check=False)  # fmt: skip
    assert result.returncode == 1
    assert "mini/l2/facilitator-guide.md:7: the link `../toolkit.yaml`" in result.stdout
    assert "mini/l2/facilitator-guide.md:9: the link `../assets/chart.svg`" in result.stdout


def test_shipped_toolkits_have_no_unservable_link() -> None:
    result = subprocess.run([SWOTT, "toolkit", "validate"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout


def test_learners_pages_may_not_link_to_the_facilitator_guide(tmp_path: Path) -> None:
    root = copy_mini(tmp_path)
    sheet = root / "l2" / "participant-sheet.md"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n[How it is run](facilitator-guide.md)\n", encoding="utf-8")
    rendered = [str(p) for p in validate_toolkit(root)]
    assert any("l2/participant-sheet.md:7: the link `facilitator-guide.md` goes to the facilitator guide, which "
               "learners cannot open" in r for r in rendered), rendered  # fmt: skip
