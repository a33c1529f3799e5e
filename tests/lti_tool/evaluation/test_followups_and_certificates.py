"""Follow-ups three months after L2 (with an injected time), impact records, and certificates."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy.orm import Session

from lti_tool.services.evaluation import certificate_pdf, certificates, followups, impact_records, personal_data
from tests.lti_tool.evaluation.support import T0, answer_both, complete_toolkit, submit_l2
from tests.lti_tool.factories import make_course
from tests.lti_tool.l2_factories import finish_l1, toolkit

DAYS = 91


def test_the_follow_up_is_due_three_months_after_l2_and_quotes_the_planned_action(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    submit_l2(session, course, user, when=T0, action="Ask each child how they want to join their conference")
    assert followups.due(session, user_id=user.id, now=T0 + timedelta(days=DAYS - 1), days=DAYS) is None
    due = followups.due(session, user_id=user.id, now=T0 + timedelta(days=DAYS), days=DAYS)
    assert due is not None and due.toolkit_id == toolkit().id
    assert "Ask each child how they want to join their conference" in due.planned_action
    assert followups.due(session, user_id=user.id, now=T0 + timedelta(days=DAYS), days=0) is None


def test_ask_me_later_waits_two_weeks_and_an_answer_becomes_an_impact_record(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    submit_l2(session, course, user, when=T0)
    asked = T0 + timedelta(days=DAYS)
    which = {"user_id": user.id, "context_id": course.context.id, "toolkit_id": toolkit().id}
    followups.remind_later(session, **which, now=asked)  # type: ignore[arg-type]
    assert followups.due(session, user_id=user.id, now=asked + timedelta(days=13), days=DAYS) is None
    assert followups.due(session, user_id=user.id, now=asked + timedelta(days=14), days=DAYS) is not None
    assert impact_records(session, user.id) == []
    followups.answer(session, **which, carried_out=followups.CarriedOut.PARTLY,  # type: ignore[arg-type]
                     what_happened="I met two children before conference", impact="They spoke for themselves",
                     in_portfolio=True, now=asked + timedelta(days=15))  # fmt: skip
    assert followups.due(session, user_id=user.id, now=asked + timedelta(days=400), days=DAYS) is None
    [record] = impact_records(session, user.id)
    assert (record.carried_out, record.impact, record.recorded_on) == (
        "Partly",
        "They spoke for themselves",
        (asked + timedelta(days=15)).date(),
    )


def test_a_declined_follow_up_is_not_asked_again_and_keeps_nothing(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    submit_l2(session, course, user, when=T0)
    followups.decline(session, user_id=user.id, context_id=course.context.id, toolkit_id=toolkit().id, now=T0)
    assert followups.due(session, user_id=user.id, now=T0 + timedelta(days=DAYS * 3), days=DAYS) is None
    assert impact_records(session, user.id) == []


def test_a_certificate_needs_l1_and_l2_and_its_pdf_says_who_what_and_when(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    kit = toolkit()
    args = {"user_id": user.id, "platform_id": course.platform.id, "context_id": course.context.id, "toolkit": kit}
    finish_l1(session, course, user, when=T0 - timedelta(days=10))
    assert certificates.issue(session, **args, now=T0) is None  # type: ignore[arg-type]
    submit_l2(session, course, user, when=T0)
    cert = certificates.issue(session, **args, now=T0)  # type: ignore[arg-type]
    assert cert is not None and certificates.issue(session, **args, now=T0) is cert  # type: ignore[arg-type]
    body = certificate_pdf.render(
        certificate_pdf.CertificateText.for_toolkit(
            kit, holder="Zoë Łukasz-Okafor", started_on=cert.started_on, completed_on=cert.completed_on,
            minutes=cert.minutes, council="Dorset Council", brand_colour="#005ea5", code=cert.code,
            verify_url=f"https://swott.example/certificates/{cert.code}",
        )
    )  # fmt: skip
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)
    assert "Zoë Łukasz-Okafor" in text
    assert " ".join(kit.title.split()) in text
    assert "5 January 2027" in text and "15 January 2027" in text
    assert "Dorset Council" in text and cert.code in text
    assert "Incorporate feedback into practice" in text  # SWE standard 4.1 of this toolkit
    reader = PdfReader(io.BytesIO(body))
    assert "/StructTreeRoot" in reader.root_object  # tagged (PDF/UA-1), as the portfolio PDF
    assert len(reader.pages) == 1


def test_verification_says_genuine_not_found_revoked_or_erased(session: Session) -> None:
    course = make_course(session, learners=2)
    kit = toolkit()
    codes = []
    for user in course.learners:
        complete_toolkit(session, course, user)
        cert = certificates.issue(session, user_id=user.id, platform_id=course.platform.id,
                                  context_id=course.context.id, toolkit=kit, now=T0)  # fmt: skip
        assert cert is not None
        codes.append(cert.code)
    assert certificates.verify(session, codes[0]) is certificates.Verdict.GENUINE
    assert certificates.verify(session, codes[0].lower().replace("-", " ")) is certificates.Verdict.GENUINE
    changed = ("B" if codes[0][0] != "B" else "C") + codes[0][1:]
    assert certificates.verify(session, changed) is certificates.Verdict.NOT_FOUND
    assert certificates.revoke(session, codes[0], now=T0)
    assert certificates.verify(session, codes[0]) is certificates.Verdict.REVOKED
    assert certificates.erase_holder(session, user_id=course.learners[1].id, now=T0) == 1
    assert certificates.verify(session, codes[1]) is certificates.Verdict.ERASED
    erased = certificates.by_code(session, codes[1])
    assert erased is not None and erased.user_id is None and erased.context_id is None


def test_the_gate_asks_the_database_only_once_a_follow_up_could_be_due(session: Session) -> None:
    """Launches skip the follow-up query until the oldest open L2 reflection is `days` old."""
    course = make_course(session, learners=1)
    gate = followups.DueGate()
    assert not gate.may_be_due(session, now=T0, days=DAYS)  # nothing yet: nobody before T0 + 91 days
    submit_l2(session, course, course.learners[0], when=T0 + timedelta(days=1))
    assert not gate.may_be_due(session, now=T0 + timedelta(days=60), days=DAYS)  # answered from memory
    assert not gate.may_be_due(session, now=T0 + timedelta(days=DAYS, hours=12), days=DAYS)  # looked again
    assert gate.may_be_due(session, now=T0 + timedelta(days=DAYS + 1), days=DAYS)
    assert not gate.may_be_due(session, now=T0 + timedelta(days=DAYS + 1), days=0)


def test_a_learner_downloads_then_erases_their_evaluation_data(session: Session) -> None:
    course = make_course(session, learners=1)
    user = course.learners[0]
    complete_toolkit(session, course, user)
    answer_both(session, course, user, 2, 4, text="My own words", share=False)
    cert = certificates.issue(session, user_id=user.id, platform_id=course.platform.id,
                              context_id=course.context.id, toolkit=toolkit(), now=T0)  # fmt: skip
    assert cert is not None
    mine = personal_data.export(session, user.id)
    assert [q["when"] for q in mine["questionnaires"]] == ["before", "after"]
    assert "My own words" in json.dumps(mine) and mine["certificates"][0]["code"] == cert.code
    personal_data.erase(session, user_id=user.id, now=T0)
    assert personal_data.export(session, user.id) == {
        "questionnaires": [], "session_feedback": [], "follow_ups": [], "certificates": []
    }  # fmt: skip
    assert certificates.verify(session, cert.code) is certificates.Verdict.ERASED
