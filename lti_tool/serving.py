"""The embedded default's web server: waitress, with a database pool sized for its threads.

`swott serve` and `swott demo` used to run Werkzeug's development server, whose thread per connection
and SQLAlchemy's default pool (5 + 10 connections, 30 s wait) turned 200 learners at once into pool
`TimeoutError`s and 500 pages (issue #15 item 6). Waitress is a production WSGI server that runs on any
platform: one thread accepts and buffers every connection (up to `CONNECTION_LIMIT`), a fixed pool of
`THREADS` runs the app, and requests beyond that wait in its queue instead of failing. The database
pool then never needs more than two connections per thread (the request's session, plus the launch
state store's own), so it is sized for that; if it is still exhausted, the user sees the "busy, try
again" page (503 with Retry-After, `lti_tool.errors`), never a traceback.

Production with several processes uses gunicorn (README, "For operators"); this module is for one
process on one machine, SQLite or PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.pool import QueuePool
from waitress.server import create_server

from lti_tool.db import Database

log = logging.getLogger(__name__)

THREADS = 8
"""Threads running the app. SQLite has one writer at a time, and the machine a council tries this on
may have two cores: more threads only lengthen each request, fewer leave a core idle while one waits."""

CONNECTION_LIMIT = 1000
"""Open client connections waitress accepts at once (its default, 100, would refuse the 101st learner)."""

POOL_TIMEOUT = 10.0
"""Seconds a request waits for a database connection before it gets the "busy, try again" page."""


def size_pool(app: Flask, threads: int = THREADS) -> Database:
    """Give `app` a database pool sized for `threads` request threads, replacing the default one.

    Two connections per thread (the request's session and the database state store may each hold one),
    plus two for the passback worker thread of `swott demo` and for health checks.
    """
    old: Database = app.extensions["swott.db"]
    if not isinstance(old.engine.pool, QueuePool):
        return old  # an in-memory SQLite database (tests) has one connection per thread, nothing to size
    sized = Database(old.url, pool_size=2 * threads + 2, max_overflow=0, pool_timeout=POOL_TIMEOUT)
    app.extensions["swott.db"] = sized
    old.dispose()
    return sized


def make_server(app: Any, host: str, port: int, threads: int = THREADS) -> Any:
    """A bound waitress server for `app` (port 0 picks a free port; `.effective_port` says which)."""
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=CONNECTION_LIMIT,
        backlog=2048,
        channel_timeout=60,
        ident="SWOTT Connect",
        clear_untrusted_proxy_headers=True,
        asyncore_loop_timeout=0.1,
    )


class ToolServer:
    """The tool served by waitress in a background thread, stoppable from the thread that started it.

    `app_factory(url)` builds the app once the port is bound, so the app knows its real address even
    on port 0 (tests, `swott demo --tool-port 0`).
    """

    def __init__(
        self, app_factory: Callable[[str], Flask], *, host: str = "127.0.0.1", port: int = 0, threads: int = THREADS
    ) -> None:
        self.host = host
        self._app: Flask | None = None
        self._server = make_server(self._dispatch, host, port, threads)
        self.port: int = int(self._server.effective_port)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            app = app_factory(self.url)
            size_pool(app, threads)
            self._app = app
        except BaseException:
            self._close()
            raise

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app(self) -> Flask:
        assert self._app is not None
        return self._app

    def _dispatch(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)

    def start(self) -> ToolServer:
        self._thread = threading.Thread(target=self._serve, name=f"tool:{self.port}", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        # waitress's own run() loops until its socket map is empty; looping here lets stop() end it
        # between two short polls, and closes every socket in this thread (the one that polls them).
        try:
            while not self._stop.is_set():
                self._server.asyncore.loop(timeout=0.1, map=self._server._map, count=1)
        finally:
            self._close()

    def _close(self) -> None:
        self._server.task_dispatcher.shutdown(timeout=5)
        self._server.asyncore.close_all(self._server._map)

    def stop(self) -> None:
        """Stop accepting, finish the requests under way (up to 5 s), and free the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        else:
            self._close()


def serve_forever(app: Flask, host: str, port: int, threads: int = THREADS) -> None:
    """Serve `app` in this thread until Ctrl+C (`swott serve`)."""
    size_pool(app, threads)
    server = make_server(app, host, port, threads)
    try:
        server.run()
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        app.extensions["swott.db"].dispose()
