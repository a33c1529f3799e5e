"""The platform's RSA signing key, generated at start and never written to disk.

A sandbox forgets its key when it stops, which is fine: tools fetch the JWKS again when they meet an
unknown `kid` (LTI Security §6.3), and that is exactly the behaviour worth exercising.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class SigningKey:
    """An RS256 key pair with a `kid`, able to sign JWTs and publish itself as a JWK."""

    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_urlsafe(12)

    def sign(self, claims: dict[str, Any]) -> str:
        """Sign `claims` with RS256, naming the key in the header as LTI Security §6.3 requires."""
        return jwt.encode(claims, self._private, algorithm="RS256", headers={"kid": self.kid})

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._private.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set (RFC 7517 §5) tools fetch to verify our id_tokens."""
        return {"keys": [self.public_jwk()]}
