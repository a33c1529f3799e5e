"""Factories for L1 player tests: platforms, learners, courses and links as real rows.

One factory per model (house style); `Learner` bundles the rows one launch would have created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lti_tool import migrate
from lti_tool.db import Database
from lti_tool.lti.roles import Role
from lti_tool.lti.session import SESSION_KEY, CurrentLaunch
from lti_tool.models import Context, LtiUser, Platform, ResourceLink
from tests.lti_tool.factories import (
    ContextFactory,
    EnrolmentFactory,
    LtiUserFactory,
    PlatformFactory,
    ResourceLinkFactory,
)
from tests.lti_tool.factories import ids as _ids
from toolkits import Toolkit, load_toolkit

FIXTURE_TOOLKITS = Path(__file__).resolve().parent / "l1_fixtures" / "toolkits"


def mini_toolkit() -> Toolkit:
    """Three pages (intro, a check with two questions, thinking) and a Gibbs reflection; pass mark 50."""
    return load_toolkit(FIXTURE_TOOLKITS / "mini")


def make_platform(session: Session, *, issuer: str = "", brand_colour: str = "") -> Platform:
    platform: Platform = PlatformFactory.create(
        session=session, brand_colour=brand_colour, **({"issuer": issuer} if issuer else {})
    )
    return platform


def make_context(session: Session, platform: Platform) -> Context:
    context: Context = ContextFactory.create(session=session, platform=platform)
    return context


def make_link(session: Session, context: Context, *, toolkit_id: str = "mini", part: str = "l1") -> ResourceLink:
    link: ResourceLink = ResourceLinkFactory.create(session=session, context=context, toolkit_id=toolkit_id, part=part)
    return link


def make_user(session: Session, platform: Platform, context: Context, *, role: str = "learner") -> LtiUser:
    user: LtiUser = LtiUserFactory.create(session=session, platform=platform)
    EnrolmentFactory.create(session=session, user_id=user.id, context_id=context.id, role=role)
    return user


@dataclass
class Learner:
    platform: Platform
    context: Context
    link: ResourceLink
    user: LtiUser


def make_learner(session: Session, *, link: ResourceLink | None = None, role: str = "learner") -> Learner:
    """A learner with their own platform and course, or joining the course of `link`."""
    if link is None:
        platform = make_platform(session)
        context = make_context(session, platform)
        link = make_link(session, context)
    else:
        context = session.get_one(Context, link.context_id)
        platform = session.get_one(Platform, context.platform_id)
    user = make_user(session, platform, context, role=role)
    return Learner(platform, context, link, user)


@dataclass
class RecordingOutbox:
    """Stands in for `outbox.enqueue_score` in pure service tests: keeps what would be queued."""

    scores: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, session: Session, **score: Any) -> None:
        assert session.in_transaction(), "scores must be queued inside the progress transaction"
        self.scores.append(score)

    @property
    def progress(self) -> list[tuple[str, str]]:
        return [(s["activity_progress"], s["grading_progress"]) for s in self.scores]


def migrated_database(tmp_path: Path, url: str = "") -> Database:
    """A fresh database at migration head (the schema users get, not `create_all`): SQLite unless `url`."""
    url = url or f"sqlite:///{tmp_path / 'l1.sqlite3'}"
    migrate.upgrade(url)
    return Database(url)


def launch_for(learner: Learner, *, part: str = "l1", role: str = "learner", launch_id: str = "") -> CurrentLaunch:
    """The launch the LTI engineer's `/lti/launch` would have remembered for this learner."""
    return CurrentLaunch(
        launch_id=launch_id or f"launch-{next(_ids)}",
        user_id=learner.user.id,
        platform_id=learner.platform.id,
        context_id=learner.context.id,
        resource_link_id=learner.link.id,
        role=Role(role),
        toolkit_id=learner.link.toolkit_id,
        part=part,
        deployment_id="1",
        message_type="LtiResourceLinkRequest",
    )


def sign_in(client: FlaskClient, launch: CurrentLaunch) -> None:
    """Put a launch in the test client's session exactly as `lti.session.remember` stores it."""
    with client.session_transaction() as flask_session:
        launches = list(flask_session.get(SESSION_KEY, []))
        launches.append(launch.to_dict())
        flask_session[SESSION_KEY] = launches
