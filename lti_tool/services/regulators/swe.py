"""Social Work England: at least 2 pieces of CPD each registration year, at least 1 with peer reflection.

Sources (read 1 December 2026; docs/regulators.md):
- Social Work England, "CPD: what you need to know",
  https://www.socialworkengland.org.uk/cpd/what-you-need-to-know/ — "a minimum of 2 different pieces of
  CPD per registration year", recorded on the online account up to 11.59pm on 30 November; the CPD
  standard is standard 4 (4.1–4.8).
- Social Work England, "CPD guidance for social workers",
  https://www.socialworkengland.org.uk/cpd/cpd-guidance/ — the registration year runs 1 December to
  30 November ("Guidance for registration year 1 December 2021 to 30 November 2022").
- Social Work England news, "New CPD requirements for social workers who want to maintain professional
  registration" (2022) — two pieces a year, at least one with a peer reflection, recorded on
  the new online form.
- Social Work England, "Peer reflection", https://www.socialworkengland.org.uk/cpd/peer-reflection/ —
  at least 2 pieces with a peer reflection in at least one; who counts as a peer; the form's optional
  question "Describe what you have learnt from discussing this CPD activity with a peer."
- The online form's boxes are behind the registrant's login: their list comes from Research in
  Practice, "Record your CPD and apply to renew registration" (November 2023),
  https://www.researchinpractice.org.uk/all/news-views/2023/november/record-your-cpd-and-apply-to-renew-registration
  — type, description and relevance, date, what you learnt, the positive impact on practice and on the
  people you work with, and (in at least one piece) what you learnt from discussing it with a peer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lti_tool.services.regulators.base import (
    CpdRecord,
    ExportSection,
    Measure,
    Period,
    Registrant,
    Regulator,
    Rule,
    Source,
    Status,
)
from toolkits.cpd import Field, cpd_record_fields, cpd_year

PIECES_NEEDED = 2
PEER_PIECES_NEEDED = 1
PEER_FIELD = "cpd_peer"

# Labels as on Social Work England's online CPD form (RIP_FORM below; unverified: behind login).
SWE_FORM_LABELS = {
    "cpd_title": "Title",
    "cpd_date": "Date",
    "cpd_type": "Type of CPD",
    "cpd_description": "Description and why it is relevant to your practice",
    "cpd_learnt": "What you learnt",
    "cpd_impact": "The positive impact on your practice and the people you work with",
    PEER_FIELD: "Peer reflection: what you learnt from discussing it with a peer",
}

READ_ON = date(2026, 12, 1)
WHAT_YOU_NEED = Source(
    "Social Work England, CPD: what you need to know",
    "https://www.socialworkengland.org.uk/cpd/what-you-need-to-know/",
    READ_ON,
)
GUIDANCE = Source(
    "Social Work England, CPD guidance for social workers",
    "https://www.socialworkengland.org.uk/cpd/cpd-guidance/",
    READ_ON,
)
NEWS_2022 = Source(
    "Social Work England, New CPD requirements for social workers who want to maintain professional registration",
    "https://www.socialworkengland.org.uk/news/new-cpd-requirements-for-social-workers-who-want-to-maintain-professional-registration/",
    READ_ON,
)
PEER_PAGE = Source(
    "Social Work England, Peer reflection",
    "https://www.socialworkengland.org.uk/cpd/peer-reflection/",
    READ_ON,
)
RIP_FORM = Source(
    "Research in Practice, Record your CPD and apply to renew registration (November 2023)",
    "https://www.researchinpractice.org.uk/all/news-views/2023/november/record-your-cpd-and-apply-to-renew-registration",
    READ_ON,
)


class SocialWorkEngland(Regulator):
    code = "swe"
    name = "Social Work England"
    nation = "England"
    term = "CPD"
    export_title = "Social Work England CPD record"
    period_name = "registration year"
    rules = (
        Rule("period", "The registration year runs 1 December to 30 November.", (GUIDANCE, WHAT_YOU_NEED)),
        Rule(
            "pieces",
            f"At least {PIECES_NEEDED} different pieces of CPD each registration year.",
            (WHAT_YOU_NEED, NEWS_2022),
        ),
        Rule(
            "peer",
            f"At least {PEER_PIECES_NEEDED} of them with a peer reflection: what you learnt from discussing it "
            "with a peer (another UK-registered social worker, your line manager or supervisor, or another "
            "professional who knows your practice).",
            (PEER_PAGE, WHAT_YOU_NEED, NEWS_2022),
        ),
        Rule(
            "form",
            "Each record gives the type, a description and why it is relevant, the date, what was learnt, "
            "the positive impact on practice and the people worked with, and, for peer reflection, what was "
            "learnt from discussing it with a peer.",
            (RIP_FORM,),
            verified=False,
            note="the online form is behind the registrant's login; its boxes are as Research in Practice "
            "describes them, not read on Social Work England's own pages",
        ),
    )

    def period_containing(self, day: date, registrant: Registrant | None = None) -> Period:
        start, end = cpd_year(day)
        return Period(start, end)

    def status(self, records: Sequence[CpdRecord], today: date, registrant: Registrant | None = None) -> Status:
        period = self.period_containing(today)
        inside = self.in_period(records, period)
        peer = sum(1 for r in inside if r.peer)
        measures = (
            Measure("pieces of CPD", len(inside), PIECES_NEEDED),
            Measure("with peer reflection", peer, PEER_PIECES_NEEDED),
        )
        met = all(m.met for m in measures)
        summary = f"{len(inside)} of {PIECES_NEEDED} pieces of CPD, {peer} of {PEER_PIECES_NEEDED} with peer reflection"
        notes = (f"Record your CPD on your Social Work England account by 11.59pm on {period.end:%-d %B %Y}.",)
        return Status(
            self.code, period, summary + (" — requirement met." if met else "."), measures, notes, met, inside
        )

    def record_fields(self, *, peer_reflection: bool = False) -> tuple[Field, ...]:
        """The fields of `toolkits.cpd`, labelled as on Social Work England's online form."""
        return tuple(
            Field(f.id, SWE_FORM_LABELS.get(f.id, f.label), f.hint, f.required)
            for f in cpd_record_fields(peer_reflection)
        )

    def export_record(self, record: CpdRecord, number: int) -> ExportSection:
        """A record with peer reflection gets the online form's peer reflection boxes."""
        fields = self.record_fields(peer_reflection=bool(record.value(PEER_FIELD)) or record.peer)
        return self.record_section(record, fields, number)
