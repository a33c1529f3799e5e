"""The platform key cache: refresh on an unknown kid, at most once per interval, and fall back to the
cached key when the platform's JWKS endpoint is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from lti_tool import web
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platform_keys import KeySetUnavailable, PlatformKeyCache
from lti_tool.services import registrations
from sandbox_platform.forge import Forge, SigningKey


def _platform(app: Flask, key_set_url: str) -> int:
    with app.app_context():
        row = registrations.add_platform(
            web.db_session(),
            issuer="http://127.0.0.1:1",
            client_id="c",
            auth_login_url="http://127.0.0.1:1/auth",
            auth_token_url="http://127.0.0.1:1/token",
            key_set_url=key_set_url,
        )
        return row.id


def test_unknown_kid_fetches_once_per_interval(app: Flask, lti_platform: Forge) -> None:
    platform_id = _platform(app, lti_platform.jwks_url)
    cache = PlatformKeyCache(min_refresh=timedelta(hours=1), policy=OutboundPolicy.development())
    with app.app_context():
        session = web.db_session()
        platform = registrations.find_platform(session, "http://127.0.0.1:1", "c")
        assert platform is not None and platform.id == platform_id
        assert cache.key_for(session, platform, lti_platform.key.kid) == lti_platform.key.public_jwk()
        assert cache.key_for(session, platform, "forged-1") is None
        assert cache.key_for(session, platform, "forged-2") is None
    assert lti_platform.jwks_requests == 1


def test_stale_cache_survives_a_platform_outage(app: Flask) -> None:
    key = SigningKey()
    _platform(app, "http://127.0.0.1:9/jwks")  # nothing listens on port 9
    cache = PlatformKeyCache(min_refresh=timedelta(0), max_age=timedelta(0), policy=OutboundPolicy.development())
    with app.app_context():
        session = web.db_session()
        platform = registrations.find_platform(session, "http://127.0.0.1:1", "c")
        assert platform is not None
        platform.key_set = {"keys": [key.public_jwk()]}
        session.commit()
        assert cache.key_for(session, platform, key.kid) == key.public_jwk()
        with pytest.raises(KeySetUnavailable):
            cache.key_for(session, platform, "unknown")
