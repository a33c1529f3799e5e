"""LTI Dynamic Registration 1.0, platform side: the OpenID configuration and the client registration.

Spec: https://www.imsglobal.org/spec/lti-dr/v1p0 — §3.4 (platform configuration), §3.5 (the tool's
registration request) and §3.6 (the platform's response). Errors follow RFC 7591 §3.2.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sandbox_platform.claims import SUBSTITUTION_VARIABLES
from sandbox_platform.config import PlatformConfig
from sandbox_platform.model import (
    ALL_SCOPES,
    DEEP_LINKING_REQUEST,
    PLATFORM_CONFIGURATION,
    RESOURCE_LINK_REQUEST,
    TOOL_CONFIGURATION,
)

SUPPORTED_MESSAGES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)
CLAIMS_SUPPORTED = ["iss", "sub", "aud", "azp", "nonce", "name", "given_name", "family_name", "email"]


class RegistrationError(Exception):
    """A refused registration request (RFC 7591 §3.2.2 `error` plus a plain description)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def openid_configuration(config: PlatformConfig) -> dict[str, Any]:
    """The platform's OpenID configuration (Dynamic Registration §3.4.1)."""
    return {
        "issuer": config.issuer,
        "authorization_endpoint": config.url("/auth"),
        "token_endpoint": config.url("/token"),
        "jwks_uri": config.url("/.well-known/jwks.json"),
        "registration_endpoint": config.url("/registration"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", *(config.scopes_supported or ALL_SCOPES)],
        "response_types_supported": ["id_token"],
        "response_modes_supported": ["form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": CLAIMS_SUPPORTED,
        PLATFORM_CONFIGURATION: {
            "product_family_code": config.product_family_code,
            "version": config.version,
            "messages_supported": [
                {"type": RESOURCE_LINK_REQUEST},
                {"type": DEEP_LINKING_REQUEST, "placements": ["ContentArea"]},
            ],
            "variables": SUBSTITUTION_VARIABLES,
        },
    }


@dataclass(frozen=True)
class ClientRegistration:
    """A validated registration request, ready to become a `Tool`."""

    name: str
    initiate_login_uri: str
    redirect_uris: list[str]
    jwks_uri: str
    target_link_uri: str
    deep_linking_uri: str
    scopes: frozenset[str]
    claims: list[str]
    custom: dict[str, str]
    raw: dict[str, Any]


def _absolute_url(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise RegistrationError("invalid_client_metadata", f"{name} must be a URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistrationError("invalid_client_metadata", f"{name} must be an absolute http(s) URL")
    if parts.fragment:
        raise RegistrationError("invalid_client_metadata", f"{name} must not have a fragment")
    return value


def _string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RegistrationError("invalid_client_metadata", f"{name} must be a list of strings")
    return list(value)


def validate_registration(body: Any) -> ClientRegistration:
    """Check a tool's registration request against Dynamic Registration §3.5.2."""
    if not isinstance(body, dict):
        raise RegistrationError("invalid_client_metadata", "the body must be a JSON object")
    if body.get("application_type") != "web":
        raise RegistrationError("invalid_client_metadata", "application_type must be web")
    grant_types = _string_list(body.get("grant_types"), "grant_types")
    if not {"implicit", "client_credentials"} <= set(grant_types):
        raise RegistrationError("invalid_client_metadata", "grant_types must include implicit and client_credentials")
    if "id_token" not in _string_list(body.get("response_types"), "response_types"):
        raise RegistrationError("invalid_client_metadata", "response_types must include id_token")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        raise RegistrationError("invalid_client_metadata", "token_endpoint_auth_method must be private_key_jwt")
    initiate_login_uri = _absolute_url(body.get("initiate_login_uri"), "initiate_login_uri")
    redirect_uris = _string_list(body.get("redirect_uris"), "redirect_uris")
    if not redirect_uris:
        raise RegistrationError("invalid_redirect_uri", "redirect_uris must name at least one URI")
    for uri in redirect_uris:
        try:
            _absolute_url(uri, "each redirect_uri")
        except RegistrationError as error:
            raise RegistrationError("invalid_redirect_uri", error.description) from None
    jwks_uri = _absolute_url(body.get("jwks_uri"), "jwks_uri")
    scope = body.get("scope", "")
    if not isinstance(scope, str):
        raise RegistrationError("invalid_client_metadata", "scope must be a space-separated string")
    # Scopes we do not offer are left out of the grant rather than refused (§3.6: the response says
    # which scopes were granted).
    scopes = frozenset(s for s in scope.split() if s in ALL_SCOPES)

    tool_config = body.get(TOOL_CONFIGURATION)
    if not isinstance(tool_config, dict):
        raise RegistrationError("invalid_client_metadata", f"{TOOL_CONFIGURATION} must be an object")
    domain = tool_config.get("domain")
    if not isinstance(domain, str) or not domain:
        raise RegistrationError("invalid_client_metadata", "the tool configuration must name its domain")
    target_link_uri = _absolute_url(tool_config.get("target_link_uri"), "target_link_uri")
    target = urlsplit(target_link_uri)
    if domain not in (target.hostname, target.netloc):
        raise RegistrationError("invalid_client_metadata", "target_link_uri is not on the tool's domain")
    claims = _string_list(tool_config.get("claims", []), "claims")
    custom = tool_config.get("custom_parameters", {})
    if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
        raise RegistrationError("invalid_client_metadata", "custom_parameters must map names to strings")
    messages = tool_config.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise RegistrationError("invalid_client_metadata", "messages must be a list of objects")
    deep_linking_uri = ""
    for message in messages:
        if message.get("type") not in SUPPORTED_MESSAGES:
            raise RegistrationError("invalid_client_metadata", f"message type {message.get('type')!r} is not supported")
        if message.get("type") == DEEP_LINKING_REQUEST and message.get("target_link_uri"):
            deep_linking_uri = _absolute_url(message["target_link_uri"], "the deep linking target_link_uri")
    name = body.get("client_name")
    return ClientRegistration(
        name=name if isinstance(name, str) and name else "Unnamed tool",
        initiate_login_uri=initiate_login_uri,
        redirect_uris=redirect_uris,
        jwks_uri=jwks_uri,
        target_link_uri=target_link_uri,
        deep_linking_uri=deep_linking_uri,
        scopes=scopes,
        claims=claims,
        custom={str(k): str(v) for k, v in custom.items()},
        raw=body,
    )


def registration_response(registration: ClientRegistration, *, client_id: str, deployment_id: str) -> dict[str, Any]:
    """The 201 body (§3.6): the registration as accepted, with `client_id` and the `deployment_id`."""
    body = dict(registration.raw)
    body["client_id"] = client_id
    body["scope"] = " ".join(sorted(registration.scopes))
    tool_config = dict(registration.raw[TOOL_CONFIGURATION])
    tool_config["deployment_id"] = deployment_id
    body[TOOL_CONFIGURATION] = tool_config
    return body
