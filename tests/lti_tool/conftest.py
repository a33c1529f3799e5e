"""Fixtures shared by the passback and LTI service tests: the shared `db` (each backend) under the name they
use, and the sandbox LMS with the tool registered in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lti_tool.db import Database
from tests.lti_tool.services.passback_support import start_platform
from tests.lti_tool.services.sandbox_lms import SandboxLms


@pytest.fixture
def database(db: Database) -> Database:
    """The database at migration head, on SQLite and on PostgreSQL (tests/conftest.py's `db`)."""
    return db


@pytest.fixture
def ags(database: Database) -> Iterator[SandboxLms]:
    platform = start_platform(database)
    yield platform
    platform.stop()
