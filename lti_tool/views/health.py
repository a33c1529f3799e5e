"""`GET /healthz`: liveness plus a database round trip, for load balancers and uptime checks.

A toolkit folder left out of the catalogue (it has problems; issue 9 defect 5) does not make the tool
unhealthy, since every other toolkit still works, but it is named in `toolkits_left_out` with its count
of problems, so a monitor can alert the content team. The problems themselves quote content and file
paths: they are on the operator page (`swott admin link`), not on this public endpoint.
"""

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
    catalogue = web.catalogue()
    left_out = {folder: len(problems) for folder, problems in catalogue.left_out().items()}
    return jsonify(status="ok", database="ok", toolkits=len(catalogue), toolkits_left_out=left_out)
