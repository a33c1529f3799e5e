"""Factories for L2, dashboard and portfolio tests: a course with L1 and L2 placements and its people.

Builds on the L1 factories (one factory per model); the toolkit is the shipped participatory-practice
toolkit, whose L2 uses Driscoll's model with peer reflection and a case study in four stages.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lti_tool.lti.roles import Role
from lti_tool.lti.session import SESSION_KEY, CurrentLaunch
from lti_tool.models import (
    Attempt,
    Enrolment,
    GroupParticipant,
    GroupSession,
    LtiUser,
    Platform,
    Reflection,
    utcnow,
)
from lti_tool.services import l2, reflections
from tests.conftest import shipped_catalogue
from tests.lti_tool.factories import AttemptFactory, Course, ReflectionFactory, make_course
from tests.lti_tool.l1_factories import RecordingOutbox, make_platform
from toolkits import Catalogue, Toolkit

TOOLKIT_ID = "participatory-practice"


def catalogue() -> Catalogue:
    """The shipped toolkits, loaded once for the whole session (tests/conftest.py)."""
    return shipped_catalogue()


def toolkit() -> Toolkit:
    found = catalogue().get(TOOLKIT_ID)
    assert found is not None, "the shipped participatory-practice toolkit must load"
    return found


def finish_l1(
    session: Session, course: Course, user: LtiUser, *, score: float = 80.0, when: datetime | None = None
) -> Attempt:
    """A completed L1 attempt with a submitted reflection, as the L1 player leaves them."""
    kit = toolkit()
    done = when or utcnow()
    attempt: Attempt = AttemptFactory.create(
        session=session,
        user_id=user.id,
        resource_link_id=course.l1.id,
        toolkit_id=kit.id,
        current_page="reflection",
        pages_viewed=[p.id for p in kit.l1.pages],
        notes={"prompt": "A private thinking note"},
        status="completed",
        score_percent=score,
        passed=score >= kit.l1.pass_mark,
        graded=True,
        completed_at=done,
    )
    values = {f.id: f"L1 {f.label} by learner {user.id}" for f in reflections.form_fields(kit)}
    values["cpd_date"] = done.date().isoformat()
    submitted_reflection(session, course, user, part="l1", fields=values, when=done)
    return attempt


def submitted_reflection(
    session: Session, course: Course, user: LtiUser, *, part: str, fields: dict[str, str], when: datetime
) -> Reflection:
    """The learner's submitted L1 or L2 reflection (`part`) in the course, as the reflection form leaves it."""
    kit = toolkit()
    stage = kit.l1 if part == "l1" else kit.l2
    reflection: Reflection = ReflectionFactory.create(
        session=session,
        user_id=user.id,
        resource_link_id=(course.l1 if part == "l1" else course.l2).id,
        toolkit_id=kit.id,
        model=stage.reflection.model,
        fields=fields,
        submitted_at=when,
    )
    return reflection


def start_l1(session: Session, course: Course, user: LtiUser, *, pages: int = 3) -> Attempt:
    kit = toolkit()
    attempt: Attempt = AttemptFactory.create(
        session=session,
        user_id=user.id,
        resource_link_id=course.l1.id,
        toolkit_id=kit.id,
        current_page=kit.l1.pages[pages - 1].id,
        pages_viewed=[p.id for p in kit.l1.pages[:pages]],
    )
    return attempt


def add_learners(session: Session, course: Course, count: int) -> None:
    """`count` learners in bulk: a third done (with reflections), a third working, a third invited to L2."""
    kit = toolkit()
    now = utcnow()
    session.execute(
        insert(LtiUser),
        [{"platform_id": course.platform.id, "sub": f"bulk-{i}", "name": f"Learner {i:04d}"} for i in range(count)],
    )
    ids = list(session.scalars(select(LtiUser.id).where(LtiUser.sub.like("bulk-%")).order_by(LtiUser.id)))
    session.execute(
        insert(Enrolment), [{"user_id": uid, "context_id": course.context.id, "role": "learner"} for uid in ids]
    )
    pages = [p.id for p in kit.l1.pages]
    session.execute(
        insert(Attempt),
        [
            {
                "user_id": uid,
                "resource_link_id": course.l1.id,
                "toolkit_id": kit.id,
                "current_page": pages[2],
                "pages_viewed": pages if i % 3 == 0 else pages[:3],
                "answers": {},
                "answer_counts": {},
                "notes": {},
                "status": "completed" if i % 3 == 0 else "in_progress",
                "score_percent": 80.0 if i % 3 == 0 else None,
                "completed_at": now - timedelta(days=2) if i % 3 == 0 else None,
            }
            for i, uid in enumerate(ids)
            if i % 3 != 2
        ],
    )
    session.execute(
        insert(Reflection),
        [
            {
                "user_id": uid,
                "resource_link_id": course.l1.id,
                "toolkit_id": kit.id,
                "model": "gibbs",
                "fields": {"description": "private"},
                "status": "submitted",
                "version": 2,
            }
            for i, uid in enumerate(ids)
            if i % 3 == 0
        ],
    )
    group = l2.schedule_session(session, context_id=course.context.id, toolkit=kit, starts_at=now, place="Town hall")
    session.execute(
        insert(GroupParticipant),
        [{"session_id": group.id, "user_id": uid, "attended": i % 2 == 0} for i, uid in enumerate(ids) if i % 3 == 1],
    )
    session.flush()


def l2_values(text: str = "", draft: dict[str, str] | None = None) -> dict[str, str]:
    """A complete L2 reflection form (every required box), with `text` marking every box the draft left empty."""
    values = {f.id: f"{f.label}: {text}" for f in l2.reflection_form_fields(toolkit())}
    values["cpd_date"] = utcnow().date().isoformat()
    values.update({k: v for k, v in (draft or {}).items() if v})
    return values


def run_closed_session(
    session: Session, course: Course, attendees: list[LtiUser], outbox: RecordingOutbox, *, absent: int = 0
) -> GroupSession:
    """A session scheduled for everyone given, run, attended by all but the last `absent`, and closed."""
    kit = toolkit()
    group = l2.schedule_session(
        session,
        context_id=course.context.id,
        toolkit=kit,
        starts_at=utcnow() + timedelta(days=1),
        place="Team room 2",
        participant_ids=[u.id for u in attendees],
    )
    l2.start(session, group, kit)
    for user in attendees[: len(attendees) - absent]:
        l2.set_attendance(session, group, user.id, True)
    l2.close(session, group, kit, enqueue=outbox)
    return group


# --- Launched browsers for view tests -------------------------------------------------------------------

_launches = itertools.count(1)
# A closed port on this machine: any passback attempted by a view test fails fast and stays local.
UNREACHABLE = "http://127.0.0.1:9"


def local_platform(session: Session) -> Platform:
    """A platform whose endpoints all point at a closed local port (tests never leave 127.0.0.1)."""
    platform = make_platform(session)
    platform.auth_login_url = f"{UNREACHABLE}/auth"
    platform.auth_token_url = f"{UNREACHABLE}/token"
    platform.key_set_url = f"{UNREACHABLE}/jwks"
    session.flush()
    return platform


def course_in(app: Flask, *, learners: int, finished: int = 0) -> Course:
    """A course committed to the app's database on a local platform; its first `finished` learners have
    completed L1 (with their reflection)."""
    with app.extensions["swott.db"].session() as session:
        course = make_course(session, learners=learners, platform=local_platform(session))
        for learner in course.learners[:finished]:
            finish_l1(session, course, learner)
        session.commit()
    return course


def set_regulator(app: Flask, course: Course, code: str) -> None:
    """The course's platform (the council) names `code` as its learners' regulator."""
    with app.extensions["swott.db"].session() as session:
        platform = session.get_one(Platform, course.platform.id)
        platform.default_regulator = code
        session.commit()


def launch_of(course: Course, user: LtiUser, *, part: str = "l2", role: str = "learner") -> CurrentLaunch:
    """The launch `/lti/launch` would remember for this user on the course's L1 or L2 link."""
    link = course.l2 if part == "l2" else course.l1
    return CurrentLaunch(
        launch_id=f"l2-launch-{next(_launches)}",
        user_id=user.id,
        platform_id=course.platform.id,
        context_id=course.context.id,
        resource_link_id=link.id,
        role=Role(role),
        toolkit_id=link.toolkit_id,
        part=part,
        deployment_id="1",
        message_type="LtiResourceLinkRequest",
    )


def sign_in(client: FlaskClient, launch: CurrentLaunch) -> None:
    """Put the launch in the client's session as `lti.session.remember` does (the newest is used)."""
    with client.session_transaction() as flask_session:
        flask_session[SESSION_KEY] = [*flask_session.get(SESSION_KEY, []), launch.to_dict()]


def csrf_from(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on a page, read as a browser would."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, f"no form on {url}"
    return found.group(1)
