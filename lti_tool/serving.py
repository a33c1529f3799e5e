"""The embedded default's web server: waitress, with a database pool sized for its threads.

`swott serve` and `swott demo` used to run Werkzeug's development server, whose thread per connection
and SQLAlchemy's default pool (5 + 10 connections, 30 s wait) turned 200 learners at once into pool
`TimeoutError`s and 500 pages (issue #15 item 6). Waitress is a production WSGI server that runs on any
platform: one thread accepts and buffers every connection (up to `CONNECTION_LIMIT`), a fixed pool of
`THREADS` runs the app, and requests beyond that wait in its queue instead of failing. The database
pool then never needs more than two connections per thread (the request's session, plus the launch
state store's own), so it is sized for that; if it is still exhausted, the user sees the "busy, try
again" page (503 with Retry-After, `lti_tool.errors`), never a traceback.

Under a burst (200 learners launching at once, docs/performance.md "The embedded default under a
burst") two more things keep the server answering: a request whose client has gone (closed the tab, or
gave up waiting) is dropped before it runs, instead of costing a thread a launch nobody will see; and a
request that waited in the queue longer than `MAX_QUEUE_WAIT` gets the "busy, try again" page at once,
so the queue cannot grow past what the threads can clear and the server recovers as soon as the burst
ends. SQLite's writers queue on a lock in this process (`lti_tool.db`), not on SQLite's busy polling.

Production with several processes uses gunicorn (README, "For operators"); this module is for one
process on one machine, SQLite or PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from sqlalchemy.pool import QueuePool
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher, WSGITask

from lti_tool.background import Background
from lti_tool.db import Database
from lti_tool.errors import ServerBusy

log = logging.getLogger(__name__)

THREADS = 8
"""Threads running the app. SQLite has one writer at a time, and the machine a council tries this on
may have two cores: more threads only lengthen each request, fewer leave a core idle while one waits."""

CONNECTION_LIMIT = 1000
"""Open client connections waitress accepts at once (its default, 100, would refuse the 101st learner)."""

POOL_TIMEOUT = 10.0
"""Seconds a request waits for a database connection before it gets the "busy, try again" page."""

MAX_QUEUE_WAIT = 20.0
"""Seconds a request may wait for a free thread; after that it is answered with the "busy" page (503,
Retry-After) without running. Below the 30 s after which many clients and proxies give up (the load
benchmark's among them), so the learner sees the page instead of a time-out, and a deep queue is cleared
at the speed of a busy page."""

QUEUE_WAIT = "swott.queue_wait"
"""WSGI environ key: seconds the request waited in waitress's queue before a thread took it."""


class _QueueLog:
    """Waitress's "Task queue depth is N", at most once every `every` seconds: it logs it for every
    request that joins a queue (hundreds a second in a burst), inside the lock the threads take work from."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self._next = 0.0

    def warning(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.every
            logging.getLogger("waitress.queue").warning(message, *args)


class _Dispatcher(ThreadedTaskDispatcher):  # type: ignore[misc]
    """Waitress's thread pool, noting when each request joined the queue (the task is its channel)."""

    queue_logger = _QueueLog()

    def add_task(self, task: Any) -> None:
        task.queued_at = time.monotonic()
        super().add_task(task)


class _Task(WSGITask):  # type: ignore[misc]
    def get_environment(self) -> Any:
        environ = super().get_environment()
        queued_at = getattr(self.channel, "queued_at", None)
        environ[QUEUE_WAIT] = 0.0 if queued_at is None else time.monotonic() - queued_at
        return environ


class _Channel(HTTPChannel):  # type: ignore[misc]
    """A connection. With `channel_request_lookahead` it stays readable while its request waits, so a
    client that hangs up is seen at once, and waitress skips its request (`HTTPChannel.service` runs a
    request only while `connected`)."""

    task_class = _Task


def _refuse_stale(app: Flask) -> None:
    """Answer a request that waited too long for a thread with the busy page, before any work."""

    @app.before_request
    def _stale() -> None:
        if request.environ.get(QUEUE_WAIT, 0.0) > MAX_QUEUE_WAIT:
            raise ServerBusy("queued")


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
    background = app.extensions.get("swott.background")
    if isinstance(background, Background) and background.database is old:
        background.database = sized  # the post-response threads share the sized pool, not a disposed one
    old.dispose()
    return sized


def prepare(app: Flask, threads: int = THREADS) -> Database:
    """Ready `app` for waitress: the sized pool, and the busy page for requests queued too long."""
    _refuse_stale(app)
    return size_pool(app, threads)


def make_server(app: Any, host: str, port: int, threads: int = THREADS) -> Any:
    """A bound waitress server for `app` (port 0 picks a free port; `.effective_port` says which)."""
    dispatcher = _Dispatcher()
    dispatcher.set_thread_count(threads)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=CONNECTION_LIMIT,
        backlog=2048,
        channel_timeout=60,
        # Keep reading a connection whose request waits, so a client that has gone is noticed.
        channel_request_lookahead=1,
        ident="SWOTT Connect",
        clear_untrusted_proxy_headers=True,
        asyncore_loop_timeout=0.1,
        _dispatcher=dispatcher,
    )
    server.channel_class = _Channel
    return server


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
            prepare(app, threads)
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
    prepare(app, threads)
    server = make_server(app, host, port, threads)
    try:
        server.run()
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        app.extensions["swott.db"].dispose()
