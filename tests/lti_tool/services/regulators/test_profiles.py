"""Each regulator's counter, period and export over a learner's year of records (docs/regulators.md)."""

from __future__ import annotations

from datetime import date

import pytest

from lti_tool.services import regulators
from lti_tool.services.regulators import Registrant, UnknownRegulator
from lti_tool.services.regulators.base import add_years, anchored_period
from lti_tool.services.regulators.sssc import ScottishSocialServicesCouncil
from tests.lti_tool.services.regulators.factories import a_year_of_records, record
from toolkits.cpd import LearningElement

TODAY = date(2026, 11, 30)


def _export_text(code: str, registrant: Registrant | None = None, today: date = TODAY) -> str:
    return regulators.get(code).export(a_year_of_records(), today, registrant, learner_name="Zoë Łukasz").text()


# --- Social Work England ----------------------------------------------------------------------------


def test_swe_counts_pieces_and_peer_reflection_in_the_december_year() -> None:
    swe = regulators.get("swe")
    status = swe.status(a_year_of_records(), TODAY)
    assert (status.period.start, status.period.end) == (date(2025, 12, 1), date(2026, 11, 30))
    assert status.summary == "5 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met."
    assert status.met is True
    # The day after, a new year starts empty.
    fresh = swe.status(a_year_of_records(), date(2026, 12, 1))
    assert fresh.summary == "0 of 2 pieces of CPD, 0 of 1 with peer reflection."
    assert fresh.met is False


def test_swe_without_peer_reflection_is_not_met() -> None:
    records = [record("A", date(2026, 1, 1)), record("B", date(2026, 2, 1))]
    status = regulators.get("swe").status(records, TODAY)
    assert status.summary == "2 of 2 pieces of CPD, 0 of 1 with peer reflection."
    assert status.met is False


def test_swe_export_holds_the_online_form_boxes() -> None:
    text = _export_text("swe")
    for label in (
        "Type of CPD",
        "Description and why it is relevant to your practice",
        "What you learnt",
        "The positive impact on your practice and the people you work with",
        "Peer reflection: what you learnt from discussing it with a peer",
    ):
        assert label in text
    assert "What a colleague and I took from Participation L2" in text
    assert "20/02/2026" in text and "Older course" not in text
    assert "Zoë Łukasz" in text


# --- SSSC ----------------------------------------------------------------------------------------------


def _sssc() -> ScottishSocialServicesCouncil:
    profile = regulators.get("sssc")
    assert isinstance(profile, ScottishSocialServicesCouncil)
    return profile


def test_sssc_counts_core_learning_elements_covered_in_the_declaration_year() -> None:
    sssc = _sssc()
    registrant = Registrant(registered_on=date(2021, 12, 15))
    status = sssc.status(a_year_of_records(), TODAY, registrant)
    assert (status.period.start, status.period.end) == (date(2025, 12, 15), date(2026, 12, 14))
    assert status.summary == "5 of 8 core learning elements covered."
    assert status.met is False
    assert "Mandatory learning — Trauma awareness: recorded in this period." in status.notes
    assert "Annual declaration due 15 December 2026." in status.notes
    all_eight = [record("All", date(2026, 3, 3), elements=tuple(e.id for e in sssc.elements))]
    assert sssc.status(all_eight, TODAY, registrant).met is True
    # Without a registration date the year is counted back from today: no made-up due date.
    unanchored = sssc.status(a_year_of_records(), TODAY)
    assert unanchored.period.approximate
    assert "Add your registration date to see when your annual declaration is due." in unanchored.notes


def test_sssc_works_for_any_list_of_elements() -> None:
    sssc = ScottishSocialServicesCouncil(
        [LearningElement("a", "A"), LearningElement("b", "B"), LearningElement("c", "C")]
    )
    status = sssc.status([record("x", date(2026, 6, 1), elements=("a", "c"))], TODAY)
    assert status.summary == "2 of 3 core learning elements covered."
    assert status.period.approximate  # no declaration date given: the 12 months up to today


def test_sssc_newly_qualified_first_year() -> None:
    sssc = _sssc()
    nqsw = Registrant(registered_on=date(2026, 3, 1), newly_qualified=True)
    status = sssc.status(a_year_of_records(), date(2026, 10, 1), nqsw)
    assert (status.period.start, status.period.end) == (date(2026, 3, 1), date(2027, 2, 28))
    assert status.notes[0] == "Newly qualified: first-year CPL is asked for after 28 February 2027."
    part_time = sssc.first_year(Registrant(registered_on=date(2026, 3, 1), newly_qualified=True, part_time=True))
    assert part_time is not None and part_time.end == date(2027, 8, 31)


def test_sssc_export_shows_coverage_per_element_and_employer_verification() -> None:
    text = _export_text("sssc", Registrant(registered_on=date(2021, 12, 15)))
    assert "Ethics, values and rights-based practice:\nParticipation L1; Participation L2" in text
    assert "Core learning element 8 (name to be confirmed with the SSSC):\nNot covered yet" in text
    for label in (
        "Core learning elements covered",
        "Impact on your practice",
        "Employer verification",
        "Verified by (name)",
    ):
        assert label in text


# --- Social Care Wales ---------------------------------------------------------------------------------


def test_scw_asks_for_confirmation_at_renewal_and_counts_no_hours() -> None:
    scw = regulators.get("scw")
    registrant = Registrant(registered_on=date(2024, 4, 1))
    status = scw.status(a_year_of_records(), TODAY, registrant)
    assert (status.period.start, status.period.end) == (date(2024, 4, 1), date(2027, 3, 31))
    assert status.summary == "Confirmation due at renewal (1 April 2027): 6 records kept in this period."
    assert status.met is None
    assert all(m.need is None for m in status.measures)


def test_scw_export_holds_the_confirmation_and_record_boxes() -> None:
    text = _export_text("scw", Registrant(registered_on=date(2024, 4, 1)))
    assert "Code of Professional Practice for Social Care (6.9)" in text
    for label in (
        "Name of the training or learning",
        "How long it took",
        "How it contributed to your professional development",
    ):
        assert label in text
    assert "How long it took:\n30\n" in text  # the 2025 course is inside this three-year period


# --- NISCC -----------------------------------------------------------------------------------------------


def test_niscc_counts_hours_of_90_in_the_three_year_period() -> None:
    niscc = regulators.get("niscc")
    registrant = Registrant(registered_on=date(2024, 1, 1))
    status = niscc.status(a_year_of_records(), TODAY, registrant)
    assert (status.period.start, status.period.end) == (date(2024, 1, 1), date(2026, 12, 31))
    assert status.summary == "53 of 90 hours in 2024–2026."
    assert status.met is False


def test_niscc_hours_stop_at_the_period_boundary() -> None:
    niscc = regulators.get("niscc")
    registrant = Registrant(registered_on=date(2025, 6, 10))
    # The 2025-06-10 course opens the period 10 June 2025 – 9 June 2028 ...
    assert niscc.status(a_year_of_records(), TODAY, registrant).summary == "53 of 90 hours in 2025–2028."
    # ... and the day before it belongs to the previous period, which holds nothing.
    before = niscc.status(a_year_of_records(), date(2025, 6, 9), registrant)
    assert (before.period.start, before.period.end) == (date(2022, 6, 10), date(2025, 6, 9))
    assert before.summary == "0 of 90 hours in 2022–2025."
    records = [
        *a_year_of_records(),
        record("Late", date(2028, 6, 9), hours=40),
        record("Next", date(2028, 6, 10), hours=7),
    ]
    assert (
        niscc.status(records, date(2028, 6, 9), registrant).summary == "93 of 90 hours in 2025–2028 — requirement met."
    )
    assert niscc.status(records, date(2028, 6, 10), registrant).summary == "7 of 90 hours in 2028–2031."


def test_niscc_first_line_manager_learning_within_two_years() -> None:
    niscc = regulators.get("niscc")
    manager = Registrant(registered_on=date(2024, 1, 1), manager_since=date(2025, 10, 1))
    status = niscc.status(a_year_of_records(), TODAY, manager)
    assert "First-line manager: supervision and appraisal learning recorded." in status.notes
    late = Registrant(registered_on=date(2024, 1, 1), manager_since=date(2026, 10, 1))
    status = niscc.status(a_year_of_records(), TODAY, late)
    assert "First-line manager: supervision and appraisal learning due by 30 September 2028." in status.notes


def test_niscc_export_is_an_audit_record_of_activity() -> None:
    text = _export_text("niscc", Registrant(registered_on=date(2024, 1, 1)))
    for label in (
        "Summary of your job role",
        "Learning and development plan agreed with your employer",
        "Learning activity",
        "Hours:\n1.25",
        "Outcome: the change to your practice and the difference for service users",
        "Hours of PRTL in this period:\n53 of 90",
    ):
        assert label in text


# --- shared ------------------------------------------------------------------------------------------------


def test_every_profile_cites_its_sources_and_says_what_is_unverified() -> None:
    for code, profile in regulators.REGULATORS.items():
        assert profile.rules, code
        for rule in profile.rules:
            assert rule.sources and all(s.url.startswith("https://") for s in rule.sources)
            assert rule.verified or rule.note, f"{code}:{rule.id} is unverified without saying why"
        assert profile.verified is False  # every profile has at least one box it could not read at source
        assert profile.unverified_notes


def test_a_learner_choice_wins_over_the_platform_default() -> None:
    assert regulators.choose("niscc", "scw").code == "niscc"
    assert regulators.choose(None, "SCW").code == "scw"
    assert regulators.choose("gone", "also-gone").code == "swe"


def test_unknown_regulator_is_a_plain_message() -> None:
    with pytest.raises(UnknownRegulator, match="choose one of swe, sssc, scw, niscc"):
        regulators.get("hcpc")
    assert regulators.get(" NISCC ").code == "niscc"


def test_exports_render_as_rows_for_a_spreadsheet() -> None:
    export = regulators.get("niscc").export(a_year_of_records(), TODAY, Registrant(registered_on=date(2024, 1, 1)))
    rows = export.rows()
    assert rows[0] == ("Summary", "Regulator", "Northern Ireland Social Care Council")
    assert ("Total", "Hours of PRTL in this period", "53 of 90") in rows
    data = export.as_dict()
    assert data["regulator"] == "niscc" and data["sections"][0]["items"][0] == {
        "label": "Regulator",
        "value": "Northern Ireland Social Care Council",
    }
    assert len(data["sections"]) == len(export.sections)


@pytest.mark.parametrize(
    ("day", "anchor", "start", "end"),
    [
        (date(2027, 2, 27), date(2024, 2, 29), date(2024, 2, 29), date(2027, 2, 27)),
        (date(2027, 2, 28), date(2024, 2, 29), date(2027, 2, 28), date(2030, 2, 27)),
        (date(2024, 2, 28), date(2024, 2, 29), date(2021, 2, 28), date(2024, 2, 28)),
        (date(2030, 1, 1), date(2024, 2, 29), date(2027, 2, 28), date(2030, 2, 27)),
    ],
)
def test_periods_from_a_29_february_registration(day: date, anchor: date, start: date, end: date) -> None:
    period = anchored_period(day, anchor, 3)
    assert (period.start, period.end) == (start, end)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
