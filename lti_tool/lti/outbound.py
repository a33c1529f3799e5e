"""The one guard for every request the tool makes to a platform (OpenID configuration, JWKS, token, AGS, NRPS).

Whoever calls `GET /lti/register` names the address we fetch, and a registered platform names its token,
AGS and NRPS endpoints: without a guard the tool is a server-side request forgery gadget (OWASP ASVS
4.0.3 V12.6.1, CWE-918) that reads cloud metadata (169.254.169.254), internal admin pages, or scans ports and
reports what it found. So, in production:

- only `https://` URLs, without credentials in them;
- only hosts that resolve to public addresses: no loopback, private (RFC 1918), link-local, CGNAT
  (RFC 6598), multicast, reserved, documentation, IPv6 unique-local (RFC 4193) or IPv4-mapped forms of
  these. The check is made on the address we then connect to: the host name is resolved once, checked,
  and the connection is made to that very address (the TLS certificate is still checked against the
  name), so a DNS answer that changes between check and connect ("DNS rebinding") gains nothing;
- connect and read time limits, a limit on the whole answer's time, and a size cap on the answer;
- redirects are never followed (a 3xx comes back to the caller, which treats it as a refusal);
- proxies and `.netrc` from the environment are ignored (`trust_env = False`): a proxy would connect on
  our behalf to an address we never checked;
- errors say what failed in a sentence and never describe the network ("connection refused to
  10.0.0.5:22"): an unreachable host, a refused address and a timeout read the same to the caller.

In development and tests (`OutboundPolicy.allow_loopback`, on when `SWOTT_ENV` is not `production`)
loopback addresses, and plain `http://` to them, are allowed too, so the sandbox platform and the test
platforms on 127.0.0.1 still work; private and other non-public addresses stay refused.

Pinning the resolved address in the connection pool key is done by `requests-hardened` (Saleor's
hardened `requests` session); this module adds the stricter address rules above, the size and total time
limits, and the plain messages. Facts and sources: docs/outbound-requests.md.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

log = logging.getLogger(__name__)

CHUNK = 16 * 1024
USER_AGENT = "SWOTT-Connect (LTI 1.3 tool)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges Python's `is_global` lets through that no platform lives in (checked after `is_global`).
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",  # CGNAT, RFC 6598: routes to the provider's internal hosts
        "192.0.0.0/24",  # IETF protocol assignments, RFC 6890
        "192.88.99.0/24",  # 6to4 relay anycast, RFC 7526
        "64:ff9b::/96",  # NAT64, RFC 6052: would reach any IPv4 address, private ones included
        "64:ff9b:1::/48",  # local-use NAT64, RFC 8215
        "2002::/16",  # 6to4, RFC 3056: embeds an IPv4 address
        "fec0::/10",  # deprecated site-local, RFC 3879
    )
)


class OutboundRefused(requests.RequestException):
    """A request the guard would not make, or an answer it would not read; the message is for people.

    A `requests.RequestException`, so code that already treats network failures as "the platform did
    not answer" handles these the same way. `reason` is a stable code for the log.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class OutboundPolicy:
    """What the guard allows. `production()` for live use; `development()` adds loopback for the sandbox."""

    allow_loopback: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    # The whole answer must arrive within this: a read timeout alone lets a server drip one byte at a time.
    total_timeout: float = 20.0
    # Platform JSON (configuration, JWKS, tokens, a page of NRPS members) is far below this.
    max_bytes: int = 2 * 1024 * 1024

    @classmethod
    def production(cls) -> OutboundPolicy:
        return cls(allow_loopback=False)

    @classmethod
    def development(cls) -> OutboundPolicy:
        return cls(allow_loopback=True)

    @classmethod
    def for_environment(cls, production: bool) -> OutboundPolicy:
        return cls.production() if production else cls.development()

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet: not loopback, private, link-local, CGNAT, multicast,
    reserved, documentation, unique-local, site-local, NAT64/6to4, nor an IPv4-mapped form of these."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast or address.is_unspecified:
        return False
    return not any(address in net for net in _NOT_PUBLIC if net.version == address.version)


def address_allowed(address: IPAddress, policy: OutboundPolicy) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if policy.allow_loopback and address.is_loopback:
        return True
    return is_public_address(address)


def unreachable(what: str) -> str:
    # One sentence for a refused address, a host that does not resolve, a refused connection and a timeout:
    # telling them apart would let the caller map our network.
    return f"the {what} could not be reached: it must be a public https:// address that answers within a few seconds"


def is_loopback(host: str) -> bool:
    """True for "localhost" and for a loopback IP address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, policy: OutboundPolicy, what: str = "address") -> str:
    """The URL, stripped, if the guard may request it (before any connection); else `OutboundRefused`.

    https:// only (plain http:// only to loopback when the policy allows loopback), no user name or
    password in it, and an IP literal must itself be allowed. Host names are checked when connecting.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise OutboundRefused("bad_url", f"the {what} is not a web address (https://...)") from None
    if parts.scheme not in ("http", "https") or not host:
        raise OutboundRefused("bad_url", f"the {what} is not a full web address (https://...)")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("credentials_in_url", f"the {what} must not contain a user name or password")
    if parts.scheme == "http" and not (policy.allow_loopback and is_loopback(host)):
        message = f"the {what} must use https://"
        if policy.allow_loopback:
            message += " (plain http:// is allowed only on 127.0.0.1 in development)"
        raise OutboundRefused("not_https", message)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not address_allowed(literal, policy):
        log.info("outbound request refused: reason=address_not_public")
        raise OutboundRefused("address_not_public", unreachable(what))
    return url


class _PinnedAddressAdapter(IPFilterAdapter):  # type: ignore[misc]  # requests-hardened ships no types
    """requests-hardened's adapter (resolve once, connect to that address), with this module's rules."""

    def __init__(self, is_https: bool, policy: OutboundPolicy) -> None:
        super().__init__(is_https_proto=is_https, allow_loopback=policy.allow_loopback)
        self._policy = policy

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        except InvalidIPAddress:
            raise OutboundRefused("address_not_public", "address not allowed") from None
        # The host here is the one address the connection will be made to (brackets around IPv6).
        pinned = ipaddress.ip_address(str(host_params["host"]).strip("[]"))
        if not address_allowed(pinned, self._policy):
            raise OutboundRefused("address_not_public", "address not allowed")
        return host_params, pool_kwargs


class GuardedSession(HTTPSession):  # type: ignore[misc]  # requests-hardened ships no types
    """A `requests.Session` that only reaches allowed addresses, never redirects, and caps answers.

    Use it where a `requests.Session` is expected (`GradeService(http=...)`, `RosterService`, the token
    client). Refusals are `OutboundRefused` (a `requests.RequestException`) with a plain message.
    """

    def __init__(self, policy: OutboundPolicy) -> None:
        super().__init__(
            Config(
                ip_filter_enable=True,
                ip_filter_allow_loopback_ips=policy.allow_loopback,
                never_redirect=True,
                default_timeout=policy.timeout,
                user_agent_override=USER_AGENT,
            )
        )
        self.policy = policy
        self.trust_env = False
        # A compressed answer is capped after decompression anyway; asking for none keeps bombs small.
        self.headers["Accept-Encoding"] = "identity"
        self.mount("http://", _PinnedAddressAdapter(False, policy))
        self.mount("https://", _PinnedAddressAdapter(True, policy))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        check_url(url.decode() if isinstance(url, bytes) else url, self.policy)
        kwargs["allow_redirects"] = False
        response: requests.Response = super().request(method, url, *args, **kwargs)
        return response

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        timeout = kwargs.get("timeout")
        if not timeout:
            kwargs["timeout"] = self.policy.timeout
        started = time.monotonic()
        response: requests.Response = super().send(request, **kwargs)
        try:
            _read_capped(response, self.policy, started)
        finally:
            response.close()
        return response


def _read_capped(response: requests.Response, policy: OutboundPolicy, started: float) -> None:
    """Read the body into the response (so `.json()` works), refusing more than `max_bytes` or too slow."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise OutboundRefused("answer_too_large", "the answer is larger than we accept")
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > policy.max_bytes:
            raise OutboundRefused("answer_too_large", "the answer is larger than we accept")
        if time.monotonic() - started > policy.total_timeout:
            raise OutboundRefused("answer_too_slow", "the answer took too long")
    response._content = bytes(body)


def describe(error: requests.RequestException, what: str) -> str:
    """A sentence for a failed request that never names an address, port or the network's own words."""
    if isinstance(error, OutboundRefused):
        if error.reason == "answer_too_large":
            return f"the {what} answer is larger than we accept"
        if error.reason in ("bad_url", "credentials_in_url", "not_https"):
            return error.message
    return unreachable(what)


def reason_of(error: requests.RequestException) -> str:
    """A stable code for the log: the guard's reason, or the kind of network failure."""
    if isinstance(error, OutboundRefused):
        return error.reason
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError):
        return "connect_failed"
    return "request_failed"


def fetch_json(
    method: str,
    url: str,
    policy: OutboundPolicy,
    *,
    what: str,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    session: GuardedSession | None = None,
) -> tuple[int, Any]:
    """One guarded request: (status, parsed JSON or None). Raises `OutboundRefused` with a plain message.

    A redirect is refused (the platform must give its final address); a body that is not JSON gives None,
    so the caller decides what a non-JSON error page means.
    """
    url = check_url(url, policy, what)
    http = session or GuardedSession(policy)
    try:
        response = http.request(method, url, headers=dict(headers or {}), json=json, timeout=policy.timeout)
    except requests.RequestException as error:
        log.info("outbound request failed: what=%s reason=%s", what, reason_of(error))
        raise OutboundRefused(reason_of(error), describe(error, what)) from None
    finally:
        if session is None:
            http.close()
    if 300 <= response.status_code < 400:
        log.info("outbound request refused: what=%s reason=redirect", what)
        raise OutboundRefused("redirect", f"the {what} answered with a redirect: give its final address")
    try:
        data = response.json()
    except ValueError:
        data = None
    return response.status_code, data
