"""The launch state store: single-use states and nonces, in the database and in Redis."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from lti_tool import web
from lti_tool.lti.state_store import DatabaseStateStore, RedisStateStore, StateRecord, StateStore
from lti_tool.services import registrations
from tests.conftest import make_app


def _exercise(store: StateStore) -> None:
    record = StateRecord(state="s1", nonce="n1", platform_id=1, login={"iss": "x"}, storage_target="_parent")
    store.put(record)
    assert store.get("s1") == record
    assert store.take("s1") == record
    assert store.take("s1") is None  # a state is taken once
    assert store.get("s1") is None
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is True
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is False  # a nonce is used once
    assert store.consume_nonce(2, "n1", timedelta(minutes=5)) is True  # per platform
    store.put(StateRecord(state="old", nonce="n2", platform_id=1), ttl=timedelta(seconds=-1))
    assert store.take("old") is None  # expired


def _database_store(app: Flask) -> None:
    with app.app_context():
        session = web.db_session()
        for client in ("a", "b"):
            registrations.add_platform(
                session,
                issuer="https://lms.example",
                client_id=client,
                auth_login_url="https://lms.example/auth",
                auth_token_url="https://lms.example/token",
                key_set_url="https://lms.example/jwks",
            )
        _exercise(DatabaseStateStore(session))


def test_database_store(app: Flask) -> None:
    _database_store(app)


@pytest.mark.postgres
def test_database_store_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, database_url=postgres_url)
    try:
        _database_store(app)
    finally:
        app.extensions["swott.db"].dispose()


@pytest.mark.redis
def test_redis_store(redis_url: str) -> None:
    store = RedisStateStore(redis_url, prefix="swott-test:")
    record = StateRecord(state="s1", nonce="n1", platform_id=1)
    store.put(record)
    assert store.take("s1") == record and store.take("s1") is None
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is True
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is False
