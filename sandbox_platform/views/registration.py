"""Dynamic Registration 1.0 (platform side) and manual registration pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sandbox_platform.registration import RegistrationError, openid_configuration, validate_registration
from sandbox_platform.web import check_form_token, error_page, form_token, platform

bp = Blueprint("registration", __name__)


def _bearer() -> str:
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""


def _oauth_error(error: RegistrationError) -> tuple[Response, int]:
    response = jsonify({"error": error.error, "error_description": error.description})
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response, error.status


@bp.get("/.well-known/openid-configuration")
def configuration() -> Response | tuple[Response, int]:
    """The platform's OpenID configuration (DR §3.4).

    By default it answers only a request carrying a live registration token as a bearer token. DR
    requires the token on the registration request (§3.5); platforms differ on this GET — Moodle
    serves it openly (mod/lti/openid-configuration.php) — so requiring it is the stricter choice: a
    tool that sends the token works everywhere. `require_token_for_configuration=False` serves it openly.
    """
    p = platform()
    if p.config.require_token_for_configuration and not p.registration_token_valid(_bearer()):
        return _oauth_error(RegistrationError("invalid_token", "send the registration token as a bearer token", 401))
    return jsonify(openid_configuration(p.config))


@bp.post("/registration")
def register() -> tuple[Response, int]:
    """The registration endpoint (DR §3.5–3.6): a single-use bearer token, then 201 with the client."""
    p = platform()
    token = _bearer()
    if not p.registration_token_valid(token):
        return _oauth_error(
            RegistrationError("invalid_token", "the registration token is unknown, used or expired", 401)
        )
    try:
        registration = validate_registration(request.get_json(silent=True))
        body = p.register_client(token, registration)
    except RegistrationError as error:
        return _oauth_error(error)
    current_app.logger.info("registered a tool by dynamic registration")
    return jsonify(body), 201


@bp.get("/tools")
def tools() -> str:
    p = platform()
    return render_template(
        "tools.html", tools=p.tools, config=p.config, csrf=form_token(), registered=request.args.get("registered")
    )


@bp.post("/tools/register")
def start() -> str | tuple[str, int]:
    """Open the tool's registration URL in an iframe and wait for its close message (DR §3.3)."""
    check_form_token()
    url = request.form.get("url", "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return error_page(400, "Not a registration URL", "Enter the tool's registration URL, starting with http(s)://.")
    return render_template(
        "registering.html",
        registration_url=platform().start_registration(url),
        tool_origin=f"{parts.scheme}://{parts.netloc}",
    )


@bp.post("/tools/manual")
def manual() -> Response | tuple[str, int]:
    """Register a tool from the fields an LMS administrator would type in."""
    check_form_token()
    form = request.form
    redirect_uris = [line.strip() for line in form.get("redirect_uris", "").splitlines() if line.strip()]
    required = (form.get("initiate_login_uri", "").strip(), form.get("jwks_uri", "").strip())
    if not all(required) or not redirect_uris:
        return error_page(400, "Missing details", "The login URL, a redirection URI and the keyset URL are required.")
    platform().register_tool(
        name=form.get("name", "").strip() or "Tool",
        client_id=form.get("client_id", "").strip() or None,
        initiate_login_uri=required[0],
        redirect_uris=redirect_uris,
        jwks_uri=required[1],
        target_link_uri=form.get("target_link_uri", "").strip() or None,
    )
    return redirect(url_for("registration.tools"), code=303)
