"""Domain errors and their one mapping to HTTP status codes and plain-language pages.

Views raise `UserFacingError` subclasses; the handlers here render a page that says what went wrong and
what to do, with the right status, and log a reason code (never personal data or tokens). Anything
unexpected becomes a calm 500 page; the traceback goes to the log only.

Every message here is translatable (`lti_tool.i18n`, catalogue lti_tool/translations): titles are lazy
strings, translated when the page is rendered in the request's language; a message a view passes in is
shown through `gettext`, so one that is in the catalogue is shown translated too.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext
from sqlalchemy import exc as sql_errors
from werkzeug.exceptions import HTTPException

from lti_tool.lazy_text import _l

log = logging.getLogger(__name__)


class UserFacingError(Exception):
    """An error a user can be told about. `reason` is a stable code for logs and tests."""

    status = 400
    title: str = _l("Something is not right with this request")

    def __init__(self, message: str, reason: str = "bad_request", advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.advice = advice


class BadRequest(UserFacingError):
    status = 400


class Unauthorised(UserFacingError):
    status = 401
    title = _l("We could not confirm who you are")


class Forbidden(UserFacingError):
    status = 403
    title = _l("You do not have access to this")


class NotFound(UserFacingError):
    status = 404
    title = _l("We could not find that")


class Conflict(UserFacingError):
    status = 409
    title = _l("Someone else changed this")


class ServiceUnavailable(UserFacingError):
    status = 503
    title = _l("A service we depend on is not answering")


class ServerBusy(Exception):
    """Too many requests for this server at once (one waited too long for a thread): the busy page.
    `reason` is a stable code for the log."""

    def __init__(self, reason: str = "busy") -> None:
        super().__init__(reason)
        self.reason = reason


HTTP_MESSAGES = {
    400: _l("The request was not one we could understand."),
    403: _l("You do not have access to this page."),
    404: _l("There is no page at this address. Check the link, or go back to your course."),
    405: _l("This page cannot be used that way."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests in a short time. Wait a minute and try again."),
}

HTTP_TITLES = {
    400: _l("Something is not right with this request"),
    403: _l("You do not have access to this"),
    404: _l("Page not found"),
    405: _l("This page cannot be used that way"),
    413: _l("What you sent is too large"),
    429: _l("Too many requests"),
}
"""Page titles for HTTP errors, in plain words (Werkzeug's own names, "Not Found", are English only)."""


BUSY_RETRY_AFTER = 5
"""Seconds a "busy" page asks the browser (and the learner) to wait before trying again."""


def _is_busy(error: Exception) -> bool:
    """Whether the database refused for load, not for a fault: the pool is exhausted (every connection
    in use for longer than its timeout) or SQLite's single writer lock stayed taken past its busy timeout."""
    if isinstance(error, sql_errors.TimeoutError):
        return True
    return isinstance(error, sql_errors.OperationalError) and "database is locked" in str(error.orig)


def _shown(text: object) -> str:
    """`text` in the request's language: lazy strings translate themselves; a plain message a view
    raised is looked up in the catalogue (unknown ones are shown as they are)."""
    plain = str(text)
    return gettext(plain) if plain else ""


def register_error_handlers(app: Flask) -> None:
    def _busy(error: Exception) -> tuple[str, int, dict[str, str]]:
        # Too many learners at once for this server (issue #15 item 6): a calm page that says to try
        # again, 503 with Retry-After (RFC 9110 §10.2.3) so a proxy or script backs off, no traceback.
        log.warning("request refused: reason=busy error=%s", type(error).__name__)
        html = render_template(
            "error.html",
            title=gettext("SWOTT Connect is busy"),
            message=gettext("Many people are using SWOTT Connect right now. Please try again in a few seconds."),
            advice=gettext("Your work up to your last save is safe."),
            status=503,
        )
        return html, 503, {"Retry-After": str(BUSY_RETRY_AFTER)}

    @app.errorhandler(UserFacingError)
    def _user_facing(error: UserFacingError) -> tuple[str, int]:
        log.info("request refused: reason=%s status=%s", error.reason, error.status)
        html = render_template(
            "error.html",
            title=_shown(error.title),
            message=_shown(error.message),
            advice=_shown(error.advice),
            status=error.status,
        )
        return html, error.status

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        if status in HTTP_MESSAGES:
            message = str(HTTP_MESSAGES[status])
        else:  # what the view said when it aborted, else a plain sentence
            message = _shown(error.description) if error.description else gettext("Something went wrong.")
        title = str(HTTP_TITLES[status]) if status in HTTP_TITLES else error.name
        return render_template("error.html", title=title, message=message, advice="", status=status), status

    @app.errorhandler(ServerBusy)
    def _server_busy(error: ServerBusy) -> tuple[str, int, dict[str, str]]:
        return _busy(error)

    @app.errorhandler(sql_errors.TimeoutError)
    @app.errorhandler(sql_errors.OperationalError)
    def _database(error: Exception) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        return _busy(error) if _is_busy(error) else _unexpected(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error: %s", type(error).__name__)
        html = render_template(
            "error.html",
            title=gettext("Something went wrong on our side"),
            message=gettext("Your work up to your last save is safe. Please try again in a minute."),
            advice=gettext("If this keeps happening, tell your LMS administrator the time it happened."),
            status=500,
        )
        return html, 500
