"""What the layout of EVERY page shows about who it is for (issue 10 items 1 and 9), as template values.

- `brand_colour`: the launching platform's colour (`swott platform brand`) in the header of every
  page of a launch, not only the L1 player's; only a colour white text is readable on (WCAG 1.4.3,
  `usable_brand_colour`). A page may still pass its own `brand_colour`, which wins (Flask gives a
  template's explicit values precedence over context processors).
- `portfolio_url`: the learner's CPD portfolio, linked from the header of every learner page.
- `programme_url`: for a learner who came by a programme placement (the launch's part says so, so no
  query), their programme (`programmes.mine`: their timeline when they are in one run), in the header.

The platform comes from the registry's cached snapshot (`services.registry`), so this adds no query to
a page that has read the registry version already (every player page has).
"""

from __future__ import annotations

import logging
import re

from flask import Flask, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from lti_tool import web
from lti_tool.lti.session import current_launch, launch_url_for
from lti_tool.services import registry
from lti_tool.services.programmes.deep_link import is_programme_launch

log = logging.getLogger(__name__)
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def usable_brand_colour(colour: str) -> str:
    """The platform's brand colour if white text on it meets WCAG 1.4.3 (4.5:1); else the default."""
    if not _HEX_COLOUR.match(colour or ""):
        return ""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return colour if 1.05 / (luminance + 0.05) >= 4.5 else ""


def layout_values() -> dict[str, object]:
    """`brand_colour`, `portfolio_url` and `programme_url` for base.html, from this request's launch."""
    launch = current_launch() if has_request_context() else None
    if launch is None:
        return {"brand_colour": "", "portfolio_url": "", "programme_url": ""}
    try:
        platform = registry.platform_by_id(web.db_session(), launch.platform_id)
    except SQLAlchemyError:
        # The page is likely the database error page itself: it still renders, in the default colour.
        log.warning("brand colour not read: the database did not answer")
        platform = None
    return {
        "brand_colour": usable_brand_colour(platform.brand_colour if platform else ""),
        "portfolio_url": "" if launch.is_facilitator else launch_url_for("portfolio.index", launch),
        "programme_url": launch_url_for("programmes.mine", launch)
        if is_programme_launch(launch.part) and not launch.is_facilitator
        else "",
    }


def init_app(app: Flask) -> None:
    app.context_processor(layout_values)
