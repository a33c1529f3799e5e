"""Scottish Social Services Council: continuous professional learning (CPL) framed by core learning elements.

Sources (read 1 December 2026; docs/regulators.md):
- SSSC news, "Social Work Week 2025 - supporting your CPL journey" (20 March 2025),
  https://news.sssc.uk.com/news/social-work-week-2025-supporting-your-cpl-journey — new CPL
  requirements since June 2024; an annual declaration instead of renewal every three years; no more
  hours or days; eight core learning elements for social workers "expected to cover every year".
- SSSC news, "A new approach for CPL", https://news.sssc.uk.com/news/a-new-approach-for-cpl — mandatory
  skills and knowledge on trauma awareness and on adult and child protection for all registrants; new
  requirements for newly qualified social workers (NQSWs).
- SSSC news, "New website to support your continuous professional learning (CPL)",
  https://news.sssc.uk.com/news/new-website-to-support-your-continuous-professional-learning-cpl —
  the eight elements for social workers (first two named; the stored copy is cut off after them).
- SSSC, "CPL introduction", https://learn.sssc.uk.com/cpl/introduction — the annual declaration
  confirms CPL "which covers all of the core learning elements"; a sample is submitted on MySSSC and
  endorsed by the supervisor or line manager.
- SSSC news, "Verifying your staff's continuous professional learning (CPL)" (21 April 2025),
  https://news.sssc.uk.com/news/verifying-your-staffs-continuous-professional-learning-cpl — from
  3 May 2025 a sample gives details of their CPL against the core learning elements, verified by a
  person the registrant selects at their employer.
- SSSC NQSW site, "SSSC Registration", https://nqsw.sssc.uk.com/sssc-registration — NQSWs meet
  first-year CPL requirements within 12 months of registration (18 months under 35 hours a week);
  from June 2024 framed by the eight elements plus mandatory learning activity.
"""

from __future__ import annotations

import calendar
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
from toolkits.cpd import SSSC_MANDATORY_LEARNING, SSSC_SOCIAL_WORK_ELEMENTS, Field, LearningElement

READ_ON = date(2026, 12, 1)
SW_WEEK = Source(
    "SSSC news, Social Work Week 2025 - supporting your CPL journey (20 March 2025)",
    "https://news.sssc.uk.com/news/social-work-week-2025-supporting-your-cpl-journey",
    READ_ON,
)
NEW_APPROACH = Source(
    "SSSC news, A new approach for CPL", "https://news.sssc.uk.com/news/a-new-approach-for-cpl", READ_ON
)
NEW_WEBSITE = Source(
    "SSSC news, New website to support your continuous professional learning (CPL)",
    "https://news.sssc.uk.com/news/new-website-to-support-your-continuous-professional-learning-cpl",
    READ_ON,
)
CPL_INTRO = Source("SSSC, CPL introduction", "https://learn.sssc.uk.com/cpl/introduction", READ_ON)
VERIFYING = Source(
    "SSSC news, Verifying your staff's continuous professional learning (CPL) (21 April 2025)",
    "https://news.sssc.uk.com/news/verifying-your-staffs-continuous-professional-learning-cpl",
    READ_ON,
)
NQSW = Source("SSSC NQSW, SSSC Registration", "https://nqsw.sssc.uk.com/sssc-registration", READ_ON)

NQSW_MONTHS = 12
NQSW_PART_TIME_MONTHS = 18  # under 35 hours a week


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 August + 6 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class ScottishSocialServicesCouncil(Regulator):
    code = "sssc"
    name = "Scottish Social Services Council"
    nation = "Scotland"
    term = "CPL"
    export_title = "SSSC continuous professional learning"
    period_name = "declaration year"
    rules = (
        Rule(
            "declaration",
            "An annual declaration that CPL is complete, instead of renewal every three years.",
            (SW_WEEK, CPL_INTRO),
        ),
        Rule("no-hours", "No set number of hours or days.", (SW_WEEK, CPL_INTRO, VERIFYING)),
        Rule(
            "elements",
            "Social workers cover the eight core learning elements every year.",
            (SW_WEEK, NEW_WEBSITE, CPL_INTRO),
        ),
        Rule(
            "element-names",
            "The names of the eight core learning elements for social workers.",
            (NEW_WEBSITE,),
            verified=False,
            note="only the first two names could be read; the other six are placeholders to confirm "
            "at learn.sssc.uk.com (toolkits.cpd.SSSC_SOCIAL_WORK_ELEMENTS)",
        ),
        Rule("mandatory", "Mandatory learning on trauma awareness and on adult and child protection.", (NEW_APPROACH,)),
        Rule(
            "mandatory-frequency",
            "How often the mandatory learning must be repeated.",
            (NEW_APPROACH,),
            verified=False,
            note="the sources say it is mandatory, not whether it is yearly: shown, not counted towards the year",
        ),
        Rule(
            "sample",
            "A sample gives details of their CPL against the elements, verified by their employer.",
            (VERIFYING, CPL_INTRO),
        ),
        Rule(
            "nqsw",
            "Newly qualified social workers meet first-year CPL requirements within 12 months of registration "
            "(18 if under 35 hours a week).",
            (NQSW,),
        ),
        Rule(
            "record-fields",
            "The boxes MySSSC asks for when a sampled registrant gives their CPL details.",
            (VERIFYING,),
            verified=False,
            note="MySSSC is behind login; the record keeps title, date, type, elements covered, what was "
            "learnt and its impact on practice, plus the employer's verification",
        ),
    )

    def __init__(self, elements: Sequence[LearningElement] = SSSC_SOCIAL_WORK_ELEMENTS) -> None:
        self.elements = tuple(elements)

    def period_containing(self, day: date, registrant: Registrant | None = None) -> Period:
        """The declaration year holding `day`: a year from the registration date's anniversary."""
        return anchored_period(day, registrant.registered_on if registrant else None, 1)

    def first_year(self, registrant: Registrant) -> Period | None:
        """An NQSW's first-year window, when they are newly qualified and gave their registration date."""
        if not registrant.newly_qualified or registrant.registered_on is None:
            return None
        months = NQSW_PART_TIME_MONTHS if registrant.part_time else NQSW_MONTHS
        return Period(registrant.registered_on, _add_months(registrant.registered_on, months) - timedelta(days=1))

    def coverage(self, records: Sequence[CpdRecord]) -> dict[str, tuple[CpdRecord, ...]]:
        """Element id → the records that cover it (empty for an element not yet covered)."""
        return {e.id: tuple(r for r in records if e.id in r.elements) for e in self.elements}

    def status(self, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None) -> Status:
        registrant = registrant or Registrant()
        first_year = self.first_year(registrant)
        period = first_year if first_year and today in first_year else self.period_containing(today, registrant)
        inside = self.in_period(records, period)
        covered = sum(1 for found in self.coverage(inside).values() if found)
        total = len(self.elements)
        measures = [Measure("core learning elements covered", covered, total)]
        notes: list[str] = []
        for topic, title in SSSC_MANDATORY_LEARNING.items():
            done = sum(1 for r in inside if topic in r.mandatory)
            measures.append(Measure(f"mandatory learning: {title.lower()}", done, None))
            notes.append(f"Mandatory learning — {title}: {'recorded' if done else 'not recorded yet'} in this period.")
        met = covered >= total
        summary = f"{covered} of {total} core learning elements covered"
        if first_year and period == first_year:
            notes.insert(0, f"Newly qualified: first-year CPL is asked for after {period.end:%-d %B %Y}.")
        elif period.approximate:
            notes.insert(0, "Add your registration date to see when your annual declaration is due.")
        else:
            notes.insert(0, f"Annual declaration due {period.end + timedelta(days=1):%-d %B %Y}.")
        return Status(
            self.code, period, summary + (" — all covered." if met else "."), tuple(measures), tuple(notes), met, inside
        )

    def record_fields(self, *, peer_reflection: bool = False) -> tuple[Field, ...]:
        return (
            Field("cpd_title", "Title of the learning", "A short title."),
            Field("cpd_date", "Date", "When you did it."),
            Field("cpd_type", "Type of learning", "Formal or informal: a course, reading, supervision, shadowing."),
            Field("sssc_elements", "Core learning elements covered", "Which of the core learning elements it covers."),
            Field("cpd_learnt", "What you learnt", "The main things you learnt."),
            Field("cpd_impact", "Impact on your practice", "How it changes your practice and the outcomes for people."),
        )

    def sections_before_records(
        self, status: Status, records: Sequence[CpdRecord], registrant: Registrant | None
    ) -> tuple[ExportSection, ...]:
        """The CPL details an SSSC sample asks for start with the coverage of the core learning elements."""
        titles = self.element_titles()
        coverage = tuple(
            ExportItem(titles[eid], "; ".join(r.title for r in found) if found else "Not covered yet")
            for eid, found in self.coverage(status.records).items()
        )
        return (ExportSection("Core learning elements", coverage),)

    def export_record(self, record: CpdRecord, number: int) -> ExportSection:
        section = super().export_record(record, number)
        titles = self.element_titles()
        items = tuple(
            ExportItem(i.label, ", ".join(titles.get(e, e) for e in sorted(record.elements)) or "—")
            if i.label == "Core learning elements covered"
            else i
            for i in section.items
        )
        return ExportSection(section.title, items)

    def sections_after_records(self, status: Status) -> tuple[ExportSection, ...]:
        """A verification section for the employer to sign."""
        verification = (
            ExportItem("Verified by (name)", ""),
            ExportItem("Role", ""),
            ExportItem("Date", ""),
            ExportItem("I confirm this learning took place", ""),
        )
        return (ExportSection("Employer verification", verification),)

    def element_titles(self) -> dict[str, str]:
        return {e.id: e.title for e in self.elements}
