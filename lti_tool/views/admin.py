"""The operator's page: the values to paste into Moodle and Canvas, and the registered platforms.

Protection: there is no operator login in SWOTT Connect, and a static admin password in an environment
variable is one more secret to leak. Instead `swott admin link` (run by someone who already has a
shell on the server, i.e. who could run every `swott platform` command anyway) prints a link signed
with SWOTT_SECRET_KEY that works for one hour. The page only reads; every change stays in the CLI.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lti_tool import web
from lti_tool.errors import Forbidden
from lti_tool.services import registrations, subscriptions
from lti_tool.services.registrations import ToolUrls

bp = Blueprint("admin", __name__, url_prefix="/admin")

LINK_MAX_AGE = 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="swott-admin")


def admin_link() -> str:
    """A one-hour link to the admin page (call inside an app context)."""
    base = web.settings().base_url.rstrip("/")
    return base + url_for("admin.index", token=_serializer().dumps("operator"))


@bp.get("/")
def index() -> ResponseReturnValue:
    try:
        _serializer().loads(request.args.get("token", ""), max_age=LINK_MAX_AGE)
    except BadSignature:
        raise Forbidden(
            "This page is for the SWOTT Connect operator.",
            reason="admin_link_invalid",
            advice="Run `swott admin link` on the server for a fresh link (links last one hour).",
        ) from None
    session = web.db_session()
    return render_template(
        "admin/index.html",
        urls=ToolUrls(web.settings().base_url),
        platforms=registrations.list_platforms(session),
        subscriptions=subscriptions.list_subscriptions(session),
        left_out=web.catalogue().left_out(),
    )
