"""The tool's RSA signing keys: generated on first use, published as a JWKS, rotated without downtime.

Keys live in the database (never in git or on disk) so every worker signs with the same key. Rotation
follows the usual publish-then-sign pattern (RFC 7517 §5, LTI Security 1.0 §6.3): a new key is published
in `GET /lti/jwks.json` from the moment it is created, used for signing only after a grace period (so
platforms that cache our JWKS have fetched it), and the old key stays published for a while after the
switch so tokens it signed just before still verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lti_tool.models import ToolKey, utcnow

KEY_SIZE = 2048
SIGNING_ALGORITHM = "RS256"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an RSA JWK: a stable kid that changes whenever the key does."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def new_key(active_from: datetime | None = None) -> ToolKey:
    """A fresh RSA key (not yet added to any session)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    numbers = private.public_key().public_numbers()
    jwk: dict[str, Any] = {"kty": "RSA", "e": _b64url_uint(numbers.e), "n": _b64url_uint(numbers.n)}
    kid = jwk_thumbprint(jwk)
    jwk.update(kid=kid, alg=SIGNING_ALGORITHM, use="sig")
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    now = utcnow()
    return ToolKey(kid=kid, private_pem=pem, public_jwk=jwk, created_at=now, active_from=active_from or now)


def _published(now: datetime) -> Any:
    return or_(ToolKey.retired_at.is_(None), ToolKey.retired_at > now)


def _create_first_key(session: Session, now: datetime) -> None:
    """Create and commit the first key in a session of its own.

    It must be committed even if the caller's transaction is rolled back: a token signed with a key
    that then vanished from the JWKS could never be verified.
    """
    with Session(bind=session.get_bind()) as own:
        if own.scalar(select(ToolKey.id).where(_published(now)).limit(1)) is None:
            own.add(new_key(active_from=now))
            own.commit()


def signing_key(session: Session, now: datetime | None = None) -> ToolKey:
    """The key to sign with now: the newest published key whose grace period is over.

    Creates (and commits) the tool's first key when there is none.
    """
    now = now or utcnow()
    query = (
        select(ToolKey)
        .where(_published(now), ToolKey.active_from <= now)
        .order_by(ToolKey.active_from.desc(), ToolKey.id.desc())
        .limit(1)
    )
    key = session.scalar(query)
    if key is None:
        _create_first_key(session, now)
        key = session.scalar(query)
    if key is None:  # only if every key is scheduled in the future, which rotate() never does
        raise RuntimeError("no tool key is usable for signing now; run `swott keys rotate --grace-days 0`")
    return key


def published_keys(session: Session, now: datetime | None = None) -> list[ToolKey]:
    now = now or utcnow()
    return list(session.scalars(select(ToolKey).where(_published(now)).order_by(ToolKey.id)))


def public_jwks(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Every live public key (more than one during a rotation), as a JWK Set (RFC 7517 §5)."""
    keys = published_keys(session, now)
    if not keys:
        signing_key(session, now)
        keys = published_keys(session, now)
    return {"keys": [dict(k.public_jwk) for k in keys]}


def rotate(
    session: Session,
    grace: timedelta = timedelta(days=2),
    retire_after: timedelta = timedelta(days=2),
    now: datetime | None = None,
) -> ToolKey:
    """Add a new key, used for signing after `grace`; older keys stay published `retire_after` longer.

    Commits. Keep `retire_after` longer than the platforms' JWKS caches, so a token signed by the old
    key moments before the switch still verifies.
    """
    now = now or utcnow()
    key = new_key(active_from=now + grace)
    switch = key.active_from
    for old in published_keys(session, now):
        retire_at = max(switch, old.active_from) + retire_after
        if old.retired_at is None or old.retired_at > retire_at:
            old.retired_at = retire_at
    session.add(key)
    session.commit()
    return key
