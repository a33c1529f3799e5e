"""The language switch (issue 13): `GET /language/<code>?next=<this page>` keeps the choice and goes back.

A plain link, as language toggles on UK public services are (no form to submit, works without script).
The choice is kept in the Flask session and on the launch (`CurrentLaunch.language`); in a cookieless
launch the session never comes back, so the page is reloaded with a new `lt` token that carries it.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from lti_tool import i18n
from lti_tool.errors import NotFound
from lti_tool.lti.session import current_launch, launch_token, remember

bp = Blueprint("language", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site ('/l1/...?...'), else `fallback` (no open redirect)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    return target


def _with_token(target: str, token: str) -> str:
    """`target` with its `lt` parameter replaced by `token` (a cookieless launch's new signed launch)."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lt"]
    query.append(("lt", token))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


@bp.get("/language/<code>")
def switch(code: str) -> Response:
    """Show the interface in `code` from now on, and go back to the page the switch was on."""
    if code not in i18n.LANGUAGES:
        raise NotFound(i18n._l("There is no page at this address."), reason="unknown_language")
    session[i18n.SESSION_KEY] = code
    target = safe_next(request.args.get("next"), url_for("catalogue.index"))
    launch = current_launch()
    if launch is not None and launch.language != code:
        chosen = replace(launch, language=code)
        if chosen.cookieless:
            target = _with_token(target, launch_token(chosen))
        else:
            remember(chosen)
    return redirect(target, code=303)
