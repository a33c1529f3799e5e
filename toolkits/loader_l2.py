"""The toolkit's L2 section (agenda, case study in stages, documents) and its `regulators:` mapping."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from toolkits import cpd, yamlpos
from toolkits.checking import L2_MIN_MINUTES, MIN_STAGES, Checker, Y, show
from toolkits.loader_l1 import reflection_template
from toolkits.model import (
    AgendaItem,
    Document,
    GroupFormat,
    L2Session,
    RegulatorMapping,
    Stage,
)

L2_KEYS = (
    "minutes", "format", "agenda", "case_study", "feedback_prompts", "feedforward_prompts",
    "facilitator_guide", "participant_sheet", "reflection",
)  # fmt: skip


def _document(c: Checker, section: yamlpos.PosDict, key: str, kind: str, rel: str | None = None) -> Document | None:
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


def l2_session(c: Checker, data: yamlpos.PosDict) -> L2Session | None:
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
    reflection = reflection_template(c, section, peer_expected=True)
    if (
        minutes is None or fmt is None or not agenda or introduction is None or not stages_ok
        or feedback is None or feedforward is None or guide is None or sheet is None or reflection is None
    ):  # fmt: skip
        return None
    return L2Session(minutes, GroupFormat(fmt), tuple(agenda), introduction, tuple(stages), feedback,
                     feedforward, guide, sheet, reflection)  # fmt: skip


def _agenda_stages(c: Checker, item: yamlpos.PosDict) -> tuple[int, ...]:
    """`stages: [2, 3]` on an agenda item: the case-study stages read and discussed in it (1-based)."""
    items = c.get(Y, item, "stages", yamlpos.PosList, required=False)
    if items is None:
        return ()
    numbers: list[int] = []
    for value, line in zip(items, items.item_lines, strict=True):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            numbers.append(value)
        else:
            c.add(Y, line, f"each of an agenda item's `stages` is a stage number (1, 2, ...), not {show(value)}")
    return tuple(numbers)


def review_dates(c: Checker, data: yamlpos.PosDict) -> tuple[date | None, date | None]:
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
            c.add(Y, data.line_of(key), f"`{key}` must be a date such as 2026-11-30, not {show(value)}")
            found[key] = None
    last, due = found["last_reviewed"], found["review_date"]
    if last and due and due <= last:
        c.add(Y, data.line_of("review_date"), "`review_date` must come after `last_reviewed`")
    return last, due


def _stage(c: Checker, item: Any, line: int) -> Stage | None:
    if not isinstance(item, str):
        c.add(Y, line, f"each stage is a file path, not {show(item)}")
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


def validate_regulators(c: Checker, data: yamlpos.PosDict) -> RegulatorMapping:
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
            c.add(Y, line, f"{show(item)} is not {what}{suggestion}")
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
                c.add(Y, line, f"`niscc_hours.{part}` must be a number of hours, not {show(value)}")
            elif not 0 < value <= MAX_PART_HOURS:
                c.add(Y, line, f"`niscc_hours.{part}` must be more than 0 and at most {MAX_PART_HOURS}, not {value}")
            else:
                hours.append((part, float(value)))
    return RegulatorMapping(elements, mandatory, tuple(hours))
