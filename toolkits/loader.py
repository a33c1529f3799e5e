"""Load and validate toolkit folders (format: toolkits/README.md).

Validation never stops at the first problem: an author fixing a toolkit wants the whole list, each as
`path:line: plain sentence`. Loading a toolkit with any problem raises `ToolkitInvalid` carrying them
all, so neither face ever serves half-valid content.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from toolkits import cpd, design, limits, links, render, yamlpos
from toolkits.model import (
    AgendaItem,
    CompletionPart,
    Document,
    GroupFormat,
    L1Module,
    L2Session,
    Option,
    Page,
    PageKind,
    Question,
    QuestionType,
    Reference,
    ReflectionTemplate,
    RegulatorMapping,
    ScoringMode,
    Stage,
    ThinkingPrompt,
    Toolkit,
)
from toolkits.questionnaires import validate_questionnaire

T = TypeVar("T")

PACKAGE_DIR = Path(__file__).resolve().parent
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
STANDARDS = frozenset({"1", "2", "3", "4", "5", "6"} | {f"4.{n}" for n in range(1, 9)})
L1_MINUTES = (60, 90)
L2_MIN_MINUTES = 60
MIN_STAGES = 3


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


def default_root() -> Path:
    """The toolkits shipped beside this module (the operator's folder comes from settings: `toolkits_dir`)."""
    return PACKAGE_DIR


def toolkit_dirs(root: Path) -> list[Path]:
    """The toolkit folders under `root` (any sub-folder holding a toolkit.yaml), sorted."""
    return sorted(p.parent for p in root.glob("*/toolkit.yaml"))


@dataclass
class _MarkdownFile:
    rel: str
    meta: yamlpos.PosDict
    body: str
    body_line: int  # 1-based line in the file where the body starts


@dataclass
class _Checker:
    """Collects problems for one toolkit folder while building its objects."""

    root: Path
    display: str
    problems: list[Problem] = field(default_factory=list)
    used_files: set[str] = field(default_factory=set)
    markdown: dict[str, _MarkdownFile] = field(default_factory=dict)
    ids: dict[str, tuple[str, int]] = field(default_factory=dict)

    # -- reporting ---------------------------------------------------------------------------------

    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(limits.printable(f"{self.display}/{rel}"), line, limits.printable(message)))

    def unknown_keys(self, rel: str, mapping: yamlpos.PosDict, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key, line in mapping.duplicates:
            self.add(rel, line, f"the key `{key}` appears twice")
        for key in mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
                self.add(rel, mapping.line_of(key), f"unknown key `{key}`{suggestion}")

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
        if key not in mapping or mapping[key] is None:
            if required:
                self.add(rel, mapping.line, f"`{key}` is missing{what}")
            return None
        value = mapping[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is str and ok:
            ok = bool(str(value).strip())
        if not ok:
            self.add(rel, mapping.line_of(key), f"`{key}` must be {_describe(kind)}, not {_show(value)}")
            return None
        return value  # type: ignore[no-any-return]

    def get_str_list(self, rel: str, mapping: yamlpos.PosDict, key: str, *, minimum: int = 1) -> tuple[str, ...] | None:
        items = self.get(rel, mapping, key, yamlpos.PosList)
        if items is None:
            return None
        good: list[str] = []
        for item, line in zip(items, items.item_lines, strict=True):
            if isinstance(item, str) and item.strip():
                good.append(item.strip())
            else:
                self.add(rel, line, f"each item of `{key}` must be text, not {_show(item)}")
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

    def read_markdown(self, rel: str, from_rel: str, line: int, kinds: tuple[str, ...]) -> _MarkdownFile | None:
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
        parsed = _MarkdownFile(rel, meta, body, end + 2)
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


def _describe(kind: type) -> str:
    names = {str: "some text", int: "a whole number", bool: "true or false", yamlpos.PosList: "a list"}
    return names.get(kind, "a set of `key: value` lines")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of `key: value` lines"
    if isinstance(value, list):
        return "a list"
    if value is None or (isinstance(value, str) and not value.strip()):
        return "nothing"
    return repr(value) if isinstance(value, str) else f"`{value}`"


# -- the sections of a toolkit ----------------------------------------------------------------------

TOOLKIT_KEYS = (
    "id", "title", "theme", "version", "summary", "learning_outcomes", "standards", "references",
    "last_reviewed", "review_date", "l1", "l2", "regulators", "questionnaire",
)  # fmt: skip
L1_KEYS = ("minutes", "pass_mark", "retries", "scoring", "completion", "pages", "reflection")
L2_KEYS = (
    "minutes", "format", "agenda", "case_study", "feedback_prompts", "feedforward_prompts",
    "facilitator_guide", "participant_sheet", "reflection",
)  # fmt: skip
Y = "toolkit.yaml"


def _references(c: _Checker, data: yamlpos.PosDict) -> tuple[Reference, ...] | None:
    items = c.get(Y, data, "references", yamlpos.PosList)
    if items is None:
        return None
    refs: list[Reference] = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, yamlpos.PosDict):
            c.add(Y, line, "each reference needs `author`, `year` and `title`")
            continue
        c.unknown_keys(Y, item, ("id", "author", "year", "title", "publisher"))
        author = c.get(Y, item, "author", str, what=" from this reference")
        year = c.get_int_range(Y, item, "year", 1800, 2100)
        title = c.get(Y, item, "title", str, what=" from this reference")
        publisher = c.get(Y, item, "publisher", str, required=False) or ""
        ref_id = c.get(Y, item, "id", str, required=False) or ""
        if ref_id and not ID_PATTERN.match(ref_id):
            c.add(Y, item.line_of("id"), f"reference id `{ref_id}` must use lower-case letters, digits and hyphens")
        if author and year and title:
            refs.append(Reference(author, year, title, publisher, ref_id))
    return tuple(refs) if len(refs) == len(items) else None


def _question(c: _Checker, rel: str, item: Any, line: int) -> Question | None:
    if not isinstance(item, yamlpos.PosDict):
        c.add(rel, line, "each question needs `id`, `type`, `prompt` and `options`")
        return None
    c.unknown_keys(rel, item, ("id", "type", "prompt", "options"))
    qid = c.get(rel, item, "id", str, what=" from this question")
    if qid is not None:
        if not ID_PATTERN.match(qid):
            c.add(
                rel,
                item.line_of("id"),
                f"question id `{qid}` must use lower-case letters, digits and hyphens",
            )
        c.claim_id(rel, item.line_of("id"), "question", qid)
    qtype = c.get(rel, item, "type", str)
    if qtype is not None and qtype not in ("single", "multiple"):
        c.add(rel, item.line_of("type"), f"`type` must be `single` or `multiple`, not `{qtype}`")
        qtype = None
    prompt = c.get(rel, item, "prompt", str)
    raw_options = c.get(rel, item, "options", yamlpos.PosList)
    options: list[Option] = []
    if raw_options is not None:
        for index, (opt, opt_line) in enumerate(zip(raw_options, raw_options.item_lines, strict=True)):
            if not isinstance(opt, yamlpos.PosDict):
                c.add(rel, opt_line, "each option needs `text` and `feedback` (and `correct: true` if right)")
                continue
            c.unknown_keys(rel, opt, ("text", "correct", "feedback", "pin"))
            text = c.get(rel, opt, "text", str, what=" from this option")
            correct = c.get(rel, opt, "correct", bool, required=False) or False
            feedback = c.get(rel, opt, "feedback", str, what=" (every option needs feedback)")
            pinned = c.get(rel, opt, "pin", bool, required=False) or False
            if text and feedback:
                options.append(Option(chr(ord("a") + index), text, correct, feedback, pinned))
        where = item.line_of("options")
        right = sum(o.correct for o in options)
        if len(raw_options) < 2:
            c.add(rel, where, "a question needs at least two options")
        elif len(options) == len(raw_options):
            if right == 0:
                c.add(rel, where, "this question has no correct answer: mark one option `correct: true`")
            elif qtype == "single" and right > 1:
                c.add(rel, where, f"a `single` question has exactly one correct option, this one has {right}")
    if None in (qid, qtype, prompt, raw_options) or raw_options is None or len(options) != len(raw_options):
        return None
    if len(options) < 2 or not any(o.correct for o in options):
        return None
    if qtype == "single" and sum(o.correct for o in options) != 1:
        return None
    assert qid is not None and qtype is not None and prompt is not None
    return Question(qid, QuestionType(qtype), prompt, tuple(options), rel, item.line)


def _page(c: _Checker, rel: str, line: int) -> Page | None:
    md = c.read_markdown(rel, Y, line, ("page", "check", "thinking"))
    if md is None:
        return None
    meta = md.meta
    kind = PageKind(meta["kind"])
    allowed = {"page": ("kind", "title"), "check": ("kind", "title", "questions"),
               "thinking": ("kind", "title", "prompts")}[kind.value]  # fmt: skip
    c.unknown_keys(rel, meta, allowed)
    title = c.get(rel, meta, "title", str)
    questions: list[Question] = []
    prompts: list[ThinkingPrompt] = []
    ok = title is not None
    if kind is PageKind.CHECK:
        items = c.get(rel, meta, "questions", yamlpos.PosList)
        if items is None or not items:
            if items is not None:
                c.add(rel, meta.line_of("questions"), "a knowledge check needs at least one question")
            return None
        for item, item_line in zip(items, items.item_lines, strict=True):
            question = _question(c, rel, item, item_line)
            ok = ok and question is not None
            if question is not None:
                questions.append(question)
    elif kind is PageKind.THINKING:
        items = c.get(rel, meta, "prompts", yamlpos.PosList)
        if items is None or not items:
            if items is not None:
                c.add(rel, meta.line_of("prompts"), "a thinking page needs at least one prompt")
            return None
        for item, item_line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, yamlpos.PosDict):
                c.add(rel, item_line, "each prompt needs `id` and `text`")
                ok = False
                continue
            c.unknown_keys(rel, item, ("id", "text"))
            pid = c.get(rel, item, "id", str, what=" from this prompt")
            text = c.get(rel, item, "text", str, what=" from this prompt")
            if pid is not None:
                c.claim_id(rel, item.line_of("id"), "prompt", pid)
            if pid and text:
                prompts.append(ThinkingPrompt(pid, text))
            else:
                ok = False
    elif not md.body.strip():
        c.add(rel, md.body_line, "this page has no text")
        ok = False
    if not ok or title is None:
        return None
    return Page(Path(rel).stem, kind, title, md.body, rel, tuple(questions), tuple(prompts))


def _reflection(c: _Checker, section: yamlpos.PosDict, peer_expected: bool) -> ReflectionTemplate | None:
    rel_value = c.get(Y, section, "reflection", str)
    if rel_value is None:
        return None
    md = c.read_markdown(rel_value, Y, section.line_of("reflection"), ("reflection",))
    if md is None:
        return None
    meta = md.meta
    c.unknown_keys(rel_value, meta, ("kind", "title", "model", "cpd_title", "peer_reflection"))
    title = c.get(rel_value, meta, "title", str)
    model = c.get(rel_value, meta, "model", str)
    if model is not None and model not in cpd.REFLECTIVE_MODELS:
        names = ", ".join(cpd.REFLECTIVE_MODELS)
        c.add(rel_value, meta.line_of("model"), f"`model` must be one of {names}, not `{model}`")
        model = None
    cpd_title = c.get(rel_value, meta, "cpd_title", str)
    peer = c.get(rel_value, meta, "peer_reflection", bool, required=False)
    peer = peer_expected if peer is None else peer
    if peer_expected and not peer:
        c.add(rel_value, meta.line_of("peer_reflection"), "the L2 reflection is the peer reflection: "
              "set `peer_reflection: true`")  # fmt: skip
        return None
    for offset, name in cpd.suggested_cpd_types(md.body):
        if name not in cpd.CPD_TYPES:
            c.add(rel_value, md.body_line + offset, f'the guidance suggests the CPD type "{name}", which is '
                  f"not in the record form's list: {', '.join(cpd.CPD_TYPES)} (toolkits/cpd.py)")  # fmt: skip
    if title is None or model is None or cpd_title is None:
        return None
    return ReflectionTemplate(Path(rel_value).stem, title, model, cpd_title, peer, md.body, rel_value)


def _l1(c: _Checker, data: yamlpos.PosDict) -> L1Module | None:
    section = c.get(Y, data, "l1", yamlpos.PosDict)
    if not isinstance(section, yamlpos.PosDict):
        return None
    c.unknown_keys(Y, section, L1_KEYS)
    minutes = c.get_int_range(Y, section, "minutes", *L1_MINUTES)
    pass_mark = c.get_int_range(Y, section, "pass_mark", 0, 100)
    retries = c.get(Y, section, "retries", bool, required=False)
    scoring = c.get(Y, section, "scoring", str, required=False) or ScoringMode.FIRST.value
    if scoring not in {m.value for m in ScoringMode}:
        c.add(Y, section.line_of("scoring"), f"`scoring` must be first, best or latest, not {_show(scoring)}")
        scoring = ScoringMode.FIRST.value
    completion_items = c.get(Y, section, "completion", yamlpos.PosList, required=False)
    completion = frozenset(CompletionPart)
    if completion_items is not None:
        parts: set[CompletionPart] = set()
        for item, line in zip(completion_items, completion_items.item_lines, strict=True):
            if item in {p.value for p in CompletionPart}:
                parts.add(CompletionPart(item))
            else:
                c.add(Y, line, f"`completion` items are pages, checks or reflection, not {_show(item)}")
        completion = frozenset(parts)
    page_list = c.get(Y, section, "pages", yamlpos.PosList)
    pages: list[Page] = []
    pages_ok = page_list is not None and len(page_list) > 0
    if page_list is not None:
        if not page_list:
            c.add(Y, section.line_of("pages"), "L1 needs at least one page")
        for item, line in zip(page_list, page_list.item_lines, strict=True):
            if not isinstance(item, str):
                c.add(Y, line, f"each page is a file path, not {_show(item)}")
                pages_ok = False
                continue
            page = _page(c, item, line)
            pages_ok = pages_ok and page is not None
            if page is not None:
                pages.append(page)
    reflection = _reflection(c, section, peer_expected=False)
    if CompletionPart.CHECKS in completion and pages_ok and not any(p.questions for p in pages):
        c.add(Y, section.line_of("completion"), "completion asks for checks but L1 has no knowledge check")
        return None
    if minutes is None or pass_mark is None or not pages_ok or reflection is None:
        return None
    return L1Module(minutes, pass_mark, True if retries is None else retries, completion, tuple(pages),
                    reflection, ScoringMode(scoring))  # fmt: skip


def _document(c: _Checker, section: yamlpos.PosDict, key: str, kind: str, rel: str | None = None) -> Document | None:
    if rel is None:
        rel = c.get(Y, section, key, str)
        if rel is None:
            return None
    md = c.read_markdown(rel, Y, section.line_of(key), (kind,))
    if md is None:
        return None
    c.unknown_keys(rel, md.meta, ("kind", "title"))
    title = c.get(rel, md.meta, "title", str)
    if not md.body.strip():
        c.add(rel, md.body_line, "this document has no text")
        return None
    return Document(title, md.body, rel) if title else None


def _l2(c: _Checker, data: yamlpos.PosDict) -> L2Session | None:
    section = c.get(Y, data, "l2", yamlpos.PosDict)
    if not isinstance(section, yamlpos.PosDict):
        return None
    c.unknown_keys(Y, section, L2_KEYS)
    minutes = c.get_int_range(Y, section, "minutes", L2_MIN_MINUTES, None)
    fmt = c.get(Y, section, "format", str)
    if fmt is not None and fmt not in {f.value for f in GroupFormat}:
        names = ", ".join(f.value for f in GroupFormat)
        c.add(Y, section.line_of("format"), f"`format` must be one of {names}, not `{fmt}`")
        fmt = None
    agenda_items = c.get(Y, section, "agenda", yamlpos.PosList)
    agenda: list[AgendaItem] = []
    if agenda_items is not None:
        for item, line in zip(agenda_items, agenda_items.item_lines, strict=True):
            if not isinstance(item, yamlpos.PosDict):
                c.add(Y, line, "each agenda item needs `title` and `minutes`")
                continue
            c.unknown_keys(Y, item, ("title", "minutes", "stages"))
            title = c.get(Y, item, "title", str, what=" from this agenda item")
            item_minutes = c.get_int_range(Y, item, "minutes", 1, None)
            covered = _agenda_stages(c, item)
            if title and item_minutes:
                agenda.append(AgendaItem(title, item_minutes, covered, item.line))
        total = sum(a.minutes for a in agenda)
        if len(agenda) == len(agenda_items) and minutes is not None and total != minutes:
            c.add(Y, agenda_items.line, f"the agenda's timings add up to {total} minutes, "
                  f"but `l2.minutes` says {minutes}")  # fmt: skip
            agenda = []
    case = c.get(Y, section, "case_study", yamlpos.PosDict)
    introduction: Document | None = None
    stages: list[Stage] = []
    stages_ok = False
    if isinstance(case, yamlpos.PosDict):
        c.unknown_keys(Y, case, ("introduction", "stages"))
        introduction = _document(c, case, "introduction", "case-study")
        stage_list = c.get(Y, case, "stages", yamlpos.PosList)
        if stage_list is not None:
            stages_ok = True
            if len(stage_list) < MIN_STAGES:
                c.add(Y, case.line_of("stages"), f"the case study needs at least {MIN_STAGES} stages, "
                      f"it has {len(stage_list)}")  # fmt: skip
                stages_ok = False
            for item, line in zip(stage_list, stage_list.item_lines, strict=True):
                stage = _stage(c, item, line)
                stages_ok = stages_ok and stage is not None
                if stage is not None:
                    stages.append(stage)
    feedback = c.get_str_list(Y, section, "feedback_prompts")
    feedforward = c.get_str_list(Y, section, "feedforward_prompts")
    guide = _document(c, section, "facilitator_guide", "guide")
    sheet = _document(c, section, "participant_sheet", "sheet")
    reflection = _reflection(c, section, peer_expected=True)
    if (
        minutes is None or fmt is None or not agenda or introduction is None or not stages_ok
        or feedback is None or feedforward is None or guide is None or sheet is None or reflection is None
    ):  # fmt: skip
        return None
    return L2Session(minutes, GroupFormat(fmt), tuple(agenda), introduction, tuple(stages), feedback,
                     feedforward, guide, sheet, reflection)  # fmt: skip


def _agenda_stages(c: _Checker, item: yamlpos.PosDict) -> tuple[int, ...]:
    """`stages: [2, 3]` on an agenda item: the case-study stages read and discussed in it (1-based)."""
    items = c.get(Y, item, "stages", yamlpos.PosList, required=False)
    if items is None:
        return ()
    numbers: list[int] = []
    for value, line in zip(items, items.item_lines, strict=True):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            numbers.append(value)
        else:
            c.add(Y, line, f"each of an agenda item's `stages` is a stage number (1, 2, ...), not {_show(value)}")
    return tuple(numbers)


def _review_dates(c: _Checker, data: yamlpos.PosDict) -> tuple[date | None, date | None]:
    """`last_reviewed` and `review_date`: when the content was checked, and when it is next due.

    Learners see both, so a reader can judge how current the evidence is.
    """
    found: dict[str, date | None] = {}
    for key in ("last_reviewed", "review_date"):
        value = data.get(key)
        if value is None:
            c.add(Y, data.line, f"`{key}` is missing: give a date such as 2026-11-30")
            found[key] = None
        elif isinstance(value, date) and not isinstance(value, datetime):
            found[key] = value
        else:
            c.add(Y, data.line_of(key), f"`{key}` must be a date such as 2026-11-30, not {_show(value)}")
            found[key] = None
    last, due = found["last_reviewed"], found["review_date"]
    if last and due and due <= last:
        c.add(Y, data.line_of("review_date"), "`review_date` must come after `last_reviewed`")
    return last, due


def _stage(c: _Checker, item: Any, line: int) -> Stage | None:
    if not isinstance(item, str):
        c.add(Y, line, f"each stage is a file path, not {_show(item)}")
        return None
    md = c.read_markdown(item, Y, line, ("stage",))
    if md is None:
        return None
    c.unknown_keys(item, md.meta, ("kind", "title", "prompts"))
    title = c.get(item, md.meta, "title", str)
    prompts = c.get_str_list(item, md.meta, "prompts")
    if not md.body.strip():
        c.add(item, md.body_line, "this stage has no text")
        return None
    if title is None or prompts is None:
        return None
    return Stage(Path(item).stem, title, md.body, prompts, item)


REGULATOR_KEYS = ("sssc_elements", "sssc_mandatory", "niscc_hours")
NISCC_PARTS = ("l1", "l2")
MAX_PART_HOURS = 40


def validate_regulators(c: _Checker, data: yamlpos.PosDict) -> RegulatorMapping:
    """The optional `regulators:` mapping: SSSC core learning elements and mandatory learning, NISCC hours.

    Kept apart from `_toolkit` so each regulator's vocabulary is checked in one place. Element ids and
    mandatory topics must be ones `toolkits.cpd` knows; hours are per part (`l1`, `l2`), more than 0
    and at most 40. Problems are reported and the bad values left out.
    """
    section = c.get(Y, data, "regulators", yamlpos.PosDict, required=False)
    if section is None:
        return RegulatorMapping()
    c.unknown_keys(Y, section, REGULATOR_KEYS)

    def ids(key: str, known: Iterable[str], what: str) -> tuple[str, ...]:
        items = c.get(Y, section, key, yamlpos.PosList, required=False)
        if items is None:
            return ()
        allowed = list(known)
        good: list[str] = []
        for item, line in zip(items, items.item_lines, strict=True):
            value = str(item).strip() if isinstance(item, str | int) else ""
            if value in allowed:
                if value in good:
                    c.add(Y, line, f"`{value}` appears twice in `regulators.{key}`")
                good.append(value)
                continue
            hint = difflib.get_close_matches(value, allowed, n=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else f" (choose from {', '.join(allowed)})"
            c.add(Y, line, f"{_show(item)} is not {what}{suggestion}")
        return tuple(dict.fromkeys(good))

    elements = ids("sssc_elements", (e.id for e in cpd.SSSC_SOCIAL_WORK_ELEMENTS), "an SSSC core learning element")
    mandatory = ids("sssc_mandatory", cpd.SSSC_MANDATORY_LEARNING, "an SSSC mandatory learning topic")
    hours: list[tuple[str, float]] = []
    niscc = c.get(Y, section, "niscc_hours", yamlpos.PosDict, required=False)
    if niscc is not None:
        c.unknown_keys(Y, niscc, NISCC_PARTS)
        for part in NISCC_PARTS:
            if part not in niscc:
                continue
            value = niscc[part]
            line = niscc.line_of(part)
            if isinstance(value, bool) or not isinstance(value, int | float):
                c.add(Y, line, f"`niscc_hours.{part}` must be a number of hours, not {_show(value)}")
            elif not 0 < value <= MAX_PART_HOURS:
                c.add(Y, line, f"`niscc_hours.{part}` must be more than 0 and at most {MAX_PART_HOURS}, not {value}")
            else:
                hours.append((part, float(value)))
    return RegulatorMapping(elements, mandatory, tuple(hours))


def _toolkit(c: _Checker) -> Toolkit | None:
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
    references = _references(c, data)
    last_reviewed, review_date = _review_dates(c, data)
    l1 = _l1(c, data)
    l2 = _l2(c, data)
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
    checker = _Checker(root=path, display=_display(path))
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
