"""Fixtures shared by the passback and LTI service tests: the shared `db` (each backend) under the name they
use, and a Moodle-like AGS platform serving it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lti_tool.db import Database
from tests.lti_tool.services.ags_platform import AgsPlatform
from tests.lti_tool.services.passback_support import start_platform


@pytest.fixture
def database(db: Database) -> Database:
    """The database at migration head, on SQLite and on PostgreSQL (tests/conftest.py's `db`)."""
    return db


@pytest.fixture
def ags(database: Database) -> Iterator[AgsPlatform]:
    platform = start_platform(database)
    yield platform
    platform.stop()
