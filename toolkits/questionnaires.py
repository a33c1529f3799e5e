"""The optional before-and-after questionnaire of a toolkit (`questionnaire:` in toolkit.yaml).

Kept apart from `toolkits.loader` so the evaluation vocabulary is checked in one place. The format
(toolkits/README.md, "The questionnaire"):

    questionnaire:
      confidence:            # one plain statement per learning outcome, in the same order
        - I can explain ...
      open_questions:        # one or two
        - id: hopes
          text: What do you most want to change in your practice?
          when: before       # before | after | both (the default)

Every problem is reported with its line; a questionnaire with any problem is left out.
"""

from __future__ import annotations

from toolkits import yamlpos
from toolkits.checking import ID_PATTERN, Checker
from toolkits.model import OpenQuestion, Phase, Questionnaire

KEYS = ("confidence", "open_questions")
QUESTION_KEYS = ("id", "text", "when")
WHEN = {"before": (Phase.BEFORE,), "after": (Phase.AFTER,), "both": (Phase.BEFORE, Phase.AFTER)}
MAX_OPEN_QUESTIONS = 2
# A statement is read on a phone beside five radio buttons: one plain sentence, not a paragraph.
MAX_STATEMENT_CHARS = 160
MAX_QUESTION_CHARS = 200


def validate_questionnaire(
    c: Checker,
    data: yamlpos.PosDict,
    outcomes: tuple[str, ...] | None,
    *,
    rel: str = "toolkit.yaml",
    whose: str = "toolkit",
) -> Questionnaire | None:
    """The `questionnaire:` section, checked against the toolkit's `learning_outcomes` (or a programme's
    `outcomes`: `toolkits.programmes` passes its own file as `rel`); None if absent."""
    Y = rel
    section = c.get(Y, data, "questionnaire", yamlpos.PosDict, required=False)
    if section is None:
        return None
    c.unknown_keys(Y, section, KEYS)
    statements = c.get_str_list(Y, section, "confidence")
    ok = statements is not None
    if statements is not None:
        items = section["confidence"]
        for text, line in zip(statements, items.item_lines, strict=True):
            if len(text) > MAX_STATEMENT_CHARS:
                c.add(Y, line, f"a confidence statement is {len(text)} characters long; keep it to one plain "
                      f"sentence of at most {MAX_STATEMENT_CHARS}")  # fmt: skip
                ok = False
        if outcomes is not None and len(statements) != len(outcomes):
            c.add(Y, section.line_of("confidence"), f"`questionnaire.confidence` has {len(statements)} "
                  f"statement(s) but the {whose} has {len(outcomes)} learning outcome(s): give one statement "
                  "per outcome, in the same order")  # fmt: skip
            ok = False
    questions = _open_questions(c, section, Y)
    if not ok or questions is None:
        return None
    assert statements is not None
    return Questionnaire(statements, questions)


def _open_questions(c: Checker, section: yamlpos.PosDict, Y: str) -> tuple[OpenQuestion, ...] | None:
    items = c.get(Y, section, "open_questions", yamlpos.PosList)
    if items is None:
        return None
    if not 1 <= len(items) <= MAX_OPEN_QUESTIONS:
        c.add(Y, section.line_of("open_questions"), f"a questionnaire has one or two open questions, "
              f"this one has {len(items)}")  # fmt: skip
        return None
    found: list[OpenQuestion] = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, yamlpos.PosDict):
            c.add(Y, line, "each open question needs `id` and `text` (and `when`: before, after or both)")
            continue
        c.unknown_keys(Y, item, QUESTION_KEYS)
        qid = c.get(Y, item, "id", str, what=" from this open question")
        text = c.get(Y, item, "text", str, what=" from this open question")
        when = c.get(Y, item, "when", str, required=False) or "both"
        if qid is not None:
            if not ID_PATTERN.match(qid):
                c.add(Y, item.line_of("id"), f"open question id `{qid}` must use lower-case letters, digits, hyphens")
                qid = None
            else:
                c.claim_id(Y, item.line_of("id"), "open question", qid)
        if text is not None and len(text) > MAX_QUESTION_CHARS:
            c.add(Y, item.line_of("text"), f"an open question is {len(text)} characters long; at most "
                  f"{MAX_QUESTION_CHARS} are allowed")  # fmt: skip
            text = None
        if when not in WHEN:
            c.add(Y, item.line_of("when"), f"`when` must be before, after or both, not {when!r}")
            continue
        if qid and text:
            found.append(OpenQuestion(qid, text.strip(), WHEN[when]))
    return tuple(found) if len(found) == len(items) else None
