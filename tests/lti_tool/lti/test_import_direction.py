"""The LTI protocol layer depends on nothing above it (issue 17, ARCHITECTURE.md "Where the next pieces go").

`lti_tool/lti/` (login, launch, deep linking, registration, keys, the service client) may use the models
and the app's plain helpers, but never `lti_tool/services/` (the domain) or `lti_tool/views/`: the views
pass the domain in (`services.platform_directory`). Every import counts, including ones inside
functions, found by reading the source rather than by importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import lti_tool

LTI_LAYER = Path(lti_tool.__file__).parent / "lti"
FORBIDDEN = ("lti_tool.services", "lti_tool.views")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative ones resolved against `lti_tool.lti`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = ["lti_tool", "lti"][: max(0, 2 - (node.level - 1))]
                base = ".".join([*package, base] if base else package)
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_the_lti_layer_imports_neither_services_nor_views() -> None:
    modules = sorted(LTI_LAYER.rglob("*.py"))
    assert len(modules) > 5, "the LTI layer's modules were not found"
    wrong = [
        f"{path.relative_to(LTI_LAYER.parent)}:{line} imports {name}"
        for path in modules
        for line, name in _imports(path)
        if name == FORBIDDEN[0] or name == FORBIDDEN[1] or name.startswith(tuple(f + "." for f in FORBIDDEN))
    ]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from lti_tool.services import registry\n    from .. import views\n")
    assert (2, "lti_tool.services.registry") in _imports(module)
    assert (3, "lti_tool.views") in _imports(module)
