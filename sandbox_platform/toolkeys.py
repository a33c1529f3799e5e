"""Verifying JWTs that tools sign: deep linking responses and client assertions.

Keys come from the tool's `jwks_uri` over HTTP (LTI Security §6.3). They are cached per URL and
fetched again when a token names a `kid` we have not seen, which is how a tool's key rotation
reaches us without a restart.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import jwt
import requests
from jwt.algorithms import RSAAlgorithm


class ToolTokenError(Exception):
    """A tool's JWT was refused; the message says why in plain words (never echoes the token)."""


class ToolKeys:
    """A cache of tools' public keys by JWKS URL and `kid`."""

    def __init__(self, timeout: float = 5.0) -> None:
        self._timeout = timeout
        self._keys: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def _fetch(self, jwks_uri: str) -> dict[str, Any]:
        try:
            response = requests.get(jwks_uri, timeout=self._timeout, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = response.json()["keys"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise ToolTokenError(
                f"could not fetch the tool's keys from its jwks_uri ({type(error).__name__})"
            ) from None
        found: dict[str, Any] = {}
        for key in keys:
            if isinstance(key, dict) and key.get("kty") == "RSA" and key.get("kid"):
                found[str(key["kid"])] = RSAAlgorithm.from_jwk(json.dumps(key))
        with self._lock:
            self.fetches += 1
            self._keys[jwks_uri] = found
        return found

    def key_for(self, jwks_uri: str, kid: str) -> Any:
        with self._lock:
            cached = self._keys.get(jwks_uri)
        if cached is None or kid not in cached:
            cached = self._fetch(jwks_uri)
        if kid not in cached:
            raise ToolTokenError("the token's kid is not among the tool's published keys")
        return cached[kid]

    def verify(self, token: str, *, jwks_uri: str, audience: str, issuer: str, leeway: int) -> dict[str, Any]:
        """Verify an RS256 JWT from a tool: `kid`, signature, `iss`, `aud` (string or list), `exp`, `iat`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise ToolTokenError("the token is not a well-formed JWT") from None
        if header.get("alg") != "RS256":
            raise ToolTokenError("the token must be signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ToolTokenError("the token has no kid in its header")
        key = self.key_for(jwks_uri, kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                leeway=leeway,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise ToolTokenError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise ToolTokenError("the token's aud does not name this platform") from None
        except jwt.InvalidIssuerError:
            raise ToolTokenError("the token's iss is not the tool's client_id") from None
        except jwt.ImmatureSignatureError:
            raise ToolTokenError("the token's iat is in the future") from None
        except jwt.InvalidSignatureError:
            raise ToolTokenError("the token's signature does not verify with the tool's key") from None
        except jwt.PyJWTError as error:
            raise ToolTokenError(f"the token was refused ({type(error).__name__})") from None
        return claims
