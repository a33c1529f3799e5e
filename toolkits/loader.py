"""Load and validate toolkit folders (format: toolkits/README.md).

Validation never stops at the first problem: an author fixing a toolkit wants the whole list, each as
`path:line: plain sentence`. Loading a toolkit with any problem raises `ToolkitInvalid` carrying them
all, so neither face ever serves half-valid content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkits import design, limits, links, yamlpos
from toolkits.checking import ID_PATTERN as ID_PATTERN
from toolkits.checking import L2_MIN_MINUTES as L2_MIN_MINUTES
from toolkits.checking import STANDARDS, Checker, Y
from toolkits.checking import VERSION_PATTERN as VERSION_PATTERN
from toolkits.checking import Problem as Problem
from toolkits.checking import ToolkitInvalid as ToolkitInvalid
from toolkits.loader_l1 import l1_module, read_references
from toolkits.loader_l2 import l2_session, review_dates, validate_regulators
from toolkits.model import (
    Toolkit,
)
from toolkits.questionnaires import validate_questionnaire

PACKAGE_DIR = Path(__file__).resolve().parent


TOOLKIT_KEYS = (
    "id", "title", "theme", "version", "summary", "learning_outcomes", "standards", "references",
    "last_reviewed", "review_date", "l1", "l2", "regulators", "questionnaire",
)  # fmt: skip


def default_root() -> Path:
    """The toolkits shipped beside this module (the operator's folder comes from settings: `toolkits_dir`)."""
    return PACKAGE_DIR


def toolkit_dirs(root: Path) -> list[Path]:
    """The toolkit folders under `root` (any sub-folder holding a toolkit.yaml), sorted."""
    return sorted(p.parent for p in root.glob("*/toolkit.yaml"))


def _toolkit(c: Checker) -> Toolkit | None:
    if c.root.is_symlink():
        c.add(Y, 1, "the toolkit folder is a symbolic link; toolkits may not contain links (copy the folder)")
        return None
    if not (c.root / Y).is_symlink() and not limits.is_regular_file(c.root / Y):
        exists = os.path.lexists(c.root / Y)
        c.add(Y, 1, "toolkit.yaml is not an ordinary file" if exists else "the toolkit folder has no toolkit.yaml")
        return None
    try:
        data = yamlpos.parse(limits.read_text(c.root, Y))
    except (yamlpos.YamlError, limits.Refused) as error:
        c.add(Y, error.line, error.message)
        return None
    if not isinstance(data, yamlpos.PosDict):
        c.add(Y, 1, "toolkit.yaml must be a set of `key: value` lines")
        return None
    c.unknown_keys(Y, data, TOOLKIT_KEYS)
    tid = c.get(Y, data, "id", str)
    if tid is not None:
        if not ID_PATTERN.match(tid):
            c.add(Y, data.line_of("id"), f"`id` must use lower-case letters, digits and hyphens, not {tid!r}")
        elif tid != c.root.name:
            c.add(
                Y,
                data.line_of("id"),
                f"`id` is `{tid}` but the folder is `{c.root.name}`: make them the same",
            )
    title = c.get(Y, data, "title", str)
    theme = c.get(Y, data, "theme", str)
    version = c.get(Y, data, "version", str)
    if version is not None and not VERSION_PATTERN.match(version):
        c.add(Y, data.line_of("version"), f"`version` must look like 1.0.0, not {version!r}")
    summary = c.get(Y, data, "summary", str)
    outcomes = c.get_str_list(Y, data, "learning_outcomes")
    standards_items = c.get(Y, data, "standards", yamlpos.PosList)
    standards: tuple[str, ...] | None = None
    if standards_items is not None:
        values = [str(s) for s in standards_items]
        for value, line in zip(values, standards_items.item_lines, strict=True):
            if value not in STANDARDS:
                c.add(Y, line, f"`{value}` is not a Social Work England professional standard (1-6, 4.1-4.8)")
        standards = tuple(values)
    references = read_references(c, data)
    last_reviewed, review_date = review_dates(c, data)
    l1 = l1_module(c, data)
    l2 = l2_session(c, data)
    regulators = validate_regulators(c, data)
    questionnaire = validate_questionnaire(c, data, outcomes)
    c.check_bodies()
    c.check_extra_files()
    if c.problems:
        return None
    assert tid and title and theme and version and summary and outcomes and standards is not None
    assert references is not None and l1 is not None and l2 is not None
    built = Toolkit(tid, title, theme, version, summary.strip(), outcomes, standards, references, l1, l2,
                    str(c.root), regulators=regulators, last_reviewed=last_reviewed,
                    review_date=review_date, questionnaire=questionnaire)  # fmt: skip
    for rel, line, message in design.unknown_citations(built):
        c.add(rel, line, message)
    starts = {rel: md.body_line for rel, md in c.markdown.items()}
    for rel, line, message in links.problems(built, starts):
        c.add(rel, line, message)
    return None if c.problems else built


def _check(path: Path) -> tuple[Toolkit | None, list[Problem]]:
    checker = Checker(root=path, display=_display(path))
    try:
        toolkit = _toolkit(checker)
    except (OSError, ValueError, RecursionError) as error:
        # The limits above should leave nothing to reach here; if the file system still refuses
        # (a permission, a file removed while reading), the toolkit is left out, never the catalogue.
        checker.add(Y, 1, f"the toolkit could not be read ({type(error).__name__}: {error})")
        toolkit = None
    return toolkit, sorted(set(checker.problems))


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def validate_toolkit(path: str | Path) -> list[Problem]:
    """Every problem in the toolkit folder at `path` (an empty list when it is valid)."""
    return _check(Path(path))[1]


def load_toolkit(path: str | Path) -> Toolkit:
    """Load the toolkit folder at `path`; raise `ToolkitInvalid` with every problem if it has any."""
    toolkit, problems = _check(Path(path))
    if problems or toolkit is None:
        raise ToolkitInvalid(problems)
    return toolkit


def validate_many(paths: Iterable[Path]) -> tuple[list[Toolkit], list[Problem]]:
    """Validate several toolkit folders, also reporting two folders that claim the same id."""
    toolkits: list[Toolkit] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        toolkit, found = _check(path)
        problems.extend(found)
        if toolkit is None:
            continue
        if toolkit.id in seen:
            where = limits.printable(f"{_display(path)}/{Y}")
            problems.append(Problem(where, 1, f"duplicate toolkit id `{toolkit.id}` (also used by {seen[toolkit.id]})"))
            continue
        seen[toolkit.id] = _display(path)
        toolkits.append(toolkit)
    return toolkits, problems


class Catalogue:
    """The valid toolkits under a root folder, by id, loaded once.

    An invalid toolkit is left out (and its problems kept in `problems`) rather than taking the whole
    catalogue down: a council's other subscriptions keep working while an author fixes one toolkit.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_root()
        folders = toolkit_dirs(self.root)
        toolkits, self.problems = validate_many(folders)
        valid = {Path(t.path) for t in toolkits}
        self.invalid_folders = [f for f in folders if f not in valid]
        self._by_id = {t.id: t for t in sorted(toolkits, key=lambda t: t.title)}

    def left_out(self) -> dict[str, list[Problem]]:
        """Each folder left out of the catalogue (by folder name) with its problems, for operators."""
        return {
            limits.printable(folder.name): [
                p for p in self.problems if p.path.startswith(limits.printable(_display(folder)) + "/")
            ]
            for folder in self.invalid_folders
        }

    def __iter__(self) -> Iterator[Toolkit]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, toolkit_id: object) -> bool:
        return toolkit_id in self._by_id

    def get(self, toolkit_id: str) -> Toolkit | None:
        return self._by_id.get(toolkit_id)

    def ids(self) -> list[str]:
        return list(self._by_id)
