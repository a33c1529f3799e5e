"""CSRF protection for every form: a signed token bound to the launch (or the session) it was made for.

Every POST, PUT, PATCH and DELETE must carry the token (form field `csrf_token`, or header
`X-CSRF-Token` for scripts), except endpoints marked `@exempt` — the LTI endpoints platforms post to,
which carry their own proof (OIDC state, a signed id_token). Templates write `{{ csrf_input() }}`.

The token is bound to the current launch id when there is one, so it also works for cookieless
launches (Safari, Chrome with third-party cookies blocked), where the launch travels as a signed token
rather than in the session cookie; otherwise to a random seed kept in the session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape

from lti_tool.errors import Forbidden
from lti_tool.lti.session import current_launch

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
# Matches the launch token: no form may expire inside 20 hours (WCAG 2.2 SC 2.2.1).
MAX_AGE = 24 * 3600
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_EXEMPT: set[str] = set()

F = TypeVar("F", bound=Callable[..., object])


def exempt(view: F) -> F:
    """Mark a view as not needing the token (it must authenticate the request some other way)."""
    _EXEMPT.add(f"{view.__module__}.{view.__name__}")
    return view


def _binding() -> str:
    launch = current_launch()
    if launch is not None:
        return "launch:" + launch.launch_id
    seed = session.get("csrf_seed")
    if not seed:
        seed = session["csrf_seed"] = secrets.token_urlsafe(16)
    return "session:" + str(seed)


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key or "", salt="swott-csrf")


def csrf_token() -> str:
    return str(_serializer(current_app).dumps(_binding()))


def csrf_input() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token()))


def check(app: Flask) -> None:
    token = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    try:
        bound = _serializer(app).loads(token, max_age=MAX_AGE)
    except BadSignature:
        bound = None
    if not isinstance(bound, str) or not hmac.compare_digest(bound, _binding()):
        raise Forbidden(
            "This form has expired or did not come from this page.",
            reason="csrf",
            advice="Go back, reload the page and try again.",
        )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["csrf_input"] = csrf_input

    @app.before_request
    def _protect() -> None:
        if request.method not in UNSAFE_METHODS or request.endpoint is None:
            return
        view = app.view_functions.get(request.endpoint)
        if view is not None and f"{view.__module__}.{view.__name__}" in _EXEMPT:
            return
        check(app)
