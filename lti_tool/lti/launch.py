"""Launch validation: LTI Security Framework 1.0 §5.1.3 plus the gaps pylti1p3 leaves open.

Steps, in order (a failure at any step refuses the launch with a reason code and writes nothing):
 1. the `state` is one we issued and have not used (taken atomically from the shared store) — the view
    does this, with the browser-binding check (cookie or platform storage);
 2. the JOSE header: `alg` is RS256 (never `none`, never HS256 keyed with a public key) and names a `kid`;
 3. `iss` + client id identify a registration; with several audiences `azp` must be present and ours
    (OpenID Connect Core §3.1.3.7 step 3-5; pylti1p3 reads only `aud[0]`);
 4. the signature verifies with the platform's key for that `kid` (refetched once on an unknown kid);
 5. `exp` is in the future and `iat` not in the future, each with `clock_leeway` seconds (§5.1.3 step 7-8);
 6. the `nonce` is the one issued with the state (step 9);
 7. LTI claims: version 1.3.0, a message type we accept, a deployment registered for this client,
    `roles` present, `sub` present, `resource_link.id` for resource links (LTI Core 1.3 §5.3), then
    pylti1p3's own message validators as a second net; identifiers (`iss`, `aud`, `sub`, context and
    resource link ids) at most 255 characters with no control character, checked before any query
    uses them (`claims.clean_identifier`);
 8. the view then routes the launch (message type, role, toolkit, subscription) and only when that
    succeeds calls `consume_nonce` (step 9: the nonce can never be used again) and writes rows, so a
    refused launch writes nothing at all (issue 9, defect 3).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from sqlalchemy.orm import Session

from lti_tool.errors import UserFacingError
from lti_tool.i18n import _l
from lti_tool.lti import adapter, claims
from lti_tool.lti.platform_keys import KeySetUnavailable, PlatformKeyCache
from lti_tool.lti.platforms import PlatformDirectory, find_deployment, origin
from lti_tool.lti.roles import Role, swott_role
from lti_tool.lti.state_store import StateRecord, StateStore
from lti_tool.models import Deployment, Platform

log = logging.getLogger(__name__)

ACCEPTED_ALGORITHM = "RS256"
PLATFORM_NOT_APPROVED = _l(
    "Your learning platform's registration with SWOTT Connect is waiting for approval by the SWOTT team."
)


class LaunchRejected(UserFacingError):
    """A launch we refuse. The page says what to do; the log gets `reason` and nothing personal."""

    status = 400
    title = _l("We could not open this activity")

    def __init__(self, reason: str, message: str = "", status: int = 400) -> None:
        super().__init__(
            message or _l("Your course sent a launch request we could not verify, so we did not open it."),
            reason=reason,
            advice=_l(
                "Go back to your course and open the activity again. If this keeps happening, tell your LMS "
                "administrator the time and this code: %(reason)s.",
                reason=reason,
            ),
        )
        self.status = status


@dataclass(frozen=True)
class ValidatedLaunch:
    """A launch that passed every check: the platform, deployment and the verified claims."""

    platform: Platform
    deployment: Deployment
    body: Mapping[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.body[claims.MESSAGE_TYPE])

    @property
    def role(self) -> Role:
        return swott_role(self.body.get(claims.ROLES) or [])

    @property
    def custom(self) -> Mapping[str, str]:
        value = self.body.get(claims.CUSTOM) or {}
        return value if isinstance(value, Mapping) else {}


def _unverified(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        # One parse for header and body (issue 15: no repeated JWT work; the verified decode is the other).
        decoded = jwt.decode_complete(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise LaunchRejected("malformed_token") from None
    header, body = decoded.get("header"), decoded.get("payload")
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise LaunchRejected("malformed_token")
    return header, body


def client_id_of(body: Mapping[str, Any]) -> str:
    """The client id the token is for: the single audience, or `azp` when there are several."""
    aud = body.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise LaunchRejected("missing_aud")
    if any(claims.clean_identifier(a) is None for a in audiences):
        raise LaunchRejected("bad_aud")
    azp = body.get("azp")
    if azp is not None and claims.clean_identifier(azp) is None:
        raise LaunchRejected("bad_azp")
    if len(audiences) > 1 and not azp:
        raise LaunchRejected("azp_missing")
    if azp is not None and azp not in audiences:
        raise LaunchRejected("azp_not_in_aud")
    return str(azp) if azp else str(audiences[0])


@functools.lru_cache(maxsize=256)
def _public_key(jwk_json: str) -> jwt.PyJWK:
    """A platform key as PyJWT's key object, built once per process for each key (issue 15). Keyed by
    the whole JWK, so a rotated or refreshed key is a new entry, never an old key under a new name."""
    return jwt.PyJWK.from_json(jwk_json, algorithm=ACCEPTED_ALGORITHM)


class LaunchValidator:
    def __init__(
        self,
        session: Session,
        platforms: PlatformDirectory,
        store: StateStore,
        keys: PlatformKeyCache,
        leeway: int = 60,
        tool_origin: str = "",
    ) -> None:
        self.session = session
        self.platforms = platforms
        self.store = store
        self.keys = keys
        self.leeway = leeway
        self.tool_origin = tool_origin

    def validate(self, id_token: str, record: StateRecord) -> ValidatedLaunch:
        header, unverified = _unverified(id_token)
        if header.get("alg") != ACCEPTED_ALGORITHM:
            raise LaunchRejected("bad_alg")
        kid = header.get("kid")
        if not kid or not isinstance(kid, str):
            raise LaunchRejected("no_kid")

        if not unverified.get("iss"):
            raise LaunchRejected("missing_iss")
        issuer = claims.clean_identifier(unverified.get("iss"))
        if issuer is None:
            raise LaunchRejected("bad_iss")
        client_id = client_id_of(unverified)
        platform = self.platforms.find_platform(issuer, client_id)
        if platform is None:
            raise LaunchRejected("unknown_platform", status=401)
        if platform.id != record.platform_id:
            raise LaunchRejected("state_platform_mismatch")
        if not self.platforms.may_launch(platform):
            raise LaunchRejected("platform_not_approved", PLATFORM_NOT_APPROVED, status=403)

        try:
            jwk = self.keys.key_for(self.session, platform, kid)
        except KeySetUnavailable:
            raise LaunchRejected(
                "platform_keys_unavailable",
                "We could not fetch your learning platform's keys to check this launch.",
                status=502,
            ) from None
        if jwk is None:
            raise LaunchRejected("unknown_kid", status=401)
        body = self._verified_body(id_token, jwk, issuer, client_id)

        if body.get("nonce") != record.nonce:
            raise LaunchRejected("nonce_mismatch")
        deployment = self._check_claims(body, platform)
        return ValidatedLaunch(platform=platform, deployment=deployment, body=body)

    def consume_nonce(self, launch: ValidatedLaunch) -> None:
        """Spend the launch's nonce (LTI Security 1.0 §5.1.3 step 9); refuse a nonce used before.

        Called by the view after routing accepted the launch and before it writes any row: a launch
        refused for any reason (a learner deep linking, an unknown toolkit, no subscription) leaves no
        `used_nonce` row, and the state it came with is single-use anyway, so its token cannot return.
        """
        body = launch.body
        ttl = timedelta(seconds=max(int(body["exp"]) - int(body["iat"]), 0) + 2 * self.leeway)
        if not self.store.consume_nonce(launch.platform.id, str(body["nonce"]), ttl):
            raise LaunchRejected("nonce_replayed")

    def _verified_body(self, id_token: str, jwk: Mapping[str, Any], issuer: str, client_id: str) -> dict[str, Any]:
        if jwk.get("kty") != "RSA" or jwk.get("alg", ACCEPTED_ALGORITHM) != ACCEPTED_ALGORITHM:
            raise LaunchRejected("bad_platform_key", status=401)
        try:
            key = _public_key(json.dumps(dict(jwk), sort_keys=True))
            body: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=[ACCEPTED_ALGORITHM],
                audience=client_id,
                issuer=issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError:
            raise LaunchRejected("expired", _l("This launch request is too old."), status=401) from None
        except jwt.ImmatureSignatureError:
            raise LaunchRejected("iat_in_future", status=401) from None
        except jwt.InvalidAudienceError:
            raise LaunchRejected("wrong_aud", status=401) from None
        except jwt.InvalidSignatureError:
            raise LaunchRejected("bad_signature", status=401) from None
        except jwt.MissingRequiredClaimError as error:
            raise LaunchRejected(f"missing_{error.claim}") from None
        except jwt.PyJWTError:
            raise LaunchRejected("bad_token_claims") from None
        return body

    def _check_claims(self, body: Mapping[str, Any], platform: Platform) -> Deployment:
        version = body.get(claims.VERSION)
        if version is None:
            raise LaunchRejected("missing_version")
        if version != "1.3.0":
            raise LaunchRejected("wrong_version")
        message_type = body.get(claims.MESSAGE_TYPE)
        if not message_type:
            raise LaunchRejected("missing_message_type")
        if message_type not in claims.ACCEPTED_MESSAGE_TYPES:
            raise LaunchRejected("invalid_message_type")
        deployment_id = body.get(claims.DEPLOYMENT_ID)
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchRejected("missing_deployment_id")
        deployment = find_deployment(platform, deployment_id)
        if deployment is None:
            raise LaunchRejected(
                "unknown_deployment",
                "This course's copy of the tool is not registered with SWOTT Connect yet.",
                status=403,
            )
        if not isinstance(body.get(claims.ROLES), list):
            raise LaunchRejected("missing_roles")
        if not body.get("sub") or not isinstance(body.get("sub"), str):
            # LTI Core 1.3 §5.3.6 allows anonymous launches without `sub`; a CPD record needs a person.
            raise LaunchRejected("missing_sub")
        if claims.clean_identifier(body["sub"], claims.MAX_SUB) is None:
            # OIDC Core §2 caps `sub` at 255 ASCII characters. Refused rather than cut: two people whose
            # ids share the first 255 characters would otherwise become one person with one CPD record.
            raise LaunchRejected(
                "bad_sub",
                "Your learning platform sent a user identifier that is longer than LTI allows (255 characters) "
                "or contains control characters, so we cannot keep your record safely.",
            )
        context = body.get(claims.CONTEXT)
        has_context_id = isinstance(context, Mapping) and context.get("id") is not None
        if has_context_id and claims.clean_identifier(context["id"]) is None:  # type: ignore[index]
            # LTI Core 1.3 §5.4.1: the context id must not exceed 255 ASCII characters.
            raise LaunchRejected("bad_context_id")
        if message_type == claims.RESOURCE_LINK_REQUEST:
            link = body.get(claims.RESOURCE_LINK)
            if not isinstance(link, Mapping) or not link.get("id"):
                raise LaunchRejected("missing_resource_link_id")
            # LTI Core 1.3 §5.3.5: the resource link id must not exceed 255 ASCII characters.
            if claims.clean_identifier(link["id"]) is None:
                raise LaunchRejected("bad_resource_link_id")
        target = body.get(claims.TARGET_LINK_URI)
        if not target or not isinstance(target, str):
            raise LaunchRejected("missing_target_link_uri")
        if self.tool_origin and origin(target) != self.tool_origin:
            # LTI Core 1.3 §5.3.3: the launch must be meant for this tool, not replayed from another one.
            raise LaunchRejected("foreign_target_link_uri")
        try:
            adapter.check_message(body)
        except adapter.MessageInvalid:
            raise LaunchRejected("invalid_message") from None
        return deployment
