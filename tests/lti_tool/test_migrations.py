"""`swott db upgrade` builds the schema on empty SQLite and PostgreSQL, and it matches the models."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy.orm import Session

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


def _revision_0021() -> ModuleType:
    path = Path(migrate.MIGRATIONS, "versions", "0021_status_enums.py")
    spec = importlib.util.spec_from_file_location("revision_0021", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_enum_column_is_checked_by_the_status_enum_migration() -> None:
    columns = {
        (table.name, column.name): frozenset(column.type.enums)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.Enum)
    }
    checked = {(table, column): allowed for table, column, allowed in _revision_0021().ALLOWED}
    assert checked == columns


def test_upgrade_stops_on_a_stored_status_outside_its_enum(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    migrate.upgrade(url, "0017")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO platform (issuer, client_id, name, auth_login_url, auth_token_url, key_set_url,"
                " brand_colour, default_regulator, default_language, registered_by, created_at, status,"
                " approved_by) VALUES ('https://lms.example', 'c', '', 'u', 'u', 'u', '', 'swe', 'en',"
                " 'manual', '2026-01-01 00:00:00', 'suspended', '')"
            )
        )
    engine.dispose()
    with pytest.raises(RuntimeError, match=r"platform\.status: 'suspended'"):
        migrate.upgrade(url)


def test_a_status_outside_its_enum_is_refused_before_it_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'refuse.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            session.add(models.Platform(issuer="i", client_id="c", auth_login_url="u", auth_token_url="u",
                                        key_set_url="u", status="suspended"))  # fmt: skip
            with pytest.raises(sa.exc.StatementError, match="suspended"):
                session.flush()
    finally:
        engine.dispose()
