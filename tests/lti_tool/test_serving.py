"""The embedded default's server (`lti_tool.serving`): waitress, a sized pool, and a calm "busy" page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask, request

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


def _held_server(tmp_path: Path, threads: int = 2) -> tuple[ToolServer, threading.Event, list[str]]:
    """A server with `threads` threads and two extra pages: /test/hold (waits until the event is set)
    and /test/count (notes that it ran), to fill the threads and to see which queued requests ran."""
    release = threading.Event()
    ran: list[str] = []

    def factory(url: str) -> Flask:
        app = make_app(tmp_path, base_url=url)

        def hold() -> str:
            release.wait(30)
            return "held"

        def count() -> str:
            ran.append(request.args.get("n", ""))
            return "counted"

        app.add_url_rule("/test/hold", "test_hold", hold)
        app.add_url_rule("/test/count", "test_count", count)
        return app

    return ToolServer(factory, threads=threads).start(), release, ran


def _hold_threads(server: ToolServer, count: int) -> list[threading.Thread]:
    holders = [
        threading.Thread(target=requests.get, args=(server.url + "/test/hold",), kwargs={"timeout": 60})
        for _ in range(count)
    ]
    for holder in holders:
        holder.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and server._server.task_dispatcher.active_count < count:
        time.sleep(0.02)
    return holders


def test_after_a_burst_with_abandoned_requests_the_server_answers_at_once(tmp_path: Path) -> None:
    """Every thread busy, 30 clients queue a request and hang up: their requests are never run, and
    once the threads are free the next learner is served, not queued behind the abandoned ones."""
    server, release, ran = _held_server(tmp_path)
    try:
        holders = _hold_threads(server, 2)
        for n in range(30):
            with socket.create_connection((server.host, server.port)) as gone:
                gone.sendall(f"GET /test/count?n={n} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        time.sleep(0.5)  # the server sees every hang-up while the threads are still held
        release.set()
        for holder in holders:
            holder.join(timeout=30)

        response = requests.get(server.url + "/test/count?n=after", timeout=10)

        assert response.status_code == 200
        assert ran == ["after"]
    finally:
        release.set()
        server.stop()
        server.app.extensions["swott.db"].dispose()


def test_a_request_queued_too_long_gets_the_busy_page_and_the_next_one_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving, "MAX_QUEUE_WAIT", 0.3)
    server, release, ran = _held_server(tmp_path, threads=1)
    try:
        holders = _hold_threads(server, 1)
        answers: list[requests.Response] = []
        waiting = threading.Thread(
            target=lambda: answers.append(requests.get(server.url + "/test/count?n=queued", timeout=30))
        )
        waiting.start()
        time.sleep(0.6)  # queued behind the held thread for longer than MAX_QUEUE_WAIT
        release.set()
        waiting.join(timeout=30)
        for holder in holders:
            holder.join(timeout=30)

        assert answers[0].status_code == 503
        assert answers[0].headers["Retry-After"] == "5"
        assert "SWOTT Connect is busy" in answers[0].text
        assert ran == []  # the page's own work never started
        assert requests.get(server.url + "/test/count?n=next", timeout=10).status_code == 200
        assert ran == ["next"]
    finally:
        release.set()
        server.stop()
        server.app.extensions["swott.db"].dispose()
