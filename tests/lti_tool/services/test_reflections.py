"""CPD reflections: drafts, submission, conflicts between tabs, and the identifying-details warning."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lti_tool.db import Database
from lti_tool.errors import Conflict
from lti_tool.services import progress, reflections
from tests.lti_tool.l1_factories import Learner, RecordingOutbox, make_learner
from toolkits.model import Toolkit


def _answer_every_check(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    """The L1 reflection is submitted only once every question has an answer (issue 11)."""
    attempt = progress.open_attempt(session, user_id=learner.user.id, link=learner.link, toolkit=toolkit)
    for question in toolkit.l1.questions:
        chosen = set(
            sorted(question.correct_option_ids)[:1] if question.type.value == "single" else question.correct_option_ids
        )
        progress.answer_question(session, attempt, toolkit, question.id, chosen, enqueue=RecordingOutbox())


def _full(toolkit: Toolkit) -> dict[str, str]:
    return {f.id: f"My {f.label.lower()}" for f in reflections.form_fields(toolkit)} | {"cpd_date": "2026-11-20"}


def test_the_form_has_the_model_headings_then_the_cpd_record_fields(toolkit: Toolkit) -> None:
    ids = [f.id for f in reflections.form_fields(toolkit)]
    assert ids[:6] == ["description", "feelings", "evaluation", "analysis", "conclusion", "action_plan"]
    assert ids[6:] == ["cpd_title", "cpd_date", "cpd_type", "cpd_description", "cpd_learnt", "cpd_impact"]


def test_a_draft_is_saved_and_each_save_moves_the_version_on(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    first = reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "Unsure"}, version=0
    )
    assert (first.status, first.version, first.fields["feelings"]) == ("draft", 1, "Unsure")
    second = reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "Calmer"}, version=1
    )
    session.commit()
    stored = reflections.find_reflection(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert second.version == 2 and stored is not None and stored.fields["feelings"] == "Calmer"


def test_a_save_from_a_stale_tab_is_a_conflict_and_overwrites_nothing(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    args = {"user_id": learner.user.id, "link": learner.link, "toolkit": toolkit}
    reflections.save_draft(session, **args, values={"feelings": "Tab A v1"}, version=0)  # type: ignore[arg-type]
    reflections.save_draft(session, **args, values={"feelings": "Tab A v2"}, version=1)  # type: ignore[arg-type]
    session.commit()
    with pytest.raises(Conflict) as conflict:
        reflections.save_draft(session, **args, values={"feelings": "Tab B"}, version=1)  # type: ignore[arg-type]
    assert "another tab" in conflict.value.message
    session.rollback()
    stored = reflections.find_reflection(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert stored is not None and stored.fields["feelings"] == "Tab A v2" and stored.version == 2


def test_two_tabs_racing_on_the_same_version_one_wins_one_conflicts(
    db: Database, learner: Learner, session: Session, toolkit: Toolkit
) -> None:
    reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "v1"}, version=0
    )
    session.commit()
    # Two sessions both read version 1 before either writes, as two browser tabs would.
    with db.session() as tab_a, db.session() as tab_b:
        link_a = tab_a.merge(learner.link)
        link_b = tab_b.merge(learner.link)
        assert reflections.find_reflection(tab_a, user_id=learner.user.id, resource_link_id=link_a.id) is not None
        assert reflections.find_reflection(tab_b, user_id=learner.user.id, resource_link_id=link_b.id) is not None
        reflections.save_draft(
            tab_a, user_id=learner.user.id, link=link_a, toolkit=toolkit, values={"feelings": "A"}, version=1
        )
        tab_a.commit()
        with pytest.raises(Conflict):
            reflections.save_draft(
                tab_b, user_id=learner.user.id, link=link_b, toolkit=toolkit, values={"feelings": "B"}, version=1
            )
    session.expire_all()
    stored = reflections.find_reflection(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert stored is not None and stored.fields["feelings"] == "A"


def test_submission_needs_every_box_and_a_real_date(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    values = _full(toolkit) | {"analysis": "   ", "cpd_date": "last Tuesday"}
    _answer_every_check(session, learner, toolkit)
    with pytest.raises(reflections.ReflectionIncomplete) as incomplete:
        reflections.submit(
            session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values=values, version=0,
            enqueue=RecordingOutbox(),
        )  # fmt: skip
    assert [f.id for f in incomplete.value.missing] == ["analysis"]
    assert incomplete.value.invalid_date
    assert reflections.find_reflection(session, user_id=learner.user.id, resource_link_id=learner.link.id) is None


def test_submitting_makes_it_read_only_and_moves_l1_progress_on(
    session: Session, learner: Learner, toolkit: Toolkit
) -> None:
    _answer_every_check(session, learner, toolkit)
    outbox = RecordingOutbox()
    submitted = reflections.submit(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values=_full(toolkit), version=0,
        enqueue=outbox,
    )  # fmt: skip
    assert submitted.status == "submitted" and submitted.submitted_at is not None
    attempt = progress.find_attempt(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert attempt is not None and progress.reflection_submitted(session, attempt)
    assert outbox.scores, "submitting is progress, so a score is queued"
    with pytest.raises(Conflict) as late:
        reflections.save_draft(
            session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "x"}, version=1
        )
    assert late.value.reason == "reflection_submitted"


def test_reflections_are_per_learner(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    colleague = make_learner(session, link=learner.link)
    reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "mine"}, version=0
    )
    assert reflections.find_reflection(session, user_id=colleague.user.id, resource_link_id=learner.link.id) is None
    # The colleague's first save creates their own reflection; it does not touch mine.
    theirs = reflections.save_draft(
        session, user_id=colleague.user.id, link=learner.link, toolkit=toolkit, values={"feelings": "x"}, version=0
    )
    mine = reflections.find_reflection(session, user_id=learner.user.id, resource_link_id=learner.link.id)
    assert mine is not None and theirs.id != mine.id and mine.fields["feelings"] == "mine"


def test_unknown_boxes_are_dropped(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    saved = reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit, values={"status": "submitted"}, version=0
    )
    assert "status" not in saved.fields and saved.status == "draft"


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("I visited Mrs Khan at home.", "name", "Mrs Khan"),
        ("Mr. O'Neill said little.", "name", "Mr. O'Neill"),
        ("Spoke with Dr Smith-Jones.", "name", "Dr Smith-Jones"),
        ("Her DOB: 12/03/2015 was on file.", "date_of_birth", "DOB: 12/03/2015"),
        ("He was born on 3 March 2016.", "date_of_birth", "born on 3 March 2016"),
        ("The meeting on 14/02/2025 went well.", "date", "14/02/2025"),
        ("NHS number 943 476 5919 was on the form.", "nhs_number", "943 476 5919"),
        ("Case no. 1234567 was closed.", "case_number", "Case no. 1234567"),
        ("See ref CP/20451 for the plan.", "case_number", "ref CP/20451"),
        ("They live near S10 2TN.", "postcode", "S10 2TN"),
    ],
)
def test_identifying_details_are_found(text: str, kind: str, found: str) -> None:
    findings = reflections.identifying_details({"description": text})
    assert [(f.field_id, f.kind, f.text) for f in findings] == [("description", kind, found)]
    assert found in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "A 9-year-old boy and his mother attended the conference.",
        "Mr and Mrs were both there.",  # no surname
        "I read Lundy (2007) and Hart (1992) on participation.",
        "We met 3 times over 10 weeks; about 40 minutes each.",
        "My manager, a senior practitioner, gave feedback in supervision.",
    ],
)
def test_ordinary_reflective_writing_raises_no_warning(text: str) -> None:
    assert reflections.identifying_details({"analysis": text}) == []


def test_the_cpd_date_box_is_not_a_date_of_birth() -> None:
    assert reflections.identifying_details({"cpd_date": "2026-11-20"}) == []


def test_nhs_check_digit() -> None:
    assert reflections.is_nhs_number("9434765919")
    assert not reflections.is_nhs_number("9434765918")


def test_a_warning_never_blocks_a_save(session: Session, learner: Learner, toolkit: Toolkit) -> None:
    saved = reflections.save_draft(
        session, user_id=learner.user.id, link=learner.link, toolkit=toolkit,
        values={"description": "I visited Mrs Khan."}, version=0,
    )  # fmt: skip
    assert saved.fields["description"] == "I visited Mrs Khan."
