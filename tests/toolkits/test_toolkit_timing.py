"""Every shipped toolkit's claimed minutes hold for the text it actually contains.

The L1 claim (`l1.minutes`) must cover reading at 200 words a minute plus the time its activities
take; the L2 agenda must give each part of the case study room for its reading plus discussion. The
timing model is written down here so authors and reviewers check against the same numbers:

- reading: every word a learner meets on the page at 200 words a minute: title and body, each
  question's prompt and all its options, and the feedback on one option (a learner sees the feedback
  on the option they chose; the longest is counted, to err on the side of a claim long enough),
  thinking prompts and the reflection guidance;
- activities: 2 minutes per preliminary-thinking prompt, 1 minute per knowledge-check question to
  think and choose (its words are already counted as reading), 15 minutes to write the CPD reflection;
- the claim may exceed the estimate by at most a third, so a short module cannot claim 90 minutes;
- L2: a case-study block needs its stage's reading at 200 words a minute plus at least 1 minute of
  discussion for each prompt (a floor: groups usually choose among the prompts). Blocks whose title
  starts "Stage N" are checked one by one, and all the blocks that work on the case (read, present,
  clarify, apply, hypothesise, stage) must together hold the whole case's reading plus discussion.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.conftest import shipped_catalogue
from tests.toolkits import test_shipped_toolkits as shipped
from toolkits.loader import Catalogue, default_root, toolkit_dirs
from toolkits.model import Toolkit

WORDS_PER_MINUTE = 200
MINUTES_PER_THINKING_PROMPT = 2
MINUTES_PER_QUESTION = 1
MINUTES_FOR_REFLECTION = 15
DISCUSSION_MINUTES_PER_PROMPT = 1
CASE_BLOCK = re.compile(r"case|stage|clarif|theory|hypothes", re.IGNORECASE)
ONE_STAGE_BLOCK = re.compile(r"^Stage (\d+)\b")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*")

SHIPPED = sorted(p.name for p in toolkit_dirs(default_root()))


def words(*texts: str) -> int:
    return sum(len(WORD.findall(t)) for t in texts)


def l1_estimate(toolkit: Toolkit) -> tuple[float, int]:
    """(reading minutes, activity minutes) for the whole L1 module."""
    texts: list[str] = []
    activities = MINUTES_FOR_REFLECTION
    for page in toolkit.l1.pages:
        texts += [page.title, page.body]
        for q in page.questions:
            texts.append(q.prompt)
            texts += [o.text for o in q.options]
            texts.append(max((o.feedback for o in q.options), key=words))
            activities += MINUTES_PER_QUESTION
        for p in page.prompts:
            texts.append(p.text)
            activities += MINUTES_PER_THINKING_PROMPT
    texts.append(toolkit.l1.reflection.guidance)
    return words(*texts) / WORDS_PER_MINUTE, activities


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shipped_catalogue()


def test_timing_covers_every_shipped_toolkit() -> None:
    assert SHIPPED == shipped.SHIPPED


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_l1_claim_covers_reading_and_activities(catalogue: Catalogue, toolkit_id: str) -> None:
    toolkit = catalogue.get(toolkit_id)
    assert isinstance(toolkit, Toolkit)
    reading, activities = l1_estimate(toolkit)
    estimate = math.ceil(reading + activities)
    claimed = toolkit.l1.minutes
    assert estimate <= claimed, f"{toolkit_id}: {reading:.1f} min reading + {activities} min activities > {claimed}"
    assert claimed <= estimate * 4 / 3, f"{toolkit_id}: claims {claimed} min for about {estimate} min of content"


@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_l2_agenda_holds_each_stage_reading_and_discussion(catalogue: Catalogue, toolkit_id: str) -> None:
    toolkit = catalogue.get(toolkit_id)
    assert isinstance(toolkit, Toolkit)
    l2 = toolkit.l2
    assert sum(a.minutes for a in l2.agenda) == l2.minutes

    def need(text: str, prompts: int) -> float:
        return words(text) / WORDS_PER_MINUTE + prompts * DISCUSSION_MINUTES_PER_PROMPT

    stage_need = [need(s.body, len(s.prompts)) for s in l2.stages]
    for block in l2.agenda:
        named = ONE_STAGE_BLOCK.match(block.title)
        if named:
            index = int(named.group(1)) - 1
            assert 0 <= index < len(l2.stages), f"{toolkit_id}: {block.title!r} names no stage"
            assert block.minutes >= stage_need[index], (
                f"{toolkit_id}: {block.title!r} has {block.minutes} min for {stage_need[index]:.1f} min of work"
            )
    case_minutes = sum(a.minutes for a in l2.agenda if CASE_BLOCK.search(a.title))
    whole_case = need(l2.introduction.body, 0) + sum(stage_need)
    assert case_minutes >= whole_case, f"{toolkit_id}: {case_minutes} min of case work for {whole_case:.1f} min"
