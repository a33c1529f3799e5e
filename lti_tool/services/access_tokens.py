"""OAuth 2 access tokens for the LTI Advantage services (AGS, NRPS), shared by every process.

LTI Security Framework 1.0 §4.1: the tool asks the platform's token endpoint for a token with the
client-credentials grant, authenticating with a `client_assertion` JWT (RFC 7523 §2.2) signed by the
tool's current key: `iss` = `sub` = our client_id, `aud` = the token URL, a fresh `jti`, a short `exp`.

Platforms rate-limit token requests and some (Moodle) keep every token they issue, so one token per
platform and scope set is reused until shortly before it expires. The cache is shared by all gunicorn
workers and `swott worker` processes: the `access_token` table, or Redis when `SWOTT_REDIS_URL` is set.
While one process fetches a token the others wait for it (a PostgreSQL advisory lock, or a Redis lock),
so a cold start with several workers still makes one request.

Tokens are secrets: they are never logged, and errors name only the platform's OAuth error code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
import requests
from redis.exceptions import LockError, RedisError
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lti_tool.db import Database
from lti_tool.lti.service_client import (
    DEFAULT_TIMEOUT,
    PlatformEndpoint,
    ServiceError,
    http_session,
    request_token,
)
from lti_tool.models import AccessToken, utcnow
from lti_tool.services.keys import SIGNING_ALGORITHM, signing_key

log = logging.getLogger(__name__)

ASSERTION_LIFETIME = timedelta(minutes=5)
# Stop using a token this long before the platform says it expires, so a request never carries a token
# that expires on the way (at most half the lifetime, for platforms that issue very short tokens).
EXPIRY_MARGIN = timedelta(seconds=60)
LOCK_WAIT_SECONDS = 15.0

# The one error class of the LTI services (`lti.service_client`); the old name stays for readers.
TokenError = ServiceError


@dataclass(frozen=True)
class CachedToken:
    token: str
    usable_until: datetime


def scope_key(scopes: Iterable[str]) -> tuple[str, str]:
    """The scope set in a canonical order, and its SHA-256 (the cache key)."""
    joined = " ".join(sorted(set(scopes)))
    return joined, hashlib.sha256(joined.encode("utf-8")).hexdigest()


def client_assertion(database: Database, platform: PlatformEndpoint, now: datetime) -> str:
    """The RFC 7523 JWT that authenticates the tool to the platform's token endpoint."""
    with database.session() as session:
        key = signing_key(session, now)
        kid, pem = key.kid, key.private_pem
    issued = int(now.timestamp())
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_url,
        "iat": issued,
        "exp": issued + int(ASSERTION_LIFETIME.total_seconds()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, pem, algorithm=SIGNING_ALGORITHM, headers={"kid": kid})


class _DatabaseCache:
    """Tokens in the `access_token` table; on PostgreSQL fetches are serialised by an advisory lock."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.postgres = database.engine.dialect.name == "postgresql"

    def get(self, platform_id: int, key: str) -> CachedToken | None:
        with self.database.session() as session:
            row = session.get(AccessToken, (platform_id, key))
            return CachedToken(row.token, row.expires_at) if row else None

    def put(self, platform_id: int, key: str, scopes: str, cached: CachedToken, now: datetime) -> None:
        with self.database.session() as session:
            row = session.get(AccessToken, (platform_id, key))
            if row is None:
                session.add(
                    AccessToken(
                        platform_id=platform_id,
                        scope_key=key,
                        scopes=scopes,
                        token=cached.token,
                        expires_at=cached.usable_until,
                        fetched_at=now,
                    )
                )
            else:
                row.token, row.expires_at, row.fetched_at = cached.token, cached.usable_until, now
            try:
                session.commit()
            except IntegrityError:  # another process stored one at the same moment: theirs is as good
                session.rollback()

    def forget(self, platform_id: int, key: str, token: str) -> None:
        with self.database.session() as session:
            session.execute(
                delete(AccessToken).where(
                    AccessToken.platform_id == platform_id, AccessToken.scope_key == key, AccessToken.token == token
                )
            )
            session.commit()

    @contextmanager
    def fetching(self, platform_id: int, key: str) -> Iterator[None]:
        if not self.postgres:  # SQLite is the single-process embedded set-up: nothing to wait for
            yield
            return
        lock_id = int.from_bytes(
            hashlib.sha256(f"swott-token:{platform_id}:{key}".encode()).digest()[:8], "big", signed=True
        )
        with self.database.session() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
            yield
            session.commit()  # releases the lock


class _RedisCache:
    """Tokens in Redis with a TTL; a short `SET NX` lock makes other processes wait for one fetch."""

    def __init__(self, redis_url: str) -> None:
        import redis  # here, not at the top: the embedded default (no Redis) never loads the client

        self.client = redis.Redis.from_url(redis_url)

    @staticmethod
    def _name(platform_id: int, key: str) -> str:
        return f"swott:access-token:{platform_id}:{key}"

    def get(self, platform_id: int, key: str) -> CachedToken | None:
        raw = self.client.get(self._name(platform_id, key))
        if raw is None:
            return None
        data = json.loads(raw)
        return CachedToken(data["token"], datetime.fromisoformat(data["usable_until"]))

    def put(self, platform_id: int, key: str, scopes: str, cached: CachedToken, now: datetime) -> None:
        ttl_ms = max(1, int((cached.usable_until - now).total_seconds() * 1000))
        value = json.dumps({"token": cached.token, "usable_until": cached.usable_until.isoformat(), "scopes": scopes})
        self.client.set(self._name(platform_id, key), value, px=ttl_ms)

    def forget(self, platform_id: int, key: str, token: str) -> None:
        current = self.get(platform_id, key)
        if current is not None and current.token == token:
            self.client.delete(self._name(platform_id, key))

    @contextmanager
    def fetching(self, platform_id: int, key: str) -> Iterator[None]:
        # redis-py's Lock releases atomically (a Lua compare-and-delete), so a lock that expired and was
        # taken by another process is never released by us. If the holder takes too long, fetch anyway
        # rather than stall passback.
        lock = self.client.lock(self._name(platform_id, key) + ":lock", timeout=LOCK_WAIT_SECONDS)
        acquired = lock.acquire(blocking=True, blocking_timeout=LOCK_WAIT_SECONDS)
        try:
            yield
        finally:
            if acquired:
                with suppress(LockError):  # it expired meanwhile: nothing of ours to release
                    lock.release()

    def close(self) -> None:
        self.client.close()


class AccessTokens:
    """Hands out a valid access token for a platform and scope set, fetching one only when needed."""

    def __init__(
        self,
        database: Database,
        *,
        redis_url: str = "",
        http: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.cache: _DatabaseCache | _RedisCache = _RedisCache(redis_url) if redis_url else _DatabaseCache(database)
        self.http = http or http_session()
        self.timeout = timeout
        self.clock = clock

    def token(self, platform: PlatformEndpoint, scopes: Iterable[str]) -> str:
        """A token for exactly this scope set, from the shared cache or a new token request."""
        joined, key = scope_key(scopes)
        try:
            return self._token(platform, joined, key)
        except (SQLAlchemyError, RedisError) as error:
            # The shared cache is down: passback waits and retries rather than fetch a token per call.
            raise TokenError(f"token cache unavailable ({type(error).__name__})", status=None, retryable=True) from None

    def _token(self, platform: PlatformEndpoint, joined: str, key: str) -> str:
        cached = self.cache.get(platform.platform_id, key)
        if cached is not None and self.clock() < cached.usable_until:
            return cached.token
        with self.cache.fetching(platform.platform_id, key):
            cached = self.cache.get(platform.platform_id, key)  # fetched by another process meanwhile?
            now = self.clock()
            if cached is not None and now < cached.usable_until:
                return cached.token
            fresh = self._request(platform, joined, now)
            self.cache.put(platform.platform_id, key, joined, fresh, now)
            return fresh.token

    def forget(self, platform: PlatformEndpoint, scopes: Iterable[str], token: str) -> None:
        """Drop a token the platform refused (401), unless another process has already replaced it."""
        _joined, key = scope_key(scopes)
        self.cache.forget(platform.platform_id, key, token)

    def close(self) -> None:
        if isinstance(self.cache, _RedisCache):
            self.cache.close()
        self.http.close()

    def _request(self, platform: PlatformEndpoint, scopes: str, now: datetime) -> CachedToken:
        assertion = client_assertion(self.database, platform, now)
        issued = request_token(self.http, platform, scopes, assertion, timeout=self.timeout)
        margin = min(EXPIRY_MARGIN, issued.lifetime / 2)
        log.info(
            "access token issued by platform %s (lifetime %ss)",
            platform.platform_id,
            int(issued.lifetime.total_seconds()),
        )
        return CachedToken(issued.token, now + issued.lifetime - margin)


__all__ = ["DEFAULT_TIMEOUT", "AccessTokens", "PlatformEndpoint", "TokenError", "client_assertion", "scope_key"]
