"""Thinking notes per prompt with a version (issue 9 defects 6 and 7), over HTTP.

Two tabs in different prompts both keep their text; the same prompt in two tabs gives the second a
conflict and overwrites nothing; a note over the limit is refused with the limit in words, and the
typed text comes back on the page.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_tool.models import Attempt
from lti_tool.services import notes
from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS, make_learner, mini_toolkit
from tests.lti_tool.views.test_l1 import CSRF, Browser, _browser, _learner

NOTES = "/l1/page/03-thinking/notes"


pytestmark = pytest.mark.app_settings(toolkits_dir=str(FIXTURE_TOOLKITS))  # the small fixture toolkits


def _token(browser: Browser) -> str:
    _, page = browser.get("/l1/page/03-thinking")
    match = CSRF.search(page)
    assert match is not None
    return match.group(1)


def _autosave(browser: Browser, token: str, **boxes: tuple[str, int]) -> tuple[int, dict[str, object]]:
    data: dict[str, str] = {"autosave": "1", "csrf_token": token}
    for prompt, (text, version) in boxes.items():
        data[f"note-{prompt.replace('_', '-')}"] = text
        data[f"version-{prompt.replace('_', '-')}"] = str(version)
    response = browser.client.post(browser.url(NOTES), data=data)
    return response.status_code, response.get_json() or {}


def _saved(app_session: Session) -> dict[str, str]:
    app_session.expire_all()
    attempt = app_session.query(Attempt).one_or_none()  # none yet: a GET shows a page without starting an attempt
    return dict(attempt.notes) if attempt is not None else {}


def test_two_tabs_typing_in_different_prompts_both_keep_their_text(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    tab_a, tab_b = _token(browser), _token(browser)  # both opened before either saved: versions 0
    assert _autosave(browser, tab_a, think_one=("From tab A", 0)) == (
        200,
        {"saved": True, "versions": {"think-one": 1}},
    )
    status, body = _autosave(browser, tab_b, think_two=("From tab B", 0))
    # Only the box it sent: tab B must not learn think-one's version without its text.
    assert status == 200 and body["versions"] == {"think-two": 1}
    assert _saved(app_session) == {"think-one": "From tab A", "think-two": "From tab B"}


def test_the_same_prompt_in_two_tabs_gives_the_second_a_conflict(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    token = _token(browser)
    assert _autosave(browser, token, think_one=("First tab", 0))[0] == 200
    status, body = _autosave(browser, token, think_one=("Second tab", 0))
    assert status == 409 and body["conflict"] is True and body["fields"] == ["think-one"]
    assert "changed in another tab" in str(body["message"])
    assert _saved(app_session) == {"think-one": "First tab"}


def test_the_plain_form_resends_every_box_without_undoing_another_tab(app: Flask, app_session: Session) -> None:
    """Without JavaScript every box is posted: an untouched box (same text as the page showed) is no change."""
    browser = _browser(app, _learner(app_session))
    token = _token(browser)
    assert _autosave(browser, token, think_two=("Saved elsewhere", 0))[0] == 200
    # This tab's page showed think-two empty at version 0 and think-one empty; the learner typed only think-one.
    status, _page = browser.post(
        NOTES,
        {
            "note-think-one": "Typed here",
            "version-think-one": "0",
            "note-think-two": "Saved elsewhere",
            "version-think-two": "1",
            "go": "03-thinking",
        },
    )
    assert status == 200
    assert _saved(app_session) == {"think-one": "Typed here", "think-two": "Saved elsewhere"}
    # The same form, stale on think-two and changed there: a 409 page that keeps what was typed.
    status, page = browser.post(
        NOTES,
        {
            "note-think-one": "Typed here",
            "version-think-one": "1",
            "note-think-two": "My own words",
            "version-think-two": "0",
            "go": "03-thinking",
        },
    )
    assert status == 409 and "Not saved: changed in another tab" in page
    assert "My own words</textarea>" in page and "Saved in the other tab" in page
    assert _saved(app_session) == {"think-one": "Typed here", "think-two": "Saved elsewhere"}


def test_a_note_over_the_limit_says_the_limit_and_saves_nothing(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    token = _token(browser)
    too_long = "x" * (notes.MAX_NOTE_CHARS + 1)
    status, body = _autosave(browser, token, think_one=(too_long, 0), think_two=("fine", 0))
    assert status == 413 and body["fields"] == ["think-one"] and body["saved"] is False
    assert "at most 20,000 characters" in str(body["message"]) and "connection" not in str(body).lower()
    assert _saved(app_session) == {}
    status, page = browser.post(NOTES, {"note-think-one": too_long, "version-think-one": "0", "go": "03-thinking"})
    assert status == 413 and "Not saved: a note is too long" in page and too_long + "</textarea>" in page
    assert 'aria-invalid="true"' in page


def test_a_version_that_is_not_a_number_is_a_plain_400(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    token = _token(browser)
    response = browser.client.post(
        browser.url(NOTES), data={"autosave": "1", "csrf_token": token, "note-think-one": "x", "version-think-one": "x"}
    )
    assert response.status_code == 400 and "reload the page" in response.get_json()["message"]
    assert _saved(app_session) == {}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_racing_saves_of_different_prompts_both_land(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The compare-and-set: two sessions read the same attempt, both write; neither prompt is lost."""
    from lti_tool.services import progress
    from tests.lti_tool.l1_factories import migrated_database

    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else ""
    database = migrated_database(tmp_path, url)
    toolkit = mini_toolkit()
    with database.session() as session:
        learner = make_learner(session)
        attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
        session.commit()
        attempt_id = attempt.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(prompt: str, text: str) -> None:
        try:
            with database.session() as session:
                row = session.get(Attempt, attempt_id)
                assert row is not None
                barrier.wait(timeout=5)
                notes.save_notes(session, row, toolkit, "03-thinking", [notes.NoteChange(prompt, text, 0)])
                session.commit()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=save, args=a) for a in (("think-one", "one"), ("think-two", "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    with database.session() as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        assert row.notes == {"think-one": "one", "think-two": "two"}
        assert row.note_versions == {"think-one": 1, "think-two": 1} and row.notes_revision == 2
    database.dispose()


def test_a_reflection_box_over_the_limit_autosaves_to_a_plain_refusal(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    response = browser.autosave("/l1/page/reflection", {"version": "0", "feelings": "z" * 20_001})
    body = response.get_json()
    assert response.status_code == 400 and body["saved"] is False
    assert "20,001 characters long" in body["message"] and "at most 20,000 characters" in body["message"]
