"""Every tool page, met as people meet them in the sandbox LMS's iframe, passes axe-core at 320 and 1280 px.

Issue 10's acceptance: axe-core (WCAG 2.0/2.1/2.2 A and AA) reports nothing on any tool page, at 320 px
and 1280 px, with the shipped toolkits' content, and nothing scrolls sideways at 320 px. Each page is
checked with every `<details>` opened (what is folded away is read too). A learner and a facilitator
launch from the course page; the operator's page and the public pages are opened on their own, as
people open them. Every problem is collected and reported together. Screenshots go to
/tmp/shots/journeys/ for people to look at (never into the repository).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations

import lti_tool
from lti_tool.views.admin import admin_link
from tests.lti_tool.browser.support import (
    LmsStack,
    PageChecks,
    go_in_frame,
    lms_stack,
    needs_axe,
    open_in_lms_frame,
    press,
    save_attendance,
    tool_frame,
)
from tests.lti_tool.l2_factories import catalogue
from tests.lti_tool.views import test_l1_welsh, test_portfolio_welsh
from toolkits.model import PageKind

pytestmark = [pytest.mark.browser, needs_axe]
SHOTS = Path("/tmp/shots/journeys")
MAIN = "participatory-practice"
SHIPPED = ("participatory-practice", "making-safeguarding-personal", "social-ecological-assessment")

Say = Callable[[str], str]
"""The interface's words in the walk's language: what to wait for, which button to press."""


def _english(text: str) -> str:
    return text


_WELSH = Translations.load(str(Path(lti_tool.__file__).parent / "translations"), ["cy"])


def _welsh(text: str) -> str:
    """The Welsh catalogue's words for an interface string (toolkit and programme content stays English)."""
    return _WELSH.gettext(text)


OPERATOR = "Sam Operator"
# What the people in the walk wrote themselves (names, a cohort, a place, feedback) is theirs, not the interface's.
TYPED = re.compile(
    f"{OPERATOR}|Cohort A|Civic Centre, room 4|Try a drawing with Theo before the review.|Written for \\w+"
)


@functools.cache
def _english_fragments() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?<![\w’']){re.escape(f)}(?![\w’'])") for f in test_l1_welsh.english_fragments())


def _welsh_problems(target: Any) -> list[str]:
    """A Welsh page is `<html lang="cy">` with no English interface text outside elements in another language
    (toolkit content is English and marked `lang="en-GB"`); the learners' own words are left out."""
    problems = []
    if (lang := target.evaluate("document.documentElement.lang")) != "cy":
        problems.append(f'<html lang="{lang}">, not "cy"')
    text = TYPED.sub(" ", test_portfolio_welsh.LEARNER_TEXT.sub(" ", test_l1_welsh.interface_text(target.content())))
    for fragment in _english_fragments():
        if found := fragment.search(text):
            problems.append(
                f"English interface text {found.group(0)!r} in …{text[max(0, found.start() - 60) : found.end() + 60]}…"
            )
    return problems


def _placements(toolkit_ids: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {
        f"{toolkit_id}:{part}": {
            "title": f"{toolkit_id} {part}",
            "custom": {"toolkit_id": toolkit_id, "part": part},
            "line_item": {"label": f"{toolkit_id} {part}", "scoreMaximum": 100},
        }
        for toolkit_id in toolkit_ids
        for part in ("l1", "l2")
    }


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LmsStack]:
    with lms_stack(tmp_path, _placements(SHIPPED)) as served:
        yield served


def _click(page: Any, name: str, wait_text: str | None, *, role: str = "button") -> Any:
    """Press a button or follow a link in the tool's frame; wait for the next page's text (or its load)."""
    control = tool_frame(page).get_by_role(role, name=name).first
    if wait_text is None:  # nothing to tell the next page by: wait for its load
        press(tool_frame(page), control)
    else:
        control.click()
        tool_frame(page).get_by_text(wait_text).first.wait_for(timeout=15000)
    return tool_frame(page)


def _walk_l1(
    page: Any, checks: PageChecks, toolkit_id: str, *, answer: bool, every: bool = True, t: Say = _english
) -> None:
    """Each L1 page of the toolkit (checks answered so their feedback shows), the reflection, the summary;
    with `every=False`, the first page of each kind only (the content test reads them all)."""
    kit = catalogue().get(toolkit_id)
    assert kit is not None
    kinds: set[PageKind] = set()
    for number, l1_page in enumerate(kit.l1.pages, 1):
        if not every and l1_page.kind in kinds:
            continue
        kinds.add(l1_page.kind)
        frame = go_in_frame(page, f"/l1/page/{l1_page.id}", l1_page.title)
        if answer and l1_page.kind is PageKind.CHECK:
            for question in l1_page.questions:
                frame.check(f"#q-{question.id}-{question.options[0].id}")
                frame.click(f"#q-{question.id} button[type=submit]")
                tool_frame(page).locator(f"#feedback-{question.id}").wait_for()
        checks.check(page, f"{toolkit_id}-l1-{number:02d}-{l1_page.kind}")
    go_in_frame(page, "/l1/page/reflection", t("Reflection"))
    checks.check(page, f"{toolkit_id}-l1-reflection")
    go_in_frame(page, "/l1/summary", kit.title)
    checks.check(page, f"{toolkit_id}-l1-summary")


def _skip_before_questions(page: Any, checks: PageChecks, name: str, t: Say = _english) -> None:
    """The first launch: the before questions, whose Skip answers with the first L1 page (issue 15); a
    toolkit without them launches to the start page, whose Start must be on a phone's first screen."""
    frame = tool_frame(page)
    skip = frame.get_by_role("button", name=t("Skip these questions"))
    start = frame.locator("#start")
    skip.or_(start).first.wait_for()
    if skip.count():
        checks.check(page, f"{name}-before-questionnaire")
        press(tool_frame(page), skip)  # the questions page has an h1 too: wait for the L1 page itself
        return
    checks.check(page, f"{name}-l1-start")
    # On a phone, Start is on the first screen, not under the list of every page.
    page.set_viewport_size({"width": 320, "height": 900})
    start_top = tool_frame(page).evaluate("document.querySelector('#start').getBoundingClientRect().top")
    assert start_top < 700, f"Start is {start_top}px down the tool's page at 320 px"
    page.set_viewport_size({"width": 1280, "height": 900})
    press(tool_frame(page), tool_frame(page).locator("#start"))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("toolkit_id", SHIPPED)
def test_every_shipped_toolkits_l1_pages_and_documents(chromium: Any, stack: LmsStack, toolkit_id: str) -> None:
    """Each shipped toolkit's content: every L1 page as a learner meets it, and the L2 documents."""
    checks = PageChecks(SHOTS / "content")
    kit = catalogue().get(toolkit_id)
    assert kit is not None
    learner = chromium.new_context().new_page()
    open_in_lms_frame(learner, stack.sandbox.url, stack.placements[f"{toolkit_id}:l1"], "learner1")
    _skip_before_questions(learner, checks, toolkit_id)
    _walk_l1(learner, checks, toolkit_id, answer=True)
    learner.context.close()
    facilitator = chromium.new_context().new_page()
    open_in_lms_frame(facilitator, stack.sandbox.url, stack.placements[f"{toolkit_id}:l2"], "facilitator")
    checks.check(facilitator, f"{toolkit_id}-l2-home")
    for name, document in (
        ("facilitator-guide", kit.l2.facilitator_guide),
        ("participant-sheet", kit.l2.participant_sheet),
    ):
        go_in_frame(facilitator, f"/l2/document/{name}", document.title)
        checks.check(facilitator, f"{toolkit_id}-l2-{name}")
    facilitator.context.close()
    checks.assert_clean()


@pytest.mark.timeout(900)  # some sixty pages, each at two widths with axe-core, on a shared machine
def test_every_tool_page_a_learner_a_facilitator_and_the_operator_meet(chromium: Any, stack: LmsStack) -> None:
    _walk_every_page(chromium, stack, PageChecks(SHOTS), _english)


@pytest.mark.timeout(900)
def test_every_tool_page_in_welsh_for_a_cy_gb_launch(chromium: Any, stack: LmsStack) -> None:
    """Issue 13: the same walk with every LMS launch in `cy-GB` (the public and operator pages after the
    language switch): each page is also `<html lang="cy">` with no English interface text left."""
    for name in ("learner1", "learner2", "facilitator"):
        stack.platform.users[name] = dataclasses.replace(stack.platform.user(name), locale="cy-GB")
    _walk_every_page(chromium, stack, PageChecks(SHOTS / "cymraeg", language=_welsh_problems), _welsh)


def _walk_every_page(chromium: Any, stack: LmsStack, checks: PageChecks, t: Say) -> None:
    """Every tool page a learner, a facilitator and the operator meet, each checked by `checks`; `t` gives
    the interface's words in the launches' language."""
    l1, l2 = stack.placements[f"{MAIN}:l1"], stack.placements[f"{MAIN}:l2"]
    kit = catalogue().get(MAIN)
    assert kit is not None

    # --- Public pages and the error page -----------------------------------------------------------
    public = chromium.new_context().new_page()
    if t is _welsh:  # the public pages have no launch: the language switch, as a Welsh reader uses it
        public.goto(stack.tool.url + "/language/cy?next=/")
    public.goto(stack.tool.url + "/")
    public.locator("h1").first.wait_for()
    checks.check(public, "catalogue", framed=False)
    public.goto(f"{stack.tool.url}/toolkits/{MAIN}")
    public.get_by_text(t("Learning outcomes")).first.wait_for()
    checks.check(public, "catalogue-toolkit", framed=False)
    public.goto(stack.tool.url + "/certificates/check")
    public.locator("h1").first.wait_for()
    checks.check(public, "certificate-check", framed=False)
    public.goto(stack.tool.url + "/certificates/ABCD-EFGH-JKLM-NPQR")
    public.locator("h1").first.wait_for()
    checks.check(public, "certificate-verify-not-found", framed=False)
    public.goto(stack.tool.url + "/toolkits/no-such-toolkit")
    public.get_by_text(t("There is no toolkit with that name.")).first.wait_for()
    checks.check(public, "error-404", framed=False)
    public.goto(stack.tool.url + "/admin/")
    public.locator("h1").first.wait_for()
    checks.check(public, "error-403-operator", framed=False)

    # --- The operator page and the operator's evaluation report ------------------------------------
    with stack.app.app_context(), stack.app.test_request_context():
        link = admin_link(OPERATOR)
    public.goto(link)
    public.locator("h1").first.wait_for()
    checks.check(public, "operator", framed=False)
    public.goto(link.replace("/admin/", "/evaluation/operator"))
    public.locator("h1").first.wait_for()
    checks.check(public, "operator-evaluation", framed=False)
    public.context.close()

    # --- The facilitator: deep linking, home, plan, scheduling, a session run and closed ----------
    fac = chromium.new_context().new_page()
    (tool,) = stack.platform.tools
    fac.goto(f"{stack.sandbox.url}/play?deep_link={tool.client_id}&user=facilitator")
    tool_frame_el = fac.wait_for_selector("iframe.tool").content_frame()
    tool_frame_el.get_by_text(t("Add a SWOTT toolkit to your course")).first.wait_for()
    checks.check(fac, "deep-link-picker")
    _click(fac, t("Add to course"), t("There is a problem"))
    checks.check(fac, "deep-link-picker-error")

    for name in ("learner1", "learner2"):  # the learners open L1 once, so the tool knows them
        context = chromium.new_context()
        open_in_lms_frame(context.new_page(), stack.sandbox.url, l1, name)
        context.close()
    open_in_lms_frame(fac, stack.sandbox.url, l2, "facilitator")
    checks.check(fac, "l2-home")
    go_in_frame(fac, "/facilitator/", kit.title)
    checks.check(fac, "facilitator-home")
    go_in_frame(fac, "/l2/plan", t("Plan L1 and L2"))
    stack.settle()
    checks.check(fac, "l2-plan")
    frame = _click(fac, t("Schedule the session"), t("There is a problem"))
    checks.check(fac, "l2-plan-error")
    frame = tool_frame(fac)
    frame.fill("#day-day", "15")
    frame.fill("#day-month", "11")
    frame.fill("#day-year", "2030")
    frame.fill("#s-time", "10:00")
    frame.fill("#s-place", "Civic Centre, room 4")
    frame = _click(fac, t("Schedule the session"), None)
    checks.check(fac, "l2-plan-scheduled")
    frame = _click(fac, t("Run this session"), t("Start"), role="link")
    checks.check(fac, "l2-run-before-start")
    frame.click("button[value=start]")
    frame = tool_frame(fac)
    frame.locator("#confirm").or_(frame.locator("button[value=next]")).first.wait_for()
    if frame.locator("#confirm").count():
        checks.check(fac, "l2-confirm-start")
        frame.click("#confirm")
    frame = tool_frame(fac)
    frame.locator("button[value=next]").wait_for()
    press(frame, frame.locator("button[value=reveal]"))  # the page before has Next too
    run_path = "/l2/sessions/1/run"
    checks.check(fac, "l2-run-running")
    go_in_frame(fac, "/l2/sessions/1/screen", kit.title)
    checks.check(fac, "l2-screen")
    # The shared screen on a projector (its own window): header and page span the display.
    projector = fac.context.new_page()
    for width, height in ((1920, 1080), (1280, 720)):
        projector.set_viewport_size({"width": width, "height": height})
        projector.goto(tool_frame(fac).url)
        projector.locator(".l2-now__title").first.wait_for()
        projector.screenshot(path=str(SHOTS / f"screen-{width}x{height}.png"))
        for part in (".swott-header__container", ".l2-screen"):
            spans = projector.evaluate(f"document.querySelector('{part}').getBoundingClientRect().width")
            assert spans >= width - 80, f"{part} is {spans}px wide on a {width}px projector"
        for part, least in ((".l2-timer", 64), (".l2-now__title", 32), (".l2-now__next", 20), (".l2-screen p", 20)):
            size = projector.evaluate(f"parseFloat(getComputedStyle(document.querySelector('{part}')).fontSize)")
            assert size >= least, f"{part} is {size}px type at {width}x{height}: too small across a room"
    projector.close()

    # A learner follows the running session, sends feedback, and is marked present.
    learner = chromium.new_context().new_page()
    open_in_lms_frame(learner, stack.sandbox.url, l2, "learner1")
    checks.check(learner, "learner-l2-home-running")
    go_in_frame(learner, "/l2/sessions/1/live", t("Send to the facilitator"))
    checks.check(learner, "learner-l2-live")
    frame = tool_frame(learner)
    frame.get_by_label(t("Feedforward"), exact=False).first.check()
    frame.select_option("#fb-recipient", index=1)
    frame.fill("#fb-text", "Try a drawing with Theo before the review.")
    frame = _click(learner, t("Send to the facilitator"), t("Sent."))
    checks.check(learner, "learner-l2-live-sent")

    frame = go_in_frame(fac, run_path, t("Save attendance"))
    checks.check(fac, "l2-run-pending-feedback")
    frame = tool_frame(fac)
    press(frame, frame.locator(".l2-pending li button[value=approve]").first)  # its page has the boxes too
    frame = tool_frame(fac)
    for box in frame.locator("input[name=present]").all():
        box.check()
    save_attendance(tool_frame(fac))
    frame = tool_frame(fac)
    frame.click("button[value=close]")
    frame = tool_frame(fac)
    frame.locator("#confirm").wait_for()
    checks.check(fac, "l2-confirm-close")
    frame.click("#confirm")
    tool_frame(fac).get_by_text(
        t("This session is closed. Attendees can now write their L2 reflection.")
    ).first.wait_for()
    checks.check(fac, "l2-run-closed")
    go_in_frame(fac, "/l2/dashboard", t("Download as CSV"))
    checks.check(fac, "l2-dashboard")
    go_in_frame(fac, "/passback/", t("Grades not yet in your LMS"))
    checks.check(fac, "passback")
    go_in_frame(fac, "/evaluation/report", None)
    checks.check(fac, "evaluation-report")

    # --- The learner: L1 from the start, reflection, portfolio, certificate, L2 keep/reflection ----
    l1_page = chromium.new_context().new_page()
    open_in_lms_frame(l1_page, stack.sandbox.url, l1, "learner2")
    _skip_before_questions(l1_page, checks, "learner", t)
    _walk_l1(l1_page, checks, MAIN, answer=True, every=False, t=t)  # every page's content: the test above
    go_in_frame(l1_page, "/accessibility", None)
    checks.check(l1_page, "accessibility")

    go_in_frame(learner, "/l2/", kit.title)
    checks.check(learner, "learner-l2-home-closed")
    frame = go_in_frame(learner, "/l2/reflection", t("Reflection"))
    # The keep page or the form: wait for one of their buttons before asking which it is, so a page still
    # settling is never taken for the form (a run on an idle machine timed out at the submit button once).
    frame.locator("button[value=submit]").or_(frame.get_by_role("button", name=t(t("Start writing")))).first.wait_for()
    if frame.get_by_role("button", name=t("Start writing")).count():  # feedforward to keep: the keep page first
        checks.check(learner, "learner-l2-keep")
        frame = tool_frame(learner)
        if frame.locator("input[type=checkbox]").count():
            frame.locator("input[type=checkbox]").first.check()
        _click(learner, t("Start writing"), None)
    checks.check(learner, "learner-l2-reflection")
    tool_frame(learner).click("button[value=submit]")  # nothing written yet: the same page with its errors
    tool_frame(learner).locator(".govuk-error-summary").wait_for()
    checks.check(learner, "learner-l2-reflection-error")
    frame = tool_frame(learner)
    for field_id in ("what", "so_what", "now_what", "cpd_description", "cpd_learnt", "cpd_impact", "cpd_peer"):
        frame.fill(f"#field-{field_id}", f"Written for {field_id}.")
    press(frame, frame.locator("button[value=submit]"))
    checks.check(learner, "learner-after-l2-reflection")
    go_in_frame(learner, "/evaluation/after", None)
    checks.check(learner, "evaluation-after")
    go_in_frame(learner, "/evaluation/sessions/1/feedback", None)
    checks.check(learner, "evaluation-session-feedback")
    go_in_frame(learner, "/evaluation/follow-up", None)
    checks.check(learner, "evaluation-follow-up")

    go_in_frame(learner, "/portfolio/", None)
    checks.check(learner, "portfolio")
    go_in_frame(learner, "/portfolio/records/add", t("Title"))
    checks.check(learner, "portfolio-record-form")
    _click(learner, t("Add this record"), t("There is a problem"))
    checks.check(learner, "portfolio-record-form-error")
    go_in_frame(learner, "/portfolio/settings", None)
    checks.check(learner, "portfolio-settings")
    frame = go_in_frame(learner, "/portfolio/", None)
    press(frame, frame.locator("a[href*='/portfolio/reflections/']").first)
    checks.check(learner, "portfolio-reflection")
    go_in_frame(learner, "/certificates/", t("Your certificate"))
    checks.check(learner, "certificates")
    go_in_frame(learner, "/programmes/mine", None)
    checks.check(learner, "programmes-mine")

    # --- Programme pages: a lead starts one; a learner follows --------------------------------------
    go_in_frame(fac, "/programmes/", t("Start a programme for a cohort"))
    checks.check(fac, "programmes-index")
    frame = tool_frame(fac)
    frame.get_by_label("Ten weeks", exact=False).first.check()
    frame.fill("#cohort_name", "Cohort A")
    frame.fill("#starts_on-day", "1")
    frame.fill("#starts_on-month", "3")
    frame.fill("#starts_on-year", "2027")
    for checkbox in frame.locator("input[name=participants]").all():
        checkbox.check()
    _click(fac, t("Start the programme"), t("Programme started. Check the dates below, then pair coaches and mentors."))
    checks.check(fac, "programme-run")
    _click(fac, "Discovery day", t("Who attended?"), role="link")
    checks.check(fac, "programme-event")
    for box in tool_frame(fac).locator("input[name=present]").all():
        box.check()
    _click(fac, t("Save the register"), t("Register saved."))
    for path, text, name in (
        ("/programmes/1/cohort", "Cohort A", "programme-cohort"),
        ("/programmes/1/pairings", t("Coaches, mentors and protected time"), "programme-pairings"),
        ("/programmes/1/supporting", t("Your one-to-ones"), "programme-supporting"),
    ):
        go_in_frame(fac, path, text)
        checks.check(fac, name)
    for path, text, name in (
        ("/programmes/1/timeline", t("Your programme: %(cohort)s") % {"cohort": "Cohort A"}, "programme-timeline"),
        ("/programmes/1/calendar", t("Add your programme to your calendar"), "programme-calendar"),
        ("/programmes/1/plan", t("Your development plan"), "programme-plan"),
    ):
        go_in_frame(learner, path, text)
        checks.check(learner, name)
    go_in_frame(learner, "/programmes/1/timeline", t("Your programme: %(cohort)s") % {"cohort": "Cohort A"})
    _click(learner, "Mentoring conversation", t("Actions agreed"), role="link")
    checks.check(learner, "programme-meeting")
    go_in_frame(learner, "/programmes/1/timeline", t("Your programme: %(cohort)s") % {"cohort": "Cohort A"})
    _click(learner, "Discovery day", t("Reflection: %(title)s") % {"title": "Discovery day"}, role="link")
    checks.check(learner, "programme-reflection")

    for page in (fac, learner, l1_page):
        page.context.close()
    print(f"checked {len(checks.checked)} pages at 320 and 1280 px")
    checks.assert_clean()
