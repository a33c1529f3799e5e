"""The platform's RSA signing key, generated at start and never written to disk.

A sandbox forgets its key when it stops, which is fine: tools fetch the JWKS again when they meet an
unknown `kid` (LTI Security §6.3), and that is exactly the behaviour worth exercising. `rotate()` does
it without a restart: a new key signs from then on and the old public keys stay published.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class SigningKey:
    """An RS256 key pair with a `kid`, able to sign JWTs and publish itself as a JWK."""

    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_urlsafe(12)
        self._retired: list[dict[str, Any]] = []
        #: How many times the JWKS was served (tests check that a tool caches it).
        self.fetches = 0

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Sign `claims` with RS256, naming the key in the header as LTI Security §6.3 requires.

        `headers` replaces that header (a negative test naming another key's `kid`, or none).
        """
        header = {"kid": self.kid} if headers is None else headers
        # The key object, not its PEM: re-parsing a PEM costs tens of milliseconds per token.
        return jwt.encode(claims, self._private, algorithm="RS256", headers=header)

    def rotate(self) -> None:
        """A new key pair and `kid` sign from now on; the old public key stays in the JWKS."""
        self._retired.append(self.public_jwk())
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_urlsafe(12)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._private.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    @property
    def private_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def public_pem(self) -> bytes:
        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set (RFC 7517 §5) tools fetch to verify our id_tokens."""
        return {"keys": [*self._retired, self.public_jwk()]}
