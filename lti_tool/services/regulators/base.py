"""What every regulator profile is made of: sources, rules, periods, records, counters and exports.

Plain Python (no Flask, no database): the portfolio pages, the record form and the exporters ask a
profile (`lti_tool.services.regulators.get`) rather than knowing any regulator's rules themselves.

- A **rule** is one requirement with the official source it was checked against (title, URL, the day
  it was read) and a `verified` flag: where the source could not be read in full the profile says so
  instead of guessing (docs/regulators.md lists every rule and its source).
- A **period** is the registration period the regulator counts in: a fixed CPD year (Social Work
  England), a year from the registrant's annual declaration date (SSSC), or three years from their
  registration date (Social Care Wales, NISCC). When the learner has not given the date, the period
  is a rolling window ending on the day asked about, marked `approximate`.
- A **record** (`CpdRecord`) is regulator-neutral: one piece of learning with its date, hours, peer
  reflection, SSSC core learning elements, and the text of its boxes by field id. Portfolio pieces
  become records through `lti_tool.services.portfolio.records.from_piece`; CPD done elsewhere through
  `portfolio.external.to_record`.
- A **status** is the counter for one period ("2 of 2 pieces, 1 with peer reflection").
- An **export** is ordered sections of label/value items that PDF, spreadsheet and text exporters
  render without knowing the regulator.
"""

from __future__ import annotations

import calendar
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from toolkits.cpd import Field


@dataclass(frozen=True)
class Source:
    """An official page a rule was checked against."""

    title: str
    url: str
    read_on: date

    def citation(self) -> str:
        return f"{self.title}, {self.url} (read {self.read_on:%-d %B %Y})"


@dataclass(frozen=True)
class Rule:
    """One requirement of a regulator, with where it comes from and whether that was confirmed."""

    id: str
    text: str
    sources: tuple[Source, ...]
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class Period:
    """A registration period, first and last day included."""

    start: date
    end: date
    approximate: bool = False

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """'1 December 2025 to 30 November 2026'."""
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def years_label(self) -> str:
        """'2024–2027': the years the period spans, as practitioners name them."""
        if self.start.year == self.end.year:
            return str(self.start.year)
        return f"{self.start.year}–{self.end.year}"


@dataclass(frozen=True)
class Registrant:
    """What a learner tells us about their registration (all optional).

    `registered_on` anchors a three-year period (Social Care Wales, NISCC) or the yearly declaration
    (SSSC: the date the annual declaration falls due each year). `newly_qualified` selects the SSSC
    first-year requirements. `manager_since` is the day a NISCC social worker became a first-line
    manager (supervision and appraisal learning is due within two years).
    """

    registered_on: date | None = None
    newly_qualified: bool = False
    part_time: bool = False  # SSSC: under 35 hours a week gives an NQSW 18 months, not 12
    manager_since: date | None = None


@dataclass(frozen=True)
class CpdRecord:
    """One piece of learning, the same for every regulator."""

    title: str
    day: date
    activity_type: str = ""
    hours: float | None = None
    peer: bool = False
    elements: frozenset[str] = frozenset()  # SSSC core learning element ids
    mandatory: frozenset[str] = frozenset()  # SSSC mandatory learning topics (trauma, protection)
    supervision_appraisal: bool = False  # NISCC: learning in professional supervision and appraisal
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    source: str = ""  # e.g. "participatory-practice/l1", or "" for learning recorded by hand
    ref: str = ""  # where it came from in the portfolio: "reflection:12" or "external:5"
    hours_source: str = ""  # how `hours` is known: entered | mapping | estimate | session

    def value(self, field_id: str) -> str:
        return self.values.get(field_id, "").strip()


@dataclass(frozen=True)
class Measure:
    """One thing counted: `have` of `need` (need None: nothing to reach, only shown)."""

    label: str
    have: float
    need: float | None

    @property
    def met(self) -> bool:
        return self.need is None or self.have >= self.need


@dataclass(frozen=True)
class Status:
    """The counter for one period: a sentence for the page and the figures behind it."""

    regulator: str
    period: Period
    summary: str
    measures: tuple[Measure, ...]
    notes: tuple[str, ...] = ()
    met: bool | None = None  # None: the regulator asks for a confirmation we cannot judge
    records: tuple[CpdRecord, ...] = ()


@dataclass(frozen=True)
class ExportItem:
    label: str
    value: str


@dataclass(frozen=True)
class ExportSection:
    title: str
    items: tuple[ExportItem, ...]


@dataclass(frozen=True)
class Export:
    """What a practitioner hands to the regulator or employer, as ordered label/value sections."""

    regulator: str
    title: str
    sections: tuple[ExportSection, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, in order: for the JSON export and for renderers in other processes."""
        return {
            "regulator": self.regulator,
            "title": self.title,
            "sections": [
                {"title": s.title, "items": [{"label": i.label, "value": i.value} for i in s.items]}
                for s in self.sections
            ],
        }

    def rows(self) -> list[tuple[str, str, str]]:
        """(section, label, value) rows, for a spreadsheet."""
        return [(s.title, i.label, i.value) for s in self.sections for i in s.items]

    def text(self) -> str:
        """Plain text, box by box, ready to paste into the regulator's form."""
        lines = [self.title, "=" * len(self.title), ""]
        for section in self.sections:
            lines += [section.title, "-" * len(section.title)]
            for item in section.items:
                lines += [f"{item.label}:", item.value or "—", ""]
        return "\n".join(lines).rstrip() + "\n"


# --- dates -------------------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year without one."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def anchored_period(day: date, anchor: date | None, years: int) -> Period:
    """The `years`-long period holding `day`, counted from `anchor` in steps of `years`.

    Without an anchor, the `years` ending on `day` (marked approximate): the counter still says
    something useful before the learner has given their registration date.
    """
    if anchor is None:
        return Period(add_years(day, -years) + timedelta(days=1), day, approximate=True)
    steps = (day.year - anchor.year) // years
    start = add_years(anchor, steps * years)
    while start > day:
        steps -= 1
        start = add_years(anchor, steps * years)
    while add_years(anchor, (steps + 1) * years) <= day:
        steps += 1
        start = add_years(anchor, steps * years)
    return Period(start, add_years(anchor, (steps + 1) * years) - timedelta(days=1))


def hours_text(hours: float) -> str:
    """34.5 → '34.5'; 12.0 → '12'."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def time_spent_text(hours: float) -> str:
    """1.5 → '1 hour 30 minutes'; 0.75 → '45 minutes'; 2 → '2 hours' (GOV.UK style: words, not 1h30)."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    parts = []
    if whole:
        parts.append(f"{whole} hour{'s' if whole != 1 else ''}")
    if rest or not whole:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


# --- the profile -------------------------------------------------------------------------------------


class Regulator(ABC):
    """A regulator's CPD rules. Subclasses are one module each (swe, sssc, scw, niscc)."""

    code: str
    name: str
    nation: str
    term: str  # what the regulator calls CPD: "CPD", "CPL", "PRTL"
    period_name: str = "registration period"  # what the period counted in is called on the page
    rules: tuple[Rule, ...]

    @property
    def verified(self) -> bool:
        """True only when every rule this profile applies was confirmed against its source."""
        return all(rule.verified for rule in self.rules)

    @property
    def unverified_notes(self) -> tuple[str, ...]:
        return tuple(f"{r.id}: {r.note}" for r in self.rules if not r.verified)

    @abstractmethod
    def period_containing(self, day: date, registrant: Registrant | None = None) -> Period:
        """The registration period that holds `day`."""

    @abstractmethod
    def status(self, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None) -> Status:
        """The counter for the period holding `today`, over the records dated inside it."""

    @abstractmethod
    def record_fields(self, *, peer_reflection: bool = False) -> tuple[Field, ...]:
        """The boxes of one record, as the regulator asks for them."""

    export_title: str  # the export's heading, before the period: "Social Work England CPD record"

    def export(
        self,
        records: Sequence[CpdRecord],
        today: date,
        registrant: Registrant | None = None,
        *,
        learner_name: str = "",
    ) -> Export:
        """The export for the period holding `today`: the summary, the profile's own sections before and
        after, and one section a record."""
        status = self.status(records, today, registrant)
        sections = [
            self.summary_section(status, learner_name),
            *self.sections_before_records(status, records, registrant),
            *(self.export_record(record, number) for number, record in enumerate(status.records, start=1)),
            *self.sections_after_records(status),
        ]
        return Export(self.code, f"{self.export_title}, {status.period.label}", tuple(sections))

    def sections_before_records(
        self, status: Status, records: Sequence[CpdRecord], registrant: Registrant | None
    ) -> tuple[ExportSection, ...]:
        """The export's sections between the summary and the records (none unless a profile adds some)."""
        return ()

    def sections_after_records(self, status: Status) -> tuple[ExportSection, ...]:
        """The export's sections after the records (none unless a profile adds some)."""
        return ()

    def export_record(self, record: CpdRecord, number: int) -> ExportSection:
        """One record's section of the export, in the boxes of `record_fields`."""
        return self.record_section(record, self.record_fields(), number)

    # Shared helpers ----------------------------------------------------------------------------------

    def in_period(self, records: Iterable[CpdRecord], period: Period) -> tuple[CpdRecord, ...]:
        """The records dated inside `period`, oldest first."""
        return tuple(sorted((r for r in records if r.day in period), key=lambda r: (r.day, r.title)))

    def summary_section(self, status: Status, learner_name: str) -> ExportSection:
        items = [ExportItem("Regulator", self.name)]
        if learner_name:
            items.append(ExportItem("Name", learner_name))
        period = status.period.label + (
            " (approximate: registration date not given)" if status.period.approximate else ""
        )
        items += [ExportItem("Period", period), ExportItem("Progress", status.summary)]
        items += [ExportItem("Note", note) for note in status.notes]
        return ExportSection("Summary", tuple(items))

    def record_section(self, record: CpdRecord, fields: Sequence[Field], number: int) -> ExportSection:
        items = []
        for f in fields:
            value = record.day.strftime("%d/%m/%Y") if f.id == "cpd_date" else record.value(f.id)
            if f.id == "cpd_title" and not value:
                value = record.title
            if f.id == "cpd_type" and not value:
                value = record.activity_type
            if f.id == "sssc_elements" and not value:
                value = ", ".join(sorted(record.elements))
            if f.id == "cpd_hours" and not value and record.hours is not None:
                value = hours_text(record.hours)
            items.append(ExportItem(f.label, value))
        if record.hours is not None and not any(f.id == "cpd_hours" for f in fields):
            items.append(ExportItem("Time spent", time_spent_text(record.hours)))
        return ExportSection(f"Record {number}: {record.title}", tuple(items))
