"""What every L1 page carries around its content (issue 10 items 1, 6 and 9), over HTTP.

The council's colour in the header of every page of a launch (not only the player's), the CPD portfolio
one click away, one accessibility link and one references link, the learner's L1 deadline and L2
session, and "where you left off" for a returning learner.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Attempt, AttemptStatus
from lti_tool.services import l2 as l2_sessions
from tests.lti_tool.l1_factories import FIXTURE_TOOLKITS, Learner, launch_for, make_learner, sign_in
from tests.lti_tool.views.test_l1 import Browser, _browser

BRAND = "#6b1d5e"


pytestmark = pytest.mark.app_settings(toolkits_dir=str(FIXTURE_TOOLKITS))  # the small fixture toolkits


def _branded(app_session: Session) -> Learner:
    learner = make_learner(app_session)
    learner.platform.brand_colour = BRAND
    app_session.commit()
    return learner


def _header(html: str) -> str:
    found = re.search(r'<header class="govuk-header swott-header"(.*?)</header>', html, re.S)
    assert found is not None, "every page has the tool's header"
    return found.group(0)


def test_the_brand_colour_and_the_portfolio_link_are_on_every_learner_page(app: Flask, app_session: Session) -> None:
    browser = _browser(app, _branded(app_session))
    browser.view("01-intro")
    for path in ("/l1/page/01-intro", "/l1/page/reflection", "/l1/summary", "/portfolio/", "/player/session"):
        status, html = browser.get(path)
        assert status == 200, path
        header = _header(html)
        assert f"--govuk-brand-colour: {BRAND}" in header, path
        assert re.search(r'href="/portfolio/\?launch=[^"]+">Your CPD portfolio</a>', header), path


def test_a_facilitator_gets_no_portfolio_link_but_the_colour(app: Flask, app_session: Session) -> None:
    learner = make_learner(app_session, role="facilitator")
    learner.platform.brand_colour = BRAND
    app_session.commit()
    client = app.test_client()
    launch = launch_for(learner, role="facilitator")
    sign_in(client, launch)
    html = client.get(f"/player/session?launch={launch.launch_id}").get_data(as_text=True)
    assert f"--govuk-brand-colour: {BRAND}" in _header(html) and "Your CPD portfolio" not in html


def test_an_unreadable_colour_is_not_used_and_a_page_without_a_launch_has_the_default(
    app: Flask, app_session: Session
) -> None:
    learner = make_learner(app_session)
    learner.platform.brand_colour = "#ffee00"  # white on yellow: 1.2:1
    app_session.commit()
    _, html = _browser(app, learner).get("/l1/page/01-intro")
    assert "--govuk-brand-colour" not in _header(html)
    html = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "--govuk-brand-colour" not in _header(html) and "Your CPD portfolio" not in html


def test_the_footer_links_the_statement_and_the_references_once(app: Flask, app_session: Session) -> None:
    browser = _browser(app, make_learner(app_session))
    app_session.commit()
    _, html = browser.get("/l1/page/01-intro")
    assert html.count(">Accessibility statement</a>") == 1
    # The page's own sources already link every reference: the footer does not say it again.
    assert html.count("All references for this toolkit") == 1 and "References for this toolkit" not in html


def test_learners_see_their_l1_deadline_and_l2_session_on_their_l1_pages(app: Flask, app_session: Session) -> None:
    learner = make_learner(app_session)
    toolkit = app.extensions["swott.catalogue"].get("mini")
    assert toolkit is not None
    l2_sessions.set_l1_deadline(
        app_session, context_id=learner.context.id, toolkit_id="mini", deadline=datetime(2027, 6, 15, 16, 0, tzinfo=UTC)
    )
    l2_sessions.schedule_session(
        app_session,
        context_id=learner.context.id,
        toolkit=toolkit,
        starts_at=datetime(2027, 6, 22, 9, 30, tzinfo=UTC),
        video_link="https://meet.example.org/l2-session",
        participant_ids=[learner.user.id],
    )
    app_session.commit()
    browser = _browser(app, learner)
    for path in ("/player/", "/l1/page/01-intro", "/l1/page/reflection", "/l1/summary"):
        _, html = browser.get(path)
        # In UK time: 4pm UTC in June is 5pm BST.
        assert "Finish L1 by" in html and "15 June 2027, 5pm" in html, path
        assert "22 June 2027, 10:30am" in html and 'href="https://meet.example.org/l2-session"' in html, path
        assert re.search(r'href="/l2/\?launch=[^"]+">Your group session page</a>', html), path


def test_no_dates_no_dates_box(app: Flask, app_session: Session) -> None:
    _, html = _browser(app, make_learner(app_session)).get("/l1/page/01-intro")
    assert "Your dates" not in html


def _reach_check(browser: Browser) -> None:
    browser.view("01-intro")
    browser.view("02-check")


def test_coming_back_says_where_the_learner_left_off(app: Flask, app_session: Session) -> None:
    browser = _browser(app, make_learner(app_session))
    app_session.commit()
    _reach_check(browser)
    _, html = browser.get("/l1/")  # the start of L1 again: back where they stopped, and told so
    assert "Welcome back" in html and "You left off at Check, page 2 of 4." in html
    _, html = browser.get("/l1/page/02-check")  # moving about is not coming back
    assert "Welcome back" not in html


def test_after_completion_no_minutes_left(app: Flask, app_session: Session) -> None:
    learner = make_learner(app_session)
    app_session.commit()
    browser = _browser(app, learner)
    _reach_check(browser)
    _, html = browser.get("/l1/page/02-check")
    assert "minutes left" in html
    attempt = app_session.scalars(select(Attempt)).one()
    attempt.status = AttemptStatus.COMPLETED
    app_session.commit()
    _, html = browser.get("/l1/page/02-check")
    assert "minutes left" not in html and "Page 2 of 4" in html and "You have completed this module" in html


def test_the_start_button_comes_before_the_list_of_pages(app: Flask, app_session: Session) -> None:
    # Issue 10: on a phone the list of every page pushed Start two screens down.
    _, html = _browser(app, make_learner(app_session)).get("/player/")
    assert 'id="start"' in html and "govuk-task-list" in html
    assert html.index('id="start"') < html.index("govuk-task-list")
