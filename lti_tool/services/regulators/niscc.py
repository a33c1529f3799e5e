"""Northern Ireland Social Care Council: 90 hours of PRTL in each three-year registration period.

Sources (read 1 December 2026; docs/regulators.md):
- NISCC, "Social Worker PRTL", https://niscc.info/prtl/social-worker-prtl — social workers are normally
  registered for three years and complete 90 hours of post-registration training and learning (PRTL)
  in each three-year period; a social worker appointed first-line manager undertakes learning in the
  professional supervision and appraisal of staff within two years of appointment; managers also
  undertake leadership and management learning within the registration period.
- NISCC, "PRTL - Post Registration Training & Learning",
  https://niscc.info/prtl-post-registration-training-and-learning — 90 hours; a written learning and
  development plan agreed with the employer; a record of PRTL, and a summary sent if chosen for audit.
- NISCC, "PRTL Audit", https://niscc.info/prtl-post-registration-training-and-learning/prtl-audit — a
  random sample each year sends their learning and development plan and their record of activity
  within 90 days; the assessment looks at outcomes (the change to practice, the difference for service
  users); include a summary of your job role.
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
    add_years,
    anchored_period,
    hours_text,
)
from toolkits.cpd import Field

READ_ON = date(2026, 12, 1)
SOCIAL_WORKER_PRTL = Source("NISCC, Social Worker PRTL", "https://niscc.info/prtl/social-worker-prtl", READ_ON)
PRTL = Source(
    "NISCC, PRTL - Post Registration Training & Learning",
    "https://niscc.info/prtl-post-registration-training-and-learning",
    READ_ON,
)
AUDIT = Source(
    "NISCC, PRTL Audit", "https://niscc.info/prtl-post-registration-training-and-learning/prtl-audit", READ_ON
)

HOURS_NEEDED = 90
# The first-line manager's requirement (rule "first-line-manager" below; NISCC, Social Worker PRTL,
# https://niscc.info/prtl/social-worker-prtl): a record the learner marks as this learning counts.
SUPERVISION_LABEL = "Learning in the professional supervision and appraisal of staff"
REGISTRATION_YEARS = 3
MANAGER_YEARS = 2


class NorthernIrelandSocialCareCouncil(Regulator):
    code = "niscc"
    name = "Northern Ireland Social Care Council"
    nation = "Northern Ireland"
    term = "PRTL"
    export_title = "NISCC PRTL record of activity"
    rules = (
        Rule(
            "hours", f"{HOURS_NEEDED} hours of PRTL in each three-year registration period.", (SOCIAL_WORKER_PRTL, PRTL)
        ),
        Rule("plan", "A written learning and development plan, agreed with the employer and reviewed.", (PRTL,)),
        Rule("audit", "A random sample sends their plan and record of activity within 90 days.", (AUDIT,)),
        Rule(
            "first-line-manager",
            "A first-line manager completes learning in professional supervision and appraisal within two "
            "years of appointment.",
            (SOCIAL_WORKER_PRTL,),
        ),
        Rule(
            "audit-form",
            "The boxes of the PRTL submission form and summary of PRTL activities.",
            (AUDIT,),
            verified=False,
            note="the forms are in NISCC's PRTL guidance (appendix 3), not read; the export follows what the "
            "audit page asks for: job role, plan, and each activity with its date, hours and outcomes",
        ),
    )

    def period_containing(self, day: date, registrant: Registrant | None = None) -> Period:
        return anchored_period(day, registrant.registered_on if registrant else None, REGISTRATION_YEARS)

    def hours(self, records: Sequence[CpdRecord]) -> float:
        return sum(r.hours or 0.0 for r in records)

    def manager_window(self, registrant: Registrant) -> Period | None:
        if registrant.manager_since is None:
            return None
        return Period(registrant.manager_since, add_years(registrant.manager_since, MANAGER_YEARS) - timedelta(days=1))

    def manager_items(self, records: Sequence[CpdRecord], registrant: Registrant | None) -> tuple[ExportItem, ...]:
        """The first-line manager's supervision and appraisal learning, for the audit export."""
        window = self.manager_window(registrant) if registrant else None
        if window is None:
            return ()
        done = [r for r in records if r.supervision_appraisal and r.day in window]
        value = (
            "; ".join(f"{r.title} ({r.day:%d/%m/%Y})" for r in done)
            or f"Not recorded yet: due by {window.end:%-d %B %Y}"
        )
        return (
            ExportItem("First-line manager since", f"{window.start:%-d %B %Y}"),
            ExportItem(SUPERVISION_LABEL, value),
        )

    def status(self, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None) -> Status:
        registrant = registrant or Registrant()
        period = self.period_containing(today, registrant)
        inside = self.in_period(records, period)
        hours = self.hours(inside)
        measures = [Measure("hours of PRTL", hours, HOURS_NEEDED)]
        notes: list[str] = []
        without_hours = sum(1 for r in inside if r.hours is None)
        if without_hours:
            notes.append(f"{without_hours} record(s) have no hours yet: add them to count.")
        window = self.manager_window(registrant)
        if window is not None:
            done = any(r.supervision_appraisal and r.day in window for r in records)
            measures.append(Measure("supervision and appraisal learning", 1 if done else 0, 1))
            notes.append(
                "First-line manager: supervision and appraisal learning "
                + ("recorded." if done else f"due by {window.end:%-d %B %Y}.")
            )
        met = all(m.met for m in measures)
        summary = f"{hours_text(hours)} of {HOURS_NEEDED} hours in {period.years_label}"
        return Status(
            self.code,
            period,
            summary + (" — requirement met." if met else "."),
            tuple(measures),
            tuple(notes),
            met,
            inside,
        )

    def record_fields(self, *, peer_reflection: bool = False) -> tuple[Field, ...]:
        return (
            Field("cpd_date", "Date", "When you did it."),
            Field("cpd_title", "Learning activity", "What it was: course, reading, supervision, teaching."),
            Field("cpd_type", "Type of activity", "Formal or informal, in or outside the workplace."),
            Field("cpd_hours", "Hours", "How many hours it took."),
            Field("cpd_learnt", "What you learnt", "The main things you learnt."),
            Field(
                "cpd_impact",
                "Outcome: the change to your practice and the difference for service users",
                "The audit looks at outcomes, not attendance.",
            ),
        )

    def sections_before_records(
        self, status: Status, records: Sequence[CpdRecord], registrant: Registrant | None
    ) -> tuple[ExportSection, ...]:
        """A PRTL audit submission starts with the job role and plan (to fill in)."""
        about_you = (
            ExportItem("Summary of your job role", ""),
            ExportItem("Learning and development plan agreed with your employer", ""),
            *self.manager_items(records, registrant),
        )
        return (ExportSection("About you", about_you),)

    def export_record(self, record: CpdRecord, number: int) -> ExportSection:
        section = super().export_record(record, number)
        if not record.supervision_appraisal:
            return section
        return ExportSection(section.title, (*section.items, ExportItem(SUPERVISION_LABEL, "Yes")))

    def sections_after_records(self, status: Status) -> tuple[ExportSection, ...]:
        total = f"{hours_text(self.hours(status.records))} of {HOURS_NEEDED}"
        return (ExportSection("Total", (ExportItem("Hours of PRTL in this period", total),)),)
