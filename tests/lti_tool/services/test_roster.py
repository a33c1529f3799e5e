"""The NRPS client lists a whole course across `Link: rel="next"` pages, and keeps names out of the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.db import Database
from lti_tool.models import Context, Enrolment, LtiUser, Platform
from lti_tool.services.access_tokens import AccessTokens, PlatformEndpoint
from lti_tool.services.roster import RosterError, RosterService, refresh_roster
from sandbox_platform.script import SERVICES
from tests.lti_tool.services.passback_support import seed_course, start_platform
from tests.lti_tool.services.sandbox_lms import SandboxLms

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"

MEMBERS = [
    {"user_id": "u-fac", "name": "Priya Shah", "roles": [MEMBERSHIP + "Instructor"], "status": "Active"},
    {"user_id": "u-1", "name": "Alex Morgan", "email": "alex@council.example", "roles": [MEMBERSHIP + "Learner"]},
    {"user_id": "u-2", "given_name": "Sam", "family_name": "Okafor", "roles": ["Learner"], "status": "Inactive"},
    {"user_id": "u-3", "name": "Jo Byrne", "roles": [MEMBERSHIP + "Learner"], "status": "Active"},
    {"user_id": "u-4", "name": "Chris Lee", "roles": [MEMBERSHIP + "Learner", MEMBERSHIP + "Mentor"]},
]


def _serving(database: Database, members: list[dict[str, Any]], page_size: int) -> SandboxLms:
    """A sandbox LMS whose NRPS sends `members` as they are, `page_size` to a page."""
    platform = start_platform(database, nrps_page_size=page_size)
    platform.script.members = members
    return platform


@pytest.fixture
def ags(database: Database) -> Iterator[SandboxLms]:
    platform = _serving(database, list(MEMBERS), page_size=2)
    yield platform
    platform.stop()


def _course(database: Database, ags: SandboxLms) -> tuple[PlatformEndpoint, str]:
    seed_course(database, ags)
    with database.session() as session:
        platform = session.scalars(select(Platform)).one()
        context = session.scalars(select(Context)).one()
        return PlatformEndpoint.of(platform), context.memberships_url


def test_every_member_across_all_pages_with_one_token(database: Database, ags: SandboxLms) -> None:
    endpoint, url = _course(database, ags)
    members = RosterService(AccessTokens(database)).members(endpoint, url)
    assert [m.user_id for m in members] == ["u-fac", "u-1", "u-2", "u-3", "u-4"]  # three pages
    assert len(ags.platform.token_requests) == 1
    by_id = {m.user_id: m for m in members}
    assert by_id["u-fac"].is_facilitator and not by_id["u-fac"].is_learner
    assert by_id["u-1"].is_learner and by_id["u-1"].active and by_id["u-1"].email == "alex@council.example"
    assert by_id["u-2"].display_name == "Sam Okafor" and not by_id["u-2"].active  # short role, Inactive
    assert by_id["u-4"].is_learner  # a learner who also mentors


def test_next_link_to_another_origin_is_not_followed(database: Database, ags: SandboxLms) -> None:
    endpoint, _url = _course(database, ags)
    # Same platform reached under another host name: the bearer token must not go there.
    elsewhere = ags.memberships_url.replace("127.0.0.1", "localhost")
    members = RosterService(AccessTokens(database)).members(endpoint, elsewhere)
    assert [m.user_id for m in members] == ["u-fac", "u-1"]  # first page only


def test_names_and_emails_stay_out_of_logs_and_reprs(
    database: Database, ags: SandboxLms, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint, url = _course(database, ags)
    caplog.set_level(logging.DEBUG)
    members = RosterService(AccessTokens(database)).members(endpoint, url)
    shown = caplog.text + repr(members)
    for person in MEMBERS:
        for key in ("name", "given_name", "family_name", "email"):
            if key in person:
                assert str(person[key]) not in shown
    assert "5 members in 3 page(s)" in caplog.text


def test_no_roster_service_or_platform_down_is_a_clear_error(database: Database, ags: SandboxLms) -> None:
    endpoint, url = _course(database, ags)
    roster = RosterService(AccessTokens(database))
    with pytest.raises(RosterError, match="no roster service") as missing:
        roster.members(endpoint, "")
    assert not missing.value.retryable
    roster.members(endpoint, url)  # token cached
    ags.script.fail(503, services=SERVICES)
    with pytest.raises(RosterError) as down:
        roster.members(endpoint, url)
    assert down.value.retryable and down.value.status == 503


def test_refresh_roster_enrols_everyone_so_the_facilitator_sees_who_has_not_started(
    database: Database, ags: SandboxLms, caplog: pytest.LogCaptureFixture
) -> None:
    course = seed_course(database, ags)  # two learners who launched earlier
    with database.session() as session:
        session.add(Enrolment(user_id=course.learners[0].id, context_id=course.context_id, role="learner"))
        session.commit()
    caplog.set_level(logging.INFO)
    result = refresh_roster(database, course.context_id)
    assert (result.members, result.new_users, result.new_enrolments) == (5, 5, 5)
    assert result.deactivated == 1  # moodle-user-0 has left the course: no longer listed
    with database.session() as session:
        rows = session.execute(
            select(LtiUser.sub, LtiUser.name, Enrolment.role, Enrolment.active)
            .join(Enrolment, Enrolment.user_id == LtiUser.id)
            .where(Enrolment.context_id == course.context_id)
            .order_by(LtiUser.sub)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("moodle-user-0", "Learner 0", "learner", False),
        ("u-1", "Alex Morgan", "learner", True),
        ("u-2", "Sam Okafor", "learner", False),  # Inactive on the platform
        ("u-3", "Jo Byrne", "learner", True),
        ("u-4", "Chris Lee", "learner", True),
        ("u-fac", "Priya Shah", "facilitator", True),
    ]
    assert "5 members (5 new users, 5 new enrolments, 1 deactivated)" in caplog.text
    assert "Alex Morgan" not in caplog.text
    # Run again: nothing new, nothing changed.
    again = refresh_roster(database, course.context_id)
    assert (again.new_users, again.new_enrolments, again.deactivated) == (0, 0, 0)


def test_facilitator_pages_ask_for_the_roster_in_the_background_at_most_every_few_minutes(
    database: Database, ags: SandboxLms
) -> None:
    from datetime import timedelta

    from lti_tool.background import Background
    from lti_tool.models import Context, utcnow
    from lti_tool.services.roster import FIRST_SYNC_NOTICE, NOTICES, ROSTER_MAX_AGE, RosterStatus, ensure_recent

    course = seed_course(database, ags)
    background = Background(database, deliver_scores=False)
    try:
        start = utcnow()
        # The page view itself asks the platform nothing: the refresh is handed to the background.
        first = ensure_recent(database, course.context_id, background, now=start)
        assert (first.status, first.synced_at, first.notice) == (RosterStatus.REFRESHING, None, FIRST_SYNC_NOTICE)
        assert background.wait_idle()
        asked = ags.script.count()
        assert asked > 0
        # A page view a minute later uses the list it has: no request to the platform at all.
        fresh = ensure_recent(database, course.context_id, background, now=start + timedelta(minutes=1))
        assert fresh.status is RosterStatus.FRESH and fresh.notice == ""
        assert fresh.synced_at is not None and "last updated at" in fresh.synced_text
        assert background.wait_idle() and ags.script.count() == asked
        # The platform is down when the list is due again: the page keeps the last list; once the refresh
        # has failed the next view says so, and tries again.
        # Due counts from when the list arrived, not from the first view: on a busy machine the first sync
        # finished over a second after `start` (a CI run), and `start` + max age + 1 s was still fresh.
        later = fresh.synced_at + ROSTER_MAX_AGE + timedelta(seconds=1)
        ags.script.fail(503, services=SERVICES)
        assert ensure_recent(database, course.context_id, background, now=later).status is RosterStatus.REFRESHING
        assert background.wait_idle()
        down = ensure_recent(database, course.context_id, background, now=later)
        assert down.status is RosterStatus.UNAVAILABLE and down.notice == NOTICES[RosterStatus.UNAVAILABLE]
        assert background.wait_idle()
        ags.script.clear()
        assert ensure_recent(database, course.context_id, background, now=later).status is RosterStatus.UNAVAILABLE
        assert background.wait_idle()  # that view's retry worked
        back = ensure_recent(database, course.context_id, background)
        assert back.status is RosterStatus.FRESH
        # A course whose launch carried no NRPS claim has no roster to ask for.
        with database.session() as session:
            context = session.get(Context, course.context_id)
            assert context is not None
            context.memberships_url = ""
            session.commit()
        assert ensure_recent(database, course.context_id, background).status is RosterStatus.NOT_OFFERED
    finally:
        background.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database(request: pytest.FixtureRequest, database: Database) -> Iterator[Database]:
    """The SQLite database, or a migrated PostgreSQL schema (which refuses NUL in text)."""
    if request.param == "sqlite":
        yield database
        return
    from lti_tool import migrate

    url: str = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    postgres = Database(url)
    yield postgres
    postgres.dispose()


def test_roster_entries_are_cleaned_and_length_checked_before_storage(any_database: Database) -> None:
    """Issue 9 defect 4: one NUL in an NRPS name broke the facilitator pages on PostgreSQL."""
    database = any_database
    hostile: list[dict[str, Any]] = [
        {"user_id": "u-nul", "name": "Alex\x00 Morgan\x07", "email": "a\x00lex@council.example", "roles": ["Learner"]},
        {"user_id": "u-long", "name": "N" * 5000, "email": "e" * 300 + "@council.example", "roles": ["Learner"]},
        {"user_id": "x" * 256, "name": "Too long an id", "roles": ["Learner"]},
        {"user_id": "bad\x00id", "name": "NUL in the id", "roles": ["Learner"]},
        {"user_id": "u-odd", "name": 42, "roles": "Learner", "status": "Banished"},
    ]
    ags = _serving(database, hostile, page_size=10)
    try:
        course = seed_course(database, ags)
        result = refresh_roster(database, course.context_id)
    finally:
        ags.stop()
    assert result.members == 3  # the unusable ids are left out, not stored changed
    with database.session() as session:
        users = {
            u.sub: u for u in session.scalars(select(LtiUser).where(LtiUser.sub.in_(["u-nul", "u-long", "u-odd"])))
        }
        assert users["u-nul"].name == "Alex Morgan" and users["u-nul"].email == "alex@council.example"
        assert len(users["u-long"].name) == 255 and users["u-long"].email == ""  # a cut-off address is wrong
        assert users["u-odd"].name == ""
        odd = session.scalars(select(Enrolment).where(Enrolment.user_id == users["u-odd"].id)).one()
        assert odd.active  # an unknown status counts as Active (NRPS 2.0 §2.3)


def test_the_first_sync_of_ten_thousand_members_happens_off_the_page_view(database: Database) -> None:
    """Issue 15: the first sync of 10,000 members took 11 s inside the facilitator's request."""
    import time

    from lti_tool.background import Background
    from lti_tool.services.roster import RosterStatus, ensure_recent

    members = [{"user_id": f"u-{n}", "name": f"Person {n}", "roles": ["Learner"]} for n in range(10_000)]
    ags = _serving(database, members, page_size=1000)
    background = Background(database, deliver_scores=False)
    try:
        course = seed_course(database, ags, learners=0)
        started = time.perf_counter()
        state = ensure_recent(database, course.context_id, background)
        page_view = time.perf_counter() - started
        assert state.status is RosterStatus.REFRESHING
        assert page_view < 0.5  # the page view only read the database and queued the sync
        assert background.wait_idle(120)
        with database.session() as session:
            enrolled = session.scalar(
                select(func.count()).select_from(Enrolment).where(Enrolment.context_id == course.context_id)
            )
        assert enrolled == 10_000
        assert ensure_recent(database, course.context_id, background).status is RosterStatus.FRESH
    finally:
        background.stop()
        ags.stop()
