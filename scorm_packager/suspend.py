"""How much `cmi.suspend_data` a toolkit can need, and what a SCORM 1.2 package does about it.

SCORM 1.2 gives `cmi.suspend_data` 4096 characters (CMIString4096, SCORM 1.2 RTE section 3.4;
docs/scorm.md); LMSs truncate or refuse longer values and resume then breaks. SCORM 2004 3rd and 4th
editions allow 64000, which only a toolkit far beyond any real one could pass (checked the same way);
cmi5 keeps state in the xAPI State API, with no such limit.

The runtime (`runtime/sco.js`, `encodeState` / `encodeStateWithin`) writes one of three forms, the first
that fits. This module computes the worst case of each from the toolkit's structure (every page
visited, every question answered with its longest token), so the packager can say before any learner
meets it which form a toolkit may fall back to, and refuse a toolkit that not even the smallest fits.
`tests/scorm_packager/test_suspend_budget.py` checks these figures against the runtime itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolkits.model import QuestionType, Toolkit

SUSPEND_LIMIT_12 = 4096
SUSPEND_LIMIT_2004 = 64000  # SPM in SCORM 2004 3rd and 4th editions (RTE section 4.2)
EXTRA_PAGES = 2  # the player's reflection and finish pages (content.REFLECTION_PAGE, FINISH_PAGE)


class SuspendDataTooLarge(Exception):
    """Even the smallest form of the state could exceed SCORM 1.2's limit; the message says what to do."""


def _base36_length(value: int) -> int:
    length = 1
    while value >= 36:
        value //= 36
        length += 1
    return length


def _worst_token(options: int, kind: QuestionType) -> int:
    """The longest answer token: all options ticked (multiple) or the last one (single), base 36."""
    mask = 2 ** (options - 1) if kind is QuestionType.SINGLE else 2**options - 1
    length = _base36_length(mask)
    return length if length == 1 else length + 2  # "(...)" around tokens longer than one character


@dataclass(frozen=True)
class SuspendBudget:
    """Worst-case lengths of the runtime's three forms of the state, in characters."""

    full: int  # s1: every page's visited flag and every option chosen
    ordered: int  # s2: visited pages as a count of pages read in order
    outcomes: int  # s3: each answer as right or wrong only

    def advice(self, limit: int = SUSPEND_LIMIT_12, edition: str = "SCORM 1.2") -> str | None:
        """None when the full state always fits; else the sentence an operator should read."""
        if self.full <= limit:
            return None
        if self.ordered <= limit:
            kept = "pages read out of order are forgotten (the bookmark and every answer are kept)"
        elif self.outcomes <= limit:
            kept = ("only whether each answer was right is kept, not the options ticked (the bookmark, the "
                    "score and completion are kept)")  # fmt: skip
        else:
            raise SuspendDataTooLarge(
                f"its state could need {self.outcomes} characters of cmi.suspend_data even in its smallest "
                f"form, over {edition}'s {limit}: package it as cmi5, or split it"
                + (" (scorm2004-4 has room for 64000)" if limit < SUSPEND_LIMIT_2004 else "")
            )
        return (
            f"its state could need {self.full} characters of cmi.suspend_data, over {edition}'s {limit}; "
            f"when a learner's state would not fit, {kept}. "
            + ("scorm2004-4 and cmi5 have room for all of it" if limit < SUSPEND_LIMIT_2004 else "cmi5 has no limit")
        )


def budget(toolkit: Toolkit) -> SuspendBudget:
    """The worst case of each form for `toolkit`, computed as `sco.js` builds the strings."""
    pages = len(toolkit.l1.pages) + EXTRA_PAGES
    questions = toolkit.l1.questions
    tokens = sum(_worst_token(len(q.options), q.type) for q in questions)
    flags = 1  # "r": the reflection was saved
    count = len(str(pages))
    # "|<first hex>|<right-once hex>": every form ends with them (first-answer scoring).
    scoring = 2 * (1 + math.ceil(len(questions) / 4))
    full = len("s1|") + math.ceil(pages / 4) + 1 + tokens + 1 + flags + scoring
    ordered = len("s2|") + count + 1 + tokens + 1 + flags + scoring
    outcomes = len("s3|") + count + 1 + 2 * math.ceil(len(questions) / 4) + 1 + 1 + flags + scoring
    return SuspendBudget(full, ordered, outcomes)
