"""A real launch's `locale` claim (LTI Core 1.3 §5.4.4) decides the interface language (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool import web
from lti_tool.lti.session import SESSION_KEY
from lti_tool.models import Platform
from sandbox_platform.forge import LTI, Forge
from tests.lti_tool.lti.conftest import TOOL_URL, begin_login
from tests.lti_tool.lti.http_support import page_url


def _launch(client: FlaskClient, platform: Forge, presentation: Any) -> None:
    state, nonce = begin_login(client, platform)
    body = platform.claims(
        nonce, target_link_uri=TOOL_URL + "/lti/launch", **{LTI + "launch_presentation": presentation}
    )
    response = client.post("/lti/launch", data={"id_token": platform.sign(body), "state": state})
    assert response.status_code == 200
    assert client.get(page_url(response)).status_code == 200


@pytest.mark.parametrize(
    ("presentation", "kept", "title"),
    [
        ({"document_target": "iframe", "locale": "cy-GB"}, "cy-GB", "Heb ddod o hyd i’r dudalen"),
        ({"document_target": "iframe", "locale": "en-GB"}, "en-GB", "Page not found"),
        ({"document_target": "iframe"}, "", "Page not found"),  # no locale: the platform's default (English)
        ({"locale": ["cy"]}, "", "Page not found"),  # not a string: ignored
        (None, "", "Page not found"),  # no launch presentation claim at all
    ],
)
def test_the_launch_locale_sets_the_language_of_the_pages_that_follow(
    lti_client: FlaskClient, lti_platform: Forge, presentation: object, kept: str, title: str
) -> None:
    _launch(lti_client, lti_platform, presentation)
    with lti_client.session_transaction() as session:
        assert session[SESSION_KEY][-1]["locale"] == kept
    missing = lti_client.get("/no-such-page")
    assert missing.status_code == 404
    assert title in missing.get_data(as_text=True)


def test_a_welsh_councils_default_language_comes_with_the_launch(
    lti_app: Flask, lti_client: FlaskClient, lti_platform: Forge
) -> None:
    with lti_app.app_context():
        session = web.db_session()
        session.scalars(select(Platform)).one().default_language = "cy"
        session.commit()
    _launch(lti_client, lti_platform, {"document_target": "iframe"})  # the LMS sends no locale
    with lti_client.session_transaction() as flask_session:
        assert flask_session[SESSION_KEY][-1]["platform_language"] == "cy"
    assert "Heb ddod o hyd i’r dudalen" in lti_client.get("/no-such-page").get_data(as_text=True)


def test_a_refused_welsh_launch_is_explained_in_welsh(lti_client: FlaskClient, lti_platform: Forge) -> None:
    # Verified, then refused (the link names no toolkit we have): the page speaks the launch's language.
    state, nonce = begin_login(lti_client, lti_platform)
    extra: dict[str, Any] = {
        LTI + "launch_presentation": {"locale": "cy-GB"},
        LTI + "custom": {"toolkit_id": "no-such-toolkit", "part": "l1"},
    }
    body = lti_platform.claims(nonce, target_link_uri=TOOL_URL + "/lti/launch", **extra)
    response = lti_client.post("/lti/launch", data={"id_token": lti_platform.sign(body), "state": state})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Nid oedd modd inni agor y gweithgaredd hwn" in html  # "We could not open this activity"
    assert "neu mae’n enwi un nad yw gennym" in html
    assert "a’r cod hwn: unknown_toolkit." in html  # the support code, unchanged
