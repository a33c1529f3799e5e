"""Database engine and sessions (SQLAlchemy 2).

SQLite in the instance folder by default, PostgreSQL in production. Each request gets one session that
is rolled back unless a service commits, so a rejected request writes nothing.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy import exc as sql_errors
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a write waits for SQLite's one write lock (the driver's busy timeout, and this process's queue)."""

_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS = "swott.sqlite_write_lock"


def _serialise_sqlite_writes(engine: Engine, timeout: float) -> None:
    """Queue this process's SQLite writers on a Python lock instead of SQLite's busy handler.

    SQLite lets one connection write at a time; a connection that finds the lock taken polls it,
    sleeping 1, 2, 5 ... then 100 ms between tries. With a few threads writing at once (200 learners
    launching together on the embedded server), the waiters slept through most hand-overs and the
    server fell to about 10 requests a second, from which it did not climb back while the queue stayed
    full (docs/performance.md, "The embedded default under a burst"). Here a thread takes a process-wide
    lock before its first write, and gives it back when its transaction ends, so the next writer starts
    the moment the last one commits. Other processes (`swott worker`) still meet SQLite's busy handler.
    """
    lock = threading.Lock()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        if conn.info.get(_HOLDS) or not _WRITES.match(statement):
            return
        if not lock.acquire(timeout=timeout):
            # What SQLite says when its own busy timeout runs out: the "busy, try again" page (errors.py).
            raise sql_errors.OperationalError(statement, params, sqlite3.OperationalError("database is locked"))
        conn.info[_HOLDS] = True

    def _give_back(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            lock.release()

    # The transaction ends with a commit or a rollback, or with the connection going back to the pool
    # (which rolls it back) or being thrown away.
    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(conn: Any) -> None:
        _give_back(conn.info)

    @event.listens_for(engine.pool, "reset")
    def _reset(_dbapi: Any, record: Any, _state: Any) -> None:
        _give_back(record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidated(_dbapi: Any, record: Any, _error: Any) -> None:
        _give_back(record.info)

    @event.listens_for(engine.pool, "close")
    def _closed(_dbapi: Any, record: Any) -> None:
        _give_back(record.info)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on and is shared across the server's threads."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT})
        engine = create_engine(url, **kwargs)
        _serialise_sqlite_writes(engine, float(kwargs["connect_args"].get("timeout", SQLITE_BUSY_TIMEOUT)))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: the database cannot be
            # corrupted and commits survive the app crashing, though the last ones may be rolled back
            # by a power loss or an OS crash (https://www.sqlite.org/pragma.html#pragma_synchronous).
            # SQLite holds its one write lock through each sync, so FULL made every learner's step
            # wait for the disk (docs/performance.md).
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for work outside a request (CLI, worker); rolled back unless committed."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
