"""The L1 player in a real browser (Debian chromium via Playwright), launched from the sandbox platform.

Both the sandbox platform and the tool are served over real HTTP by Werkzeug in threads; the launch
is the full OIDC login → auth → id_token form post; grades travel over real AGS to the platform.
These are the issue's acceptance tests: resume across browsers, autosave that survives a killed
page, two-tab conflicts, keyboard-only completion, 320 px reflow, and axe-core on every player page.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.lti_tool.browser.support import AXE, assert_accessible, assert_no_horizontal_scroll
from tests.lti_tool.l1_stack import Stack, running_stack, stack_fixture  # noqa: F401 - the `stack` fixture

pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run `npm ci` in the repository root"
)


def heading(page: Any) -> str:
    text: str = page.locator("h1").first.inner_text()
    return text


def launch(context: Any, stack: Stack, user: str) -> Any:
    page = context.new_page()
    page.goto(stack.launch_url(user))
    page.wait_for_load_state("load")
    return page


def start(page: Any) -> None:
    """First launch lands on the start page; its Start button leads into the player.

    A toolkit with a questionnaire (the shipped ones, issue 12) first asks the before questions: they are
    skippable, so the learner skips them here (tests/lti_tool/evaluation answer them), and the skip
    answers with the first L1 page itself (issue 15).
    """
    skip = page.get_by_role("button", name="Skip these questions")
    page.locator("#start").or_(skip).first.wait_for()
    if skip.count():
        assert_accessible(page)
        skip.click()
        page.locator(".progress-text").wait_for()
        return
    page.click("#start")
    page.wait_for_load_state("load")


def contents(page: Any, title: str) -> None:
    """Open the contents (a GOV.UK details holding a task list) and follow the entry with this title."""
    if not page.locator("details.swott-contents").evaluate("d => d.open"):
        page.click("details.swott-contents > summary")
    page.click(f"nav[aria-label=Contents] a:text-is('{title}')")
    page.wait_for_load_state("load")


def two_tabs(context: Any, stack: Stack, user: str, title: str) -> tuple[Any, Any]:
    """Two tabs on one attempt, both at the contents entry `title`: the second opened from the first's address."""
    tab_a = launch(context, stack, user)
    start(tab_a)
    contents(tab_a, title)
    tab_b = context.new_page()
    tab_b.goto(tab_a.url)
    return tab_a, tab_b


def wait_saved(page: Any) -> None:
    page.locator(".save-status", has_text="Saved at").wait_for()


def test_learner_does_half_then_resumes_in_a_new_browser_and_completes_with_grades(chromium: Any, stack: Stack) -> None:
    # --- First sitting: half of L1 ----------------------------------------------------------------
    first = chromium.new_context()
    page = launch(first, stack, "learner1")
    start(page)
    assert heading(page) == "Introduction"
    assert page.locator(".progress-text").inner_text() == "Page 1 of 4 — about 60 minutes left"
    page.click("button[data-step-nav=next]")
    assert heading(page) == "Check"
    page.check("#q-q-one-a")
    page.click("#q-q-one button[type=submit]")
    assert page.locator("#feedback-q-one").inner_text().startswith("You got this one right.")
    page.check("#q-q-two-a")
    page.check("#q-q-two-c")
    page.click("#q-q-two button[type=submit]")
    assert "Not quite." in page.locator("#feedback-q-two").inner_text()
    assert page.locator("#fb-q-two-c").inner_text().endswith("Not C.")
    page.click("button[data-step-nav=next]")
    page.fill("#note-think-one", "Something about ladders")
    wait_saved(page)
    page.click("button[name=go][value=reflection]")
    assert heading(page) == "Reflection"
    assert "Something about ladders" in (page.locator(".swott-notes").text_content() or "")
    page.fill("#field-description", "A review meeting where the child's views were read out.")
    page.fill("#field-feelings", "Hopeful")
    wait_saved(page)
    first.close()  # the learner shuts the laptop

    # --- Second sitting, another browser: lands where they stopped, everything intact -------------
    second = chromium.new_context()
    page = launch(second, stack, "learner1")
    assert heading(page) == "Reflection"
    assert page.input_value("#field-description") == "A review meeting where the child's views were read out."
    assert page.input_value("#field-feelings") == "Hopeful"
    contents(page, "Check")
    assert page.is_checked("#q-q-one-a") and page.is_checked("#q-q-two-c") and page.is_checked("#q-q-two-a")
    contents(page, "Reflection")
    for field_id, text in {
        "evaluation": "The chair heard them.",
        "analysis": "Audience was strong; influence weak.",
        "conclusion": "Brief the chair.",
        "action_plan": "Prepare children with the chair.",
        "cpd_description": "An online module.",
        "cpd_learnt": "Two participation models.",
        "cpd_impact": "Children's views change plans.",
    }.items():
        page.fill(f"#field-{field_id}", text)
    page.click("button[name=action][value=submit]")
    assert heading(page) == "Your progress and results"
    assert "You have completed L1" in page.inner_text("main")
    assert "1 of 2" in page.inner_text("main")
    second.close()

    # --- The platform's gradebook ------------------------------------------------------------------
    scores = stack.accepted_scores("learner1")
    progress = [(s["activityProgress"], s["gradingProgress"]) for s in scores]
    assert progress[0] == ("Started", "NotReady")
    assert ("InProgress", "Pending") in progress
    assert progress[-1] == ("Completed", "FullyGraded")
    assert all("scoreGiven" not in s for s in scores[:-1])
    assert (scores[-1]["scoreGiven"], scores[-1]["scoreMaximum"]) == (50, 100)
    grade = stack.platform.grade(stack.line_item_id, "learner1")
    assert grade is not None and grade.score_given == 50 and grade.grading_progress == "FullyGraded"


def test_autosave_survives_a_killed_page_and_pagehide_sends_the_rest(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    page = launch(context, stack, "learner2")
    start(page)
    contents(page, "Reflection")
    page.click("#field-feelings")
    page.keyboard.type("Typed, then left alone for five seconds")
    page.wait_for_timeout(5000)  # the acceptance rule itself: at most the last 5 s may be lost
    # The renderer dies: no pagehide, no beacon. Playwright reports the crash as a navigation error.
    with contextlib.suppress(PlaywrightError):
        page.goto("chrome://crash", timeout=2000)
    context.close()
    saved = stack.reflection("learner2")
    assert saved is not None and saved["feelings"] == "Typed, then left alone for five seconds"

    context = chromium.new_context()
    page = launch(context, stack, "learner2")
    assert page.input_value("#field-feelings") == "Typed, then left alone for five seconds"
    # A page left open past the form token's lifetime still saves (no time limit: WCAG 2.2.1).
    page.evaluate("document.querySelector('form[data-reflection] input[name=csrf_token]').value = 'expired'")
    page.fill("#field-evaluation", "Saved after the token expired")
    wait_saved(page)
    assert (stack.reflection("learner2") or {}).get("evaluation") == "Saved after the token expired"
    page.fill("#field-analysis", "Typed just before leaving")
    page.goto("about:blank")  # leaving at once: only the pagehide beacon can save this
    page.wait_for_function("true")
    saved = None
    for _ in range(50):
        saved = stack.reflection("learner2")
        if saved is not None and saved.get("analysis"):
            break
        page.wait_for_timeout(100)
    assert saved is not None and saved["analysis"] == "Typed just before leaving"
    context.close()


def test_two_tabs_the_second_save_gets_a_conflict_and_nothing_is_overwritten(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    tab_a, tab_b = two_tabs(context, stack, "learner3", "Reflection")
    tab_a.fill("#field-feelings", "Written in tab A")
    wait_saved(tab_a)
    tab_b.fill("#field-feelings", "Written in tab B")
    alert = tab_b.locator("[role=alert]", has_text="changed in another tab")
    alert.wait_for()
    assert "Not saved" in tab_b.locator(".save-status").inner_text()
    assert_accessible(tab_b)
    saved = stack.reflection("learner3")
    assert saved is not None and saved["feelings"] == "Written in tab A"
    # Without JavaScript's help too: submitting tab B's stale form is refused, text kept on screen.
    tab_b.click("button[name=action][value=save]")
    assert "changed in another tab" in tab_b.inner_text("main")
    assert tab_b.input_value("#field-feelings") == "Written in tab B"
    saved = stack.reflection("learner3")
    assert saved is not None and saved["feelings"] == "Written in tab A"
    context.close()


def _tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has focus (keyboard only, like a user)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            # GOV.UK radios and checkboxes draw their focus ring on the label's box (the input itself is
            # transparent): a yellow ring as a box-shadow round the label's ::before.
            outline = page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (el.matches('.govuk-radios__input, .govuk-checkboxes__input')) {
                        const box = getComputedStyle(el.nextElementSibling, '::before');
                        return box.boxShadow !== 'none';
                    }
                    const s = getComputedStyle(el);
                    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
                }"""
            )
            assert outline, f"{selector} has no visible focus indicator"
            return
    raise AssertionError(f"could not reach {selector} with the Tab key on {page.url}")


def _choose_radio(page: Any, group: str, option: str, limit: int = 12) -> None:
    """Choose a radio button by keyboard as a user does: Tab into the group, then arrow keys.

    Tab lands on one radio of a group (options are shuffled per learner, issue 11, so which one varies);
    arrow keys move through the group, choosing as they go.
    """
    _tab_to(page, f"{group} input[type=radio]")
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", option):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach {option} with the arrow keys")


def press_and_wait(page: Any, key: str) -> None:
    """Press a key that follows a link or submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _check_page(page: Any) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_keyboard_only_completion_at_320px_with_axe_on_every_page(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = launch(context, stack, "learner1")
    _check_page(page)  # the start page
    _tab_to(page, "#start")
    press_and_wait(page, "Enter")
    assert heading(page) == "Introduction"
    _check_page(page)
    _tab_to(page, "button[data-step-nav=next]")
    press_and_wait(page, "Enter")
    assert heading(page) == "Check"
    _check_page(page)
    # Question one: a radio button chosen with Space, checked with Enter on the button.
    _choose_radio(page, "#q-q-one", "#q-q-one-a")
    page.keyboard.press("Space")
    _tab_to(page, "#q-q-one button[type=submit]")
    press_and_wait(page, "Enter")
    _check_page(page)  # with feedback shown
    _tab_to(page, "#q-q-two-a")
    page.keyboard.press("Space")
    _tab_to(page, "#q-q-two-b")
    page.keyboard.press("Space")
    _tab_to(page, "#q-q-two button[type=submit]")
    press_and_wait(page, "Enter")
    assert page.locator("#feedback-q-two").inner_text().startswith("You got this one right.")
    _tab_to(page, "button[data-step-nav=next]")
    press_and_wait(page, "Enter")
    assert heading(page) == "Thinking"
    _check_page(page)
    _tab_to(page, "#note-think-one")
    page.keyboard.type("Notes typed by keyboard")
    _tab_to(page, "button[name=go][value=reflection]")
    press_and_wait(page, "Enter")
    assert heading(page) == "Reflection"
    _check_page(page)
    # Submitting with empty boxes: the error summary is accessible too.
    _tab_to(page, "button[name=action][value=submit]")
    press_and_wait(page, "Enter")
    assert "There is a problem" in page.inner_text("main")
    _check_page(page)
    boxes = ["description", "feelings", "evaluation", "analysis", "conclusion", "action_plan",
             "cpd_description", "cpd_learnt", "cpd_impact"]  # fmt: skip
    for box in boxes:
        _tab_to(page, f"#field-{box}")
        page.keyboard.press("Control+A")
        page.keyboard.type("I visited Mrs Khan." if box == "description" else f"My {box.replace('_', ' ')}")
    page.locator("#warnings", has_text="Check that nobody can be identified").wait_for()
    _check_page(page)  # with the identifying-details warning shown
    _tab_to(page, "button[name=action][value=submit]")
    press_and_wait(page, "Enter")
    assert heading(page) == "Your progress and results"
    assert "2 of 2" in page.inner_text("main")
    _check_page(page)
    _tab_to(page, "#read-reflection")
    press_and_wait(page, "Enter")
    assert "Submitted" in page.inner_text("main")
    _check_page(page)  # the submitted, read-only reflection
    page.goto(stack.tool.url + "/accessibility")
    assert re.search("WCAG", page.inner_text("main"))
    _check_page(page)
    scores = stack.accepted_scores("learner1")
    assert (scores[-1]["activityProgress"], scores[-1]["scoreGiven"]) == ("Completed", 100)
    context.close()


def test_usable_at_200_percent_zoom(chromium: Any, stack: Stack) -> None:
    """200% zoom of a 1280 px window is a 640 px CSS viewport at device scale 2."""
    context = chromium.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = launch(context, stack, "learner2")
    start(page)
    for _ in range(3):
        assert_no_horizontal_scroll(page)
        page.click("button[data-step-nav=next], button[name=go][value=reflection]")
        page.wait_for_load_state("load")
    assert heading(page) == "Reflection"
    assert_no_horizontal_scroll(page)
    context.close()


@pytest.mark.parametrize(
    "toolkit_id", ["making-safeguarding-personal", "participatory-practice", "social-ecological-assessment"]
)
def test_every_page_of_the_shipped_toolkits_passes_axe_at_320px(chromium: Any, tmp_path: Path, toolkit_id: str) -> None:
    """Real authored content (tables, headings, long words), not just the test toolkit."""
    with running_stack(tmp_path, toolkits_dir="", toolkit_id=toolkit_id) as shipped:
        context = chromium.new_context(viewport={"width": 320, "height": 640})
        page = launch(context, shipped, "learner1")
        start(page)
        visited = 0
        while True:
            _check_page(page)
            visited += 1
            checks = page.locator("form.swott-question")
            if checks.count():
                # Answer the first question with its first option, to check the feedback state too.
                checks.first.locator("input[name=option]").first.check()
                checks.first.locator("button[type=submit]").click()
                page.wait_for_load_state("load")
                _check_page(page)
            following = page.locator("button[data-step-nav=next], button[name=go][value]:text-is('Save and continue')")
            if not following.count():
                break
            following.first.click()
            page.wait_for_load_state("load")
        assert heading(page) == "Your CPD reflection" and visited > 10
        context.close()


def test_works_as_plain_forms_without_javascript(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(stack.launch_url("learner3"))
    # Without script the platform's auto-posting form waits for a click (its noscript fallback).
    # (The tool's own pages are forms too now, so stop as soon as the tool answers.)
    while not page.url.startswith(stack.tool.url) and page.locator("form button, form input[type=submit]").count():
        page.locator("form button, form input[type=submit]").first.click()
        page.wait_for_load_state("load")
    start(page)
    page.click("button[data-step-nav=next]")
    page.check("#q-q-one-a")
    page.click("#q-q-one button[type=submit]")
    assert page.locator("#feedback-q-one").inner_text().startswith("You got this one right.")
    page.click("button[data-step-nav=next]")
    page.fill("#note-think-one", "Saved by the form itself")
    page.click("button[name=go][value=reflection]")
    assert heading(page) == "Reflection"
    page.fill("#field-feelings", "Drafted without script")
    page.click("button[name=action][value=save]")
    assert "Your draft is saved" in page.inner_text("main")
    assert (stack.reflection("learner3") or {}).get("feelings") == "Drafted without script"
    # Start, Next and "Save and continue" were form posts: every page was recorded without script.
    page.click("details.swott-contents > summary")
    items = page.locator("nav[aria-label=Contents] .govuk-task-list__item")
    assert items.count() == 4 and items.filter(has_text="Not viewed yet").count() == 0
    context.close()


def test_after_a_launch_the_address_bar_holds_the_page_and_reload_keeps_it(chromium: Any, stack: Stack) -> None:
    """The launch POST answers with the page itself; launch.js swaps the spent /lti/launch address for
    the page's own, so a reload shows the page again instead of an "already used" error."""
    context = chromium.new_context()
    page = launch(context, stack, "learner2")
    page.wait_for_function("() => !location.pathname.startsWith('/lti/')")
    assert "/player/" in page.url
    page.reload()
    assert page.locator("#start").count() == 1
    start(page)
    assert heading(page) == "Introduction"
    # A returning learner's launch lands on the page where they stopped, and reloads to it.
    again = launch(context, stack, "learner2")
    again.wait_for_function("() => !location.pathname.startsWith('/lti/')")
    assert "/l1/page/01-intro" in again.url and heading(again) == "Introduction"
    again.reload()
    assert heading(again) == "Introduction"
    context.close()


def test_next_and_an_answer_are_one_request_and_a_reload_asks_for_the_page_again(chromium: Any, stack: Stack) -> None:
    """Next and Check answer post and get the page back in that one response (issue 15: no redirect);
    launch.js puts the page's own address in the address bar (the answer's with `#feedback-<id>`), so
    a reload shows the same page with a GET and never posts the step or the answer again."""
    context = chromium.new_context()
    page = launch(context, stack, "learner1")
    start(page)
    documents: list[tuple[str, str, int]] = []
    page.on(
        "response",
        lambda r: (
            documents.append((r.request.method, r.url, r.status)) if r.request.resource_type == "document" else None
        ),
    )
    page.click("button[data-step-nav=next]")
    page.wait_for_load_state("load")
    assert heading(page) == "Check"
    assert [(method, status) for method, _url, status in documents] == [("POST", 200)]
    page.wait_for_function("() => !location.pathname.endsWith('/view')")
    assert re.search(r"/l1/page/02-check\?launch=[\w-]+$", page.url), page.url

    documents.clear()
    page.check("#q-q-one-a")
    page.click("#q-q-one button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#feedback-q-one").inner_text().startswith("You got this one right.")
    assert [(method, status) for method, _url, status in documents] == [("POST", 200)]
    page.wait_for_function("() => !location.pathname.endsWith('/answer')")
    assert page.url.endswith("#feedback-q-one") and "/l1/page/02-check?" in page.url

    documents.clear()
    page.reload()
    assert page.locator("#feedback-q-one").inner_text().startswith("You got this one right.")
    assert [method for method, _url, _status in documents] == ["GET"]
    context.close()
