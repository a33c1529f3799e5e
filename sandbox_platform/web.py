"""Flask glue shared by the blueprints."""

from __future__ import annotations

import hmac
from typing import Any

from flask import abort, current_app, render_template, request

from sandbox_platform.platform import Platform

EXTENSION = "sandbox_platform"


def platform() -> Platform:
    value: Platform = current_app.extensions[EXTENSION]
    return value


def form_token() -> str:
    """A token the platform's own forms carry, so another site cannot post them (CSRF)."""
    value: str = current_app.config["SANDBOX_FORM_TOKEN"]
    return value


def check_form_token() -> None:
    if not hmac.compare_digest(request.form.get("csrf", ""), form_token()):
        abort(400, "This form has expired; reload the page and try again.")


def error_page(status: int, heading: str, message: str) -> tuple[str, int]:
    return render_template("error.html", heading=heading, message=message), status


def autopost(
    action: str, fields: dict[str, Any], heading: str, status: int = 200, message: str = ""
) -> tuple[str, int]:
    """An HTML form that posts itself (with a Continue button when scripts are off)."""
    page = render_template("autopost.html", action=action, fields=fields, heading=heading, message=message)
    return page, status
