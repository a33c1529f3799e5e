"""No module of the app or the content package is over 500 lines (issue 17): split by concern instead."""

from __future__ import annotations

from pathlib import Path

import lti_tool
import toolkits

MAX_LINES = 500


def test_no_module_in_lti_tool_or_toolkits_is_over_500_lines() -> None:
    modules = [path for package in (lti_tool, toolkits) for path in Path(str(package.__file__)).parent.rglob("*.py")]
    assert len(modules) > 100, "the packages' modules were not found"
    too_long = {
        str(path.relative_to(Path(str(lti_tool.__file__)).parent.parent)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
