"""The app's clock, one for every page: tests inject one to run a follow-up or a programme to its end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from lti_tool.models.base import utcnow

CLOCK = "swott.clock"


def now() -> datetime:
    """`app.extensions["swott.clock"]` when a test sets one, else the real UTC time."""
    clock: Callable[[], datetime] | None = current_app.extensions.get(CLOCK)
    return clock() if clock is not None else utcnow()
