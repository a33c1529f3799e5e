"""CPD portfolio: the CPD-year counter, exports (PDF, JSON, paste-ready text), privacy, access, erasure and
retention."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import Attempt, GroupFeedback, LtiUser, Reflection, ReflectionErasure, utcnow
from lti_tool.services import dashboard, portfolio
from lti_tool.services import l2 as l2_sessions
from tests.lti_tool.l1_factories import RecordingOutbox
from tests.lti_tool.l2_factories import (
    BACKENDS,
    Course,
    catalogue,
    database_for,
    finish_l1,
    l2_values,
    make_course,
    toolkit,
)

SECRET = "Zanzibar-marker-7731"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = database_for(request, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


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


def test_the_cpd_year_runs_from_december_and_counts_pieces_and_peer_reflection(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    today = utcnow().date()
    finish_l1(session, course, learner, when=utcnow())
    year = portfolio.current_year(_pieces(session, learner), today)
    assert (year.count, year.peer_count, year.met) == (1, 0, False)
    assert year.start.month == 12 and year.start.day == 1
    assert year.end == date(year.start.year + 1, 11, 30)
    assert year.summary() == "1 of 2 pieces of CPD, 0 of 1 with peer reflection."
    _l2_done(session, course, [learner])
    year = portfolio.current_year(_pieces(session, learner), today)
    assert (year.count, year.peer_count, year.met) == (2, 1, True)
    assert year.summary().endswith("requirement met.")


def test_pieces_fall_in_the_cpd_year_of_their_date(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner, when=datetime(2025, 11, 30, 12, tzinfo=UTC))
    years = portfolio.cpd_years(_pieces(session, learner), date(2025, 12, 1))
    assert [(y.start, y.count) for y in years] == [(date(2025, 12, 1), 0), (date(2024, 12, 1), 1)]


def test_the_pdf_export_holds_the_social_work_england_fields(session: Session) -> None:
    course = make_course(session, learners=2)
    a = course.learners[0]
    finish_l1(session, course, a)
    _l2_done(session, course, course.learners)
    pdf = portfolio.portfolio_pdf(_pieces(session, a), utcnow().date(), learner_name=a.name)
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    for label in (
        "Title",
        "Date",
        "Type of CPD",
        "Description and relevance",
        "What you learnt",
        "Impact on your practice and on people who use services",
        "Peer reflection",
    ):
        assert label in flat, label
    assert "Social Work England CPD year" in flat
    assert "2 of 2 pieces of CPD, 1 of 1 with peer reflection" in flat
    assert SECRET in flat
    assert "Reflective group discussion" in flat
    assert "What? So what? Now what?" in flat


def test_json_and_paste_ready_text(session: Session) -> None:
    course = make_course(session, learners=2)
    a = course.learners[0]
    _l2_done(session, course, course.learners)
    pieces = _pieces(session, a)
    data = json.loads(portfolio.dumps(portfolio.portfolio_json(pieces, utcnow().date())))
    record = data["cpd_years"][0]["records"][0]
    assert record["peer_reflection"] is True
    # The peer box starts empty (issue 11): what is recorded is the learner's own text.
    assert record["social_work_england_record"]["cpd_peer"]["text"].startswith("Peer reflection: ")
    assert data["cpd_years"][0]["with_peer_reflection"] == 1
    text = portfolio.swe_form_text(pieces[0])
    assert text.startswith("Title:\n")
    assert "Type of CPD:\nReflective group discussion" in text
    assert "Peer reflection: what you learnt from discussing it with a peer:\nPeer reflection: " in text
    assert f"Date:\n{utcnow().date():%d/%m/%Y}" in text


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
    reflection.status = "draft"
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
    assert f"{SECRET}" in _every_text_in_the_database(session)
    assert "A private thinking note" in _every_text_in_the_database(session)

    assert portfolio.erase_reflections(session, user_id=a.id) == 2
    session.commit()

    pieces = _pieces(session, a)
    assert pieces == []
    exports = [
        portfolio.dumps(portfolio.portfolio_json(pieces, utcnow().date())),
        portfolio.dumps(portfolio.all_my_data(session, user_id=a.id)),
        " ".join(
            p.extract_text() or ""
            for p in PdfReader(io.BytesIO(portfolio.portfolio_pdf(pieces, utcnow().date()))).pages
        ),
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


def test_the_pdf_prints_names_beyond_latin_1(session: Session) -> None:
    if portfolio._pdf_fonts()[0] == "Helvetica":
        pytest.skip("DejaVu Sans is not installed (apt-get install fonts-dejavu-core): the PDF falls back to Helvetica")
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner)
    reflection = _reflection_of(session, learner, course)
    reflection.fields = {**reflection.fields, "cpd_learnt": "Łukasz and Zoë taught me to ask Şahin first."}
    session.flush()
    pdf = portfolio.portfolio_pdf(_pieces(session, learner), utcnow().date(), learner_name="Łucja Nowak")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Łukasz and Zoë taught me to ask Şahin first." in text
    assert "Łucja Nowak" in text
