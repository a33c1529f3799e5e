"""What other features do when an L2 group session closes or a learner completes an L1 (issue 16),
without the L1 and L2 code importing them.

A programme's toolkit L2 runs in the L2 session mode; when the facilitator closes it, its attendance
must reach the programme's statuses and gradebook columns. A programme's L1 is done when the learner
completes that toolkit's L1 in the course, and the programme's gradebook line must move then, not when
the lead next presses a button. The L2 run view calls `after_close`; the L1 progress rules
(`services.progress`, which has no Flask) call the hooks the request's database session carries in
`Session.info[progress.L1_COMPLETED]`, put there by `web.db_session` from `l1_completed_hooks()`.
The app factory adds each feature's hooks here, as it does for launch pages (`lti_tool.launch_targets`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy.orm import Session

from lti_tool.models import Attempt, GroupSession

EXTENSION = "swott_session_hooks"

CloseHook = Callable[[GroupSession], None]
L1CompletedHook = Callable[[Session, Attempt], None]


@dataclass
class Hooks:
    """Each feature's hooks, per app (so two apps in one process, as in the tests, never share them)."""

    l2_closed: list[CloseHook] = field(default_factory=list)
    l1_completed: list[L1CompletedHook] = field(default_factory=list)


def init_app(app: Flask) -> Hooks:
    hooks = Hooks()
    app.extensions[EXTENSION] = hooks
    return hooks


def _hooks() -> Hooks:
    hooks: Hooks = current_app.extensions.get(EXTENSION) or Hooks()
    return hooks


def after_close(group: GroupSession) -> None:
    """Run every feature's hook for a session just closed, inside the caller's transaction."""
    for hook in _hooks().l2_closed:
        hook(group)


def l1_completed_hooks() -> tuple[L1CompletedHook, ...]:
    """The hooks for an attempt that has just become complete, for the request's session to carry."""
    return tuple(_hooks().l1_completed)
