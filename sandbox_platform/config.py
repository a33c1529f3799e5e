"""The sandbox platform's few settings, with values that suit a laptop and tests."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class PlatformConfig:
    """Settings of one sandbox platform.

    `base_url` is also the issuer (`iss`) of every token it signs, so it must be the address the
    tool reaches it on (LTI Security §5.1.2: the issuer identifies the platform).
    """

    base_url: str = "http://127.0.0.1:5001"
    #: Moodle's id_tokens live 60 s (mod/lti/locallib.php); keep ours as short so tools see real timing.
    id_token_lifetime: int = 60
    #: How long a started launch (its lti_message_hint) may wait for the tool's authentication request.
    launch_hint_lifetime: int = 600
    #: Access tokens for AGS and NRPS (RFC 6749 §5.1 `expires_in`); Moodle issues them for an hour.
    access_token_lifetime: int = 3600
    registration_token_lifetime: int = 3600
    #: Members per NRPS page unless the tool asks for fewer with `limit` (NRPS 2.0 §2.4.1 paging).
    nrps_page_size: int = 50
    #: Leeway when checking the `iat`/`exp` of JWTs that tools sign.
    clock_leeway: int = 60
    #: Answer the OpenID configuration only with a live registration token as a bearer (Moodle serves it openly).
    require_token_for_configuration: bool = True
    #: The service scopes the OpenID configuration offers (DR §3.4.1 `scopes_supported`); empty: every
    #: scope the sandbox implements. Fewer shows whether a tool asks only for what is offered.
    scopes_supported: tuple[str, ...] = ()
    secret_key: str = ""
    product_family_code: str = "swott-sandbox"
    version: str = "1.0"

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> PlatformConfig:
        """A config from a dict of overrides; unknown names are refused so typos are not silent."""
        config = cls()
        if not values:
            return config
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown sandbox platform setting(s): {', '.join(sorted(unknown))}")
        return replace(config, **values)

    @property
    def issuer(self) -> str:
        return self.base_url.rstrip("/")

    def url(self, path: str) -> str:
        """An absolute URL on this platform for a path starting with `/`."""
        return self.issuer + path
