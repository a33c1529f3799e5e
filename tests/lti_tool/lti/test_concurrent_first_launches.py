"""First launches racing for the same user, course, link and enrolment all succeed (issue 15, item 6).

Before the upserts, two first launches of one person both found no row and both inserted: the second
hit the unique constraint (IntegrityError, a 500). Here 12 launches of the same learner into the same
link are released at once by a barrier, on PostgreSQL (real row-level concurrency) and SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_tool import web
from lti_tool.models import Context, Enrolment, LtiUser, ResourceLink
from sandbox_platform.forge import INSTRUCTOR, LTI, Forge
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login, build_app

RACERS = 12


@pytest.fixture
def race_app(backend_settings: dict[str, str], tmp_path: Path, lti_platform: Forge) -> Iterator[Flask]:
    overrides: dict[str, Any] = dict(backend_settings)
    app = build_app(tmp_path, lti_platform, **overrides)
    yield app
    app.extensions["swott.db"].dispose()


def test_racing_first_launches_all_succeed_with_one_row_each(
    race_app: Flask, lti_platform: Forge, caplog: pytest.LogCaptureFixture
) -> None:
    # Keys fetched and registry cached by an unrelated launch into another course first.
    warm = race_app.test_client()
    state, nonce = begin_login(warm, lti_platform)
    other = lti_platform.claims(nonce, sub="someone-else", target_link_uri=TOOL_URL + "/lti/launch")
    other[LTI + "context"] = {"id": "another-course"}
    assert warm.post("/lti/launch", data={"id_token": lti_platform.sign(other), "state": state}).status_code == 200

    prepared = []
    for number in range(RACERS):
        client = race_app.test_client()
        state, nonce = begin_login(client, lti_platform)
        # Half come in as the facilitator role: the enrolment upsert races on its update too.
        roles = [INSTRUCTOR] if number % 2 else None
        body = lti_platform.claims(nonce, roles=roles, target_link_uri=TOOL_URL + "/lti/launch")
        prepared.append((client, {"id_token": lti_platform.sign(body), "state": state}))

    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(client: Any, data: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post("/lti/launch", data=data).status_code)
        except BaseException as error:  # reported below, with the statuses
            errors.append(error)

    caplog.set_level("ERROR")
    threads = [threading.Thread(target=run, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [200] * RACERS, statuses
    assert "IntegrityError" not in caplog.text
    with race_app.app_context():
        session = web.db_session()

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        assert count(LtiUser, LtiUser.sub == "user-1") == 1
        assert count(Context, Context.context_id == "course-1") == 1
        course = session.scalar(select(Context.id).where(Context.context_id == "course-1"))
        assert count(ResourceLink, ResourceLink.context_id == course) == 1
        user_id = session.scalar(select(LtiUser.id).where(LtiUser.sub == "user-1"))
        assert count(Enrolment, Enrolment.user_id == user_id) == 1
