"""Security headers on every response: nosniff and Referrer-Policy always, HSTS in production only,
and the existing Content-Security-Policy (frame-ancestors) kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_app

PATHS = ["/healthz", "/", "/no-such-page", "/static/swott.css", "/lti/jwks.json", "/admin/?token=forged"]


@pytest.fixture
def production_app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, env="production", base_url="https://swott.council.example")


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_nosniff_and_a_referrer_policy(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    response.close()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    # Development is plain http on 127.0.0.1: HSTS there would lock the laptop out for a year.
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", PATHS)
def test_production_adds_hsts(production_app: Flask, path: str) -> None:
    try:
        response = production_app.test_client().get(path, base_url="https://swott.council.example")
        response.close()
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    finally:
        production_app.extensions["swott.db"].dispose()


def test_a_500_page_has_the_headers_too(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("unexpected")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
