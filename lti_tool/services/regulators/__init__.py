"""Each UK social work regulator's CPD rules as data, with their sources (docs/regulators.md).

`get(code)` gives a profile: Social Work England (`swe`), the Scottish Social Services Council
(`sssc`), Social Care Wales (`scw`) and the Northern Ireland Social Care Council (`niscc`). Every
profile answers the same questions (`base.Regulator`): the period holding a date, the counter for a
period, the fields of a record, and the export. No Flask: pages and exporters call these.
"""

from __future__ import annotations

from lti_tool.services.regulators.base import (
    CpdRecord,
    Export,
    ExportItem,
    ExportSection,
    Measure,
    Period,
    Registrant,
    Regulator,
    Rule,
    Source,
    Status,
)
from lti_tool.services.regulators.niscc import NorthernIrelandSocialCareCouncil
from lti_tool.services.regulators.scw import SocialCareWales
from lti_tool.services.regulators.sssc import ScottishSocialServicesCouncil
from lti_tool.services.regulators.swe import SocialWorkEngland

DEFAULT = "swe"
REGULATORS: dict[str, Regulator] = {
    r.code: r
    for r in (
        SocialWorkEngland(),
        ScottishSocialServicesCouncil(),
        SocialCareWales(),
        NorthernIrelandSocialCareCouncil(),
    )
}


class UnknownRegulator(ValueError):
    """A regulator code that is not one of `REGULATORS`."""


def get(code: str) -> Regulator:
    """The profile for `code` (swe, sssc, scw, niscc; any case)."""
    try:
        return REGULATORS[code.strip().lower()]
    except KeyError:
        known = ", ".join(REGULATORS)
        raise UnknownRegulator(f"There is no regulator {code!r}: choose one of {known}.") from None


def choose(learner_choice: str | None, platform_default: str | None) -> Regulator:
    """The learner's regulator: their own choice, else their platform's default, else Social Work England.

    A stale or unknown code (a profile since removed, a typo in the database) falls through to the next
    rather than failing the page.
    """
    for code in (learner_choice, platform_default):
        if code and code.strip().lower() in REGULATORS:
            return REGULATORS[code.strip().lower()]
    return REGULATORS[DEFAULT]


__all__ = [
    "DEFAULT",
    "REGULATORS",
    "CpdRecord",
    "Export",
    "ExportItem",
    "ExportSection",
    "Measure",
    "Period",
    "Registrant",
    "Regulator",
    "Rule",
    "Source",
    "Status",
    "UnknownRegulator",
    "choose",
    "get",
]
