"""Shared fixtures: apps on SQLite (default) or PostgreSQL, a CLI runner, and Debian's chromium.

PostgreSQL and Redis tests read `SWOTT_TEST_POSTGRES_URL` / `SWOTT_TEST_REDIS_URL` (the test script
sets them to the local servers). Without them those tests skip with a loud reason; under `CI=true` a
missing server is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from lti_tool import create_app, migrate

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_service(env_var: str, what: str) -> str:
    """The URL of a test service, or a skip (a failure under CI) saying exactly what is missing."""
    url = os.environ.get(env_var, "")
    if url:
        return url
    message = f"{what} not configured: set {env_var} (the test script does) to run this test"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — under CI=true this is a failure, not a skip")
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test (dropped afterwards)."""
    import sqlalchemy as sa

    base = require_service("SWOTT_TEST_POSTGRES_URL", "PostgreSQL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        engine.dispose()
        pytest.fail(f"PostgreSQL at {base} is not reachable: {type(error).__name__}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database for one test, flushed before and after."""
    import redis

    url = require_service("SWOTT_TEST_REDIS_URL", "Redis")
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail(f"Redis at {url} is not reachable")
    yield url
    client.flushdb()
    client.close()


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    """An app with its own SQLite database (migrated to head) unless `database_url` is given."""
    overrides.setdefault("database_url", f"sqlite:///{tmp_path / 'test.sqlite3'}")
    overrides.setdefault("secret_key", "test-secret-" + "x" * 40)
    overrides.setdefault("base_url", "http://127.0.0.1:5000")
    app = create_app(overrides)
    app.config["TESTING"] = True
    migrate.upgrade(overrides["database_url"])
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path)
    yield application
    application.extensions["swott.db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (Playwright's own browser download does not work here)."""
    if not Path(CHROMIUM).exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — under CI=true this is a failure, not a skip")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # Test servers listen on 127.0.0.1 only. `localhost` (the cross-site tool in
                # test_storage_browser) could otherwise resolve to ::1 first, where another process may
                # hold the same port number: always 127.0.0.1. The site (for SameSite) is still "localhost".
                "--host-resolver-rules=MAP localhost 127.0.0.1",
            ],
        )
        yield browser
        browser.close()
