"""The L1 player over HTTP (Flask test client): pages, checks, notes, reflection, resume and isolation.

Launches are put in the session exactly as `lti.session.remember` stores them; the full launch from a
platform is exercised by the browser test.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lti_tool.models import Attempt, Reflection, ScoreRecord
from lti_tool.views.l1 import usable_brand_colour
from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS, Learner, launch_for, make_learner, sign_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
H1 = re.compile(r"<h1[^>]*>\s*(.*?)\s*</h1>", re.S)


def heading(html: str) -> str:
    """The page's h1, as a screen reader announces it first."""
    found = H1.search(html)
    assert found is not None, "every page has an h1"
    return found.group(1)


pytestmark = pytest.mark.app_settings(toolkits_dir=str(FIXTURE_TOOLKITS))  # the small fixture toolkits


def _learner(app_session: Session, **kwargs: object) -> Learner:
    learner = make_learner(app_session, **kwargs)  # type: ignore[arg-type]
    app_session.commit()
    return learner


class Browser:
    """A signed-in learner's client that follows the launch id in every URL, like the real pages."""

    def __init__(self, client: FlaskClient, launch_id: str) -> None:
        self.client = client
        self.launch_id = launch_id

    def url(self, path: str) -> str:
        return f"{path}{'&' if '?' in path else '?'}launch={self.launch_id}"

    def get(self, path: str) -> tuple[int, str]:
        response = self.client.get(self.url(path), follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    def view(self, step: str) -> tuple[int, str]:
        """Move to a step as Next, Previous and Start do: a POST (a GET never records progress)."""
        return self.post(f"/l1/page/{step}/view", {})

    def post(self, path: str, data: dict[str, object]) -> tuple[int, str]:
        response = self.client.post(
            self.url(path), data={**data, "csrf_token": self._token(path)}, follow_redirects=True
        )
        return response.status_code, response.get_data(as_text=True)

    def autosave(self, path: str, data: dict[str, object]) -> TestResponse:
        """Save as the page's script does: `autosave=1`, answered in JSON (no redirect)."""
        return self.client.post(self.url(path), data={**data, "autosave": "1", "csrf_token": self._token(path)})

    def _token(self, path: str) -> str:
        # The token comes from the page the form is on, as in a browser.
        form_page = path.removesuffix("/answer").removesuffix("/notes").removesuffix("/view")
        _, page = self.get(form_page)
        token = CSRF.search(page)
        assert token is not None, "every player page carries a CSRF token"
        return token.group(1)


def _browser(app: Flask, learner: Learner) -> Browser:
    client = app.test_client()
    launch = launch_for(learner)
    sign_in(client, launch)
    return Browser(client, launch.launch_id)


def _scores(app_session: Session, learner: Learner) -> list[tuple[str, str, float | None]]:
    app_session.expire_all()
    rows = app_session.scalars(
        select(ScoreRecord).where(ScoreRecord.user_id == learner.user.id).order_by(ScoreRecord.id)
    ).all()
    return [(r.activity_progress, r.grading_progress, r.score_given) for r in rows]


def _reflection_values(**overrides: str) -> dict[str, str]:
    values = {
        "description": "A review meeting.",
        "feelings": "Anxious at first.",
        "evaluation": "The child's views were heard.",
        "analysis": "Lundy's audience element was weak.",
        "conclusion": "Prepare the chair.",
        "action_plan": "Brief chairs before meetings.",
        "cpd_title": "Mini toolkit (L1)",
        "cpd_date-day": "20",  # GOV.UK's date input: day, month, year
        "cpd_date-month": "11",
        "cpd_date-year": "2026",
        "cpd_type": "Course or training",
        "cpd_description": "Online module.",
        "cpd_learnt": "Two models.",
        "cpd_impact": "Children influence plans.",
    }
    return values | overrides


def test_first_launch_lands_on_page_one_with_progress_and_contents(app: Flask, app_session: Session) -> None:
    learner = _learner(app_session)
    browser = _browser(app, learner)
    status, html = browser.get("/l1/")
    assert status == 200 and heading(html) == "Introduction"
    assert _scores(app_session, learner) == []  # looking is not progress
    status, html = browser.view("01-intro")  # Start (a POST)
    assert status == 200
    assert heading(html) == "Introduction"
    assert "Page 1 of 4 — about 60 minutes left" in html
    # The contents are a GOV.UK task list: this page is marked, the others are not viewed yet.
    assert re.search(r'Introduction\s*</a>.*?<strong class="govuk-tag govuk-tag--blue">\s*This page', html, re.S)
    assert "Not viewed yet" in html
    assert _scores(app_session, learner) == [("Started", "NotReady", None)]


def test_resume_returns_to_the_page_where_the_learner_stopped_on_another_device(
    app: Flask, app_session: Session
) -> None:
    learner = _learner(app_session)
    laptop = _browser(app, learner)
    laptop.view("01-intro")
    laptop.view("03-thinking")
    phone = _browser(app, learner)  # a new client: nothing in common with the laptop but the database
    status, html = phone.get("/l1/")
    assert status == 200 and heading(html) == "Thinking"


def test_a_check_shows_feedback_for_each_chosen_option_and_keeps_the_answer(app: Flask, app_session: Session) -> None:
    learner = _learner(app_session)
    browser = _browser(app, learner)
    status, html = browser.post("/l1/page/02-check/answer", {"question": "q-two", "option": ["a", "c"]})
    assert status == 200
    assert "Yes, A." in html and "Not C." in html and "Yes, B." not in html
    assert "Not quite." in html and "You can change your answer" in html
    assert re.search(r'id="q-q-two-a"[^>]*\bchecked', html)  # the answer is kept
    assert not re.search(r'id="q-q-two-b"[^>]*\bchecked', html)
    status, html = browser.post("/l1/page/02-check/answer", {"question": "q-two", "option": ["a", "b"]})
    assert "You got this one right." in html


def test_checking_without_choosing_says_so_next_to_the_question(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    status, html = browser.post("/l1/page/02-check/answer", {"question": "q-one"})
    assert status == 400 and "Choose an answer before checking it." in html


def test_thinking_notes_are_saved_without_javascript_and_shown_in_the_reflection(
    app: Flask, app_session: Session
) -> None:
    browser = _browser(app, _learner(app_session))
    status, html = browser.post("/l1/page/03-thinking/notes", {"note-think-one": "Quite a lot", "go": "reflection"})
    assert status == 200 and "Your notes from earlier" in html and "Quite a lot" in html


def test_notes_autosave_answers_in_json(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    response = browser.autosave("/l1/page/03-thinking/notes", {"note-think-one": "draft note"})
    assert response.status_code == 200 and response.get_json() == {"saved": True, "versions": {"think-one": 1}}
    _, page = browser.get("/l1/page/03-thinking")
    assert "draft note</textarea>" in page


def test_a_post_without_the_csrf_token_is_refused(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    response = browser.client.post(browser.url("/l1/page/02-check/answer"), data={"question": "q-one", "option": "a"})
    assert response.status_code == 403


def test_reflection_draft_then_submit_completes_l1_with_the_score(app: Flask, app_session: Session) -> None:
    learner = _learner(app_session)
    browser = _browser(app, learner)
    for step in ("01-intro", "02-check", "03-thinking"):
        browser.view(step)
    browser.post("/l1/page/02-check/answer", {"question": "q-one", "option": "a"})
    browser.post("/l1/page/02-check/answer", {"question": "q-two", "option": "c"})
    browser.view("reflection")
    status, html = browser.post("/l1/page/reflection", {"action": "save", "version": "0", "feelings": "Unsure"})
    assert status == 200 and "Your draft is saved" in html and "Unsure</textarea>" in html
    status, html = browser.post("/l1/page/reflection", {"action": "submit", "version": "1", **_reflection_values()})
    assert status == 200 and "You have completed L1" in html and "1 of 2" in html and "50%" in html
    assert _scores(app_session, learner)[-1] == ("Completed", "FullyGraded", 50.0)
    # One score per change in what the gradebook shows (issue 9: it used to be one per page view).
    assert [p for p, _, _ in _scores(app_session, learner)] == ["Started", "InProgress", "Completed"]


def test_submitting_with_empty_boxes_lists_them_and_keeps_the_text(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    browser.post("/l1/page/02-check/answer", {"question": "q-one", "option": "a"})
    browser.post("/l1/page/02-check/answer", {"question": "q-two", "option": "c"})
    status, html = browser.post(
        "/l1/page/reflection",
        {
            "action": "submit",
            "version": "0",
            **_reflection_values(analysis="", **{"cpd_date-day": "31", "cpd_date-month": "2"}),
        },
    )
    # The same page: the error summary links to each box, the box says why, and every word typed is kept.
    assert status == 400 and heading(html) == "Reflection"
    assert "There is a problem" in html
    assert '<a href="#field-analysis">Write something in “Analysis” before you submit</a>' in html
    assert '<a href="#field-cpd_date-day">The date must be a real date, for example 27 3 2027</a>' in html
    inline = r'<p id="field-analysis-error" class="govuk-error-message">\s*<span[^>]*>Error:</span> Write something'
    assert re.search(inline, html)
    assert 'aria-describedby="field-analysis-hint field-analysis-error"' in html
    assert "A review meeting.</textarea>" in html
    assert 'name="cpd_date-day" type="text" value="31"' in html and 'value="2026"' in html


def test_a_stale_tab_gets_a_conflict_and_nothing_is_overwritten(app: Flask, app_session: Session) -> None:
    learner = _learner(app_session)
    browser = _browser(app, learner)
    browser.post("/l1/page/reflection", {"action": "save", "version": "0", "feelings": "Tab A"})
    # The second tab still holds version 0.
    status, html = browser.post("/l1/page/reflection", {"action": "save", "version": "0", "feelings": "Tab B"})
    assert status == 409 and "changed in another tab" in html
    assert "Tab B</textarea>" in html  # what the learner typed stays on screen
    response = browser.autosave("/l1/page/reflection", {"version": "0", "feelings": "Tab B again"})
    assert response.status_code == 409 and response.get_json()["conflict"] is True
    app_session.expire_all()
    stored = app_session.scalars(select(Reflection).where(Reflection.user_id == learner.user.id)).one()
    assert stored.fields["feelings"] == "Tab A" and stored.version == 1


def test_autosave_returns_the_new_version_and_identifying_warnings(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    response = browser.autosave("/l1/page/reflection", {"version": "0", "description": "I met Mrs Khan."})
    body = response.get_json()
    assert response.status_code == 200 and body["version"] == 1
    assert body["warnings"] == [{"field": "description", "message": "“Mrs Khan” looks like a title and surname."}]
    _, page = browser.get("/l1/page/reflection")
    assert "Check that nobody can be identified" in page


def test_a_learner_never_sees_another_learners_work(app: Flask, app_session: Session) -> None:
    alice = _learner(app_session)
    bob = _learner(app_session, link=alice.link)  # same course, same activity
    alice_browser = _browser(app, alice)
    alice_browser.post("/l1/page/reflection", {"action": "save", "version": "0", "feelings": "Alice's secret"})
    alice_browser.post("/l1/page/03-thinking/notes", {"note-think-one": "Alice's note"})
    bob_browser = _browser(app, bob)
    _, html = bob_browser.get("/l1/page/reflection")
    assert "Alice" not in html
    # Bob guesses Alice's launch id: it is not in his session, so he is nobody.
    bob_browser.launch_id = alice_browser.launch_id
    status, html = bob_browser.get("/l1/page/reflection")
    assert status == 401 and "Alice" not in html
    attempts = app_session.scalars(select(Attempt).where(Attempt.user_id == bob.user.id)).all()
    assert all("think-one" not in a.notes for a in attempts)


def test_a_launch_whose_rows_belong_to_another_platform_is_refused(app: Flask, app_session: Session) -> None:
    mine = _learner(app_session)
    other = _learner(app_session)  # another platform entirely
    client = app.test_client()
    forged = launch_for(mine)
    # A launch naming my user but the other platform's resource link (as if ids were guessed).
    forged = type(forged)(**{**forged.__dict__, "resource_link_id": other.link.id})
    sign_in(client, forged)
    response = client.get(f"/l1/page/01-intro?launch={forged.launch_id}")
    assert response.status_code == 403
    assert app_session.scalars(select(Attempt).where(Attempt.resource_link_id == other.link.id)).all() == []


def test_without_a_launch_the_player_says_how_to_get_in(app: Flask) -> None:
    response = app.test_client().get("/l1/page/01-intro")
    assert response.status_code == 401 and "Open the activity again from your course" in response.get_data(as_text=True)


def test_unknown_pages_are_not_found(app: Flask, app_session: Session) -> None:
    status, _ = _browser(app, _learner(app_session)).get("/l1/page/99-nope")
    assert status == 404


def test_a_readable_platform_brand_colour_is_used(app: Flask, app_session: Session) -> None:
    learner = _learner(app_session)
    learner.platform.brand_colour = "#6b1d5e"
    app_session.commit()
    _, html = _browser(app, learner).get("/l1/page/01-intro")
    assert 'style="--brand: #6b1d5e"' in html
    assert usable_brand_colour("#ffee00") == ""  # white text on yellow would be unreadable
    assert usable_brand_colour("red; x") == ""


def test_internal_links_and_images_go_through_the_player(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _learner(app_session))
    _, html = browser.get("/l1/page/01-intro")
    assert re.search(r'href="/l1/page/02-check\?launch=', html)
    image = re.search(r'src="(/l1/asset/mini/assets/diagram.svg[^"]*)"', html)
    assert image is not None
    with browser.client.get(image.group(1).replace("&amp;", "&")) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    for outside in ("/l1/asset/mini/toolkit.yaml", "/l1/asset/mini/assets/../toolkit.yaml"):
        with browser.client.get(outside) as response:
            assert response.status_code == 404, outside


def test_the_accessibility_statement_is_public(client: FlaskClient) -> None:
    html = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG" in html and "2.2" in html and "Accessibility Regulations 2018" in html


def _all_rows(app_session: Session) -> dict[str, list[tuple[object, ...]]]:
    from lti_tool.db import Base

    app_session.expire_all()
    return {t.name: [tuple(r) for r in app_session.execute(select(t)).all()] for t in Base.metadata.sorted_tables}


def test_a_cross_site_get_changes_nothing(app: Flask, app_session: Session) -> None:
    """Issue 9, defect 12: with `SameSite=None` a page on another site can make the learner's browser GET
    any player URL with their cookie. No GET may record a view, a resume point or a score."""
    learner = _learner(app_session)
    browser = _browser(app, learner)
    browser.view("01-intro")
    # The view's score is sent by the background thread: let it finish, so only GETs could change rows.
    assert app.extensions["swott.background"].wait_idle()
    before = _all_rows(app_session)
    for path in ("/l1/", "/l1/page/02-check", "/l1/page/03-thinking", "/l1/page/reflection", "/l1/summary"):
        response = browser.client.get(browser.url(path), headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code in (200, 303)
    # Even the old shape of the attack, a GET of the view URL, does nothing (the route is POST only).
    assert browser.client.get(browser.url("/l1/page/02-check/view")).status_code == 405
    # And a cross-site POST has no CSRF token.
    assert browser.client.post(browser.url("/l1/page/02-check/view"), data={"beacon": "1"}).status_code == 403
    assert _all_rows(app_session) == before


def test_a_page_reached_by_a_link_records_its_view_with_a_beacon(app: Flask, app_session: Session) -> None:
    """Contents links are plain GETs; the page asks l1.js to post a beacon (with its CSRF token)."""
    learner = _learner(app_session)
    browser = _browser(app, learner)
    browser.view("01-intro")
    _, html = browser.get("/l1/page/03-thinking")
    found = re.search(r'data-record-view="([^"]+)" data-csrf="([^"]+)"', html)
    assert found is not None
    response = browser.client.post(
        found.group(1).replace("&amp;", "&"), data={"beacon": "1", "csrf_token": found.group(2)}
    )
    assert response.status_code == 204
    app_session.expire_all()
    attempt = app_session.scalars(select(Attempt)).one()
    assert attempt.pages_viewed == ["01-intro", "03-thinking"] and attempt.current_page == "03-thinking"
    _, html = browser.get("/l1/page/03-thinking")
    assert "data-record-view" not in html  # viewed: no second beacon
