"""The portfolio's exports in the learner's regulator's shape: JSON, spreadsheet (.xlsx) and form text.

Every export starts from the regulator's own export (`Regulator.export`: its summary, its record
fields in its words, its sections such as SSSC's employer verification or NISCC's job role) for the
period holding today, and adds the learner's earlier records after it, so nothing they recorded is
missing from what they download. The PDF is in `pdf` (it needs WeasyPrint).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from lti_tool.models import utcnow
from lti_tool.services.portfolio.records import Overview
from lti_tool.services.portfolio.verification import SignOff, export_section
from lti_tool.services.regulators import Export, ExportSection, Regulator
from lti_tool.services.regulators.base import CpdRecord, hours_text, time_spent_text
from lti_tool.services.regulators.swe import PEER_FIELD

HOURS_SOURCES = {
    "entered": "as you entered it",
    "mapping": "the toolkit's hours for this regulator",
    "estimate": "the toolkit's estimate",
    "session": "the length of your group session",
    "programme": "the planned length of the programme session",
}


def fields_of(regulator: Regulator, record: CpdRecord) -> list[tuple[str, str]]:
    """(label, value) of one record in the regulator's words; dates as on the regulator's forms."""
    section = regulator.record_section(record, regulator.record_fields(peer_reflection=record.peer), 0)
    return [(item.label, item.value) for item in section.items]


def time_spent(record: CpdRecord) -> str:
    """'1 hour 30 minutes (the toolkit's estimate)', or '' when the tool does not know."""
    if record.hours is None:
        return ""
    source = HOURS_SOURCES.get(record.hours_source, "")
    return time_spent_text(record.hours) + (f" ({source})" if source else "")


def form_text(regulator: Regulator, record: CpdRecord) -> str:
    """One record box by box, to paste into the regulator's online form (an empty peer box is left out)."""
    lines = []
    for f in regulator.record_fields(peer_reflection=record.peer):
        if f.id == PEER_FIELD and not record.value(PEER_FIELD):
            continue
        value = dict(fields_of(regulator, record)).get(f.label, "")
        lines.append(f"{f.label}:\n{value}\n")
    return "\n".join(lines).rstrip() + "\n"


def full_export(overview: Overview, *, learner_name: str = "", sign_offs: Sequence[SignOff] = ()) -> Export:
    """The regulator's export for this period, then every earlier record in the same fields.

    For the SSSC, the employer's latest sign-off (`verification`) fills the "Employer verification"
    section, which otherwise is left blank for the employer to complete on paper."""
    regulator = overview.regulator
    today_export = regulator.export(overview.current, overview.today, overview.registrant, learner_name=learner_name)
    sections = list(today_export.sections)
    if regulator.code == "sssc" and sign_offs:
        sections = [export_section(sign_offs[0]) if s.title == "Employer verification" else s for s in sections]
    number = 0
    for period, records in overview.earlier:
        for record in records:
            number += 1
            section = regulator.record_section(record, regulator.record_fields(peer_reflection=record.peer), number)
            when = period.label if period else "an earlier period"
            sections.append(ExportSection(f"Earlier record {number} ({when}): {record.title}", section.items))
    return Export(today_export.regulator, today_export.title, tuple(sections))


def _same(text: str) -> str:
    return text


def portfolio_json(
    overview: Overview,
    *,
    learner_name: str = "",
    sign_offs: Sequence[SignOff] = (),
    localised: Export | None = None,
    label: Callable[[str], str] = _same,
) -> dict[str, Any]:
    """The portfolio as JSON: keys stay English (a format); labels and titles follow `localised`/`label`
    (the learner's language, `regulators.words`), the learner's own text as written."""
    regulator = overview.regulator
    every = [*overview.current, *(r for _, records in overview.earlier for r in records)]
    return {
        "format": "swott-cpd-portfolio/2",
        "generated_at": utcnow().isoformat(),
        "regulator": {"code": regulator.code, "name": label(regulator.name), "term": regulator.term},
        "period": {
            "start": overview.status.period.start.isoformat(),
            "end": overview.status.period.end.isoformat(),
            "approximate": overview.status.period.approximate,
            "summary": overview.status.summary,
            "requirement_met": overview.status.met,
            "records": len(overview.current),
            "with_peer_reflection": sum(1 for r in overview.current if r.peer),
        },
        "records": [
            {
                "title": r.title,
                "date": r.day.isoformat(),
                "type": r.activity_type,
                "hours": r.hours,
                "hours_source": r.hours_source,
                "peer_reflection": r.peer,
                "from": r.source or "recorded by hand",
                "fields": [{"label": label(name), "text": value} for name, value in fields_of(regulator, r)],
            }
            for r in every
        ],
        "export": (localised or full_export(overview, learner_name=learner_name, sign_offs=sign_offs)).as_dict(),
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def _text_cell(sheet: Any, row: int, column: int, value: str) -> None:
    # A learner's text that starts with "=" must stay text: openpyxl would store it as a formula, which
    # a spreadsheet runs when opened (formula injection).
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"


def portfolio_xlsx(
    overview: Overview,
    *,
    learner_name: str = "",
    sign_offs: Sequence[SignOff] = (),
    localised: Export | None = None,
    label: Callable[[str], str] = _same,
) -> bytes:
    """A workbook: "Summary" (the counter and the regulator's sections) and "Records" (a row a record).

    `localised` is the same export in the learner's language and `label` translates a fixed word
    (`regulators.words`): the sheets' names, headings and labels follow them; values are as written."""
    # Imported here: openpyxl takes a noticeable moment to load and only this download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    regulator = overview.regulator
    english = full_export(overview, learner_name=learner_name, sign_offs=sign_offs)
    export = localised or english
    book = Workbook()
    summary = book.create_sheet(label("Summary"), 0)
    book.remove(book.worksheets[1])  # the empty sheet every new workbook starts with
    summary.append([export.title])
    summary["A1"].font = Font(bold=True, size=14)
    row = 3
    for original, section in zip(english.sections, export.sections, strict=True):
        if original.title.startswith(("Record ", "Earlier record ")):
            continue
        _text_cell(summary, row, 1, section.title)
        summary.cell(row=row, column=1).font = Font(bold=True)
        row += 1
        for item in section.items:
            _text_cell(summary, row, 1, item.label)
            _text_cell(summary, row, 2, item.value)
            row += 1
        row += 1
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 80

    records = book.create_sheet(label("Records"))
    every = [*overview.current, *(r for _, rs in overview.earlier for r in rs)]
    labels = [f.label for f in regulator.record_fields(peer_reflection=True)]
    header = [*(label(name) for name in labels), *map(label, ("Time spent (hours)", "How the time is known", "From"))]
    records.append(header)
    for cell in records[1]:
        cell.font = Font(bold=True)
    for number, record in enumerate(every, start=2):
        values = dict(fields_of(regulator, record))
        for column, name in enumerate(labels, start=1):
            _text_cell(records, number, column, values.get(name, ""))
        if record.hours is not None:
            records.cell(row=number, column=len(labels) + 1, value=float(hours_text(record.hours)))
        _text_cell(records, number, len(labels) + 2, label(HOURS_SOURCES.get(record.hours_source, "")))
        _text_cell(records, number, len(labels) + 3, record.source or label("recorded by hand"))
    for column in records.iter_cols(min_row=1, max_row=records.max_row):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        records.column_dimensions[column[0].column_letter].width = 30
    records.freeze_panes = "A2"
    book.properties.title = export.title
    book.properties.language = "cy" if localised is not None and localised is not english else "en-GB"
    book.properties.creator = "SWOTT Connect"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "dumps",
    "fields_of",
    "form_text",
    "full_export",
    "portfolio_json",
    "portfolio_xlsx",
    "time_spent",
]
