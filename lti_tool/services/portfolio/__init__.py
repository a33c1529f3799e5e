"""A learner's CPD portfolio, in their regulator's shape, and the privacy rules of their data (UK GDPR).

Plain Python over SQLAlchemy (no Flask). One module per concern:

- `pieces`: every submitted reflection of one learner (one platform's `LtiUser`) across toolkits, L1
  and L2, with the time the tool knows it took;
- `external`: CPD done elsewhere, recorded by hand (title, date, type, hours, what was learnt, impact,
  peer reflection), so the counter covers all of a practitioner's CPD;
- `records`: both as regulator-neutral records, and the portfolio as the learner's regulator sees it
  (`overview`: this period's counter, then earlier records);
- `profile`: which regulator (the learner's choice, else the platform's default) and their registration
  date;
- `exports` (JSON, .xlsx, text for the regulator's form) and `pdf` (tagged PDF);
- `privacy` (a reflection is private unless shared with the group) and `rights` (download all my data,
  erasure, retention).

The rules each regulator applies are in `lti_tool.services.regulators` (docs/regulators.md); what the
portfolio relies on is in docs/portfolio.md.
"""

from __future__ import annotations

from lti_tool.services.portfolio import external, profile
from lti_tool.services.portfolio.exports import (
    dumps,
    fields_of,
    form_text,
    full_export,
    portfolio_json,
    portfolio_xlsx,
    time_spent,
)
from lti_tool.services.portfolio.pdf import portfolio_html, portfolio_pdf
from lti_tool.services.portfolio.pieces import Piece, pieces
from lti_tool.services.portfolio.privacy import readable_reflection, share, unshare
from lti_tool.services.portfolio.records import (
    Overview,
    all_records,
    every_piece,
    from_piece,
    from_pieces,
    overview,
    ref_of,
)
from lti_tool.services.portfolio.rights import (
    Purged,
    all_my_data,
    erase_reflections,
    has_reflections,
    purge_expired,
)

__all__ = [
    "Overview",
    "Piece",
    "Purged",
    "all_my_data",
    "all_records",
    "dumps",
    "erase_reflections",
    "every_piece",
    "external",
    "fields_of",
    "form_text",
    "from_piece",
    "from_pieces",
    "full_export",
    "has_reflections",
    "overview",
    "pieces",
    "portfolio_html",
    "portfolio_json",
    "portfolio_pdf",
    "portfolio_xlsx",
    "profile",
    "purge_expired",
    "readable_reflection",
    "ref_of",
    "share",
    "time_spent",
    "unshare",
]
