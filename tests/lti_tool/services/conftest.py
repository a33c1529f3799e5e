"""Fixtures shared by the passback tests: a migrated SQLite database and a Moodle-like AGS platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lti_tool import migrate
from lti_tool.db import Database
from tests.lti_tool.services.ags_platform import AgsPlatform
from tests.lti_tool.services.passback_support import start_platform


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'passback.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture
def ags(database: Database) -> Iterator[AgsPlatform]:
    platform = start_platform(database)
    yield platform
    platform.stop()
