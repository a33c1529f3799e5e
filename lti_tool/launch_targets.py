"""Where a validated launch goes: the pages each feature answers a launch with (issue 17).

`POST /lti/launch` answers with the page itself (issue 15), so it must call a feature's view. Rather
than import every feature's views, the launch view asks this registry: each feature's view module has a
`register_launch_targets(targets)` that names its launch pages by endpoint, and the app factory calls
them when it registers the blueprints. A feature can also register a page that is due before any
launch page (the evaluation questionnaires of issue 12), which the L1 and L2 landing pages ask for
through `due_first` without importing the evaluation views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from lti_tool.lti.session import CurrentLaunch

EXTENSION = "swott_launch_targets"

# A launch page: the launch, and the URL values a `resolve` step chose (see `LaunchTarget`).
LaunchPage = Callable[..., ResponseReturnValue]
# A page due first: the launch and whether the learner has started L1; None when nothing is due.
DueFirst = Callable[[CurrentLaunch, bool], ResponseReturnValue | None]


@dataclass(frozen=True)
class LaunchTarget:
    """A launch page, and optionally a step that picks a more precise endpoint (and its URL values)
    before the page is rendered: a programme launch opens the learner's run's timeline when there is
    exactly one."""

    page: LaunchPage
    resolve: Callable[[CurrentLaunch], tuple[str, dict[str, Any]] | None] | None = None


class LaunchTargets:
    """The launch pages of one app, by endpoint, filled once at app creation."""

    def __init__(self) -> None:
        self._targets: dict[str, LaunchTarget] = {}
        self._due_first: list[DueFirst] = []

    def add(
        self,
        endpoint: str,
        page: LaunchPage,
        *,
        resolve: Callable[[CurrentLaunch], tuple[str, dict[str, Any]] | None] | None = None,
    ) -> None:
        if endpoint in self._targets:
            raise ValueError(f"a launch page for {endpoint} is already registered")
        self._targets[endpoint] = LaunchTarget(page, resolve)

    def page(self, endpoint: str, launch: CurrentLaunch, **values: Any) -> ResponseReturnValue:
        """Another feature's page by endpoint, for a page that answers with it (a questionnaire's Skip
        answers with the first L1 page, issue 15) without importing that feature's views."""
        return self._target(endpoint).page(launch, **values)

    def add_due_first(self, check: DueFirst) -> None:
        self._due_first.append(check)

    def resolve(self, endpoint: str, launch: CurrentLaunch) -> tuple[str, dict[str, Any], LaunchTarget]:
        """The endpoint, its URL values and its target for a launch routed to `endpoint`."""
        target = self._target(endpoint)
        chosen = target.resolve(launch) if target.resolve is not None else None
        if chosen is None:
            return endpoint, {}, target
        return chosen[0], chosen[1], self._target(chosen[0])

    def due_first(self, launch: CurrentLaunch, *, l1_started: bool) -> ResponseReturnValue | None:
        for check in self._due_first:
            page = check(launch, l1_started)
            if page is not None:
                return page
        return None

    def _target(self, endpoint: str) -> LaunchTarget:
        try:
            return self._targets[endpoint]
        except KeyError:
            raise LookupError(f"no launch page is registered for {endpoint}") from None


def init_app(app: Flask) -> LaunchTargets:
    targets = LaunchTargets()
    app.extensions[EXTENSION] = targets
    return targets


def targets() -> LaunchTargets:
    found: LaunchTargets = current_app.extensions[EXTENSION]
    return found


def due_first(launch: CurrentLaunch, *, l1_started: bool) -> ResponseReturnValue | None:
    """A page due before the launch's own (a follow-up or questionnaire), or None."""
    return targets().due_first(launch, l1_started=l1_started)
