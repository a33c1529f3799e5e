"""Import direction inside `lti_tool` (issue 17, ARCHITECTURE.md "Where the next pieces go").

`lti_tool/lti/` (login, launch, deep linking, registration, keys, the service client) may use the models
and the app's plain helpers, but never `lti_tool/services/` (the domain) or `lti_tool/views/`: the views
pass the domain in (`services.platform_directory`). No view module imports another feature's views (the
launch finds each feature's page through `lti_tool.launch_targets`), no two modules import each other
however indirectly, and an import inside a function says why in a comment. Every import counts,
including ones inside functions, found by reading the source rather than by importing it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import lti_tool

PACKAGE = Path(lti_tool.__file__).parent
LTI_LAYER = PACKAGE / "lti"
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


# Views by feature; a view module may import its own feature's modules and the common helpers.
FEATURES = {
    "l1": "l1", "l1_player": "l1", "l1_reflection": "l1", "player": "l1", "facilitator": "l1",
    "evaluation": "evaluation", "evaluation_forms": "evaluation", "evaluation_reports": "evaluation",
    "certificates": "evaluation", "certificate_revocation": "evaluation", "learner_calendar": "evaluation",
    "portfolio": "portfolio", "cpl_verification": "portfolio", "portfolio_forms": "portfolio",
}  # fmt: skip
# evaluation_forms: the questionnaire and certificate forms, shared by a toolkit's and a programme's evaluation.
COMMON_VIEW_HELPERS = frozenset({"doc_links", "evaluation_forms", "page_cache", "registration_forms", "reminders"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts}


def _import_nodes(path: Path) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement and whether it is inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(sub) for sub in ast.walk(node) if isinstance(sub, ast.Import | ast.ImportFrom)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, id(node) in inside


def _targets(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The lti_tool modules this module imports (`from package import module` names the module)."""
    found: set[str] = set()
    for node, _ in _import_nodes(path):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
            continue
        base = node.module or ""
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.add(full if full in modules else base)
    return {t for t in found if t in modules and t != name}


def _feature(module: str) -> str | None:
    """A view module's feature (packages are one feature each); None for a common helper."""
    parts = module.split(".")
    if parts[:2] != ["lti_tool", "views"] or len(parts) < 3:
        return None
    if len(parts) > 3 or (PACKAGE / "views" / parts[2]).is_dir():
        return parts[2]
    return None if parts[2] in COMMON_VIEW_HELPERS else FEATURES.get(parts[2], parts[2])


def test_no_view_module_imports_another_features_views() -> None:
    modules = _modules()
    wrong = [
        f"{name} imports {target}"
        for name, path in modules.items()
        if _feature(name) is not None
        for target in sorted(_targets(name, path, modules))
        if _feature(target) not in (None, _feature(name))
    ]
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other_even_through_others() -> None:
    modules = _modules()
    graph = {name: _targets(name, path, modules) for name, path in modules.items()}
    assert len(graph) > 100, "the package's modules were not found"
    assert _cycles(graph) == []


def test_the_cycle_check_finds_an_indirect_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _says_why(lines: list[str], node: ast.Import | ast.ImportFrom) -> bool:
    """A comment on the import's line, or above it (past the other imports of the same block)."""
    if "#" in lines[node.lineno - 1]:
        return True
    above = node.lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_imports_inside_functions_say_why_and_nothing_imports_by_name() -> None:
    unexplained = []
    for name, path in _modules().items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        unexplained += [
            f"{name}:{node.lineno}" for node, inside in _import_nodes(path) if inside and not _says_why(lines, node)
        ]
        if "import_module" in source:
            unexplained.append(f"{name}: importlib.import_module")
    assert unexplained == []
