"""What the LTI layer needs to know about registered platforms, and the tool's own LTI addresses.

The protocol steps (`login`, `launch`, `dynamic_registration`) need to find a registration by issuer and
client id and to know whether it may launch. Which registrations exist, and whether an operator has
approved one, is the domain's business (`services.registrations`, cached by `services.registry`), and
`lti/` never imports `services/` (issue 17): so the steps take a `PlatformDirectory`, which the views
build from the domain (`services.platform_directory.RegistryDirectory`).

Also here, because the protocol layer and the domain both rely on them: the rule for platform URLs we
will talk to, the URL origin helper, and `ToolUrls`, the values an LMS administrator pastes
(ARCHITECTURE.md "Public interfaces").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from lti_tool.lti import outbound
from lti_tool.models import Deployment, Platform


class RegistrationError(ValueError):
    """A registration that cannot be accepted; the message says why in a sentence."""


class PlatformDirectory(Protocol):
    """The registrations, as the LTI steps see them (supplied by the domain; see the module docstring)."""

    def find_platform(self, issuer: str, client_id: str) -> Platform | None:
        """The registration for this issuer and client id, or None."""
        ...

    def platforms_for_issuer(self, issuer: str) -> list[Platform]:
        """Every registration of one issuer (Moodle before 4.x sends no client id at login)."""
        ...

    def may_launch(self, platform: Platform) -> bool:
        """Whether the registration may log in and launch (an operator approved it)."""
        ...


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    """The platform's deployment with this id (LTI Core 1.3 §3.1.3), or None."""
    return next((d for d in platform.deployments if d.deployment_id == deployment_id), None)


def check_platform_url(url: str, production: bool, what: str = "URL") -> str:
    """Refuse a platform URL we would not talk to: HTTPS, or HTTP on loopback outside production."""
    parts = urlsplit(url.strip())
    if not parts.netloc or not parts.hostname:
        raise RegistrationError(f"the {what} is not a full address (https://...)")
    if parts.scheme == "https" or (parts.scheme == "http" and not production and outbound.is_loopback(parts.hostname)):
        # The outbound guard's own rules too (no credentials in the URL, no private IP literal), so a
        # registration never stores an address every later request would refuse.
        try:
            return outbound.check_url(url, outbound.OutboundPolicy.for_environment(production), what)
        except outbound.OutboundRefused as error:
            raise RegistrationError(error.message) from None
    if production:
        raise RegistrationError(f"the {what} must use https:// in production")
    raise RegistrationError(f"the {what} must use https:// (plain http is allowed only on 127.0.0.1)")


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, or "" when it has none."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@dataclass(frozen=True)
class ToolUrls:
    """The values an LMS administrator pastes into Moodle or Canvas (ARCHITECTURE.md, public interfaces).

    Where each goes in Moodle and Canvas, with sources: docs/registering.md.
    """

    base_url: str

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def tool_url(self) -> str:
        return self._url("/lti/launch")

    @property
    def login_url(self) -> str:
        return self._url("/lti/login")

    @property
    def redirect_uris(self) -> list[str]:
        return [self._url("/lti/launch")]

    @property
    def jwks_url(self) -> str:
        return self._url("/lti/jwks.json")

    @property
    def registration_url(self) -> str:
        return self._url("/lti/register")

    def invite_url(self, token: str) -> str:
        """A one-time registration URL. In the path, not the query: the LMS adds its own query parameters."""
        return self._url("/lti/register/" + token)

    @property
    def canvas_config_url(self) -> str:
        return self._url("/lti/canvas.json")

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).netloc

    def moodle_lines(self) -> list[tuple[str, str]]:
        """Moodle: Site administration › Plugins › External tool › Manage tools › configure a tool manually."""
        return [
            ("Tool URL", self.tool_url),
            ("LTI version", "LTI 1.3"),
            ("Public key type", "Keyset URL"),
            ("Public keyset", self.jwks_url),
            ("Initiate login URL", self.login_url),
            ("Redirection URI(s)", "\n".join(self.redirect_uris)),
            ("Supports Deep Linking (Content-Item Message)", "yes"),
            ("Dynamic registration: Tool URL", self.registration_url),
        ]

    def canvas_lines(self) -> list[tuple[str, str]]:
        """Canvas: Admin › Developer Keys › + LTI Key › Method: Enter URL."""
        return [
            ("JSON URL (Method: Enter URL)", self.canvas_config_url),
            ("Target Link URI", self.tool_url),
            ("OpenID Connect Initiation Url", self.login_url),
            ("Redirect URIs", "\n".join(self.redirect_uris)),
            ("Public JWK URL", self.jwks_url),
            ("Dynamic registration URL (Canvas 2024+)", self.registration_url),
        ]
