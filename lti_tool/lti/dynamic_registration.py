"""LTI Dynamic Registration 1.0 (Moodle 4.x, Canvas): the tool side of §3.

The platform opens our registration URL with `openid_configuration` (its OpenID configuration URL) and
`registration_token`. We fetch the configuration with the token (§3.4) through the outbound guard,
check the issuer matches the configuration URL (§3.5.1) and show the LMS administrator what the
platform will receive (`preview`; §3.3 lets the tool show its own pages before registering). When they
confirm, we POST our client registration to its `registration_endpoint` (§3.5.2, §3.6) and hand back
the client id and deployment it gives us (`PlatformRegistration`). Storing it — active when the URL was
an operator's invite, else pending an operator's approval — is the domain's
(`services.dynamic_registrations`); the page then posts `org.imsglobal.lti.close` to the platform
(§3.7). Canvas's developer-key JSON (`/lti/canvas.json`) is the manual equivalent for Canvas.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lti_tool.lti import claims, outbound
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platforms import RegistrationError, ToolUrls, check_platform_url, origin

log = logging.getLogger(__name__)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_NAME = "SWOTT Connect"
TOOL_DESCRIPTION = "Social Work Online Team Training: CPD toolkits (self-study and group sessions)."
CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "email"]


@dataclass(frozen=True)
class PlatformRegistration:
    """What a completed registration tells us about the platform: the values a registration stores."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_id: str
    name: str


@dataclass(frozen=True)
class RegistrationPreview:
    """What the LMS administrator confirms: who is registering, and what their platform will receive."""

    issuer: str
    product: str
    metadata: dict[str, Any]

    @property
    def scopes(self) -> list[str]:
        return str(self.metadata.get("scope", "")).split()


def preview(
    openid_configuration: str, registration_token: str, urls: ToolUrls, production: bool
) -> RegistrationPreview:
    """Fetch and check the platform's configuration, and build (without sending) our registration."""
    config = fetch_configuration(openid_configuration, registration_token, production)
    return RegistrationPreview(
        issuer=config["issuer"], product=_product(config), metadata=client_metadata(urls, wanted_scopes(config))
    )


def _product(config: Mapping[str, Any]) -> str:
    platform_config = config.get(PLATFORM_CONFIGURATION)
    if isinstance(platform_config, Mapping):
        return str(platform_config.get("product_family_code", ""))[:255]
    return ""


def client_metadata(urls: ToolUrls, scopes: list[str]) -> dict[str, Any]:
    """Our OpenID client registration request (Dynamic Registration 1.0 §3.5.2, §3.6.1)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login_url,
        "redirect_uris": urls.redirect_uris,
        "client_name": TOOL_NAME,
        "jwks_uri": urls.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: {
            "domain": urls.domain,
            "description": TOOL_DESCRIPTION,
            "target_link_uri": urls.tool_url,
            "claims": CLAIMS,
            "messages": [
                {"type": claims.RESOURCE_LINK_REQUEST, "target_link_uri": urls.tool_url},
                {
                    "type": claims.DEEP_LINKING_REQUEST,
                    "target_link_uri": urls.tool_url,
                    "label": "Add a SWOTT toolkit",
                    # Moodle and Canvas place deep linking in the course's activity chooser / editor.
                    "placements": ["ContentArea"],
                },
            ],
        },
    }


def wanted_scopes(platform_config: Mapping[str, Any]) -> list[str]:
    """AGS and NRPS scopes, limited to those the platform says it supports (when it says)."""
    wanted = [*claims.AGS_SCOPES, claims.NRPS_SCOPE]
    supported = platform_config.get("scopes_supported")
    if isinstance(supported, list) and supported:
        return [s for s in wanted if s in supported]
    return wanted


def _json(answer: tuple[int, Any], what: str) -> dict[str, Any]:
    status, data = answer
    if status >= 400:
        raise RegistrationError(f"the platform refused the {what} (HTTP {status})")
    if data is None:
        raise RegistrationError(f"the platform's {what} answer is not JSON")
    if not isinstance(data, dict):
        raise RegistrationError(f"the platform's {what} answer is not a JSON object")
    return data


def _fetch(
    method: str, url: str, policy: OutboundPolicy, where: str, what: str, token: str, body: Any = None
) -> dict[str, Any]:
    """One request through the outbound guard; its refusals become a `RegistrationError` (plain words).

    `where` names the address for the guard's messages, `what` the request for the platform's answer.
    """
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        return _json(outbound.fetch_json(method, url, policy, what=where, headers=headers, json=body), what)
    except outbound.OutboundRefused as error:
        raise RegistrationError(error.message) from None


CANVAS_CLOUD_ISSUERS = (
    "https://canvas.instructure.com",
    "https://canvas.beta.instructure.com",
    "https://canvas.test.instructure.com",
)


def issuer_matches(issuer: str, configuration_url: str) -> bool:
    """DR 1.0 §3.5.1: the issuer must be where the configuration came from (same scheme and host).

    Canvas cloud is the known exception: every instance's issuer is canvas.instructure.com, but it
    serves the configuration from the council's own `*.instructure.com` host, so for those issuers an
    HTTPS configuration URL on an instructure.com subdomain is accepted.
    """
    if origin(issuer) == origin(configuration_url):
        return True
    parts = urlsplit(configuration_url)
    host = parts.hostname or ""
    return issuer.rstrip("/") in CANVAS_CLOUD_ISSUERS and parts.scheme == "https" and host.endswith(".instructure.com")


def fetch_configuration(url: str, token: str, production: bool) -> dict[str, Any]:
    """The platform's OpenID configuration (DR 1.0 §3.4), fetched through the outbound guard."""
    url = check_platform_url(url, production, "openid_configuration URL")
    policy = OutboundPolicy.for_environment(production)
    config = _fetch("GET", url, policy, "platform's configuration URL", "configuration request", token)
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise RegistrationError("the platform's configuration has no issuer")
    # §3.5.1: the issuer must match the configuration URL's scheme and host (a platform cannot register
    # on behalf of another). Compare origins; Moodle's configuration URL is under the issuer's path.
    if not issuer_matches(issuer, url):
        raise RegistrationError("the platform's issuer does not match where its configuration came from")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        value = config.get(field)
        if not isinstance(value, str) or not value:
            raise RegistrationError(f"the platform's configuration has no {field}")
        check_platform_url(value, production, field)
    return config


def send_registration(
    config: Mapping[str, Any], metadata: dict[str, Any], registration_token: str, production: bool
) -> PlatformRegistration:
    """POST our client registration (§3.5.2) and read the platform's answer (§3.6.2): nothing stored."""
    policy = OutboundPolicy.for_environment(production)
    endpoint = config["registration_endpoint"]
    answer = _fetch("POST", endpoint, policy, "registration endpoint", "registration", registration_token, metadata)
    client_id = answer.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError("the platform's registration answer has no client_id")
    tool_config = answer.get(TOOL_CONFIGURATION)
    deployment_id = ""
    if isinstance(tool_config, Mapping) and tool_config.get("deployment_id"):
        deployment_id = str(tool_config["deployment_id"])
    return PlatformRegistration(
        issuer=config["issuer"],
        client_id=client_id,
        auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"],
        deployment_id=deployment_id,
        name=_product(config) or urlsplit(config["issuer"]).netloc,
    )


def canvas_developer_key(urls: ToolUrls) -> dict[str, Any]:
    """Canvas developer-key JSON (Canvas docs: "Configuring LTI 1.3 tools", JSON configuration)."""
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls.login_url,
        "target_link_uri": urls.tool_url,
        "public_jwk_url": urls.jwks_url,
        "scopes": [*claims.AGS_SCOPES, claims.NRPS_SCOPE],
        "custom_fields": {"canvas_course_id": "$Canvas.course.id"},
        "extensions": [
            {
                "domain": urls.domain,
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "text": TOOL_NAME,
                    "placements": [
                        {
                            "placement": "assignment_selection",
                            "message_type": claims.DEEP_LINKING_REQUEST,
                            "target_link_uri": urls.tool_url,
                            "text": "Add a SWOTT toolkit",
                        },
                        {
                            "placement": "link_selection",
                            "message_type": claims.DEEP_LINKING_REQUEST,
                            "target_link_uri": urls.tool_url,
                            "text": "Add a SWOTT toolkit",
                        },
                    ],
                },
            }
        ],
    }
