"""Who may show the tool in a frame: `Content-Security-Policy: frame-ancestors` on every response.

An LMS shows the tool in an iframe, so framing cannot simply be refused; it is limited to the origins
of the *active* registrations (each platform's issuer and login origins, `services.registry`), plus
`'self'`. A pending Dynamic Registration frames nothing until an operator approves it (issue 9,
defect 1). The registration page sets `g.frame_ancestors_extra` for the one platform registering
itself, which shows that page in its own frame before it is registered. Facts and sources:
docs/security-headers.md; the other security headers are `lti_tool/headers.py`.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from lti_tool import web
from lti_tool.services import registry

log = logging.getLogger(__name__)


def frame_ancestors_directive(origins: list[str]) -> str:
    return "frame-ancestors " + " ".join(["'self'", *origins])


def add_frame_ancestors(response: Response) -> Response:
    """Add the directive unless the view wrote its own."""
    if "frame-ancestors" in response.headers.get("Content-Security-Policy", ""):
        return response
    try:
        # One primary-key read per request (the registry version); the origins come from the
        # process's snapshot, rebuilt only when a registration changed in any process.
        origins = list(registry.frame_ancestors(web.db_session()))
    except SQLAlchemyError:  # the database is down: refuse all framing rather than fail the response
        log.warning("frame-ancestors: platforms unavailable; framing refused")
        web.db_session().rollback()
        origins = []
    extra = g.get("frame_ancestors_extra", "")
    if extra and extra not in origins:
        origins = [*origins, extra]
    existing = response.headers.get("Content-Security-Policy", "")
    directive = frame_ancestors_directive(origins)
    response.headers["Content-Security-Policy"] = f"{existing}; {directive}" if existing else directive
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_frame_ancestors)
