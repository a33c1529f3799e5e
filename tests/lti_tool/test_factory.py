"""The app factory, configuration and error pages, as an operator and a user meet them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from lti_tool import create_app
from lti_tool.settings import ConfigurationError, load_settings


def test_factory_applies_overrides(tmp_path: Path) -> None:
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'a.sqlite3'}", "secret_key": "k" * 40})
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.extensions["swott.settings"].env == "development"


def test_environment_variables_override_defaults() -> None:
    settings = load_settings({"SWOTT_BASE_URL": "https://tool.example", "SWOTT_CLOCK_LEEWAY": "30"})
    assert settings.base_url == "https://tool.example"
    assert settings.clock_leeway == 30


def test_a_non_number_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="SWOTT_CLOCK_LEEWAY must be a whole number"):
        load_settings({"SWOTT_CLOCK_LEEWAY": "soon"})


def test_postgres_urls_from_hosting_dashboards_get_a_driver() -> None:
    from lti_tool.settings import Settings, database_url

    url = database_url(Settings(database_url="postgres://u@h/db"), Path("/nonexistent"))
    assert url == "postgresql+psycopg://u@h/db"


def test_production_refuses_to_start_without_a_real_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SWOTT_SECRET_KEY"):
        create_app({"env": "production", "base_url": "https://tool.example", "secret_key": ""})
    with pytest.raises(ConfigurationError, match="SWOTT_SECRET_KEY"):
        create_app({"env": "production", "base_url": "https://tool.example", "secret_key": "short"})


def test_production_refuses_plain_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="https"):
        create_app({"env": "production", "base_url": "http://tool.example", "secret_key": "s" * 48})


def test_production_starts_with_a_real_secret(tmp_path: Path) -> None:
    app = create_app(
        {
            "env": "production",
            "base_url": "https://tool.example",
            "secret_key": "s" * 48,
            "database_url": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"


def test_development_secret_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lti_tool.settings import development_secret

    first = development_secret(tmp_path)
    assert len(first) >= 32 and development_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_healthz_reports_database_and_toolkits(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["status"] == "ok" and response.json["database"] == "ok"


def test_healthz_says_503_when_the_database_is_gone(tmp_path: Path) -> None:
    app = create_app({"database_url": "sqlite:////nonexistent-dir/x.sqlite3", "secret_key": "k" * 40})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_catalogue_lists_toolkits_with_minutes_and_standards(client: FlaskClient, app: Flask) -> None:
    toolkits = list(app.extensions["swott.catalogue"])
    assert toolkits, "the shipped toolkits should load"
    page = client.get("/").get_data(as_text=True)
    for toolkit in toolkits:
        assert str(escape(toolkit.title)) in page
        assert f"about {toolkit.l1.minutes} minutes" in page
    detail = client.get(f"/toolkits/{toolkits[0].id}").get_data(as_text=True)
    assert str(escape(toolkits[0].learning_outcomes[0])) in detail
    assert "Social Work England professional standards" in detail
    assert str(escape(toolkits[0].references[0].title)) in detail


def test_unknown_page_is_a_plain_404_without_traceback(client: FlaskClient) -> None:
    response = client.get("/toolkits/not-a-toolkit")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "There is no toolkit with that name." in body
    assert "Traceback" not in body


def test_unexpected_errors_become_a_calm_500(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body
    assert "secret internals" not in body and "Traceback" not in body
