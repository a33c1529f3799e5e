"""A learner completes L1 in a real browser, inside an LMS page whose runtime is scorm-again.

For SCORM 1.2, 2004 3rd and 2004 4th edition: the package is unzipped and served over HTTP, the LMS
page creates the API object with scorm-again and loads the SCO in an iframe (as Moodle's player does).
The learner reads pages, answers the checks (one wrong first, to see per-option feedback), leaves
half-way (the page goes away: `pagehide`), comes back with the CMI data the LMS saved, lands on the same
page, finishes the unit, writes the reflection and closes. What an LMS administrator would see is then
asserted: status, score, session time format, and Commit before Finish/Terminate.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from scorm_packager.build import build
from scorm_packager.editions import Format
from toolkits.loader import Catalogue
from toolkits.model import Toolkit

pytestmark = pytest.mark.browser

SCORM12_TIME = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")
ISO_DURATION = re.compile(r"^PT(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?$")

EDITIONS = {
    Format.SCORM12: ("scorm12.html", ["LMSCommit", "LMSFinish"], "LMSInitialize"),
    Format.SCORM2004_3: ("scorm2004.html", ["Commit", "Terminate"], "Initialize"),
    Format.SCORM2004_4: ("scorm2004.html", ["Commit", "Terminate"], "Initialize"),
}


def _launch(page: Any, lms_url: str, sco_url: str, saved: Any, mastery: str) -> Any:
    page.goto(lms_url)
    page.evaluate("([m]) => { window.masteryScore = m; }", [mastery])
    page.evaluate("([url, saved]) => window.launch(url, saved)", [sco_url, saved])
    frame = page.frame_locator("#sco")
    frame.locator("#page-position").filter(has_text="Page").wait_for()
    return frame


def _visible_page(frame: Any) -> str:
    return str(frame.locator("section.swott-page:visible").get_attribute("id"))


@pytest.mark.parametrize("fmt", list(EDITIONS), ids=lambda f: f.value)
def test_learner_completes_l1_and_resumes(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit, fmt: Format) -> None:
    lms_page, closing_calls, init_call = EDITIONS[fmt]
    sco_url = lms_host.host(fmt.value, build(fixture_toolkit, fmt).zip_bytes()) + "index.html"
    lms_url = f"{lms_host.url}/lms/{lms_page}"
    mastery = "50" if fmt is Format.SCORM12 else "0.5"
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # First sitting: the LMS finds no earlier data; the SCO starts on page 1.
    frame = _launch(page, lms_url, sco_url, None, mastery)
    assert _visible_page(frame) == "page-01-welcome"
    assert frame.locator("#swott-banner").is_hidden(), "an LMS was present: no standalone banner"
    frame.get_by_role("button", name="Next page").click()
    frame.get_by_label("Think of a recent assessment").fill("The social worker's, not the child's.")
    frame.get_by_role("button", name="Next page").click()
    assert _visible_page(frame) == "page-03-model"

    # The learner closes the window half-way: pagehide commits and finishes.
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    page.wait_for_function(f"() => window.lmsCalls.includes('{closing_calls[1]}')")
    calls = page.evaluate("() => window.lmsCalls")
    assert calls[0] == init_call
    assert calls[-2:] == closing_calls, f"Commit must come right before finishing: {calls}"
    saved = page.evaluate("() => window.cmiData()")
    if fmt is Format.SCORM12:
        assert saved["core"]["lesson_status"] == "incomplete"
        assert saved["core"]["lesson_location"] == "03-model"
        assert saved["core"]["exit"] == "suspend", "exit = suspend until done, so the LMS keeps the attempt"
    else:
        assert saved["completion_status"] == "incomplete"
        assert saved["location"] == "03-model"
        assert saved["exit"] == "suspend", "exit = suspend until done, so the LMS keeps the attempt"

    # Second sitting with the data the LMS kept: the SCO resumes on the same page.
    frame = _launch(page, lms_url, sco_url, saved, mastery)
    assert _visible_page(frame) == "page-03-model"
    frame.get_by_role("button", name="Next page").click()
    assert _visible_page(frame) == "page-04-check"

    # Answer wrongly first: the chosen option's feedback shows, and a retry is offered.
    frame.get_by_role("radio", name="Audience").check()
    frame.locator("button.check-answer[data-question='q-space']").click()
    feedback = frame.locator("#feedback-q-space")
    assert "Not quite" in feedback.locator(".verdict").inner_text()
    assert "Audience is about who listens" in feedback.inner_text()
    frame.get_by_role("radio", name="Space").check()
    frame.locator("button.check-answer[data-question='q-space']").click()
    assert feedback.locator(".verdict").inner_text() == "Right."
    assert "Space is about opportunity" in feedback.inner_text()
    assert "Audience is about who listens" not in feedback.inner_text()
    frame.get_by_role("checkbox", name="Voice").check()
    frame.get_by_role("checkbox", name="Influence").check()
    frame.locator("button.check-answer[data-question='q-all']").click()
    assert frame.locator("#feedback-q-all .verdict").inner_text() == "Right."
    if fmt is Format.SCORM12:
        half = page.evaluate("() => window.cmiData()")["core"]
        assert (half["lesson_status"], half["score"]["raw"]) == ("incomplete", ""), (
            "no 1.2 score before completion, or the LMS's masteryscore rule would pass an unfinished unit"
        )

    # The reflection: the reflective model's headings and the CPD record fields.
    frame.get_by_role("button", name="Next page").click()
    assert _visible_page(frame) == "page-reflection"
    form = frame.locator("#reflection-form")
    for label in ("What?", "So what?", "Now what?", "Title", "Date", "Type of CPD",
                  "Description and relevance", "What you learnt"):  # fmt: skip
        assert form.get_by_label(label, exact=True).count() == 1, label
    frame.get_by_role("button", name="Save my reflection").click()
    assert "Please fill in" in frame.locator("#reflection-errors").inner_text()
    for textarea in form.locator("textarea").all():
        textarea.fill("A long, anonymous reflection on listening to a child. " * 20)
    frame.get_by_role("button", name="Save my reflection").click()
    assert frame.locator("#reflection-errors").inner_text() == ""
    download = frame.locator("#cpd-download")
    assert download.is_visible()
    assert download.get_attribute("download") == "cpd-record-tiny-toolkit.txt"
    record = frame.locator("body").evaluate(
        "() => fetch(document.getElementById('cpd-download').href).then(r => r.text())"
    )
    assert "Now what?" in record and "Impact on your practice" in record
    assert "A long, anonymous reflection" in record
    assert "Whose voice was loudest?" in record and "The social worker's, not the child's." in record, (
        "the thinking notes from the first sitting (kept in this browser) are in the record"
    )

    frame.get_by_role("button", name="Next page").click()
    assert _visible_page(frame) == "page-finish"
    assert frame.locator("#summary-status").inner_text() == "complete"
    calls_before = len(page.evaluate("() => window.lmsCalls"))
    frame.get_by_role("button", name="Save and close").click()
    page.wait_for_function(f"() => window.lmsCalls.slice({calls_before}).includes('{closing_calls[1]}')")
    calls = page.evaluate("() => window.lmsCalls")[calls_before:]
    assert calls[-2:] == closing_calls, f"Commit must come right before finishing: {calls}"

    cmi = page.evaluate("() => window.cmiData()")
    interactions = [cmi["interactions"][key] for key in sorted(cmi["interactions"], key=int)]
    assert [i["id"] for i in interactions] == ["q-space", "q-space", "q-all"], "each answer is journaled"
    times = page.evaluate("() => window.sessionTimes")
    assert times, "the SCO reports session time"
    if fmt is Format.SCORM12:
        assert cmi["core"]["lesson_status"] == "passed"
        assert cmi["core"]["score"]["raw"] == "100"
        assert cmi["core"]["exit"] == ""
        assert all(SCORM12_TIME.match(t) for t in times), times
        assert len(cmi["suspend_data"]) <= 4096
        assert "CPD reflection saved" in cmi["comments"]
        assert [i["result"] for i in interactions] == ["wrong", "correct", "correct"]
        assert interactions[2]["student_response"] == "a,b"
    else:
        assert cmi["completion_status"] == "completed"
        assert cmi["success_status"] == "passed"
        assert float(cmi["score"]["scaled"]) == 1.0
        assert cmi["exit"] == "normal"
        assert page.evaluate("() => window.navRequests") == ["exitAll"], "Save and close asks the LMS to exit"
        assert all(ISO_DURATION.match(t) for t in times), times
        assert "CPD reflection saved" in cmi["comments_from_learner"]["0"]["comment"]
        assert [i["result"] for i in interactions] == ["incorrect", "correct", "correct"]
        assert interactions[2]["learner_response"] == "a[,]b"
    assert "anonymous reflection" not in str(cmi), "reflection text stays with the learner, out of the LMS"
    assert errors == []
    context.close()


def test_standalone_without_lms_shows_banner_and_works(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    url = lms_host.host("standalone12", build(fixture_toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    page.goto(url)
    banner = page.locator("#swott-banner")
    banner.wait_for()
    assert "No SCORM 1.2 learning platform was found" in banner.inner_text()
    assert "this browser only" in banner.inner_text()
    page.get_by_role("button", name="Next page").click()
    assert page.locator("section.swott-page:visible").get_attribute("id") == "page-02-thinking"
    page.get_by_role("link", name="Your CPD reflection").click()
    assert page.locator("section.swott-page:visible").get_attribute("id") == "page-reflection"
    # The session pack links back to L1 pages: the link opens the player on that page.
    page.goto(url.replace("index.html", "session/case-study.html"))
    page.get_by_role("link", name="the model").click()
    page.locator("#page-position").filter(has_text="Page 3 of").wait_for()
    assert page.locator("section.swott-page:visible").get_attribute("id") == "page-03-model"
    context.close()


def test_scorm12_suspend_data_of_the_largest_toolkit_fully_answered(chromium: Any, lms_host: Any) -> None:
    """Every page read, every question answered, notes and reflection written: suspend_data fits 4096."""
    catalogue = Catalogue()
    toolkit = max(catalogue, key=lambda t: (len(t.l1.questions), len(t.l1.pages)))
    sco_url = lms_host.host(f"largest-{toolkit.id}", build(toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    frame = _launch(page, f"{lms_host.url}/lms/scorm12.html", sco_url, None, str(toolkit.l1.pass_mark))
    long_text = "A long anonymous reflection about practice. " * 60
    for l1_page in toolkit.l1.pages:
        frame.locator(f"#swott-toc a[data-page='{l1_page.id}']").click()
        for question in l1_page.questions:
            inputs = frame.locator(f"input[name='q-{question.id}']")
            if question.type.value == "single":
                inputs.first.check()
            else:
                for index in range(inputs.count()):
                    inputs.nth(index).check()
            frame.locator(f"button.check-answer[data-question='{question.id}']").click()
        for prompt in l1_page.prompts:
            frame.locator(f"#note-{prompt.id}").fill(long_text)
    frame.locator("#swott-toc a[data-page='reflection']").click()
    for textarea in frame.locator("#reflection-form textarea").all():
        textarea.fill(long_text)
    frame.get_by_role("button", name="Save my reflection").click()
    frame.locator("#swott-toc a[data-page='finish']").click()
    frame.get_by_role("button", name="Save and close").click()
    page.wait_for_function("() => window.lmsCalls.includes('LMSFinish')")
    cmi = page.evaluate("() => window.cmiData()")
    suspend = cmi["suspend_data"]
    assert 0 < len(suspend) <= 4096, f"{toolkit.id}: {len(suspend)} characters"
    answered = frame.locator(".feedback .verdict").all_inner_texts()
    assert sum(1 for text in answered if text) == len(toolkit.l1.questions)
    assert cmi["core"]["lesson_status"] in ("passed", "failed", "completed")
    context.close()


def test_commits_periodically_and_when_hidden(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    """Beyond status changes: a commit every 30 s while something changed, and when the tab is hidden."""
    sco_url = lms_host.host("periodic12", build(fixture_toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    page.clock.install()
    frame = _launch(page, f"{lms_host.url}/lms/scorm12.html", sco_url, None, "50")
    commits = "() => window.lmsCalls.filter(c => c === 'LMSCommit').length"
    before = page.evaluate(commits)
    # Reading a page is progress the LMS keeps (suspend_data) but not a status change: no commit yet.
    frame.locator("#swott-toc a[data-page='02-thinking']").click()
    frame.get_by_label("Think of a recent assessment").fill("A note stays in the browser")
    assert page.evaluate(commits) == before
    stored = frame.locator("body").evaluate("() => Object.values(localStorage).join(' ')")
    assert "A note stays in the browser" in stored, "drafts are kept as they are typed"
    page.clock.run_for(31_000)
    assert page.evaluate(commits) == before + 1, "a periodic commit while something changed"
    page.clock.run_for(31_000)
    assert page.evaluate(commits) == before + 1, "no periodic commit when nothing changed"
    frame.locator("body").evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    assert page.evaluate(commits) == before + 2, "a commit when the page is hidden"
    assert "LMSFinish" not in page.evaluate("() => window.lmsCalls"), "hidden is not closed: no finish yet"
    context.close()


def test_a_refused_commit_is_shown_to_the_learner(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    sco_url = lms_host.host("refused12", build(fixture_toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    frame = _launch(page, f"{lms_host.url}/lms/scorm12.html", sco_url, None, "50")
    page.evaluate("() => { window.API.LMSCommit = () => 'false'; }")  # e.g. the LMS session expired
    frame.locator("#swott-toc a[data-page='04-check']").click()
    frame.get_by_role("radio", name="Space").check()
    frame.locator("button.check-answer[data-question='q-space']").click()
    banner = frame.locator("#swott-banner")
    assert banner.is_visible()
    assert "did not confirm the save" in banner.inner_text()
    context.close()


def test_a_refused_initialize_falls_back_to_standalone(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    sco_url = lms_host.host("noinit2004", build(fixture_toolkit, Format.SCORM2004_4).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{lms_host.url}/lms/scorm2004.html")
    page.evaluate(
        "([url]) => { window.launch('about:blank', null);"
        " window.API_1484_11.Initialize = () => 'false'; window.API_1484_11.GetLastError = () => '102';"
        " document.getElementById('sco').src = url; }",
        [sco_url],
    )
    banner = page.frame_locator("#sco").locator("#swott-banner")
    banner.wait_for()
    assert "Initialize failed, error 102" in banner.inner_text()
    assert "this browser only" in banner.inner_text()
    context.close()


def test_review_mode_records_nothing(chromium: Any, lms_host: Any, fixture_toolkit: Toolkit) -> None:
    """An LMS reopening a finished attempt in review mode gets no new status, score or location."""
    sco_url = lms_host.host("review12", build(fixture_toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    saved = {"core": {"lesson_mode": "review", "lesson_status": "passed", "lesson_location": "01-welcome"}}
    frame = _launch(page, f"{lms_host.url}/lms/scorm12.html", sco_url, saved, "50")
    frame.locator("#swott-toc a[data-page='04-check']").click()
    frame.get_by_role("radio", name="Audience").check()
    frame.locator("button.check-answer[data-question='q-space']").click()
    frame.locator("#swott-toc a[data-page='finish']").click()
    frame.get_by_role("button", name="Save and close").click()
    page.wait_for_function("() => window.lmsCalls.includes('LMSFinish')")
    cmi = page.evaluate("() => window.cmiData()")
    assert cmi["core"]["lesson_mode"] == "review"
    assert cmi["core"]["lesson_status"] == "passed"
    assert cmi["core"]["lesson_location"] == "01-welcome"
    assert cmi["core"]["score"]["raw"] == ""
    context.close()


def test_the_reflection_waits_for_every_check_and_says_why(
    chromium: Any, lms_host: Any, fixture_toolkit: Toolkit
) -> None:
    """Issue 11 in the package: a learner who skipped the checks cannot save the reflection, and is told why."""
    url = lms_host.host("checksfirst12", build(fixture_toolkit, Format.SCORM12).zip_bytes()) + "index.html"
    context = chromium.new_context()
    page = context.new_page()
    page.goto(url)
    page.locator("#swott-banner").wait_for()
    page.get_by_role("link", name="Your CPD reflection").click()
    for textarea in page.locator("#reflection-form textarea").all():
        textarea.fill("An anonymous reflection.")
    page.get_by_role("button", name="Save my reflection").click()
    errors = page.locator("#reflection-errors").inner_text()
    assert "once you have answered every knowledge-check question: 2 still unanswered" in errors
    assert page.locator("#cpd-download").is_hidden()
    assert page.get_by_role("link", name="References and review dates").first.get_attribute("href") == "#references"
    context.close()
