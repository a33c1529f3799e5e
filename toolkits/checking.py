"""Reading a toolkit folder while collecting problems: `Checker`, `Problem`, `ToolkitInvalid`.

Every validator (the toolkit's sections in `toolkits.loader_l1` and `toolkits.loader_l2`, its
questionnaire, programme templates) reports through a `Checker`, so an author gets the whole list of
problems, each as `path:line: plain sentence`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from toolkits import limits, links, render, yamlpos

T = TypeVar("T")

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
STANDARDS = frozenset({"1", "2", "3", "4", "5", "6"} | {f"4.{n}" for n in range(1, 9)})
L1_MINUTES = (60, 90)
L2_MIN_MINUTES = 60
MIN_STAGES = 3
Y = "toolkit.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ToolkitInvalid(Exception):
    """A toolkit folder has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class MarkdownFile:
    rel: str
    meta: yamlpos.PosDict
    body: str
    body_line: int  # 1-based line in the file where the body starts


@dataclass
class Checker:
    """Collects problems for one toolkit folder while building its objects."""

    root: Path
    display: str
    problems: list[Problem] = field(default_factory=list)
    used_files: set[str] = field(default_factory=set)
    markdown: dict[str, MarkdownFile] = field(default_factory=dict)
    ids: dict[str, tuple[str, int]] = field(default_factory=dict)

    # -- reporting ---------------------------------------------------------------------------------

    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(limits.printable(f"{self.display}/{rel}"), line, limits.printable(message)))

    def unknown_keys(self, rel: str, mapping: yamlpos.PosDict, allowed: Iterable[str]) -> None:
        for line, message in key_problems(mapping, allowed):
            self.add(rel, line, message)

    def claim_id(self, rel: str, line: int, kind: str, value: str) -> None:
        """Ids of questions and prompts are unique across the toolkit: answers are stored by id."""
        if value in self.ids:
            first_rel, first_line = self.ids[value]
            self.add(rel, line, f"duplicate {kind} id `{value}` (first used in {first_rel}:{first_line})")
        else:
            self.ids[value] = (rel, line)

    # -- typed getters: each reports its own problem and returns None -----------------------------

    def get(
        self,
        rel: str,
        mapping: yamlpos.PosDict,
        key: str,
        kind: type[T],
        *,
        required: bool = True,
        what: str = "",
    ) -> T | None:
        value, problem = typed_value(mapping, key, kind, required=required, what=what)
        if problem is not None:
            self.add(rel, *problem)
        return value

    def get_str_list(self, rel: str, mapping: yamlpos.PosDict, key: str, *, minimum: int = 1) -> tuple[str, ...] | None:
        items = self.get(rel, mapping, key, yamlpos.PosList)
        if items is None:
            return None
        good: list[str] = []
        for item, line in zip(items, items.item_lines, strict=True):
            if isinstance(item, str) and item.strip():
                good.append(item.strip())
            else:
                self.add(rel, line, f"each item of `{key}` must be text, not {show(item)}")
        if len(items) < minimum:
            self.add(rel, mapping.line_of(key), f"`{key}` needs at least {minimum} item(s)")
            return None
        return tuple(good) if len(good) == len(items) else None

    def get_int_range(
        self,
        rel: str,
        mapping: yamlpos.PosDict,
        key: str,
        low: int,
        high: int | None,
        *,
        required: bool = True,
    ) -> int | None:
        value = self.get(rel, mapping, key, int, required=required)
        if value is None:
            return None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.add(rel, mapping.line_of(key), f"`{key}` must be {bounds}, not {value}")
            return None
        return value

    # -- files --------------------------------------------------------------------------------------

    def read_markdown(self, rel: str, from_rel: str, line: int, kinds: tuple[str, ...]) -> MarkdownFile | None:
        """Read a Markdown file named in toolkit.yaml, with its front matter checked for `kind`."""
        if rel in self.markdown:
            return self.markdown[rel]
        refused = limits.path_problem(rel)
        if refused is not None:
            self.add(from_rel, line, refused)
            return None
        if not rel.endswith(".md"):
            self.add(from_rel, line, f"`{rel}` must be a Markdown file ending in .md")
            return None
        if limits.symlink_in(self.root, rel) is None and not limits.is_regular_file(self.root / rel):
            odd = os.path.lexists(self.root / rel)  # a folder, a named pipe, a device
            self.add(from_rel, line, f"`{rel}` is not an ordinary file" if odd else f"the file `{rel}` does not exist")
            return None
        if rel in self.used_files:
            self.add(from_rel, line, f"`{rel}` is listed more than once")
            return None
        self.used_files.add(rel)
        try:
            text = limits.read_text(self.root, rel)
        except limits.Refused as refusal:
            self.add(rel, refusal.line, refusal.message)
            return None
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.add(rel, 1, "the file must start with front matter: a line `---`, YAML, then `---`")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.add(rel, 1, "the front matter is never closed with a line `---`")
            return None
        try:
            meta = yamlpos.parse("\n".join(lines[1:end]), line_offset=1)
        except yamlpos.YamlError as error:
            self.add(rel, error.line, error.message)
            return None
        if not isinstance(meta, yamlpos.PosDict):
            self.add(rel, 2, "the front matter must be a set of `key: value` lines")
            return None
        kind = self.get(rel, meta, "kind", str)
        if kind is not None and kind not in kinds:
            expected = " or ".join(f"`{k}`" for k in kinds)
            self.add(rel, meta.line_of("kind"), f"`kind` must be {expected} here, not `{kind}`")
            return None
        body = "\n".join(lines[end + 1 :])
        parsed = MarkdownFile(rel, meta, body, end + 2)
        self.markdown[rel] = parsed
        return parsed if kind is not None else None

    def check_bodies(self) -> None:
        """Raw-HTML dangers and broken internal links in every Markdown body read."""
        for md in self.markdown.values():
            for line, message in render.find_unsafe_html(md.body):
                self.add(md.rel, md.body_line + line - 1, message)
            for link in render.find_links(md.body):
                if not render.is_internal(link.href):
                    continue
                target = link.href.split("#", 1)[0].split("?", 1)[0]
                if not target:
                    continue
                line = md.body_line + link.line - 1
                if len(link.href) > limits.MAX_PATH_CHARS:
                    self.add(md.rel, line, f"a link is {len(link.href)} characters long; at most "
                             f"{limits.MAX_PATH_CHARS} are allowed")  # fmt: skip
                    continue
                resolved = os.path.normpath(os.path.join(os.path.dirname(md.rel), target))
                if resolved.startswith(("..", "/")):
                    self.add(md.rel, line, f"the link `{link.href}` points outside the toolkit")
                elif resolved.endswith(".md") and resolved not in self.markdown:
                    self.add(md.rel, line, f"the link `{link.href}` goes to no page of this toolkit")
                elif not resolved.endswith(".md") and not resolved.startswith("assets/"):
                    self.add(md.rel, line, links.outside_assets(link.href))
                elif limits.path_problem(resolved) is not None or limits.symlink_in(self.root, resolved):
                    self.add(md.rel, line, f"the link `{link.href}` goes to a file that cannot be used "
                             "(a symbolic link, or an unusual name)")  # fmt: skip
                elif not limits.is_regular_file(self.root / resolved):
                    self.add(md.rel, line, f"the link `{link.href}` goes to a file that does not exist")

    def check_extra_files(self) -> None:
        listing = limits.walk(self.root)
        if listing.too_many:
            self.add(Y, 1, f"the toolkit folder holds more than {limits.MAX_FILES} files and folders")
        for rel in listing.links:
            self.add(rel, 1, "this is a symbolic link; toolkits may not contain links (copy the file instead)")
        for rel in listing.bad_names:
            self.add(rel, 1, "this name is not UTF-8 text or holds a control character: rename it")
        for rel in listing.files:
            if any(part.startswith(".") for part in Path(rel).parts):
                continue
            if rel.startswith("assets/"):
                size = (self.root / rel).lstat().st_size
                if size > limits.MAX_ASSET_BYTES:
                    self.add(rel, 1, f"the file is {size // (1024 * 1024)} MiB; an asset may be at most "
                             f"{limits.MAX_ASSET_BYTES // (1024 * 1024)} MiB")  # fmt: skip
                continue
            if rel != Y and rel not in self.used_files:
                self.add(rel, 1, "this file is not listed in toolkit.yaml (list it, or move it to assets/)")


def key_problems(mapping: yamlpos.PosDict, allowed: Iterable[str]) -> list[tuple[int, str]]:
    """(line, message) for each key given twice and each key not in `allowed` (with a likely fix)."""
    allowed = list(allowed)
    problems = [(line, f"the key `{key}` appears twice") for key, line in mapping.duplicates]
    for key in mapping:
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
            problems.append((mapping.line_of(key), f"unknown key `{key}`{suggestion}"))
    return problems


def typed_value(
    mapping: yamlpos.PosDict, key: str, kind: type[T], *, required: bool = True, what: str = ""
) -> tuple[T | None, tuple[int, str] | None]:
    """`mapping[key]` if it is a `kind` (non-blank text for str), else None and the (line, problem)."""
    if key not in mapping or mapping[key] is None:
        return None, ((mapping.line, f"`{key}` is missing{what}") if required else None)
    value = mapping[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is str and ok:
        ok = bool(str(value).strip())
    if not ok:
        return None, (mapping.line_of(key), f"`{key}` must be {describe(kind)}, not {show(value)}")
    return value, None


def describe(kind: type) -> str:
    names = {str: "some text", int: "a whole number", bool: "true or false", yamlpos.PosList: "a list"}
    return names.get(kind, "a set of `key: value` lines")


def show(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of `key: value` lines"
    if isinstance(value, list):
        return "a list"
    if value is None or (isinstance(value, str) and not value.strip()):
        return "nothing"
    return repr(value) if isinstance(value, str) else f"`{value}`"
