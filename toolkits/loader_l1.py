"""The toolkit's own keys, references and its L1 section: pages, knowledge checks, the reflection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkits import cpd, yamlpos
from toolkits.checking import ID_PATTERN, L1_MINUTES, Checker, Y, show
from toolkits.model import (
    CompletionPart,
    L1Module,
    Option,
    Page,
    PageKind,
    Question,
    QuestionType,
    Reference,
    ReflectionTemplate,
    ScoringMode,
    ThinkingPrompt,
)

L1_KEYS = ("minutes", "pass_mark", "retries", "scoring", "completion", "pages", "reflection")


def read_references(c: Checker, data: yamlpos.PosDict) -> tuple[Reference, ...] | None:
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


def _question(c: Checker, rel: str, item: Any, line: int) -> Question | None:
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


def _page(c: Checker, rel: str, line: int) -> Page | None:
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


def reflection_template(c: Checker, section: yamlpos.PosDict, peer_expected: bool) -> ReflectionTemplate | None:
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


def l1_module(c: Checker, data: yamlpos.PosDict) -> L1Module | None:
    section = c.get(Y, data, "l1", yamlpos.PosDict)
    if not isinstance(section, yamlpos.PosDict):
        return None
    c.unknown_keys(Y, section, L1_KEYS)
    minutes = c.get_int_range(Y, section, "minutes", *L1_MINUTES)
    pass_mark = c.get_int_range(Y, section, "pass_mark", 0, 100)
    retries = c.get(Y, section, "retries", bool, required=False)
    scoring = c.get(Y, section, "scoring", str, required=False) or ScoringMode.FIRST.value
    if scoring not in {m.value for m in ScoringMode}:
        c.add(Y, section.line_of("scoring"), f"`scoring` must be first, best or latest, not {show(scoring)}")
        scoring = ScoringMode.FIRST.value
    completion_items = c.get(Y, section, "completion", yamlpos.PosList, required=False)
    completion = frozenset(CompletionPart)
    if completion_items is not None:
        parts: set[CompletionPart] = set()
        for item, line in zip(completion_items, completion_items.item_lines, strict=True):
            if item in {p.value for p in CompletionPart}:
                parts.add(CompletionPart(item))
            else:
                c.add(Y, line, f"`completion` items are pages, checks or reflection, not {show(item)}")
        completion = frozenset(parts)
    page_list = c.get(Y, section, "pages", yamlpos.PosList)
    pages: list[Page] = []
    pages_ok = page_list is not None and len(page_list) > 0
    if page_list is not None:
        if not page_list:
            c.add(Y, section.line_of("pages"), "L1 needs at least one page")
        for item, line in zip(page_list, page_list.item_lines, strict=True):
            if not isinstance(item, str):
                c.add(Y, line, f"each page is a file path, not {show(item)}")
                pages_ok = False
                continue
            page = _page(c, item, line)
            pages_ok = pages_ok and page is not None
            if page is not None:
                pages.append(page)
    reflection = reflection_template(c, section, peer_expected=False)
    if CompletionPart.CHECKS in completion and pages_ok and not any(p.questions for p in pages):
        c.add(Y, section.line_of("completion"), "completion asks for checks but L1 has no knowledge check")
        return None
    if minutes is None or pass_mark is None or not pages_ok or reflection is None:
        return None
    return L1Module(minutes, pass_mark, True if retries is None else retries, completion, tuple(pages),
                    reflection, ScoringMode(scoring))  # fmt: skip
