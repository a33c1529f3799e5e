"""Flask glue shared by the blueprints: the request's database session, settings and catalogue."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from lti_tool import session_hooks
from lti_tool.background import Background
from lti_tool.db import Database
from lti_tool.services import outbox, progress
from lti_tool.settings import Settings
from toolkits import Catalogue


def database() -> Database:
    db: Database = current_app.extensions["swott.db"]
    return db


def db_session() -> Session:
    """The request's session: created on first use, rolled back and closed at teardown."""
    if "db_session" not in g:
        g.db_session = database().sessions()
        # Scores the request queues are handed to the background delivery once its commit succeeds.
        g.db_session.info[outbox.AFTER_COMMIT] = background().scores_committed
        # What other features do when an L1 attempt becomes complete (e.g. a programme's score moves).
        g.db_session.info[progress.L1_COMPLETED] = session_hooks.l1_completed_hooks()
    session: Session = g.db_session
    return session


def background() -> Background:
    """The app's post-response work: score delivery, roster refreshes, due dates (`lti_tool.background`)."""
    value: Background = current_app.extensions["swott.background"]
    return value


def close_db_session(_error: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def settings() -> Settings:
    value: Settings = current_app.extensions["swott.settings"]
    return value


def catalogue() -> Catalogue:
    value: Catalogue = current_app.extensions["swott.catalogue"]
    return value
