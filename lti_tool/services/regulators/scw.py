"""Social Care Wales: confirm at renewal that learning is up to date and in line with the Code (6.9).

Sources (read 1 December 2026; docs/regulators.md):
- Social Care Wales, "Continuing professional development (CPD)",
  https://socialcare.wales/registration/continuing-professional-development-cpd — registrants agree to
  the Code of Professional Practice, which includes maintaining and developing knowledge and skills;
  they keep a record of their CPD and discuss it with their manager, and send it only when chosen for a
  sample check. The page sets no hours.
- Social Care Wales, "Renewal", https://socialcare.wales/registration/renewal (read in Social Care
  Wales's own copy at content.socialcare.wales) — registration is for up to three years and is renewed
  every three years from the date of original registration. That copy still says "you must provide
  evidence of CPD": it predates the April 2025 change.
- Community Care, "90 hours of CPD requirement dropped for social workers in Wales" (1 April 2025; read
  in the stored copy at https://soomnet.site/social/90-hours-of-cpd-requirement-dropped-for-social-workers-in-wales)
  and "Should Social Work England remove CPD requirement for registration renewal?" (23 April 2025),
  https://www.communitycare.co.uk/2025/04/23/social-work-england-requirement-evidence-cpd-readers-take
  — from 1 April 2025 no 90 hours over three years; registrants confirm they have completed CPD and
  their learning is up to date and in line with the Code (standard 6.9); the practice guidance for
  social workers says what that learning covers. A press report of Social Care Wales's announcement:
  the date and the 6.9 wording were not read on Social Care Wales's own pages.
- Social Care Wales, "Your responsibilities as a registered person",
  https://socialcare.wales/registration/post-registration-responsibilities — the boxes of a record
  under the old scheme (date, name of the learning, how long, how it contributed to professional
  development), kept here because a sample check is likely to ask for the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from lti_tool.services.regulators.base import (
    CpdRecord,
    ExportItem,
    ExportSection,
    Measure,
    Period,
    Registrant,
    Regulator,
    Rule,
    Source,
    Status,
    anchored_period,
)
from toolkits.cpd import Field

READ_ON = date(2026, 12, 1)
CPD_PAGE = Source(
    "Social Care Wales, Continuing professional development (CPD)",
    "https://socialcare.wales/registration/continuing-professional-development-cpd",
    READ_ON,
)
RENEWAL = Source("Social Care Wales, Renewal", "https://socialcare.wales/registration/renewal", READ_ON)
COMMUNITY_CARE = Source(
    "Community Care, 90 hours of CPD requirement dropped for social workers in Wales (1 April 2025), stored copy",
    "https://soomnet.site/social/90-hours-of-cpd-requirement-dropped-for-social-workers-in-wales",
    READ_ON,
)
COMMUNITY_CARE_APRIL = Source(
    "Community Care, Should Social Work England remove CPD requirement for registration renewal? (23 April 2025)",
    "https://www.communitycare.co.uk/2025/04/23/social-work-england-requirement-evidence-cpd-readers-take",
    READ_ON,
)
RESPONSIBILITIES = Source(
    "Social Care Wales, Your responsibilities as a registered person",
    "https://socialcare.wales/registration/post-registration-responsibilities",
    READ_ON,
)
REGISTRATION_YEARS = 3
CONFIRMATION = (
    "I confirm that I have completed continuing professional development and that my learning is up to "
    "date and in line with the Code of Professional Practice for Social Care (6.9)."
)


class SocialCareWales(Regulator):
    code = "scw"
    name = "Social Care Wales"
    nation = "Wales"
    term = "CPD"
    export_title = "Social Care Wales CPD record"
    rules = (
        Rule("period", "Registration is renewed every three years from the date of original registration.", (RENEWAL,)),
        Rule("record", "Keep a record of CPD, discuss it with your manager, and send it only if sampled.", (CPD_PAGE,)),
        Rule(
            "no-hours",
            "Since 1 April 2025 no hours are counted: at renewal the registrant confirms their learning is up "
            "to date and in line with the Code of Professional Practice (6.9).",
            (CPD_PAGE, COMMUNITY_CARE, COMMUNITY_CARE_APRIL),
            verified=False,
            note="Social Care Wales's CPD page sets no hours and asks for the record only in a sample; the "
            "1 April 2025 date and the 6.9 wording come from Community Care's report, not Social Care "
            "Wales's own announcement",
        ),
        Rule(
            "record-fields",
            "A record gives the date, the name of the learning, how long it took and how it contributed to "
            "professional development.",
            (RESPONSIBILITIES,),
            verified=False,
            note="these were the boxes under the 90-hour scheme; what a sample check asks for now was not found",
        ),
    )

    def period_containing(self, day: date, registrant: Registrant | None = None) -> Period:
        return anchored_period(day, registrant.registered_on if registrant else None, REGISTRATION_YEARS)

    def status(self, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None) -> Status:
        period = self.period_containing(today, registrant)
        inside = self.in_period(records, period)
        renewal = period.end + timedelta(days=1)
        when = "at renewal" if period.approximate else f"at renewal ({renewal:%-d %B %Y})"
        summary = f"Confirmation due {when}: {len(inside)} record{'s' if len(inside) != 1 else ''} kept in this period."
        notes = (
            "Social Care Wales counts no hours: you confirm that your learning is up to date and in line with "
            "the Code of Professional Practice (6.9).",
            "Discuss your record with your manager; send it only if you are chosen for a sample check.",
        )
        return Status(self.code, period, summary, (Measure("records kept", len(inside), None),), notes, None, inside)

    def record_fields(self, *, peer_reflection: bool = False) -> tuple[Field, ...]:
        return (
            Field("cpd_date", "Date", "When you did it."),
            Field("cpd_title", "Name of the training or learning", "A short title."),
            Field("cpd_hours", "How long it took", "In hours, if you know.", required=False),
            Field("cpd_description", "How it contributed to your professional development", "What it changed."),
            Field("cpd_impact", "Impact on the people you support", "The difference for people.", required=False),
        )

    def sections_before_records(
        self, status: Status, records: Sequence[CpdRecord], registrant: Registrant | None
    ) -> tuple[ExportSection, ...]:
        renewal = "at renewal" if status.period.approximate else f"{status.period.end + timedelta(days=1):%-d %B %Y}"
        confirmation = (ExportItem("Renewal", renewal), ExportItem("Statement", CONFIRMATION))
        return (ExportSection("Confirmation at renewal", confirmation),)
