"""CPD portfolio: the counter, CPD done elsewhere, time spent, exports (tagged PDF, .xlsx, JSON, form
text), privacy, access, erasure and retention."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import Attempt, GroupFeedback, LtiUser, Reflection, ReflectionErasure, ReflectionStatus, utcnow
from lti_tool.services import dashboard, portfolio, regulators
from lti_tool.services import l2 as l2_sessions
from lti_tool.services.portfolio.external import ExternalEntry
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l1_factories import RecordingOutbox
from tests.lti_tool.l2_factories import catalogue, finish_l1, l2_values, toolkit

SECRET = "Zanzibar-marker-7731"


def _l2_done(session: Session, course: Course, users: list[LtiUser], text: str = SECRET) -> None:
    """Run a session with feedforward for the first user, close it, and have everyone submit an L2 reflection."""
    kit = toolkit()
    group = l2_sessions.schedule_session(
        session,
        context_id=course.context.id,
        toolkit=kit,
        starts_at=utcnow(),
        place="Room 1",
        participant_ids=[u.id for u in users],
    )
    l2_sessions.start(session, group, kit)
    for user in users:
        l2_sessions.set_attendance(session, group, user.id, True)
    if len(users) > 1:
        item = l2_sessions.give_feedback(
            session,
            group,
            author_id=users[1].id,
            kind="feedforward",
            text=f"Feedforward {SECRET}",
            recipient_id=users[0].id,
        )
        l2_sessions.moderate(session, group, item.id, approve=True)
    l2_sessions.close(session, group, kit, enqueue=RecordingOutbox())
    for user in users:
        offered = l2_sessions.feedforward_for(session, user_id=user.id, context_id=course.context.id, toolkit_id=kit.id)
        draft = l2_sessions.start_reflection(
            session, user_id=user.id, link=course.l2, toolkit=kit, keep_ids=[i.id for i in offered]
        )
        l2_sessions.submit_reflection(
            session,
            user_id=user.id,
            link=course.l2,
            toolkit=kit,
            values=l2_values(text, draft.fields),
            version=draft.version,
            enqueue=RecordingOutbox(),
        )


def _pieces(session: Session, user: LtiUser) -> list[portfolio.Piece]:
    return portfolio.pieces(session, user_id=user.id, catalogue=catalogue())


def _overview(session: Session, user: LtiUser, code: str = "swe", today: date | None = None) -> portfolio.Overview:
    records = portfolio.all_records(session, user_id=user.id, catalogue=catalogue())
    return portfolio.overview(regulators.get(code), records, today or utcnow().date())


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_cpd_year_runs_from_december_and_counts_pieces_and_peer_reflection(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner, when=utcnow())
    view = _overview(session, learner)
    assert view.status.period.start.month == 12 and view.status.period.start.day == 1
    assert view.status.period.end == date(view.status.period.start.year + 1, 11, 30)
    assert view.status.summary == "1 of 2 pieces of CPD, 0 of 1 with peer reflection."
    _l2_done(session, course, [learner])
    assert _overview(session, learner).status.summary.endswith("requirement met.")


def test_pieces_fall_in_the_cpd_year_of_their_date(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner, when=datetime(2025, 11, 30, 12, tzinfo=UTC))
    view = _overview(session, learner, today=date(2025, 12, 1))
    assert view.current == ()
    assert [(p.start if p else None, len(rs)) for p, rs in view.earlier] == [(date(2024, 12, 1), 1)]


def test_cpd_done_elsewhere_counts_towards_the_social_work_england_year(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner, when=utcnow())
    row = portfolio.external.add(
        session,
        user_id=learner.id,
        entry=ExternalEntry(
            title="Safeguarding adults refresher",
            done_on=utcnow().date(),
            activity_type="Course or training",
            minutes=90,
            learnt="Making safeguarding personal",
            impact="I ask what the person wants first",
            peer=True,
            peer_with="a colleague in my team",
            peer_reflection="We compared two cases",
        ),
    )
    view = _overview(session, learner)
    assert view.status.summary == "2 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met."
    mine = next(r for r in view.current if r.ref == f"external:{row.id}")
    assert portfolio.time_spent(mine) == "1 hour 30 minutes (as you entered it)"
    text = portfolio.form_text(view.regulator, mine)
    assert (
        "Peer reflection: what you learnt from discussing it with a peer:\n"
        "We compared two cases (with a colleague in my team)" in text
    )
    # Saying "no" to peer reflection drops the peer text, so it can never read as one.
    portfolio.external.update(
        session,
        record_id=row.id,
        user_id=learner.id,
        entry=ExternalEntry(
            "Safeguarding adults refresher",
            utcnow().date(),
            "Course or training",
            90,
            peer=False,
            peer_with="a colleague",
            peer_reflection="kept?",
        ),
    )
    assert row.peer_with == "" and row.peer_reflection == ""
    assert _overview(session, learner).status.summary == "2 of 2 pieces of CPD, 0 of 1 with peer reflection."
    with pytest.raises(NotFound):
        portfolio.external.get(session, record_id=row.id, user_id=learner.id + 999)


def test_time_spent_comes_from_what_the_tool_knows(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner)
    _l2_done(session, course, [learner])
    by_part = {p.part: p for p in _pieces(session, learner)}
    kit = toolkit()
    assert (by_part["l1"].minutes, by_part["l1"].minutes_source) == (kit.l1.minutes, "estimate")
    # The session here opened and closed within the test: its measured length is under a minute, so the
    # L2 piece falls back to the toolkit's planned minutes.
    assert by_part["l2"].minutes_source in ("session", "estimate")
    record = portfolio.from_piece(by_part["l1"])  # no regulator mapping given: the tool's own time
    assert record.hours == kit.l1.minutes / 60 and record.hours_source == "estimate"


def test_drafts_are_not_cpd_yet(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    session.add(
        Reflection(
            user_id=learner.id,
            resource_link_id=course.l1.id,
            toolkit_id="participatory-practice",
            model="gibbs",
            fields={"description": "half"},
            status="draft",
        )
    )
    session.flush()
    assert _pieces(session, learner) == []


def _reflection_of(session: Session, user: LtiUser, course: Course, part: str = "l1") -> Reflection:
    link = course.l1 if part == "l1" else course.l2
    return session.scalars(
        select(Reflection).where(Reflection.user_id == user.id, Reflection.resource_link_id == link.id)
    ).one()


def test_a_reflection_is_private_until_shared(session: Session) -> None:
    course = make_course(session, learners=2)
    author, classmate = course.learners
    finish_l1(session, course, author)
    reflection = _reflection_of(session, author, course)

    def read_as(user: LtiUser, *, facilitator: bool, context_id: int = course.context.id) -> Reflection:
        return portfolio.readable_reflection(
            session, reflection.id, viewer_id=user.id, viewer_context_id=context_id, viewer_is_facilitator=facilitator
        )

    assert read_as(author, facilitator=False) is reflection
    with pytest.raises(NotFound):
        read_as(course.facilitator, facilitator=True)
    portfolio.share(session, reflection_id=reflection.id, user_id=author.id)
    assert read_as(course.facilitator, facilitator=True) is reflection
    # A classmate who was never in an L2 group with the author does not read it.
    with pytest.raises(NotFound):
        read_as(classmate, facilitator=False)
    # A facilitator of another course sees nothing, shared or not.
    other = make_course(session, learners=0, platform=course.platform)
    with pytest.raises(NotFound):
        read_as(other.facilitator, facilitator=True, context_id=other.context.id)
    with pytest.raises(NotFound):
        read_as(other.facilitator, facilitator=True)  # claiming this course without an enrolment in it
    portfolio.unshare(session, reflection_id=reflection.id, user_id=author.id)
    with pytest.raises(NotFound):
        read_as(course.facilitator, facilitator=True)


def test_a_shared_l2_reflection_is_readable_by_the_group(session: Session) -> None:
    course = make_course(session, learners=3)
    a, b, outsider = course.learners
    _l2_done(session, course, [a, b])
    reflection = _reflection_of(session, a, course, "l2")
    portfolio.share(session, reflection_id=reflection.id, user_id=a.id)
    found = portfolio.readable_reflection(
        session, reflection.id, viewer_id=b.id, viewer_context_id=course.context.id, viewer_is_facilitator=False
    )
    assert found is reflection
    with pytest.raises(NotFound):
        portfolio.readable_reflection(
            session,
            reflection.id,
            viewer_id=outsider.id,
            viewer_context_id=course.context.id,
            viewer_is_facilitator=False,
        )


def test_only_the_author_shares_and_only_submitted_reflections(session: Session) -> None:
    course = make_course(session, learners=2)
    a, b = course.learners
    finish_l1(session, course, a)
    reflection = _reflection_of(session, a, course)
    with pytest.raises(NotFound):
        portfolio.share(session, reflection_id=reflection.id, user_id=b.id)
    reflection.status = ReflectionStatus.DRAFT
    with pytest.raises(BadRequest):
        portfolio.share(session, reflection_id=reflection.id, user_id=a.id)


def test_download_all_my_data_has_everything_about_me_and_nobody_else(session: Session) -> None:
    course = make_course(session, learners=2)
    a, b = course.learners
    finish_l1(session, course, a)
    finish_l1(session, course, b)
    _l2_done(session, course, [a, b])
    data = portfolio.all_my_data(session, user_id=a.id)
    assert data["you"]["name"] == a.name
    assert data["you"]["email"] == a.email
    assert {r["toolkit"] for r in data["reflections"]} == {"participatory-practice"}
    assert len(data["reflections"]) == 2
    assert data["l1_attempts"][0]["thinking_notes"] == {"prompt": "A private thinking note"}
    assert data["group_sessions"][0]["attended"] is True
    assert data["feedback_you_received"][0]["text"] == f"Feedforward {SECRET}"
    text = json.dumps(data)
    assert f"by learner {b.id}" not in text  # b's reflection text
    assert b.email not in text


def _every_text_in_the_database(session: Session) -> str:
    """Every value of every row of every table, as one string (what a database dump would hold)."""
    session.flush()
    parts: list[str] = []
    for table in sa.inspect(session.get_bind()).get_table_names():
        for row in session.execute(sa.text(f'SELECT * FROM "{table}"')):
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_erasure_removes_the_text_everywhere_exports_included(session: Session) -> None:
    course = make_course(session, learners=2)
    a, b = course.learners
    finish_l1(session, course, a)
    _l2_done(session, course, [a, b])
    reflection = _reflection_of(session, a, course, "l2")
    portfolio.share(session, reflection_id=reflection.id, user_id=a.id)
    portfolio.external.add(
        session,
        user_id=a.id,
        entry=ExternalEntry("Elsewhere", utcnow().date(), "Supervision", 60, learnt=f"by learner {a.id} elsewhere"),
    )
    assert f"{SECRET}" in _every_text_in_the_database(session)
    assert "A private thinking note" in _every_text_in_the_database(session)

    assert portfolio.erase_reflections(session, user_id=a.id) == 2
    session.commit()

    assert _pieces(session, a) == []
    assert portfolio.external.entries(session, user_id=a.id) == []
    view = _overview(session, a)
    exports = [
        portfolio.dumps(portfolio.portfolio_json(view)),
        portfolio.dumps(portfolio.all_my_data(session, user_id=a.id)),
        _pdf_text(portfolio.portfolio_pdf(portfolio.full_export(view))),
    ]
    for export in exports:
        assert f"by learner {a.id}" not in export
        assert "A private thinking note" not in export
    everything = _every_text_in_the_database(session)
    assert f"by learner {a.id}" not in everything  # a's L1 reflection text
    assert "A private thinking note" not in everything.replace(f"by learner {b.id}", "")
    assert f"{SECRET}" in everything  # b's own L2 reflection is b's, not a's, to erase
    with pytest.raises(NotFound):
        portfolio.readable_reflection(
            session,
            reflection.id,
            viewer_id=course.facilitator.id,
            viewer_context_id=course.context.id,
            viewer_is_facilitator=True,
        )
    # The facilitator still sees that the work was done, never what it said.
    row = next(
        r for r in dashboard.build(session, context_id=course.context.id, toolkit=toolkit()).rows if r.user_id == a.id
    )
    assert (row.l1_reflection, row.l2_reflection) == (True, True)
    reasons = session.scalars(select(ReflectionErasure.reason).where(ReflectionErasure.user_id == a.id)).all()
    assert reasons == ["learner", "learner"]


def test_retention_deletes_old_reflections_notes_and_feedback(session: Session) -> None:
    course = make_course(session, learners=2)
    a, b = course.learners
    finish_l1(session, course, a)
    _l2_done(session, course, [a, b])
    later = utcnow() + timedelta(days=800)
    assert portfolio.purge_expired(session, retention_days=0, now=later) == portfolio.Purged(0, 0, 0)
    kept = portfolio.purge_expired(session, retention_days=730, now=utcnow() + timedelta(days=10))
    assert kept == portfolio.Purged(0, 0, 0)
    gone = portfolio.purge_expired(session, retention_days=730, now=later)
    assert gone == portfolio.Purged(3, 1, 1)
    session.commit()
    assert session.scalars(select(Reflection)).all() == []
    assert session.scalars(select(GroupFeedback)).all() == []
    assert all(not a.notes for a in session.scalars(select(Attempt)))
    assert SECRET not in _every_text_in_the_database(session)


def test_the_worker_applies_the_retention_period_in_its_hourly_clean_up(db: Database, session: Session) -> None:
    from lti_tool import worker

    course = make_course(session, learners=1)
    (learner,) = course.learners
    finish_l1(session, course, learner)
    assert len(session.scalars(select(Reflection)).all()) == 1
    session.execute(sa.update(Reflection).values(updated_at=utcnow() - timedelta(days=800)))
    session.commit()
    worker.run(db, retention_days=730, once=True)
    session.expire_all()
    assert session.scalars(select(Reflection)).all() == []


def test_swott_reflections_purge_uses_the_retention_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from swott.cli import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    database = migrated_database_at(url)
    with database.session() as session:
        course = make_course(session, learners=2)
        old, recent = course.learners
        finish_l1(session, course, old)
        finish_l1(session, course, recent)
        session.flush()
        session.execute(
            sa.update(Reflection)
            .where(Reflection.user_id == old.id)
            .values(updated_at=utcnow() - timedelta(days=40))
            .execution_options(synchronize_session=False)
        )
        session.commit()
        old_id, recent_id = old.id, recent.id
    monkeypatch.setenv("SWOTT_DATABASE_URL", url)
    monkeypatch.setenv("SWOTT_REFLECTION_RETENTION_DAYS", "30")
    result = CliRunner().invoke(main, ["reflections", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 reflection(s)" in result.output
    with database.session() as session:
        left = session.scalars(select(Reflection.user_id)).all()
    database.dispose()
    assert left == [recent_id]
    assert old_id not in left
    monkeypatch.setenv("SWOTT_REFLECTION_RETENTION_DAYS", "0")
    assert "Retention is off" in CliRunner().invoke(main, ["reflections", "purge"]).output


def migrated_database_at(url: str) -> Database:
    from lti_tool import migrate

    migrate.upgrade(url)
    return Database(url)
