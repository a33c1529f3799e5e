"""What the LTI views share: the blueprint, the tool's URLs, the launch-state store and its cookie.

Also where the protocol layer meets the domain: `platforms()` hands `lti/` the registrations it may
see (`services.platform_directory`), so `lti/` never imports `services/` (issue 17).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app

from lti_tool import web
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platform_keys import PlatformKeyCache
from lti_tool.lti.platforms import PlatformDirectory, ToolUrls
from lti_tool.lti.state_store import StateStore, state_store
from lti_tool.services.platform_directory import RegistryDirectory, registry_ride_along

bp = Blueprint("lti", __name__, url_prefix="/lti")

STATE_COOKIE_PREFIX = "swott-lti-state-"
KEY_CACHE_EXTENSION = "swott.platform_keys"
# Seconds between platform key-set fetches per platform; tests of key rotation lower it.
MIN_KEY_REFRESH_CONFIG = "SWOTT_PLATFORM_KEYS_MIN_REFRESH"


def tool_urls() -> ToolUrls:
    return ToolUrls(web.settings().base_url)


def platforms() -> PlatformDirectory:
    """The registrations as the LTI steps see them, from this process's cached registry."""
    return RegistryDirectory(web.db_session())


def store() -> StateStore:
    return state_store(web.db_session(), web.settings().redis_url, registry_ride_along())


def key_cache() -> PlatformKeyCache:
    cache: PlatformKeyCache | None = current_app.extensions.get(KEY_CACHE_EXTENSION)
    if cache is None:
        seconds = int(current_app.config.get(MIN_KEY_REFRESH_CONFIG, 60))
        cache = current_app.extensions[KEY_CACHE_EXTENSION] = PlatformKeyCache(
            min_refresh=timedelta(seconds=seconds),
            policy=OutboundPolicy.for_environment(web.settings().production),
        )
    return cache


def secure() -> bool:
    return web.settings().base_url.startswith("https://")


def state_cookie(state: str) -> str:
    # One cookie per login, so two activities launched at once on one course page do not clobber each other.
    return STATE_COOKIE_PREFIX + state[:16]
