"""The pages opened without a launch, in Welsh (issue 13): someone who chose Cymraeg with the switch sees the
catalogue, a toolkit's page, the certificate check, the error pages and the operator's page with
`<html lang="cy">`, Welsh interface words and no English interface string left; the toolkits' own English
text is marked `lang="en-GB"` (WCAG 2.2 SC 3.1.2). English stays the default (test_frontend.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool.views.admin import admin_link
from tests.lti_tool.views.test_l1_welsh import english_left, interface_text

MAIN = "participatory-practice"


@pytest.fixture
def cymraeg(app: Flask) -> Iterator[FlaskClient]:
    client = app.test_client()
    assert client.get("/language/cy?next=/").status_code == 303
    yield client


def _welsh(client: FlaskClient, path: str, *words: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    html = response.get_data(as_text=True)
    assert '<html lang="cy"' in html, path
    text = interface_text(html)
    for expected in words:
        assert expected in text, (path, expected)
    assert english_left(html) == [], path
    return html


def test_the_catalogue_and_a_toolkits_page_are_in_welsh(cymraeg: FlaskClient) -> None:
    html = _welsh(cymraeg, "/", "Pecynnau cymorth SWOTT", "ar eich pen eich hun")
    assert 'class="govuk-link" href="/toolkits/participatory-practice" lang="en-GB"' in html
    html = _welsh(cymraeg, f"/toolkits/{MAIN}", "Deilliannau dysgu", "Safonau proffesiynol Social Work England")
    assert '<h1 class="govuk-heading-xl" lang="en-GB">' in html


def test_the_certificate_check_and_the_error_pages_are_in_welsh(cymraeg: FlaskClient) -> None:
    _welsh(cymraeg, "/certificates/check")
    _welsh(cymraeg, "/certificates/ABCD-EFGH-JKLM-NPQR", status=404)
    _welsh(cymraeg, "/toolkits/no-such-toolkit", status=404)
    _welsh(cymraeg, "/no/such/page", status=404)
    _welsh(cymraeg, "/admin/", status=403)


def test_the_operators_page_is_in_welsh(app: Flask, cymraeg: FlaskClient) -> None:
    with app.test_request_context():
        link = admin_link("Sam Jones")
    path = urlsplit(link)
    _welsh(cymraeg, f"{path.path}?{path.query}")


def test_an_english_visitor_still_gets_english(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en-GB"' in html
    assert "SWOTT toolkits" in html
