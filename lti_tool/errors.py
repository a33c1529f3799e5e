"""Domain errors and their one mapping to HTTP status codes and plain-language pages.

Views raise `UserFacingError` subclasses; the handlers here render a page that says what went wrong and
what to do, with the right status, and log a reason code (never personal data or tokens). Anything
unexpected becomes a calm 500 page; the traceback goes to the log only.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy import exc as sql_errors
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class UserFacingError(Exception):
    """An error a user can be told about. `reason` is a stable code for logs and tests."""

    status = 400
    title = "Something is not right with this request"

    def __init__(self, message: str, reason: str = "bad_request", advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.advice = advice


class BadRequest(UserFacingError):
    status = 400


class Unauthorised(UserFacingError):
    status = 401
    title = "We could not confirm who you are"


class Forbidden(UserFacingError):
    status = 403
    title = "You do not have access to this"


class NotFound(UserFacingError):
    status = 404
    title = "We could not find that"


class Conflict(UserFacingError):
    status = 409
    title = "Someone else changed this"


class ServiceUnavailable(UserFacingError):
    status = 503
    title = "A service we depend on is not answering"


HTTP_MESSAGES = {
    400: "The request was not one we could understand.",
    403: "You do not have access to this page.",
    404: "There is no page at this address. Check the link, or go back to your course.",
    405: "This page cannot be used that way.",
    413: "What you sent is too large.",
    429: "Too many requests in a short time. Wait a minute and try again.",
}


BUSY_RETRY_AFTER = 5
"""Seconds a "busy" page asks the browser (and the learner) to wait before trying again."""


def _is_busy(error: Exception) -> bool:
    """Whether the database refused for load, not for a fault: the pool is exhausted (every connection
    in use for longer than its timeout) or SQLite's single writer lock stayed taken past its busy timeout."""
    if isinstance(error, sql_errors.TimeoutError):
        return True
    return isinstance(error, sql_errors.OperationalError) and "database is locked" in str(error.orig)


def register_error_handlers(app: Flask) -> None:
    def _busy(error: Exception) -> tuple[str, int, dict[str, str]]:
        # Too many learners at once for this server (issue #15 item 6): a calm page that says to try
        # again, 503 with Retry-After (RFC 9110 §10.2.3) so a proxy or script backs off, no traceback.
        log.warning("request refused: reason=busy error=%s", type(error).__name__)
        html = render_template(
            "error.html",
            title="SWOTT Connect is busy",
            message="Many people are using SWOTT Connect right now. Please try again in a few seconds.",
            advice="Your work up to your last save is safe.",
            status=503,
        )
        return html, 503, {"Retry-After": str(BUSY_RETRY_AFTER)}

    @app.errorhandler(UserFacingError)
    def _user_facing(error: UserFacingError) -> tuple[str, int]:
        log.info("request refused: reason=%s status=%s", error.reason, error.status)
        html = render_template(
            "error.html", title=error.title, message=error.message, advice=error.advice, status=error.status
        )
        return html, error.status

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, error.description or "Something went wrong.")
        return render_template("error.html", title=error.name, message=message, advice="", status=status), status

    @app.errorhandler(sql_errors.TimeoutError)
    @app.errorhandler(sql_errors.OperationalError)
    def _database(error: Exception) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        return _busy(error) if _is_busy(error) else _unexpected(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error: %s", type(error).__name__)
        html = render_template(
            "error.html",
            title="Something went wrong on our side",
            message="Your work up to your last save is safe. Please try again in a minute.",
            advice="If this keeps happening, tell your LMS administrator the time it happened.",
            status=500,
        )
        return html, 500
