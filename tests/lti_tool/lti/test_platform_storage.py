"""Blocked third-party cookies: state kept through LTI platform storage, or a new-window fallback.

Drives the HTTP side with clients that never send cookies back (as Safari in an LMS iframe). The
postMessage half runs in the browser; here the test plays the page's part: it reads what the login
page put into platform storage and posts it back as the launch page's script would.
"""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient

from sandbox_platform.forge import Forge
from tests.lti_tool.lti.conftest import TOOL_URL, login_params, row_counts
from tests.lti_tool.lti.http_support import page_url, query


def _storage_login(client: FlaskClient, platform: Forge) -> tuple[str, str, str, str]:
    response = client.get(
        "/lti/login",
        query_string=login_params(platform, lti_storage_target="post_message_forwarding"),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "lti.capabilities" in page and "put_data" in page and "org.imsglobal.lti." in page
    call = re.search(r"swottStorage\.put\((.*?)\)\s*\.then", page, re.S)
    assert call is not None
    target, _origin, key, secret = json.loads("[" + call.group(1) + "]")
    assert target == "post_message_forwarding"
    auth = re.search(r'var auth = (".*?");', page)
    assert auth is not None
    params = query(json.loads(auth.group(1)))
    return params["state"], params["nonce"], key, secret


def test_launch_without_cookies_completes_through_platform_storage(lti_app: Flask, lti_platform: Forge) -> None:
    login_browser = lti_app.test_client(use_cookies=False)
    state, nonce, key, secret = _storage_login(login_browser, lti_platform)
    token = lti_platform.sign(lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch"))

    frame = lti_app.test_client(use_cookies=False)  # the iframe: our cookie never comes back
    check = frame.post("/lti/launch", data={"id_token": token, "state": state})
    assert check.status_code == 200
    page = check.get_data(as_text=True)
    assert "get_data" in page and key in page
    assert row_counts(lti_app)["lti_user"] == 0

    done = frame.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": secret})
    assert done.status_code == 200 and "A minimal test toolkit" in done.get_data(as_text=True)
    location = page_url(done)
    assert "lt=" in location
    start = frame.get(location)
    assert start.status_code == 200 and "A minimal test toolkit" in start.get_data(as_text=True)
    assert row_counts(lti_app)["lti_user"] == 1


def test_wrong_storage_value_is_refused_and_writes_nothing(lti_app: Flask, lti_platform: Forge) -> None:
    client = lti_app.test_client(use_cookies=False)
    state, nonce, _key, _secret = _storage_login(client, lti_platform)
    token = lti_platform.sign(lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch"))
    before = row_counts(lti_app)
    response = client.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": "guess"})
    assert response.status_code == 400
    assert row_counts(lti_app) == before


def test_without_cookies_or_storage_the_user_gets_one_button_to_a_new_window(
    lti_app: Flask, lti_platform: Forge
) -> None:
    client = lti_app.test_client(use_cookies=False)
    response = client.get(
        "/lti/login",
        query_string={
            "iss": lti_platform.issuer,
            "login_hint": "user-1",
            "target_link_uri": TOOL_URL + "/lti/launch",
            "client_id": lti_platform.client_id,
        },
    )
    auth = query(response.headers["Location"])
    token = lti_platform.sign(lti_platform.claims(auth["nonce"], target_link_uri=TOOL_URL + "/lti/launch"))
    page = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 401
    assert text.count("<button") == 1 and "Open in a new window" in text
    assert 'target="_blank"' in text and 'name="login_hint" value="user-1"' in text


def test_cookies_are_samesite_none_and_secure_under_https(tmp_path: object, lti_platform: Forge) -> None:
    from pathlib import Path

    from tests.lti_tool.lti.conftest import build_app

    app = build_app(Path(str(tmp_path)), lti_platform, base_url="https://tool.example")
    client = app.test_client()
    response = client.get(
        "/lti/login",
        query_string={
            "iss": lti_platform.issuer,
            "login_hint": "u",
            "target_link_uri": "https://tool.example/lti/launch",
            "client_id": lti_platform.client_id,
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "HttpOnly" in cookie
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None" and app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["swott.db"].dispose()
