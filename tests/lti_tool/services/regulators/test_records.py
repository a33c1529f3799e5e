"""Real portfolio pieces (submitted reflections in the database) become records every regulator counts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lti_tool.models import LtiUser
from lti_tool.services import portfolio, regulators
from lti_tool.services.portfolio import records
from lti_tool.services.regulators import Registrant
from tests.lti_tool.factories import Course, make_course
from tests.lti_tool.l2_factories import catalogue, finish_l1, submitted_reflection


def _l2_reflection(session: Session, course: Course, user: LtiUser, when: datetime, **extra: str) -> None:
    """A submitted L2 reflection with a peer reflection, as the L2 reflection form leaves it."""
    values = {
        "cpd_title": "Participation group session",
        "cpd_date": when.date().isoformat(),
        "cpd_type": "Reflective group discussion",
        "cpd_description": "Group case study",
        "cpd_learnt": "Lundy's model in a conference",
        "cpd_impact": "I ask children before the meeting",
        "cpd_peer": "A colleague challenged my reading of the case",
        **extra,
    }
    submitted_reflection(session, course, user, part="l2", fields=values, when=when)


def test_a_year_of_portfolio_pieces_under_each_regulator(session: Session) -> None:
    first = make_course(session, learners=1)
    learner = first.learners[0]
    second = make_course(session, learners=0, platform=first.platform)
    second.learners.append(learner)
    finish_l1(session, first, learner, when=datetime(2026, 1, 10, 9, tzinfo=UTC))
    _l2_reflection(session, first, learner, datetime(2026, 2, 14, 15, tzinfo=UTC))
    finish_l1(session, second, learner, when=datetime(2026, 6, 1, 9, tzinfo=UTC))
    _l2_reflection(
        session, second, learner, datetime(2026, 7, 1, 15, tzinfo=UTC), cpd_hours="3", sssc_elements="element-6"
    )

    found = records.from_pieces(portfolio.pieces(session, user_id=learner.id, catalogue=catalogue()), catalogue())
    assert len(found) == 4
    today = datetime(2026, 11, 1, tzinfo=UTC).date()
    registrant = Registrant(registered_on=datetime(2025, 3, 1).date())

    swe = regulators.get("swe").status(found, today)
    assert swe.summary == "4 of 2 pieces of CPD, 2 of 1 with peer reflection — requirement met."

    sssc = regulators.get("sssc").status(found, today, registrant)
    # participatory-practice maps two elements; the learner added a third by hand.
    assert sssc.summary == "3 of 8 core learning elements covered."
    assert "Mandatory learning — Adult and child protection: recorded in this period." in sssc.notes

    scw = regulators.get("scw").status(found, today, registrant)
    assert scw.summary == "Confirmation due at renewal (1 March 2028): 4 records kept in this period."

    niscc = regulators.get("niscc").status(found, today, registrant)
    # 1.25 + 1.25 + 1.25 from the toolkit's mapping, 3 written by the learner over the L2 mapping.
    assert niscc.summary == "7.17 of 90 hours in 2025–2028."

    text = regulators.get("niscc").export(found, today, registrant).text()
    assert "Lundy's model in a conference" in text and "A colleague challenged" not in text  # NISCC has no peer box
    swe_text = regulators.get("swe").export(found, today).text()
    assert "A colleague challenged my reading of the case" in swe_text
