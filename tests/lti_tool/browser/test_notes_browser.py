"""Thinking notes in a real browser (Debian chromium), launched from the sandbox platform: two tabs,
per-prompt versions, and an over-long box explained in words with no endless retries (issue 9
defects 6 and 7)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from lti_tool import web
from lti_tool.models import Attempt, LtiUser
from lti_tool.services.notes import MAX_NOTE_CHARS
from tests.lti_tool.browser.support import assert_accessible
from tests.lti_tool.browser.test_l1_browser import contents, launch, start, two_tabs, wait_saved
from tests.lti_tool.l1_stack import Stack, stack_fixture  # noqa: F401 - the `stack` fixture


def stored_notes(stack: Stack, user: str) -> dict[str, str]:
    with stack.app.app_context():
        session = web.db_session()
        person = session.scalar(select(LtiUser).where(LtiUser.sub == stack.platform.user(user).sub))
        assert person is not None
        attempt = session.scalar(select(Attempt).where(Attempt.user_id == person.id))
        return dict(attempt.notes) if attempt is not None else {}


def test_two_tabs_different_prompts_both_kept_same_prompt_conflicts(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    tab_a, tab_b = two_tabs(context, stack, "learner2", "Thinking")

    tab_a.fill("#note-think-one", "Typed in tab A")
    wait_saved(tab_a)
    tab_b.fill("#note-think-two", "Typed in tab B")
    wait_saved(tab_b)
    assert stored_notes(stack, "learner2") == {"think-one": "Typed in tab A", "think-two": "Typed in tab B"}

    # Tab B still holds think-one at the version it loaded: its edit there is refused, nothing overwritten.
    tab_b.fill("#note-think-one", "Tab B's own take")
    tab_b.locator("#note-think-one-error", has_text="changed in another tab").wait_for()
    tab_b.locator("[role=alert]", has_text="changed in another tab").wait_for()
    assert tab_b.get_attribute("#note-think-one", "aria-invalid") == "true"
    assert stored_notes(stack, "learner2")["think-one"] == "Typed in tab A"
    # The other box in tab B still saves.
    tab_b.fill("#note-think-two", "Tab B, later")
    tab_b.locator(".save-status", has_text="Saved at").wait_for()
    assert stored_notes(stack, "learner2") == {"think-one": "Typed in tab A", "think-two": "Tab B, later"}
    assert_accessible(tab_b)

    tab_a.reload()
    assert tab_a.input_value("#note-think-one") == "Typed in tab A"
    assert tab_a.input_value("#note-think-two") == "Tab B, later"
    context.close()


def test_a_box_over_the_limit_is_explained_and_not_retried_until_edited(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    page = launch(context, stack, "learner3")
    start(page)
    contents(page, "Thinking")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/notes" in r.url else None)

    page.fill("#note-think-one", "y" * (MAX_NOTE_CHARS + 1))
    status = page.locator(".save-status", has_text="Not saved")
    status.wait_for()
    text = status.inner_text()
    assert "20,001 characters" in text and "at most 20,000 characters" in text
    assert "connection" not in text.lower()
    assert page.locator("#note-think-one-error").inner_text().startswith("This note is 20,001 characters")
    time.sleep(3)  # longer than the autosave delay: a retry would have been sent by now
    assert len(posts) == 1
    assert stored_notes(stack, "learner3") == {}

    page.fill("#note-think-one", "Short enough now")
    wait_saved(page)
    assert len(posts) == 2
    assert stored_notes(stack, "learner3") == {"think-one": "Short enough now"}
    assert page.locator("#note-think-one-error").is_hidden()
    context.close()
