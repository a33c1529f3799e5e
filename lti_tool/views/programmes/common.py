"""The programmes blueprint and what its lead and participant pages share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Blueprint

from lti_tool import clock, web
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import ProgrammeRun
from lti_tool.services.programmes import cohort, gradebook, runs, templates
from toolkits.programmes import Programme

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


def now() -> datetime:
    """The clock the pages read (tests replace it, or set the app's clock, to run a programme to its end)."""
    return clock.now()


def programme_of(run: ProgrammeRun) -> Programme | None:
    return templates.get(web.catalogue(), run.template_id)


def the_run(launch: CurrentLaunch, run_id: int) -> ProgrammeRun:
    return runs.get_run(web.db_session(), run_id, context_id=launch.context_id)


def url(launch: CurrentLaunch) -> Any:
    return lambda endpoint, **values: launch_url_for(endpoint, launch, **values)


def queue_run_scores(run: ProgrammeRun, user_ids: Iterable[int] | None = None) -> int:
    """Queue the run's programme scores and its activity columns' (the outbox skips unchanged ones),
    for every participant or only `user_ids`."""
    session = web.db_session()
    view = cohort.build_many(session, [run], now(), {run.id: templates.toolkit_of(programme_of(run))})[0]
    return gradebook.queue_scores(session, view, user_ids, programme=programme_of(run))


def commit() -> None:
    """Commit; programme scores queued in the transaction are sent after it by the outbox's hook."""
    web.db_session().commit()
