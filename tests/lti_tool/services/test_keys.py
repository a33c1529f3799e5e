"""Tool keys: created on first use, published, rotated with both keys in the JWKS meanwhile."""

from __future__ import annotations

from datetime import timedelta

import jwt
from flask import Flask
from sqlalchemy import func, select

from lti_tool import web
from lti_tool.models import ToolKey, utcnow
from lti_tool.services import keys


def test_first_signing_key_is_created_once_and_survives_a_rollback(app: Flask) -> None:
    with app.app_context():
        session = web.db_session()
        key = keys.signing_key(session)
        session.rollback()
        assert keys.signing_key(session).kid == key.kid
        assert session.scalar(select(func.count()).select_from(ToolKey)) == 1
        assert keys.public_jwks(session) == {"keys": [key.public_jwk]}


def test_a_signed_token_verifies_with_the_published_key(app: Flask) -> None:
    with app.app_context():
        session = web.db_session()
        key = keys.signing_key(session)
        token = jwt.encode({"iss": "tool"}, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
        published = {k["kid"]: k for k in keys.public_jwks(session)["keys"]}
        public = jwt.PyJWK(published[jwt.get_unverified_header(token)["kid"]])
        assert jwt.decode(token, public, algorithms=["RS256"]) == {"iss": "tool"}
        assert "d" not in published[key.kid]


def test_rotation_publishes_first_signs_later_and_retires_the_old_key(app: Flask) -> None:
    with app.app_context():
        session = web.db_session()
        old = keys.signing_key(session)
        now = utcnow()
        new = keys.rotate(session, grace=timedelta(days=2), retire_after=timedelta(days=2), now=now)
        kids = {k["kid"] for k in keys.public_jwks(session, now)["keys"]}
        assert kids == {old.kid, new.kid}
        assert keys.signing_key(session, now).kid == old.kid
        later = now + timedelta(days=3)
        assert keys.signing_key(session, later).kid == new.kid
        assert {k["kid"] for k in keys.public_jwks(session, later)["keys"]} == {old.kid, new.kid}
        much_later = now + timedelta(days=5)
        assert [k["kid"] for k in keys.public_jwks(session, much_later)["keys"]] == [new.kid]
