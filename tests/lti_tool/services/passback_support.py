"""Factories for the passback tests: a platform row pointing at a sandbox LMS, a course, a link, learners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lti_tool.db import Database
from lti_tool.models import ScoreRecord
from lti_tool.services import outbox
from lti_tool.services.roster import SCOPE_NRPS
from tests.lti_tool.factories import Course, PlatformFactory, make_course
from tests.lti_tool.services.sandbox_lms import SandboxLms, start_sandbox

CLIENT_ID = "swott-client-1"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def start_platform(database: Database, **config: Any) -> SandboxLms:
    """The sandbox platform with the tool registered as `CLIENT_ID`; `config` as `PlatformConfig` takes it."""
    return start_sandbox(database, CLIENT_ID, **config)


def seed_course(
    database: Database,
    ags: SandboxLms,
    *,
    learners: int = 2,
    with_lineitem: bool = True,
    scopes: list[str] | None = None,
    issuer: str = "https://moodle.example.org",
) -> Course:
    """One platform (registered with the sandbox's token URL), one course, one L1 link, some learners.

    The learners are on the sandbox's course but not enrolled in the tool's database, and there is no
    facilitator: the roster tests count what a sync adds.
    """
    with database.session() as session:
        platform = PlatformFactory.create(
            session=session,
            issuer=issuer,
            client_id=CLIENT_ID,
            name="Test council Moodle",
            auth_login_url=ags.base_url + "/auth",
            auth_token_url=ags.token_url,
            key_set_url=ags.base_url + "/jwks",
        )
        course = make_course(
            session,
            platform=platform,
            learners=learners,
            parts=("l1",),
            facilitator=False,
            enrolled=False,
            context_fields={
                "context_id": "course-2",
                "title": "Safeguarding CPD",
                "lineitems_url": ags.lineitems_url,
                "memberships_url": ags.memberships_url,
            },
            l1_fields={
                "link_id": "rl-42",
                "title": "Participatory practice L1",
                "lineitem_url": ags.add_lineitem("Participatory practice L1", "rl-42") if with_lineitem else "",
                "ags_scopes": AGS_SCOPES if scopes is None else scopes,
            },
            learner_fields=lambda n: {"sub": f"moodle-user-{n}", "name": f"Learner {n}", "email": ""},
        )
        for user in course.learners:
            ags.enrol(user.sub, user.name)
        session.commit()
        return course


def queue_score(
    database: Database, course: Course, activity: str, grading: str, score: float | None = None, learner: int = 0
) -> int:
    """One progress step's transaction: queue the learner's score and commit, as the player does; its id."""
    with database.session() as session:
        record = outbox.enqueue_score(
            session,
            resource_link_id=course.link_id,
            user_id=course.learners[learner].id,
            score_given=score,
            score_maximum=100.0,
            activity_progress=activity,
            grading_progress=grading,
        )
        session.commit()
        assert record is not None, "the score changes nothing in the gradebook, so it was not queued"
        return record.id


def let_time_pass(database: Database, amount: timedelta = timedelta(hours=2)) -> None:
    """Move every scheduled retry into the past, as if `amount` of time had gone by."""
    with database.session() as session:
        for record in session.scalars(select(ScoreRecord)):
            record.next_attempt_at -= amount
            if record.claimed_until is not None:
                record.claimed_until -= amount
        session.commit()


def records(database: Database) -> list[ScoreRecord]:
    with database.session() as session:
        rows = list(session.scalars(select(ScoreRecord).order_by(ScoreRecord.id)))
        session.expunge_all()  # readable after the session closes
        return rows


__all__ = [
    "AGS_SCOPES",
    "CLIENT_ID",
    "SCOPE_NRPS",
    "Course",
    "let_time_pass",
    "queue_score",
    "records",
    "seed_course",
    "start_platform",
]
