"""OIDC third-party initiated login (LTI Security 1.0 §5.1.1, LTI Core 1.3 §4.1).

The platform sends `iss`, `login_hint`, `target_link_uri` (and maybe `client_id`, `lti_deployment_id`,
`lti_message_hint`, `lti_storage_target`). We remember a fresh state and nonce in the shared store and
send the browser to the platform's authentication endpoint with an OIDC implicit-flow request
(§5.1.1.2: scope=openid, response_type=id_token, response_mode=form_post, prompt=none).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from lti_tool.lti import claims
from lti_tool.lti.launch import PLATFORM_NOT_APPROVED, LaunchRejected
from lti_tool.lti.platforms import PlatformDirectory, origin
from lti_tool.lti.state_store import StateRecord, StateStore

MAX_PARAMETER = 2048
LOGIN_PARAMETERS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "lti_storage_target",
)


def storage_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    state: str
    storage_target: str = ""
    storage_secret: str = ""


def begin_login(
    platforms: PlatformDirectory, store: StateStore, params: Mapping[str, str], redirect_uri: str, base_url: str
) -> LoginRedirect:
    login = {k: str(params[k]) for k in LOGIN_PARAMETERS if params.get(k)}
    # Echoed to the platform exactly, so never altered: a value too long or with control characters
    # (NUL breaks PostgreSQL text) is refused before it reaches the state store.
    if any(claims.clean_identifier(v, MAX_PARAMETER) is None for v in login.values()):
        raise LaunchRejected("login_bad_parameter")
    issuer = login.get("iss", "")
    if not issuer or not login.get("login_hint") or not login.get("target_link_uri"):
        raise LaunchRejected("login_missing_parameter")
    client_id = login.get("client_id")
    if client_id:
        platform = platforms.find_platform(issuer, client_id)
    else:
        # Moodle (before 4.x) omits client_id; that only works when the issuer has one registration.
        candidates = platforms.platforms_for_issuer(issuer)
        platform = candidates[0] if len(candidates) == 1 else None
    if platform is None:
        raise LaunchRejected(
            "login_unknown_platform",
            "Your learning platform is not registered with SWOTT Connect.",
            status=401,
        )
    if not platforms.may_launch(platform):
        raise LaunchRejected("platform_not_approved", PLATFORM_NOT_APPROVED, status=403)
    if origin(login["target_link_uri"]) != origin(base_url):
        raise LaunchRejected("login_foreign_target")

    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    target = login.get("lti_storage_target", "")
    secret = secrets.token_urlsafe(24) if target else ""
    store.put(
        StateRecord(
            state=state,
            nonce=nonce,
            platform_id=platform.id,
            login=login,
            storage_target=target,
            storage_hash=storage_hash(secret) if secret else "",
        )
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if "lti_message_hint" in login:
        query["lti_message_hint"] = login["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginRedirect(
        url=platform.auth_login_url + separator + urlencode(query),
        state=state,
        storage_target=target,
        storage_secret=secret,
    )
