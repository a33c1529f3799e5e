"""The platforms' public keys (their JWKS), cached in the database and refreshed on an unknown `kid`.

Platforms rotate keys; a launch signed with a key we have not seen names a new `kid`. pylti1p3 caches
the key set and never looks again, so every launch fails until a restart. Here an unknown `kid` triggers
one re-fetch — at most once per `min_refresh` per platform, so a stream of forged tokens with random kids
cannot make us hammer the platform (LTI Security 1.0 §6.3) — and the cache is also renewed after
`max_age` so a key the platform withdrew stops being accepted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from lti_tool.lti import outbound
from lti_tool.lti.outbound import GuardedSession, OutboundPolicy
from lti_tool.models import Platform, utcnow

log = logging.getLogger(__name__)


class KeySetUnavailable(Exception):
    """The platform's key set URL did not answer with a JWK Set."""


def fetch_key_set(url: str, policy: OutboundPolicy, http: GuardedSession | None = None) -> dict[str, Any]:
    """The platform's JWK Set, fetched through the outbound guard (public https addresses, size and time
    limits, no redirects); `KeySetUnavailable` says why in a reason code, never the network's words."""
    try:
        status, data = outbound.fetch_json("GET", url, policy, what="platform's keyset URL", session=http)
    except outbound.OutboundRefused as error:
        raise KeySetUnavailable(error.reason) from None
    if status >= 400:
        raise KeySetUnavailable(f"http_{status}")
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeySetUnavailable("not a JWK Set")
    return data


def _find(key_set: dict[str, Any] | None, kid: str) -> dict[str, Any] | None:
    for key in (key_set or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


class PlatformKeyCache:
    def __init__(
        self,
        min_refresh: timedelta = timedelta(seconds=60),
        max_age: timedelta = timedelta(days=1),
        http: GuardedSession | None = None,
        policy: OutboundPolicy | None = None,
    ) -> None:
        self.min_refresh = min_refresh
        self.max_age = max_age
        self.http = http
        # Production's rules unless told otherwise: the caller passes the development policy explicitly.
        self.policy = policy or OutboundPolicy.production()

    def _stale(self, fetched_at: datetime | None, now: datetime) -> bool:
        return fetched_at is None or now - fetched_at >= self.max_age

    def _may_refresh(self, fetched_at: datetime | None, now: datetime) -> bool:
        return fetched_at is None or now - fetched_at >= self.min_refresh

    def key_for(self, session: Session, platform: Platform, kid: str) -> dict[str, Any] | None:
        """The platform's JWK named `kid`, fetching the key set when needed; None if it has no such key."""
        now = utcnow()
        cached = _find(platform.key_set, kid)
        if cached is not None and not self._stale(platform.key_set_fetched_at, now):
            return cached
        if not self._may_refresh(platform.key_set_fetched_at, now):
            log.info("platform key refresh skipped (rate limit): platform=%s", platform.id)
            return cached
        try:
            key_set = fetch_key_set(platform.key_set_url, self.policy, self.http)
        except KeySetUnavailable:
            if cached is None:
                raise
            # A platform whose JWKS endpoint is briefly down keeps launching with the key we know.
            log.warning("platform key set unreachable, using the cached key: platform=%s", platform.id)
            return cached
        self._store(session, platform, key_set, now)
        return _find(key_set, kid)

    @staticmethod
    def _store(session: Session, platform: Platform, key_set: dict[str, Any], now: datetime) -> None:
        # Committed on its own: the cache (and the rate limit) must hold even if this launch is refused.
        with Session(bind=session.get_bind()) as own:
            row = own.get(Platform, platform.id)
            if row is not None:
                row.key_set = key_set
                row.key_set_fetched_at = now
                own.commit()
        # Update the caller's copy without marking it dirty: flushing it would hold a write lock (SQLite)
        # for the rest of the caller's transaction.
        set_committed_value(platform, "key_set", key_set)
        set_committed_value(platform, "key_set_fetched_at", now)
        log.info("platform key set fetched: platform=%s keys=%d", platform.id, len(key_set["keys"]))
