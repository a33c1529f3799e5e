"""SQLite writers of one process queue on a lock (`lti_tool.db`): every one gets its turn, and a
transaction that ends any way (commit, rollback, a session closed mid-write) lets the next one in."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from lti_tool.db import Database


def _database(tmp_path: Path, timeout: float = 30) -> Database:
    database = Database(
        f"sqlite:///{tmp_path / 'writes.sqlite3'}", connect_args={"check_same_thread": False, "timeout": timeout}
    )
    with database.session() as session:
        session.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
        session.commit()
    return database


def test_many_threads_writing_at_once_all_succeed(tmp_path: Path) -> None:
    database = _database(tmp_path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with database.session() as session:
                    session.execute(text("INSERT INTO note (body) VALUES (:b)"), {"b": f"{n}-{i}"})
                    session.execute(text("UPDATE note SET body = body || '!' WHERE body = :b"), {"b": f"{n}-{i}"})
                    session.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        with database.session() as session:
            assert session.scalar(text("SELECT count(*) FROM note WHERE body LIKE '%!'")) == 160
    finally:
        database.dispose()


def test_a_write_that_is_rolled_back_or_abandoned_lets_the_next_writer_in(tmp_path: Path) -> None:
    database = _database(tmp_path, timeout=1)
    try:
        with database.session() as refused:  # a refused request: written, never committed
            refused.execute(text("INSERT INTO note (body) VALUES ('refused')"))
        abandoned = database.sessions()  # a session dropped mid-write
        abandoned.execute(text("INSERT INTO note (body) VALUES ('abandoned')"))
        abandoned.close()

        with database.session() as session:
            session.execute(text("INSERT INTO note (body) VALUES ('kept')"))
            session.commit()
            assert list(session.scalars(text("SELECT body FROM note"))) == ["kept"]
    finally:
        database.dispose()
