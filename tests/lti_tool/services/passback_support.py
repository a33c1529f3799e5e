"""Factories for the passback tests: a platform row pointing at an `AgsPlatform`, a course, a link, learners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lti_tool.db import Database
from lti_tool.models import ScoreRecord
from lti_tool.services.keys import public_jwks
from lti_tool.services.roster import SCOPE_NRPS
from tests.lti_tool.factories import Course, PlatformFactory, make_course
from tests.lti_tool.services.ags_platform import AgsPlatform

CLIENT_ID = "swott-client-1"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def tool_jwks(database: Database) -> Any:
    """The tool's published keys, read the way a platform would fetch /lti/jwks.json."""

    def read() -> dict[str, Any]:
        with database.session() as session:
            jwks = public_jwks(session)
            session.commit()
            return jwks

    return read


def start_platform(database: Database, **kwargs: Any) -> AgsPlatform:
    return AgsPlatform(client_id=CLIENT_ID, tool_jwks=tool_jwks(database), **kwargs).start()


def seed_course(
    database: Database,
    ags: AgsPlatform,
    *,
    learners: int = 2,
    with_lineitem: bool = True,
    scopes: list[str] | None = None,
    issuer: str = "https://moodle.example.org",
) -> Course:
    """One platform (registered with the fake's token URL), one course, one L1 link, some learners.

    The learners are not enrolled and there is no facilitator: the roster tests count what a sync adds.
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
        session.commit()
        return course


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
    "records",
    "seed_course",
    "start_platform",
]
