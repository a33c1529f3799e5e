"""SCORM 1.2 `cmi.suspend_data` never exceeds 4096 characters (issue 9, defect 11).

The packager's worst-case figures (`scorm_packager/suspend.py`) are checked against the runtime itself
(`sco.js` in node, and in chromium under scorm-again's SCORM 1.2 API): the runtime falls back to its
shorter forms only when it must, keeps the bookmark and the answers' results, and the packager says so
for a toolkit that may need it, or refuses one that not even the smallest form fits.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from scorm_packager import suspend
from scorm_packager.build import build
from scorm_packager.content import player_data
from scorm_packager.editions import Format
from scorm_packager.manifest import pass_mark
from tests.scorm_packager.test_browser_scorm import _launch
from tests.scorm_packager.test_runtime_js import run_js
from toolkits.model import Option, Page, PageKind, Question, QuestionType, Toolkit


def enlarged(toolkit: Toolkit, pages: int, questions_per_page: int, options: int, kind: QuestionType) -> Toolkit:
    """The fixture toolkit with `pages` extra check pages, each of `questions_per_page` questions."""
    extra = []
    for p in range(pages):
        questions = tuple(
            Question(f"q{p}-{i}", kind, "Which?", tuple(
                Option(chr(ord("a") + o), f"Option {o}", o == 0, "Feedback.") for o in range(options)
            ))
            for i in range(questions_per_page)
        )  # fmt: skip
        extra.append(Page(f"extra-{p}", PageKind.CHECK, f"Extra {p}", "", f"l1/extra-{p}.md", questions))
    l1 = dataclasses.replace(toolkit.l1, pages=toolkit.l1.pages + tuple(extra))
    return dataclasses.replace(toolkit, l1=l1)


WORST_STATE = (
    "const state = sco.emptyState();"
    "data.pages.forEach(p => state.visited[p] = true);"
    # The longest token: every option of a multiple question, the last option of a single one.
    "data.questions.forEach(q => state.answers[q.id] = q.single ? q.options.slice(-1) : q.options.slice());"
    "state.reflectionSaved = true;"
)


def _data(toolkit: Toolkit) -> dict[str, Any]:
    data = player_data(toolkit, "1.2", pass_mark(toolkit))
    kinds = {q.id: q.type for q in toolkit.l1.questions}
    for q in data["questions"]:  # type: ignore[attr-defined]
        q["single"] = kinds[q["id"]] is QuestionType.SINGLE
    return data


SIZES = [
    ("full form fits", 3, 4, 5, QuestionType.MULTIPLE, "s1|"),
    ("many pages: visited kept as a count", 2500, 1, 2, QuestionType.SINGLE, "s2|"),
    ("many long answers: right or wrong kept", 90, 10, 12, QuestionType.MULTIPLE, "s3|"),
]


@pytest.mark.parametrize(("pages", "per_page", "options", "kind", "form"), [s[1:] for s in SIZES],
                         ids=[s[0] for s in SIZES])  # fmt: skip
def test_the_runtime_stays_within_4096_and_keeps_the_answers(
    fixture_toolkit: Toolkit, pages: int, per_page: int, options: int, kind: QuestionType, form: str
) -> None:
    toolkit = enlarged(fixture_toolkit, pages, per_page, options, kind)
    figures = suspend.budget(toolkit)
    got = run_js(
        WORST_STATE + "const full = sco.encodeState(data, state);"
        "const text = sco.encodeStateWithin(data, state, sco.SUSPEND_LIMIT_12);"
        "const back = sco.decodeState(data, text);"
        "return {full: full.length, text, limit: sco.SUSPEND_LIMIT_12,"
        " before: sco.progress(data, state, data.passMark), after: sco.progress(data, back, data.passMark)};",
        data=_data(toolkit),
    )
    assert got["limit"] == suspend.SUSPEND_LIMIT_12
    assert got["full"] == figures.full, "the packager's worst case is the runtime's real length"
    assert got["text"].startswith(form)
    assert len(got["text"]) <= 4096
    for key in ("score", "answered", "right", "completed", "success", "visited"):
        assert got["after"][key] == got["before"][key], key
    expected = {"s1|": figures.full, "s2|": figures.ordered, "s3|": figures.outcomes}[form]
    assert len(got["text"]) == expected


def test_pages_read_out_of_order_are_the_only_thing_the_count_forgets(fixture_toolkit: Toolkit) -> None:
    toolkit = enlarged(fixture_toolkit, 800, 5, 2, QuestionType.SINGLE)
    got = run_js(
        WORST_STATE + "state.visited[data.pages[10]] = false;"
        "const back = sco.decodeState(data, sco.encodeStateWithin(data, state, 4096));"
        "return {visited: Object.keys(back.visited).length, answers: Object.keys(back.answers).length};",
        data=_data(toolkit),
    )
    assert got == {"visited": 10, "answers": len(toolkit.l1.questions)}


def test_the_packager_says_why_a_toolkit_may_need_a_shorter_form(fixture_toolkit: Toolkit) -> None:
    assert build(fixture_toolkit, Format.SCORM12).notes == ()
    big = build(enlarged(fixture_toolkit, 90, 10, 12, QuestionType.MULTIPLE), Format.SCORM12)
    (note,) = big.notes
    assert "over SCORM 1.2's 4096" in note and "only whether each answer was right is kept" in note
    assert "scorm2004-4" in note


def test_the_packager_refuses_a_toolkit_no_form_fits(fixture_toolkit: Toolkit) -> None:
    huge = enlarged(fixture_toolkit, 900, 10, 2, QuestionType.SINGLE)
    with pytest.raises(suspend.SuspendDataTooLarge, match=r"package it as cmi5, or split it \(scorm2004-4 has room"):
        build(huge, Format.SCORM12)
    assert build(huge, Format.SCORM2004_4).notes == ()  # 64000 characters is room enough
    beyond = suspend.SuspendBudget(full=70_000, ordered=69_000, outcomes=65_000)
    with pytest.raises(suspend.SuspendDataTooLarge, match="over SCORM 2004 4th Edition's 64000"):
        beyond.advice(suspend.SUSPEND_LIMIT_2004, "SCORM 2004 4th Edition")
    assert run_js("return sco.SUSPEND_LIMIT_2004;") == suspend.SUSPEND_LIMIT_2004


@pytest.mark.browser
def test_in_an_lms_the_state_of_a_very_large_toolkit_fits_and_resumes(
    chromium: Any, lms_host: Any, fixture_toolkit: Toolkit
) -> None:
    toolkit = enlarged(fixture_toolkit, 90, 10, 12, QuestionType.MULTIPLE)
    sco_url = lms_host.host("very-large", build(toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    _launch(page, f"{lms_host.url}/lms/scorm12.html", sco_url, None, str(toolkit.l1.pass_mark))
    sco = page.main_frame.child_frames[0]
    # Answering 900 questions by clicking would take minutes: set the player's state as the clicks
    # would, then let it save and finish through scorm-again's real SCORM 1.2 API.
    sco.evaluate(
        "() => { const p = window.swottPlayer; p.data.pages.forEach(id => p.state.visited[id] = true);"
        " p.data.questions.forEach(q => p.state.answers[q.id] = q.options.slice());"
        " p.state.reflectionSaved = true; p.show('finish', false); p.finish(true); }"
    )
    page.wait_for_function("() => window.lmsCalls.includes('LMSFinish')")
    cmi = page.evaluate("() => window.cmiData()")
    assert cmi["suspend_data"].startswith("s3|") and len(cmi["suspend_data"]) <= 4096
    assert cmi["core"]["lesson_location"] == "finish"
    assert cmi["core"]["lesson_status"] == "failed"  # every option ticked: every answer wrong

    resumed = context.new_page()
    _launch(resumed, f"{lms_host.url}/lms/scorm12.html", sco_url, cmi, str(toolkit.l1.pass_mark))
    restored = resumed.main_frame.child_frames[0].evaluate(
        "() => ({answers: Object.keys(window.swottPlayer.state.answers).length,"
        " current: window.swottPlayer.current, saved: window.swottPlayer.state.reflectionSaved})"
    )
    assert restored == {"answers": len(toolkit.l1.questions), "current": "finish", "saved": True}
    context.close()
