"""The embedded default's server (`lti_tool.serving`): waitress, a sized pool, and a calm "busy" page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from lti_tool import serving
from lti_tool.db import Database
from lti_tool.serving import ToolServer
from tests.conftest import make_app


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ToolServer]:
    running = ToolServer(lambda url: make_app(tmp_path, base_url=url)).start()
    yield running
    running.stop()
    running.app.extensions["swott.db"].dispose()


def test_the_pool_is_sized_for_the_server_threads(server: ToolServer) -> None:
    pool = server.app.extensions["swott.db"].engine.pool

    assert pool.size() == 2 * serving.THREADS + 2
    assert pool.timeout() == serving.POOL_TIMEOUT


def test_waitress_serves_the_tool_and_stop_frees_the_port(tmp_path: Path) -> None:
    running = ToolServer(lambda url: make_app(tmp_path, base_url=url)).start()
    url = running.url
    try:
        response = requests.get(url + "/healthz", timeout=5)
        assert response.status_code == 200
        assert response.headers["Server"] == "SWOTT Connect"
    finally:
        running.stop()
        running.app.extensions["swott.db"].dispose()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/healthz", timeout=2)


def test_many_requests_at_once_queue_instead_of_failing(server: ToolServer) -> None:
    """More simultaneous clients than threads: every one is answered, none gets a 5xx."""
    statuses: list[int] = []
    lock = threading.Lock()

    def fetch() -> None:
        with requests.Session() as http:
            for _ in range(3):
                status = http.get(server.url + "/lti/jwks.json", timeout=60).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=fetch) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [200] * 180


def _starved(app: Flask) -> Database:
    """Two connections (what one request may hold at once), a short wait."""
    old: Database = app.extensions["swott.db"]
    tiny = Database(old.url, pool_size=2, max_overflow=0, pool_timeout=0.2)
    app.extensions["swott.db"] = tiny
    old.dispose()
    return tiny


def test_an_exhausted_pool_gives_a_busy_page_with_retry_after(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    database = _starved(app)
    try:
        with database.engine.connect(), database.engine.connect():  # every connection in use
            response = app.test_client().get("/lti/jwks.json")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        page = response.get_data(as_text=True)
        assert "SWOTT Connect is busy" in page
        assert "try again in a few seconds" in page
        assert "Traceback" not in page and "TimeoutError" not in page

        assert app.test_client().get("/lti/jwks.json").status_code == 200  # and it recovers
    finally:
        database.dispose()


def test_a_locked_sqlite_database_gives_the_busy_page_too(tmp_path: Path) -> None:
    """SQLite's one writer held past the busy timeout: busy, not a 500."""
    app = make_app(tmp_path)
    old: Database = app.extensions["swott.db"]
    quick = Database(old.url, connect_args={"check_same_thread": False, "timeout": 0.2})
    app.extensions["swott.db"] = quick
    old.dispose()
    blocker = quick.engine.raw_connection()
    try:
        blocker.cursor().execute("BEGIN EXCLUSIVE")
        response = app.test_client().get("/lti/jwks.json")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
    finally:
        blocker.rollback()
        blocker.close()
        quick.dispose()
