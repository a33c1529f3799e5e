"""Access checks as decorators, so a view says who may use it in one line above its name.

Roles come from the launch (LTI 1.3 Core §5.3.7, the roles claim, mapped in lti_tool/lti/roles.py); the
checks raise the app's plain-language errors (lti_tool/errors.py), never a bare 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app, request

from lti_tool import admin_links
from lti_tool.errors import Forbidden
from lti_tool.i18n import _l
from lti_tool.lti.session import CurrentLaunch, require_launch

P = ParamSpec("P")
R = TypeVar("R")


def facilitator_launch() -> CurrentLaunch:
    """This request's launch, if it is a facilitator's (an instructor or course administrator)."""
    launch = require_launch()
    if not launch.is_facilitator:
        raise Forbidden(_l("This page is for course facilitators."), reason="not_facilitator")
    return launch


def launch_required(view: Callable[P, R]) -> Callable[P, R]:
    """Anyone who arrived by a launch from their course."""

    @wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        require_launch()
        return view(*args, **kwargs)

    return checked


def facilitator_required(view: Callable[P, R]) -> Callable[P, R]:
    """Facilitators only; the view reads the launch with `require_launch()` as usual."""

    @wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        facilitator_launch()
        return view(*args, **kwargs)

    return checked


def operator_from_link() -> str:
    """The operator the signed link names, or a 403 page saying how to get a fresh link."""
    operator = admin_links.operator_from(current_app.secret_key or "", request.args.get("token", ""))
    if operator is None:
        raise Forbidden(
            _l("This page is for the SWOTT Connect operator."),
            reason="admin_link_invalid",
            advice=_l("Run `swott admin link` on the server for a fresh link (links last one hour)."),
        )
    return operator
