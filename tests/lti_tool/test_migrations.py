"""`swott db upgrade` builds the schema on empty SQLite and PostgreSQL, and it matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from lti_tool import migrate, models
from lti_tool.db import Base, make_engine
from swott.cli import main

# These tests are about the migrations: Alembic runs every one (no session template copy).
pytestmark = pytest.mark.usefixtures("real_migrations")


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_empty_sqlite_matches_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    migrate.upgrade(url)
    assert {"platform", "deployment", "lti_user", "tool_key"} <= _tables(url)
    assert _differences(url) == []


@pytest.mark.postgres
def test_upgrade_on_empty_postgres_matches_models(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    assert set(Base.metadata.tables) <= _tables(postgres_url)
    assert _differences(postgres_url) == []


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert _differences(url) == []


def test_cli_db_upgrade_on_empty_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SWOTT_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    assert models.Platform.__tablename__ in _tables(url)


@pytest.mark.postgres
def test_cli_db_upgrade_on_empty_postgres(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWOTT_DATABASE_URL", postgres_url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert set(Base.metadata.tables) <= _tables(postgres_url)
