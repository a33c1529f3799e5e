"""Platform registrations (issuer + client_id) and their deployments, and the values to paste into LMSs.

Keyed by (issuer, client_id) because Canvas uses https://canvas.instructure.com as the issuer of every
cloud instance (LTI Core 1.3 §5.1.2 only promises the issuer identifies the platform *vendor* there).
Production accepts only HTTPS platform URLs; development also accepts plain HTTP on loopback, for the
sandbox platform and tests.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lti_tool.lti import outbound
from lti_tool.models import Deployment, Platform


class RegistrationError(ValueError):
    """A registration that cannot be accepted; the message says why in a sentence."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_platform_url(url: str, production: bool, what: str = "URL") -> str:
    """Refuse a platform URL we would not talk to: HTTPS, or HTTP on loopback outside production."""
    parts = urlsplit(url.strip())
    if not parts.netloc or not parts.hostname:
        raise RegistrationError(f"the {what} is not a full address (https://...)")
    if parts.scheme == "https" or (parts.scheme == "http" and not production and is_loopback(parts.hostname)):
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
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def find_platform(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalar(select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id))


def platforms_for_issuer(session: Session, issuer: str) -> list[Platform]:
    return list(session.scalars(select(Platform).where(Platform.issuer == issuer).order_by(Platform.id)))


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return next((d for d in platform.deployments if d.deployment_id == deployment_id), None)


def list_platforms(session: Session) -> list[Platform]:
    query = select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.issuer, Platform.client_id)
    return list(session.scalars(query))


def add_platform(
    session: Session,
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str] = (),
    name: str = "",
    production: bool = False,
    registered_by: str = "manual",
) -> Platform:
    """Create or update a registration and add its deployments (existing ones are kept). Commits."""
    if not client_id.strip():
        raise RegistrationError("the client ID is empty")
    issuer = check_platform_url(issuer, production, "issuer")
    urls = {
        "auth_login_url": check_platform_url(auth_login_url, production, "authentication (OIDC) URL"),
        "auth_token_url": check_platform_url(auth_token_url, production, "access token URL"),
        "key_set_url": check_platform_url(key_set_url, production, "public keyset URL"),
    }
    platform = find_platform(session, issuer, client_id.strip())
    if platform is None:
        platform = Platform(issuer=issuer, client_id=client_id.strip(), registered_by=registered_by, **urls)
        session.add(platform)
    else:
        for attribute, value in urls.items():
            if getattr(platform, attribute) != value:
                setattr(platform, attribute, value)
                # A new key set URL means the cached keys are someone else's.
                if attribute == "key_set_url":
                    platform.key_set = None
                    platform.key_set_fetched_at = None
    if name:
        platform.name = name
    for deployment_id in deployment_ids:
        deployment_id = deployment_id.strip()
        if deployment_id and find_deployment(platform, deployment_id) is None:
            platform.deployments.append(Deployment(deployment_id=deployment_id))
    session.commit()
    return platform


BRAND_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def set_brand_colour(session: Session, platform: Platform, colour: str) -> None:
    """Set (or, with "", clear) the colour the player's header uses for this platform's learners. Commits.

    The player still falls back to the default when white text on the colour would fail WCAG 1.4.3.
    """
    colour = colour.strip()
    if colour and not BRAND_COLOUR.match(colour):
        raise RegistrationError(f"the brand colour must look like #1d4f91, not {colour!r}")
    platform.brand_colour = colour.lower()
    session.commit()


def remove_platform(session: Session, issuer: str, client_id: str | None = None) -> int:
    """Remove a registration (with its deployments, subscriptions, users and courses). Commits."""
    platforms = platforms_for_issuer(session, issuer)
    if client_id is not None:
        platforms = [p for p in platforms if p.client_id == client_id]
    elif len(platforms) > 1:
        raise RegistrationError(f"{issuer} has {len(platforms)} registrations: say which with --client-id")
    for platform in platforms:
        session.delete(platform)
    session.commit()
    return len(platforms)


def resolve_platform(session: Session, issuer: str, client_id: str | None) -> Platform:
    """The one registration an operator means, or a sentence saying why it is ambiguous or missing."""
    platforms = platforms_for_issuer(session, issuer)
    if client_id is not None:
        platforms = [p for p in platforms if p.client_id == client_id]
    if not platforms:
        raise RegistrationError(
            f"no platform is registered with issuer {issuer}" + (f" and client ID {client_id}" if client_id else "")
        )
    if len(platforms) > 1:
        raise RegistrationError(f"{issuer} has {len(platforms)} registrations: say which with --client-id")
    return platforms[0]


@dataclass(frozen=True)
class ToolUrls:
    """The values an LMS administrator pastes into Moodle or Canvas (ARCHITECTURE.md, public interfaces)."""

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
