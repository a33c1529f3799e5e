"""The regulators' interface words in the learner's language (issue 13), with no Flask import.

The profiles (`swe`, `sssc`, `scw`, `niscc`) keep writing English, the regulators' own words, which the
tests and docs/regulators.md quote. What a learner reads is passed through a `gettext` the caller gives
(the view passes Flask-Babel's; English by default):

- `label(text, gettext)`: a fixed label, record field, section title or regulator name (listed below
  with the `N_` marker so `pybabel extract` puts them in the catalogue, scripts/translations.py);
- `counter(status, gettext)`: the counter sentence, rebuilt from the status's figures;
- `localise(export, gettext, day)`: an export (PDF, .xlsx, JSON, text) with every label and section
  title in the learner's language; the learner's own text is left as written.

Text that stays English (the rules' wording and sources, the notes under the counter, SSSC element
names) is the regulator's, not ours to translate; pages mark it `lang="en-GB"` (WCAG 2.2 SC 3.1.2). The
types of CPD (`toolkits.cpd.CPD_TYPES`) are toolkit text, English and marked so, as on the L1 and L2 pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from lti_tool.services.regulators.base import Export, ExportItem, ExportSection, Status, hours_text

Gettext = Callable[[str], str]


def N_(text: str) -> str:
    return text


def _english(text: str) -> str:
    return text


def _english_day(day: date) -> str:
    return f"{day:%-d %B %Y}"


# Fixed words of the four profiles and of base.py, as they are shown to learners.
LABELS = (
    N_("Social Work England"),
    N_("Scottish Social Services Council"),
    N_("Social Care Wales"),
    N_("Northern Ireland Social Care Council"),
    N_("England"),
    N_("Scotland"),
    N_("Wales"),
    N_("Northern Ireland"),
    N_("registration year"),
    N_("declaration year"),
    N_("registration period"),
    # measures
    N_("pieces of CPD"),
    N_("with peer reflection"),
    N_("core learning elements covered"),
    N_("records kept"),
    N_("hours of PRTL"),
    N_("supervision and appraisal learning"),
    # record fields (Social Work England's form labels, toolkits.cpd, and each profile's own)
    N_("Title"),
    N_("Date"),
    N_("Type of CPD"),
    N_("Description and why it is relevant to your practice"),
    N_("Description and relevance"),
    N_("What you learnt"),
    N_("The positive impact on your practice and the people you work with"),
    N_("Peer reflection: what you learnt from discussing it with a peer"),
    N_("Title of the learning"),
    N_("Type of learning"),
    N_("Core learning elements covered"),
    N_("Impact on your practice"),
    N_("Name of the training or learning"),
    N_("How long it took"),
    N_("How it contributed to your professional development"),
    N_("Impact on the people you support"),
    N_("Learning activity"),
    N_("Type of activity"),
    N_("Hours"),
    N_("Outcome: the change to your practice and the difference for service users"),
    N_("Time spent"),
    # export sections and items
    N_("Summary"),
    N_("Regulator"),
    N_("Name"),
    N_("Period"),
    N_("Progress"),
    N_("Note"),
    N_("Core learning elements"),
    N_("Employer verification"),
    N_("Verified by (name)"),
    N_("Role"),
    N_("I confirm this learning took place"),
    N_("Confirmation at renewal"),
    N_("Renewal"),
    N_("Statement"),
    N_("About you"),
    N_("Summary of your job role"),
    N_("Learning and development plan agreed with your employer"),
    N_("First-line manager since"),
    N_("Learning in the professional supervision and appraisal of staff"),
    N_("Total"),
    N_("Hours of PRTL in this period"),
    N_("Not covered yet"),
    N_("Yes"),
    N_("Yes (signed off online through SWOTT Connect)"),
    # the spreadsheet (services/portfolio/exports.py)
    N_("Records"),
    N_("Time spent (hours)"),
    N_("How the time is known"),
    N_("From"),
    N_("recorded by hand"),
    N_("as you entered it"),
    N_("the toolkit's hours for this regulator"),
    N_("the toolkit's estimate"),
    N_("the length of your group session"),
    N_("the planned length of the programme session"),
)
_KNOWN = frozenset(LABELS)


def label(text: str, gettext: Gettext = _english) -> str:
    """A fixed word of a profile in the learner's language (anything else comes back as it is)."""
    return gettext(text) if text in _KNOWN else text


def counter(status: Status, gettext: Gettext = _english, day: Callable[[date], str] = _english_day) -> str:
    """The counter sentence ("1 of 2 pieces of CPD, 0 of 1 with peer reflection.") in the learner's language."""
    m = {measure.label: measure for measure in status.measures}
    code = status.regulator
    if code == "swe":
        pieces, peer = m["pieces of CPD"], m["with peer reflection"]
        text = gettext("%(have)s of %(need)s pieces of CPD, %(peer)s of %(peer_need)s with peer reflection") % {
            "have": hours_text(pieces.have), "need": hours_text(pieces.need or 0),
            "peer": hours_text(peer.have), "peer_need": hours_text(peer.need or 0),
        }  # fmt: skip
        return text + (gettext(" — requirement met.") if status.met else ".")
    if code == "sssc":
        covered = m["core learning elements covered"]
        text = gettext("%(have)s of %(need)s core learning elements covered") % {
            "have": hours_text(covered.have),
            "need": hours_text(covered.need or 0),
        }
        return text + (gettext(" — all covered.") if status.met else ".")
    if code == "niscc":
        hours = m["hours of PRTL"]
        text = gettext("%(have)s of %(need)s hours in %(years)s") % {
            "have": hours_text(hours.have),
            "need": hours_text(hours.need or 0),
            "years": status.period.years_label,
        }
        return text + (gettext(" — requirement met.") if status.met else ".")
    if code == "scw":
        kept = int(m["records kept"].have)
        if status.period.approximate:
            return gettext("Confirmation due at renewal: %(n)s records kept in this period.") % {"n": kept}
        return gettext("Confirmation due at renewal (%(day)s): %(n)s records kept in this period.") % {
            "day": day(status.period.end.fromordinal(status.period.end.toordinal() + 1)),
            "n": kept,
        }
    return status.summary


def period_label(start: date, end: date, gettext: Gettext = _english, day: Callable[[date], str] = _english_day) -> str:
    return gettext("%(start)s to %(end)s") % {"start": day(start), "end": day(end)}


_RECORD = re.compile(r"^Record (\d+): (.*)$", re.S)
_EARLIER = re.compile(r"^Earlier record (\d+) \((.*?)\): (.*)$", re.S)
_TITLES = {
    "swe": N_("Social Work England CPD record, %(period)s"),
    "sssc": N_("SSSC continuous professional learning, %(period)s"),
    "scw": N_("Social Care Wales CPD record, %(period)s"),
    "niscc": N_("NISCC PRTL record of activity, %(period)s"),
}


def localise(
    export: Export,
    start: date,
    end: date,
    gettext: Gettext = _english,
    day: Callable[[date], str] = _english_day,
) -> Export:
    """The export with its title, section titles and labels in the learner's language (values as written,
    except the fixed words of `LABELS`). `start`/`end`: the period the export's title names."""
    if gettext is _english:
        return export
    period = period_label(start, end, gettext, day)
    title = gettext(_TITLES[export.regulator]) % {"period": period} if export.regulator in _TITLES else export.title
    sections = []
    for section in export.sections:
        heading = label(section.title, gettext)
        if found := _RECORD.match(section.title):
            heading = gettext("Record %(n)s: %(title)s") % {"n": found.group(1), "title": found.group(2)}
        elif found := _EARLIER.match(section.title):
            heading = gettext("Earlier record %(n)s (%(when)s): %(title)s") % {
                "n": found.group(1), "when": found.group(2), "title": found.group(3)
            }  # fmt: skip
        items = tuple(ExportItem(label(i.label, gettext), label(i.value, gettext)) for i in section.items)
        sections.append(ExportSection(heading, items))
    return Export(export.regulator, title, tuple(sections))
