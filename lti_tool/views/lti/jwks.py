"""`GET /lti/jwks.json`: the tool's public keys, more than one during a rotation (RFC 7517 §5)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.services import keys
from lti_tool.views.lti.common import bp


@bp.get("/jwks.json")
def jwks() -> ResponseReturnValue:
    response = jsonify(keys.public_jwks(web.db_session()))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
