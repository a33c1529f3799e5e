"""The one authenticated client for the LTI Advantage services (AGS 2.0, NRPS 2.0).

Every service call is the same dance, written here once:

1. an OAuth 2 access token from the platform's token endpoint, by the client-credentials grant with a
   signed `client_assertion` JWT (LTI Security Framework 1.0 §4.1; RFC 7523 §2.2) — the token cache
   and the signing key belong to the caller (`TokenProvider`), the request itself is `request_token`;
2. the service request with `Authorization: Bearer …` (AGS 2.0 §3.1, NRPS 2.0 §2);
3. a 401 means the platform dropped our token early (Moodle deletes tokens on its own schedule): the
   token is forgotten and the call made once more with a fresh one;
4. one rule for what is worth retrying later (`retryable_status`), and one error class
   (`ServiceError`) carrying the HTTP status, whether a retry can help and the platform's Retry-After.

All outbound HTTP of this layer goes through `http_session()`, so a network guard (the SSRF rules of
`lti/outbound.py`) plugs in at one place. This module never imports `lti_tool.services` or
`lti_tool.views`: the domain depends on the protocol layer, not the other way round.

Tokens are secrets: they never appear in a message, a log line or an exception.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import requests

from lti_tool.lti import outbound
from lti_tool.models import Platform
from lti_tool.settings import ConfigurationError, load_settings

log = logging.getLogger(__name__)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 10.0)
DEFAULT_LIFETIME = timedelta(hours=1)  # RFC 6749 §5.1 makes expires_in optional
# How much of an error body is kept for the caller to inspect (never logged, never shown).
ERROR_BODY_LIMIT = 2048
# RFC 6749 §5.2 error codes that mean "your credentials did not check out *this time*". A platform
# verifies our client assertion against our JWKS, fetched from us over HTTP: when it cannot reach it
# (the tool busy or restarting, a proxy in between) it answers 400/401 invalid_client although nothing
# is wrong. So these are retried with backoff, never final (issue 15: a cold cache under load).
TRANSIENT_OAUTH_ERRORS = frozenset({"invalid_client", "invalid_grant", "temporarily_unavailable", "server_error"})


def retryable_status(status: int) -> bool:
    """The one retry rule: request timeout, too early, too many requests and every server error."""
    return status in (408, 425, 429) or status >= 500


class ServiceError(Exception):
    """An LTI service (token, AGS, NRPS) call that did not succeed.

    `status` is the HTTP status (None when no answer came), `retryable` whether trying again later can
    help, `retry_after` the platform's Retry-After in seconds, `sent` whether the request may have
    reached the platform (a read timeout: it may have been applied), and `body` the first part of an
    error answer for callers that read a platform's reason (never put in the message).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        retryable: bool,
        retry_after: float | None = None,
        sent: bool = False,
        body: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.sent = sent
        self.body = body


@dataclass(frozen=True)
class PlatformEndpoint:
    """What the tool needs to ask one platform for tokens (no secrets: the key is the tool's own)."""

    platform_id: int
    client_id: str
    token_url: str

    @classmethod
    def of(cls, platform: Platform) -> PlatformEndpoint:
        return cls(platform_id=platform.id, client_id=platform.client_id, token_url=platform.auth_token_url)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    lifetime: timedelta


class TokenProvider(Protocol):
    """Hands out a valid access token for a platform and scope set (the caller's shared cache)."""

    def token(self, platform: PlatformEndpoint, scopes: Iterable[str]) -> str: ...

    def forget(self, platform: PlatformEndpoint, scopes: Iterable[str], token: str) -> None: ...

    def close(self) -> None: ...


def http_session() -> requests.Session:
    """The HTTP session every outbound LTI service request uses: the network guard (`outbound`).

    In production only public https addresses are reached (issue 9: token, AGS and NRPS calls go only
    where a platform's registration points, never into the operator's network); in development loopback
    is allowed so the sandbox platform works. The environment decides, as for every setting; a
    configuration that cannot be read gets the production rules (the safe side).
    """
    try:
        production = load_settings().production
    except ConfigurationError:
        production = True
    return outbound.GuardedSession(outbound.OutboundPolicy.for_environment(production))


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _unreachable(what: str, error: requests.RequestException) -> ServiceError:
    # A read timeout means the request went out and no answer came: the platform may have applied it.
    sent = isinstance(error, requests.ReadTimeout)
    return ServiceError(f"{what} not reachable ({type(error).__name__})", status=None, retryable=True, sent=sent)


def request_token(
    http: requests.Session,
    platform: PlatformEndpoint,
    scopes: str,
    assertion: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> IssuedToken:
    """Ask the platform's token endpoint for a token (client-credentials grant with a JWT assertion)."""
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scopes,
    }
    try:
        response = http.post(platform.token_url, data=form, headers={"Accept": "application/json"}, timeout=timeout)
    except requests.RequestException as error:
        raise _unreachable("token endpoint", error) from None
    if response.status_code != 200:
        code = oauth_error(response)
        raise ServiceError(
            f"token request refused: HTTP {response.status_code} {code}".rstrip(),
            status=response.status_code,
            retryable=retryable_status(response.status_code) or code in TRANSIENT_OAUTH_ERRORS,
            retry_after=retry_after(response),
        )
    try:
        body = response.json()
        token = body["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ServiceError("token endpoint answered without an access_token", status=200, retryable=False) from None
    return IssuedToken(token, _lifetime(body.get("expires_in")))


def _lifetime(expires_in: Any) -> timedelta:
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return timedelta(seconds=seconds) if seconds > 0 else DEFAULT_LIFETIME


def oauth_error(response: requests.Response) -> str:
    """The RFC 6749 §5.2 error code only: the description may echo request data."""
    try:
        error = response.json().get("error", "")
    except (ValueError, AttributeError):
        return ""
    return str(error)[:64] if isinstance(error, str) else ""


class LtiServiceClient:
    """Authenticated requests to one platform's LTI services, with shared, reused access tokens."""

    def __init__(
        self,
        tokens: TokenProvider,
        *,
        http: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.tokens = tokens
        self.http = http or http_session()
        self.timeout = timeout

    def request(
        self,
        platform: PlatformEndpoint,
        scopes: Sequence[str],
        method: str,
        url: str,
        *,
        what: str,
        json_body: dict[str, Any] | None = None,
        content_type: str = "",
        accept: str = "",
    ) -> requests.Response:
        """One authenticated request; the 2xx response, else `ServiceError` (`what` names the call)."""
        for attempt in (1, 2):
            token = self.tokens.token(platform, scopes)
            headers = {"Authorization": f"Bearer {token}"}
            if content_type:
                headers["Content-Type"] = content_type
            if accept:
                headers["Accept"] = accept
            try:
                response = self.http.request(
                    method,
                    url,
                    headers=headers,
                    data=None if json_body is None else json.dumps(json_body, separators=(",", ":")).encode(),
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                raise _unreachable("platform", error) from None
            if response.status_code == 401 and attempt == 1:
                self.tokens.forget(platform, scopes, token)
                continue
            if 200 <= response.status_code < 300:
                return response
            raise ServiceError(
                f"{what} refused: HTTP {response.status_code}",
                status=response.status_code,
                retryable=retryable_status(response.status_code),
                retry_after=retry_after(response),
                body=response.text[:ERROR_BODY_LIMIT],
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.http.close()
