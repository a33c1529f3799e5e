"""The launch state store: single-use states and nonces, in the database and in Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from lti_tool import web
from lti_tool.lti.state_store import DatabaseStateStore, RedisStateStore, StateRecord, StateStore


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


def test_database_store(app: Flask) -> None:
    from lti_tool.services import registrations

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


@pytest.mark.redis
def test_redis_store(redis_url: str) -> None:
    store = RedisStateStore(redis_url, prefix="swott-test:")
    record = StateRecord(state="s1", nonce="n1", platform_id=1)
    store.put(record)
    assert store.take("s1") == record and store.take("s1") is None
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is True
    assert store.consume_nonce(1, "n1", timedelta(minutes=5)) is False
