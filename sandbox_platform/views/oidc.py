"""The OIDC authorization endpoint (LTI Security 1.0 §5.1.1.2–5.1.1.3) and the platform's JWKS."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox_platform.oidc import AuthRequestError
from sandbox_platform.web import autopost, error_page, platform

bp = Blueprint("oidc", __name__)


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> tuple[str, int]:
    """Answer the tool's authentication request with a form post of `id_token` and `state`."""
    params = request.values.to_dict()
    try:
        auth, id_token = platform().authorize(params)
    except AuthRequestError as error:
        if not error.redirectable:
            return error_page(400, "Launch refused", error.description)
        # OIDC Core §3.1.2.6: tell the tool, which registered this redirect URI, why.
        fields = {"error": error.error, "error_description": error.description}
        if params.get("state"):
            fields["state"] = params["state"]
        return autopost(params["redirect_uri"], fields, "Launch refused", 400, error.description)
    return autopost(auth.redirect_uri, {"id_token": id_token, "state": auth.state}, "Opening the tool…")


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    key = platform().key
    key.fetches += 1
    return jsonify(key.jwks())
