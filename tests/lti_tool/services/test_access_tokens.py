"""Access tokens: one signed token request per platform and scope set, shared by every worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lti_tool import migrate
from lti_tool.db import Database
from lti_tool.models import AccessToken, Platform, utcnow
from lti_tool.services.access_tokens import AccessTokens, PlatformEndpoint, TokenError
from sandbox_platform.script import SERVICES
from tests.lti_tool.services.passback_support import AGS_SCOPES, SCOPE_NRPS, seed_course, start_platform
from tests.lti_tool.services.sandbox_lms import SandboxLms


def _database(url: str) -> Database:
    migrate.upgrade(url)
    return Database(url)


def _endpoint(database: Database) -> PlatformEndpoint:
    with database.session() as session:
        platform = session.scalars(select(Platform)).one()
        return PlatformEndpoint.of(platform)


def _six_workers_at_once(fetch: Callable[[], str]) -> list[str]:
    """The tokens six threads get when they all ask at the same moment."""
    barrier = threading.Barrier(6)
    got: list[str] = []

    def worker() -> None:
        barrier.wait()
        got.append(fetch())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return got


@pytest.fixture
def short_lived(database: Database) -> Iterator[SandboxLms]:
    """A sandbox whose access tokens live five minutes."""
    platform = start_platform(database, access_token_lifetime=300)
    yield platform
    platform.stop()


def test_a_hundred_requests_make_one_signed_token_request(database: Database, ags: SandboxLms) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)
    tokens = AccessTokens(database)
    issued = {tokens.token(endpoint, AGS_SCOPES) for _ in range(100)}
    assert len(issued) == 1
    # The platform verified the client assertion against the tool's JWKS before issuing it.
    assert len(ags.platform.token_requests) == 1
    [token] = issued  # ... and it is a token the platform accepts
    assert ags.platform.check_access(f"Bearer {token}", AGS_SCOPES, None) is ags.tool


def test_workers_share_the_token_through_the_database(database: Database, ags: SandboxLms) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)
    first = AccessTokens(database).token(endpoint, AGS_SCOPES)
    second_process = Database(database.url)
    try:
        # Scope order does not matter: the same set is the same token.
        assert AccessTokens(second_process).token(endpoint, list(reversed(AGS_SCOPES))) == first
    finally:
        second_process.dispose()
    assert len(ags.platform.token_requests) == 1


def test_another_scope_set_gets_its_own_token(database: Database, ags: SandboxLms) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)
    tokens = AccessTokens(database)
    assert tokens.token(endpoint, AGS_SCOPES) != tokens.token(endpoint, [SCOPE_NRPS])
    assert len(ags.platform.token_requests) == 2


def test_an_expiring_token_is_replaced(database: Database, short_lived: SandboxLms) -> None:
    ags = short_lived
    seed_course(database, ags)
    endpoint = _endpoint(database)
    tokens = AccessTokens(database)
    first = tokens.token(endpoint, AGS_SCOPES)
    with database.session() as session:
        cached = session.scalars(select(AccessToken)).one()
        # Kept until a minute before the platform's expiry, never to the last second.
        assert cached.expires_at - cached.fetched_at == timedelta(seconds=240)
        cached.expires_at = utcnow() - timedelta(seconds=1)  # ... and that moment has come
        session.commit()
    assert tokens.token(endpoint, AGS_SCOPES) != first
    assert len(ags.platform.token_requests) == 2


def test_a_refused_assertion_and_an_outage_are_both_retried_later(database: Database, ags: SandboxLms) -> None:
    """invalid_client is what a platform answers when it could not fetch our JWKS to check the assertion
    (issue 15: under load, every web worker busy) - so it must never be final."""
    seed_course(database, ags)
    endpoint = _endpoint(database)
    wrong_client = PlatformEndpoint(endpoint.platform_id, "someone-else", endpoint.token_url)
    with pytest.raises(TokenError) as refused:
        AccessTokens(database).token(wrong_client, AGS_SCOPES)
    assert refused.value.retryable is True
    assert refused.value.status == 401
    assert "invalid_client" in str(refused.value)
    ags.script.fail(503, services=SERVICES)
    with pytest.raises(TokenError) as down:
        AccessTokens(database).token(endpoint, AGS_SCOPES)
    assert down.value.retryable is True
    ags.script.clear()
    ags.stop()
    with pytest.raises(TokenError) as refused_connection:
        AccessTokens(database).token(endpoint, AGS_SCOPES)
    assert refused_connection.value.retryable is True


def test_tokens_never_reach_the_logs(database: Database, ags: SandboxLms, caplog: pytest.LogCaptureFixture) -> None:
    seed_course(database, ags)
    caplog.set_level(logging.DEBUG)
    token = AccessTokens(database).token(_endpoint(database), AGS_SCOPES)
    assert token not in caplog.text
    assert "access token issued" in caplog.text


@pytest.mark.redis
def test_redis_shares_the_token_and_keeps_it_out_of_the_database(
    database: Database, ags: SandboxLms, redis_url: str
) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)
    workers = [AccessTokens(database, redis_url=redis_url) for _ in range(3)]
    try:
        assert len({w.token(endpoint, AGS_SCOPES) for w in workers for _ in range(10)}) == 1
    finally:
        for worker in workers:
            worker.close()
    assert len(ags.platform.token_requests) == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AccessToken)) == 0


@pytest.mark.postgres
def test_workers_starting_together_on_postgres_make_one_request(postgres_url: str) -> None:
    database = _database(postgres_url)
    ags = start_platform(database)
    try:
        seed_course(database, ags)
        endpoint = _endpoint(database)

        def fetch() -> str:
            own = Database(postgres_url)  # each worker process has its own connection pool
            try:
                return AccessTokens(own).token(endpoint, AGS_SCOPES)
            finally:
                own.dispose()

        got = _six_workers_at_once(fetch)
        assert len(got) == 6 and len(set(got)) == 1
        assert len(ags.platform.token_requests) == 1
    finally:
        ags.stop()
        database.dispose()


@pytest.mark.redis
def test_workers_starting_together_with_redis_make_one_request(
    database: Database, ags: SandboxLms, redis_url: str
) -> None:
    seed_course(database, ags)
    endpoint = _endpoint(database)

    def fetch() -> str:
        tokens = AccessTokens(database, redis_url=redis_url)
        try:
            return tokens.token(endpoint, AGS_SCOPES)
        finally:
            tokens.close()

    got = _six_workers_at_once(fetch)
    assert len(got) == 6 and len(set(got)) == 1
    assert len(ags.platform.token_requests) == 1
