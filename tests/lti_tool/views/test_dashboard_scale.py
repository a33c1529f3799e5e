"""The facilitator dashboard and its CSV at council scale, on SQLite and PostgreSQL (issue #15 item 4).

Through the app, as a facilitator's browser asks: the page shows one screen of learners with links
to the next, the CSV has everyone, and both ask the database a fixed number of questions whatever the
number of learners (the time for 10,000 is printed by bench/dashboard.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from lti_tool.models import utcnow
from lti_tool.services import dashboard
from lti_tool.services import l2 as l2_sessions
from tests.conftest import make_app
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import add_learners, launch_of, local_platform, sign_in, toolkit

LEARNERS = 1500
MAX_PAGE_QUERIES = 10  # launch lookups, roster throttle, the seven dashboard questions, shared reflections
MAX_CSV_QUERIES = 9


@dataclass
class Council:
    app: Flask
    course: Course
    facilitator: FlaskClient


@pytest.fixture
def council(backend_settings: dict[str, str], tmp_path: Path) -> Iterator[Council]:
    app = make_app(tmp_path, **backend_settings)
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=0, platform=local_platform(session))
        add_learners(session, course, LEARNERS)
        l2_sessions.set_l1_deadline(
            session, context_id=course.context.id, toolkit_id=toolkit().id, deadline=utcnow() - timedelta(days=1)
        )
        session.commit()
    client = app.test_client()
    sign_in(client, launch_of(course, course.facilitator, role="facilitator"))
    yield Council(app, course, client)
    app.extensions["swott.db"].dispose()


def _counted(council: Council, url: str) -> tuple[str, list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    # A running process has its registry snapshot (registrations, keys, subscriptions) already loaded:
    # load it first, so the count is the page's own work (services/registry.py).
    council.facilitator.get("/")
    engine = council.app.extensions["swott.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = council.facilitator.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True), statements


def test_the_page_shows_one_screen_of_learners_in_a_fixed_number_of_queries(council: Council) -> None:
    page, statements = _counted(council, "/l2/dashboard")

    assert len(re.findall(r'<tr class="[^"]*" data-user=', page)) == dashboard.PAGE_SIZE
    assert f"Learners 1 to {dashboard.PAGE_SIZE} of {LEARNERS}" in page
    assert "Next page" in page and "Previous page" not in page
    assert f"Everyone ({LEARNERS})" in page  # counts are over everyone, not the screen
    assert "L1 completed (500)" in page
    assert 0 < len(statements) <= MAX_PAGE_QUERIES, "\n".join(s[:90] for s in statements)


def test_the_last_page_and_a_filtered_page(council: Council) -> None:
    pages = -(-LEARNERS // dashboard.PAGE_SIZE)
    last, _ = _counted(council, f"/l2/dashboard?page={pages}")
    assert f"page {pages} of {pages}" in last
    assert "Previous page" in last and "Next page" not in last

    beyond, _ = _counted(council, "/l2/dashboard?page=999")
    assert f"page {pages} of {pages}" in beyond  # clamped, not an empty screen

    done, statements = _counted(council, "/l2/dashboard?filter=completed&page=2")
    assert "Learners 101 to 200 of 500" in done
    assert "filter=completed&amp;page=3" in done
    assert len(statements) <= MAX_PAGE_QUERIES

    nonsense, _ = _counted(council, "/l2/dashboard?page=-3")
    assert f"Learners 1 to {dashboard.PAGE_SIZE} of {LEARNERS}" in nonsense


def test_the_csv_has_every_learner_in_a_fixed_number_of_queries(council: Council) -> None:
    text, statements = _counted(council, "/l2/dashboard.csv")

    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == LEARNERS
    assert sum(1 for r in rows if r["L1 status"] == "Completed") == 500
    assert sum(1 for r in rows if r["Not finished by the deadline"] == "yes") == 1000
    assert 0 < len(statements) <= MAX_CSV_QUERIES, statements
    assert not any("reflection.fields" in s for s in statements)
