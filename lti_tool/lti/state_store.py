"""Launch state (OIDC `state` + `nonce`) and consumed nonces, shared by every worker.

LTI Security 1.0 §5.1.1.2 has the tool remember the state and nonce it sent with the authentication
request; a launch is only valid with the state we issued, and a nonce may be used once. pylti1p3 keeps
these in the web session and never marks a nonce used, so a replayed id_token is accepted. Here both
live in the database (embedded default) or Redis (`SWOTT_REDIS_URL`), never in process memory, and
`take` and `consume_nonce` are atomic, so two workers cannot both accept the same launch.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from lti_tool.models import LaunchState, UsedNonce, utcnow

STATE_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class StateRecord:
    """What the login remembered for the launch that follows it."""

    state: str
    nonce: str
    platform_id: int
    # Login parameters kept to offer "continue in a new window" and to check target_link_uri.
    login: dict[str, str] = field(default_factory=dict)
    # Platform storage (LTI Client Side postMessages): the frame to talk to, and a hash of the value
    # put there, so a launch without our cookie can prove it comes from the browser that logged in.
    storage_target: str = ""
    storage_hash: str = ""


class StateStore(Protocol):
    def put(self, record: StateRecord, ttl: timedelta = STATE_TTL) -> None: ...

    def get(self, state: str) -> StateRecord | None: ...

    def take(self, state: str) -> StateRecord | None:
        """Return and delete the record in one step: only one request can take a state (the database
        store does it in the caller's transaction, committed with the launch)."""
        ...

    def consume_nonce(self, platform_id: int, nonce: str, ttl: timedelta) -> bool:
        """Mark the nonce used; False if it was used before (the database store: in the caller's
        transaction, like `take`)."""
        ...


@dataclass(frozen=True)
class RideAlong:
    """A scalar another part of the app wants read in the same statement as the launch state.

    The launch reads its state first; a cache that needs one cheap value per request (the registry
    version, `services.platform_directory.registry_ride_along`) rides along and is told the value, so
    the launch makes one statement fewer. Passed in, so this module needs no domain import.
    """

    column: Callable[[], ScalarSelect[Any]]
    note: Callable[[Session, Any], None]


_COLUMNS = (LaunchState.state, LaunchState.nonce, LaunchState.platform_id, LaunchState.data, LaunchState.expires_at)


def _record_from_row(row: Any) -> StateRecord:
    data = dict(row.data or {})
    return StateRecord(
        state=row.state,
        nonce=row.nonce,
        platform_id=row.platform_id,
        login=dict(data.get("login", {})),
        storage_target=str(data.get("storage_target", "")),
        storage_hash=str(data.get("storage_hash", "")),
    )


class DatabaseStateStore:
    """State in `launch_state`, nonces in `used_nonce`, each call one statement in the caller's session.

    `put` commits (the login has nothing else to write). `take` and `consume_nonce` do not: they are
    committed by the launch together with its rows, or rolled back with a refused launch, which so
    writes nothing (issue 9, defect 3). Two workers racing for one state or nonce still cannot both
    win: the second DELETE finds no row, and the second INSERT meets the primary key and does nothing
    (PostgreSQL makes it wait for the first transaction to end before deciding).
    """

    # Expired rows are deleted on one login in this many, so a login is usually one INSERT.
    HOUSEKEEPING_EVERY = 64

    def __init__(self, session: Session, ride_along: RideAlong | None = None) -> None:
        self._session = session
        self._ride_along = ride_along

    def put(self, record: StateRecord, ttl: timedelta = STATE_TTL) -> None:
        now = utcnow()
        data = {"login": record.login, "storage_target": record.storage_target, "storage_hash": record.storage_hash}
        session = self._session
        if secrets.randbelow(self.HOUSEKEEPING_EVERY) == 0:
            session.execute(delete(LaunchState).where(LaunchState.expires_at < now))
            session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
        session.execute(
            insert(LaunchState).values(
                state=record.state, nonce=record.nonce, platform_id=record.platform_id, data=data, expires_at=now + ttl
            )
        )
        session.commit()

    def get(self, state: str) -> StateRecord | None:
        # A ride-along value (a scalar subquery, e.g. of the one-row registry version table) comes in the
        # same statement, so the launch that follows needs no read of its own for it.
        extra = [self._ride_along.column().label("ride_along")] if self._ride_along else []
        row = self._session.execute(
            select(*_COLUMNS, *extra).select_from(LaunchState).where(LaunchState.state == state)
        ).first()
        if row is None:
            return None
        if self._ride_along is not None:
            self._ride_along.note(self._session, row.ride_along)
        if row.expires_at < utcnow():
            return None
        return _record_from_row(row)

    def take(self, state: str) -> StateRecord | None:
        # The DELETE decides the race between two workers taking the same state.
        row = self._session.execute(delete(LaunchState).where(LaunchState.state == state).returning(*_COLUMNS)).first()
        if row is None or row.expires_at < utcnow():
            return None
        return _record_from_row(row)

    def consume_nonce(self, platform_id: int, nonce: str, ttl: timedelta) -> bool:
        dialect = self._session.get_bind().dialect.name
        insert_nonce = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = self._session.execute(
            insert_nonce(UsedNonce)
            .values(platform_id=platform_id, nonce=nonce, expires_at=utcnow() + ttl)
            .on_conflict_do_nothing(index_elements=["nonce", "platform_id"])
            .returning(UsedNonce.nonce)
        )
        # RETURNING, not rowcount: the drivers do not agree on the row count of DO NOTHING.
        return result.first() is not None


class RedisStateStore:
    """State and nonces as expiring Redis keys (SET NX for nonces, GETDEL for states)."""

    def __init__(self, url: str, prefix: str = "swott:lti:") -> None:
        import redis  # here, not at the top: the embedded default (no Redis) never loads the client

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def put(self, record: StateRecord, ttl: timedelta = STATE_TTL) -> None:
        self._redis.set(self._prefix + "state:" + record.state, json.dumps(asdict(record)), ex=ttl)

    def _load(self, raw: Any) -> StateRecord | None:
        if raw is None:
            return None
        return StateRecord(**json.loads(raw))

    def get(self, state: str) -> StateRecord | None:
        return self._load(self._redis.get(self._prefix + "state:" + state))

    def take(self, state: str) -> StateRecord | None:
        return self._load(self._redis.getdel(self._prefix + "state:" + state))

    def consume_nonce(self, platform_id: int, nonce: str, ttl: timedelta) -> bool:
        key = f"{self._prefix}nonce:{platform_id}:{nonce}"
        return bool(self._redis.set(key, "1", nx=True, ex=max(ttl, timedelta(seconds=1))))


def state_store(session: Session, redis_url: str = "", ride_along: RideAlong | None = None) -> StateStore:
    """Redis when configured (production), else the database (embedded default, with `ride_along`)."""
    if redis_url:
        return _redis_store(redis_url)
    return DatabaseStateStore(session, ride_along)


_REDIS_STORES: dict[str, RedisStateStore] = {}


def _redis_store(url: str) -> RedisStateStore:
    # One client (and so one connection pool) per URL and process.
    store = _REDIS_STORES.get(url)
    if store is None:
        store = _REDIS_STORES[url] = RedisStateStore(url)
    return store
