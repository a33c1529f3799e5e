"""`GET /healthz`: liveness plus a database round trip, for load balancers and uptime checks."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lti_tool import web

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        web.db_session().execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("health check: database unreachable (%s)", type(error).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", toolkits=len(web.catalogue()))
