"""`GET|POST /lti/login`: OIDC third-party initiated login (LTI Security 1.0 §5.1.1; `lti.login`).

CSRF-exempt: platforms post here cross-site; the OIDC state this answer binds to the browser (a cookie,
or the platform's storage frame) is what the launch checks.
"""

from __future__ import annotations

from flask import make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from lti_tool import csrf, web
from lti_tool.lti.login import begin_login
from lti_tool.lti.platforms import origin
from lti_tool.lti.state_store import STATE_TTL
from lti_tool.views.lti.common import bp, platforms, secure, state_cookie, store, tool_urls


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> ResponseReturnValue:
    params = {k: v for k, v in request.values.items() if isinstance(v, str)}
    result = begin_login(platforms(), store(), params, tool_urls().tool_url, web.settings().base_url)
    response: Response
    if result.storage_target:
        # LTI Client Side postMessages: keep proof of this login in the platform's storage frame too,
        # for browsers that will not send our cookie back inside the LMS's iframe.
        response = make_response(
            render_template(
                "lti/storage_login.html",
                auth_url=result.url,
                target=result.storage_target,
                key=state_cookie(result.state),
                value=result.storage_secret,
                platform_origin=origin(result.url),
            )
        )
    else:
        response = redirect(result.url, code=302)
    response.set_cookie(
        state_cookie(result.state),
        result.state,
        max_age=int(STATE_TTL.total_seconds()),
        secure=secure(),
        httponly=True,
        samesite="None" if secure() else "Lax",
        path="/lti/",
    )
    return response
