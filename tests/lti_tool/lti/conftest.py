"""Fixtures for the LTI tests: the sandbox platform over real HTTP (scripted by a `Forge`), and the tool
registered with it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from lti_tool import create_app, migrate, web
from lti_tool.db import Base
from lti_tool.models import Context, Enrolment, LtiUser, ResourceLink, UsedNonce
from lti_tool.services import registrations, subscriptions
from sandbox_platform import SandboxServer
from sandbox_platform.forge import Forge
from swott.cli import main
from tests.lti_tool.lti.http_support import Dispatcher, fixture_toolkits, query, serve

TOOLKITS = fixture_toolkits()
TOOL_URL = "http://127.0.0.1:5000"


@contextmanager
def sandbox(client_id: str = "swott-client-1", **config: Any) -> Iterator[Forge]:
    """A sandbox platform (`config`: `PlatformConfig` settings) on a free port, scripted by a `Forge`
    whose tool is `client_id`."""
    with SandboxServer(config=config) as server:
        yield Forge(server, client_id)


@pytest.fixture
def lti_platform() -> Iterator[Forge]:
    with sandbox() as platform:
        yield platform


def registration_params(platform: Forge) -> dict[str, str]:
    """What a platform's "Register a tool" sends to the tool's registration URL (DR 1.0 §3.3)."""
    return {"openid_configuration": platform.configuration_url, "registration_token": platform.registration_token}


def cli_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A `swott` command line on a fresh, migrated SQLite database in `tmp_path`."""
    monkeypatch.setenv("SWOTT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SWOTT_BASE_URL", "https://swott.council.example")
    monkeypatch.setenv("SWOTT_TOOLKITS_DIR", str(TOOLKITS))
    monkeypatch.setenv("SWOTT_SECRET_KEY", "cli-secret-" + "z" * 40)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def register(app: Flask, platform: Forge, subscribe: bool = True) -> None:
    """Register `platform` with the tool (and the tool, at its base URL, with the sandbox)."""
    platform.attach(app.extensions["swott.settings"].base_url)
    with app.app_context():
        session = web.db_session()
        row = registrations.add_platform(
            session,
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_login_url=platform.auth_url,
            auth_token_url=platform.token_url,
            key_set_url=platform.jwks_url,
            deployment_ids=[platform.deployment_id],
        )
        if subscribe:
            subscriptions.grant(session, row, [None])


_TEMPLATE: list[Path] = []


def _migrated_copy(tmp_path: Path) -> str:
    """A copy of a database migrated once per test run: migrating for every test would double its time."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="swott-lti-template-")) / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{template}")
        _TEMPLATE.append(template)
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(_TEMPLATE[0], target)
    return f"sqlite:///{target}"


def build_app(tmp_path: Path, platform: Forge, **overrides: Any) -> Flask:
    """The tool (as `tests.conftest.make_app` builds it) registered with `platform`, all toolkits subscribed."""
    overrides.setdefault("toolkits_dir", str(TOOLKITS))
    if "database_url" not in overrides:  # not `setdefault`: the copy would overwrite a given tmp_path database
        overrides["database_url"] = _migrated_copy(tmp_path)
    overrides.setdefault("secret_key", "test-secret-" + "x" * 40)
    overrides.setdefault("base_url", TOOL_URL)
    app = create_app(overrides)
    app.config["TESTING"] = True
    app.config["SWOTT_PLATFORM_KEYS_MIN_REFRESH"] = 0
    register(app, platform)
    return app


@pytest.fixture
def lti_app(tmp_path: Path, lti_platform: Forge) -> Iterator[Flask]:
    app = build_app(tmp_path, lti_platform)
    yield app
    app.extensions["swott.db"].dispose()


@pytest.fixture
def lti_client(lti_app: Flask) -> FlaskClient:
    return lti_app.test_client()


@pytest.fixture
def tool_server(tmp_path: Path, lti_platform: Forge) -> Iterator[tuple[str, Flask]]:
    """The tool served over real HTTP by Werkzeug in a thread, registered with the test platform."""
    dispatcher = Dispatcher()
    with serve(dispatcher) as url:
        app = build_app(tmp_path, lti_platform, base_url=url)
        dispatcher.app = app
        yield url, app
        app.extensions["swott.db"].dispose()


def row_counts(app: Flask) -> dict[str, int]:
    """Rows in every table but `launch_state` (which the login writes): none may appear or go when a
    launch is refused. `used_nonce`, `lti_user`, `context`, `resource_link` and `enrolment` are the ones
    a launch writes."""
    with app.app_context():
        session = web.db_session()
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name != "launch_state"
        }
        assert {m.__tablename__ for m in (LtiUser, Context, Enrolment, ResourceLink, UsedNonce)} <= set(counts)
        return counts


def login_params(platform: Forge, **extra: str) -> dict[str, str]:
    """Third-party initiated login (LTI Security §5.1.1.1) from `platform` to the tool at `TOOL_URL`."""
    params = {
        "iss": platform.issuer,
        "login_hint": "user-1",
        "target_link_uri": TOOL_URL + "/lti/launch",
        "client_id": platform.client_id,
    }
    return {**params, **extra}


def begin_login(client: FlaskClient, platform: Forge, **extra: str) -> tuple[str, str]:
    """Run the OIDC login on the tool; return the state and nonce it sent to the platform."""
    params = login_params(platform, lti_deployment_id=platform.deployment_id, **extra)
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    auth = query(response.headers["Location"])
    return auth["state"], auth["nonce"]


class StatementLog:
    """The SQL statements an engine ran while counting (SQLAlchemy's `before_cursor_execute` event)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1}. {s.split(chr(10))[0][:160]}" for i, s in enumerate(self.statements))


@contextmanager
def count_statements(app: Flask) -> Iterator[StatementLog]:
    """Count every statement `app`'s engine runs inside the block (PRAGMAs on connect excluded)."""
    engine = app.extensions["swott.db"].engine
    log = StatementLog()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("PRAGMA"):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
