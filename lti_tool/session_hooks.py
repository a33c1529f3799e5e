"""What other features do when an L2 group session closes (issue 16), without the L2 views importing them.

A programme's toolkit L2 runs in the L2 session mode; when the facilitator closes it, its attendance
must reach the programme's statuses and gradebook columns. The L2 run view calls `after_close`, and the
app factory adds each feature's hook here, as it does for launch pages (`lti_tool.launch_targets`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from lti_tool.models import GroupSession

EXTENSION = "swott_l2_close_hooks"

CloseHook = Callable[[GroupSession], None]


def init_app(app: Flask) -> list[CloseHook]:
    hooks: list[CloseHook] = []
    app.extensions[EXTENSION] = hooks
    return hooks


def after_close(group: GroupSession) -> None:
    """Run every feature's hook for a session just closed, inside the caller's transaction."""
    hooks: list[CloseHook] = current_app.extensions.get(EXTENSION, [])
    for hook in hooks:
        hook(group)
