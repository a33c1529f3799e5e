"""Launch state (OIDC `state` + `nonce`) and consumed nonces, shared by every worker.

LTI Security 1.0 §5.1.1.2 has the tool remember the state and nonce it sent with the authentication
request; a launch is only valid with the state we issued, and a nonce may be used once. pylti1p3 keeps
these in the web session and never marks a nonce used, so a replayed id_token is accepted. Here both
live in the database (embedded default) or Redis (`SWOTT_REDIS_URL`), never in process memory, and
`take` and `consume_nonce` are atomic, so two workers cannot both accept the same launch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
        """Return and delete the record in one step: only one request can take a state."""
        ...

    def consume_nonce(self, platform_id: int, nonce: str, ttl: timedelta) -> bool:
        """Mark the nonce used; False if it was used before."""
        ...


def _record_from_row(row: LaunchState) -> StateRecord:
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
    """State in `launch_state`, nonces in `used_nonce`; each call commits in its own session."""

    def __init__(self, session: Session) -> None:
        self._bind = session.get_bind()

    def _session(self) -> Session:
        return Session(bind=self._bind, expire_on_commit=False)

    def put(self, record: StateRecord, ttl: timedelta = STATE_TTL) -> None:
        now = utcnow()
        data = {"login": record.login, "storage_target": record.storage_target, "storage_hash": record.storage_hash}
        with self._session() as session:
            # Housekeeping on the write path: expired states and nonces go, so the tables stay small.
            session.execute(delete(LaunchState).where(LaunchState.expires_at < now))
            session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
            session.add(
                LaunchState(
                    state=record.state,
                    nonce=record.nonce,
                    platform_id=record.platform_id,
                    data=data,
                    expires_at=now + ttl,
                )
            )
            session.commit()

    def get(self, state: str) -> StateRecord | None:
        with self._session() as session:
            row = session.get(LaunchState, state)
            if row is None or row.expires_at < utcnow():
                return None
            return _record_from_row(row)

    def take(self, state: str) -> StateRecord | None:
        with self._session() as session:
            row = session.get(LaunchState, state)
            if row is None:
                return None
            record = _record_from_row(row)
            expired = row.expires_at < utcnow()
            # The DELETE's row count decides the race between two workers taking the same state.
            deleted = session.execute(delete(LaunchState).where(LaunchState.state == state)).rowcount  # type: ignore[attr-defined]
            session.commit()
            return record if deleted == 1 and not expired else None

    def consume_nonce(self, platform_id: int, nonce: str, ttl: timedelta) -> bool:
        with self._session() as session:
            if session.scalar(
                select(UsedNonce.nonce).where(UsedNonce.platform_id == platform_id, UsedNonce.nonce == nonce)
            ):
                return False
            session.add(UsedNonce(platform_id=platform_id, nonce=nonce, expires_at=utcnow() + ttl))
            try:
                session.commit()
            except IntegrityError:  # another worker consumed it between our SELECT and INSERT
                session.rollback()
                return False
            return True


class RedisStateStore:
    """State and nonces as expiring Redis keys (SET NX for nonces, GETDEL for states)."""

    def __init__(self, url: str, prefix: str = "swott:lti:") -> None:
        import redis

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


def state_store(session: Session, redis_url: str = "") -> StateStore:
    """Redis when configured (production), else the database (embedded default)."""
    if redis_url:
        return _redis_store(redis_url)
    return DatabaseStateStore(session)


_REDIS_STORES: dict[str, RedisStateStore] = {}


def _redis_store(url: str) -> RedisStateStore:
    # One client (and so one connection pool) per URL and process.
    store = _REDIS_STORES.get(url)
    if store is None:
        store = _REDIS_STORES[url] = RedisStateStore(url)
    return store
