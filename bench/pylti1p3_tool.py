"""The reference: a minimal LTI 1.3 tool written the way pylti1p3's README shows, for gunicorn.

OIDC login (`FlaskOIDCLogin(...).redirect(target_link_uri)`) and launch (`FlaskMessageLaunch(...)
.get_launch_data()`) with a `ToolConfDict`; launch state in Flask's session cookie (pylti1p3's
default); the platform's key set fetched on every launch, as pylti1p3 does without a cache. The
launch answers a small page naming the message type, which is what a tool's first page costs at
least. Configured by environment variables (set by bench/launch.py):

PYLTI_ISSUER, PYLTI_CLIENT_ID, PYLTI_DEPLOYMENT_ID, PYLTI_PRIVATE_KEY_FILE
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.tool_config.dict import ToolConfDict


def _tool_conf() -> ToolConfDict:
    issuer = os.environ["PYLTI_ISSUER"]
    client_id = os.environ["PYLTI_CLIENT_ID"]
    settings: dict[str, Any] = {
        issuer: [
            {
                "default": True,
                "client_id": client_id,
                "auth_login_url": issuer + "/auth",
                "auth_token_url": issuer + "/token",
                "key_set_url": issuer + "/.well-known/jwks.json",
                "key_set": None,
                "deployment_ids": [os.environ["PYLTI_DEPLOYMENT_ID"]],
            }
        ]
    }
    conf = ToolConfDict(settings)
    private_key = Path(os.environ["PYLTI_PRIVATE_KEY_FILE"]).read_text()
    conf.set_private_key(issuer, private_key, client_id=client_id)
    return conf


def create_app() -> Flask:
    app = Flask("pylti1p3-tool")
    app.secret_key = os.environ.get("PYLTI_SECRET", "bench-" + "p" * 40)
    tool_conf = _tool_conf()

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        flask_request = FlaskRequest()  # type: ignore[no-untyped-call]
        target_link_uri = flask_request.get_param("target_link_uri")  # type: ignore[no-untyped-call]
        return FlaskOIDCLogin(flask_request, tool_conf).redirect(target_link_uri)  # type: ignore[no-untyped-call]

    @app.route("/launch", methods=["POST"])
    def launch() -> Any:
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)  # type: ignore[no-untyped-call]
        data = message_launch.get_launch_data()
        kind = data.get("https://purl.imsglobal.org/spec/lti/claim/message_type", "")
        return f"<!doctype html><title>Launched</title><p>Launched: {kind}</p>"

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(tool_conf.get_jwks())

    @app.get("/ping")
    def ping() -> str:
        return "ok"

    return app
