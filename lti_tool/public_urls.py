"""Addresses printed on paper or sent outside the LMS, built from `SWOTT_BASE_URL` (issue 12).

Not the request's host, which a proxy or an LMS frame may have changed: a certificate's check address is
printed and must keep working.
"""

from __future__ import annotations

from flask import url_for

from lti_tool import web


def certificate_check_url(code: str) -> str:
    """The public address of a certificate code's check page (`/certificates/<code>`)."""
    return web.settings().base_url.rstrip("/") + url_for("certificates.verify", code=code)
