"""Shared fixtures: apps on SQLite (default) or PostgreSQL, a CLI runner, and Debian's chromium.

PostgreSQL and Redis tests read `SWOTT_TEST_POSTGRES_URL` / `SWOTT_TEST_REDIS_URL` (the test script
sets them to the local servers). Without them those tests skip with a loud reason; under `CI=true` a
missing server is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import lti_tool.app
import scorm_packager.cli
from lti_tool import create_app, migrate
from lti_tool.db import Database
from toolkits import loader

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# --- One migrated template database and one shipped catalogue per session (issue 17 item 8) ---------------
# Migrating a fresh SQLite file took about a second and loading the shipped toolkits about two, for every
# app and database fixture. Both results are the same every time: the first SQLite database the session
# migrates to head becomes a template file that later ones copy, and the catalogue of the shipped toolkits
# (immutable: frozen dataclasses) is loaded once. Anything else (another revision, PostgreSQL, an operator's
# toolkit folder) still goes through Alembic and the loader; `real_migrations` opts a test out entirely.

alembic_upgrade = migrate.upgrade
RealCatalogue = loader.Catalogue
_template_dir = Path(tempfile.mkdtemp(prefix="swott-test-template-"))
_sqlite_template: Path | None = None
_shipped: loader.Catalogue | None = None


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///path` URL (no query, not in memory), else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :])


def _postgres_first_migration(url: str) -> None:
    """Alembic to head, keeping the rows the migrations insert (replayed when a schema is emptied)."""
    global _postgres_seed
    import sqlalchemy as sa

    recorded: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT") and "alembic_version" not in statement:
            recorded.append((statement, parameters))

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        alembic_upgrade(url, "head")
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    if _postgres_seed is None:
        _postgres_seed = recorded


def upgrade_from_template(url: str, revision: str = "head") -> None:
    """`migrate.upgrade`, but a new SQLite file at head is a copy of the session's migrated template, and
    an empty PostgreSQL test schema replays the statements of the session's first migration."""
    global _sqlite_template
    target = _sqlite_file(url)
    schema = _schema_of(url)
    if revision == "head" and schema is not None and schema in _schemas.created:
        if schema not in _schemas.migrated:
            _postgres_first_migration(url)
            _schemas.migrated.add(schema)
        return
    if revision != "head" or target is None or (target.exists() and target.stat().st_size):
        alembic_upgrade(url, revision)
        return
    if _sqlite_template is None:
        template = _template_dir / "head.sqlite3"
        alembic_upgrade(f"sqlite:///{template}", "head")
        _sqlite_template = template
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, target)


def shipped_catalogue() -> loader.Catalogue:
    """The catalogue of the toolkits shipped with the code, loaded once per session."""
    global _shipped
    if _shipped is None:
        _shipped = RealCatalogue(loader.default_root())
    return _shipped


def catalogue_once(root: Path | None = None) -> loader.Catalogue:
    """`Catalogue(root)`, shared for the shipped toolkits (tests build their own folders elsewhere)."""
    if root is None or Path(root).resolve() == loader.default_root().resolve():
        return shipped_catalogue()
    return RealCatalogue(root)


def _patches() -> list[tuple[Any, str, Any, Any]]:
    """(module, attribute, test stand-in, original) for the session's shortcuts."""
    return [
        (migrate, "upgrade", upgrade_from_template, alembic_upgrade),
        (lti_tool.app, "Catalogue", catalogue_once, RealCatalogue),
        (scorm_packager.cli, "Catalogue", catalogue_once, RealCatalogue),
    ]


def pytest_configure(config: pytest.Config) -> None:
    for module, name, stand_in, _ in _patches():
        setattr(module, name, stand_in)


def pytest_unconfigure(config: pytest.Config) -> None:
    for module, name, _, original in _patches():
        setattr(module, name, original)
    shutil.rmtree(_template_dir, ignore_errors=True)
    if _schemas.created:
        _schemas.drop_all(os.environ["SWOTT_TEST_POSTGRES_URL"])


@pytest.fixture
def real_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every migration through Alembic for this test (the tests of the migrations themselves)."""
    monkeypatch.setattr(migrate, "upgrade", alembic_upgrade)


def require_service(env_var: str, what: str) -> str:
    """The URL of a test service, or a skip (a failure under CI) saying exactly what is missing."""
    url = os.environ.get(env_var, "")
    if url:
        return url
    message = f"{what} not configured: set {env_var} (the test script does) to run this test"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — under CI=true this is a failure, not a skip")
    pytest.skip(message)


class _PostgresSchemas:
    """PostgreSQL test schemas. DDL is slow on a shared server (about 80 ms a statement, so 5–7 s to
    migrate one schema), so a schema a test migrated to head goes back to a pool, emptied with plain
    DELETEs and its sequences reset, and the next test's upgrade of it is a no-op."""

    def __init__(self) -> None:
        self.clean: list[str] = []  # migrated to head, holding only the migrations' own rows
        self.migrated: set[str] = set()  # schemas (in use or clean) known to be at head
        self.created: set[str] = set()

    @staticmethod
    def url(base: str, schema: str) -> str:
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{schema}"

    def empty(self, engine: Any) -> str:
        import sqlalchemy as sa

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.created.add(schema)
        return schema

    def give_back(self, engine: Any, schema: str) -> None:
        """Empty a used schema at head for the next test, or drop one in any other state."""
        import sqlalchemy as sa

        if schema in self.migrated and _postgres_seed is not None:
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                    conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK order
                    tables = conn.execute(
                        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
                    ).scalars()
                    for table in tables:
                        if table != "alembic_version":
                            conn.exec_driver_sql(f'DELETE FROM "{table}"')
                    sequences = conn.execute(
                        sa.text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"),
                        {"s": schema},
                    ).scalars()
                    for sequence in sequences:
                        conn.execute(sa.text("SELECT setval(:q, 1, false)"), {"q": f'"{schema}"."{sequence}"'})
                    for statement, parameters in _postgres_seed:
                        conn.exec_driver_sql(statement, parameters)
                self.clean.append(schema)
                return
            except sa.exc.DBAPIError:
                pass  # still locked by a connection the test left open: drop it at the end instead
        self.migrated.discard(schema)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            self.created.discard(schema)
        except sa.exc.DBAPIError:
            pass

    def drop_all(self, base: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(base)
        try:
            for schema in sorted(self.created):
                with engine.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            engine.dispose()
        self.created.clear()


_schemas = _PostgresSchemas()
_postgres_seed: list[tuple[str, Any]] | None = None  # the migrations' INSERTs (not alembic_version's)


def _schema_of(url: str) -> str | None:
    marker = "search_path%3D"
    return url.split(marker, 1)[1].split("&", 1)[0] if marker in url else None


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL schema for one test, empty or (reused from an earlier test) already migrated to head
    and emptied: `migrate.upgrade` of it is then a no-op. Tests of the migrations get a fresh empty one."""
    import sqlalchemy as sa

    base = require_service("SWOTT_TEST_POSTGRES_URL", "PostgreSQL")
    engine = sa.create_engine(base)
    fresh = "real_migrations" in request.fixturenames
    try:
        schema = _schemas.clean.pop() if _schemas.clean and not fresh else _schemas.empty(engine)
    except sa.exc.OperationalError as error:
        engine.dispose()
        pytest.fail(f"PostgreSQL at {base} is not reachable: {type(error).__name__}")
    yield _schemas.url(base, schema)
    if fresh:
        _schemas.migrated.discard(schema)
    _schemas.give_back(engine, schema)
    engine.dispose()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def database_url_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL at migration head: a copy of the session's SQLite template, or a pooled
    PostgreSQL schema (skipped, loudly, with no server configured)."""
    if backend in ("postgresql", "postgres"):
        url = str(request.getfixturevalue("postgres_url"))
    else:
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that asks for it (or for `db` / `session`) runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database at migration head, on each backend."""
    return database_url_for(backend, request, tmp_path)


@pytest.fixture
def backend_settings(backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """What an app built by a test needs on each backend: nothing on SQLite (the app migrates its own file),
    `database_url` of a pooled PostgreSQL schema at head otherwise."""
    if backend == "sqlite":
        return {}
    url = str(request.getfixturevalue("postgres_url"))
    migrate.upgrade(url)
    return {"database_url": url}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The database at migration head, on each backend (modules may narrow this by redefining it)."""
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session on `db`."""
    with db.session() as session:
        yield session


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


@contextmanager
def running_app(tmp_path: Path, **overrides: Any) -> Iterator[Flask]:
    """`make_app`, its database's connections closed afterwards."""
    application = make_app(tmp_path, **overrides)
    try:
        yield application
    finally:
        application.extensions["swott.db"].dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite database at head. A module or test marked
    `@pytest.mark.app_settings(toolkits_dir=...)` gets those settings (e.g. the small fixture toolkits)."""
    marker = request.node.get_closest_marker("app_settings")
    with running_app(tmp_path, **(marker.kwargs if marker else {})) as application:
        yield application


@pytest.fixture
def app_session(app: Flask) -> Iterator[Session]:
    """A session on the app's database, closed after the test (what a view test seeds and reads back)."""
    with app.extensions["swott.db"].session() as session:
        yield session


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
