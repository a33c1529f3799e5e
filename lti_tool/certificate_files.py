"""A certificate PDF as a download: the parts a toolkit's and a programme's certificate share (issue 12)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext
from sqlalchemy.orm import Session

from lti_tool.branding import usable_brand_colour
from lti_tool.i18n import current_language, html_lang
from lti_tool.models import Certificate
from lti_tool.public_urls import certificate_check_url
from lti_tool.services import registry
from lti_tool.services.evaluation import certificate_pdf


def shared_fields(session: Session, *, platform_id: int, held: Certificate, holder: str) -> dict[str, Any]:
    """The holder, dates and hours, the issuing council and its colour, and the code with its check address."""
    platform = registry.platform_by_id(session, platform_id)
    return {
        "holder": holder,
        "started_on": held.started_on,
        "completed_on": held.completed_on,
        "minutes": held.minutes,
        "council": platform.name if platform else "",
        "brand_colour": usable_brand_colour(platform.brand_colour if platform else ""),
        "code": held.code,
        "verify_url": certificate_check_url(held.code),
    }


def download(text: certificate_pdf.CertificateText, name: str) -> Response:
    """The tagged PDF (WeasyPrint, PDF/UA-1) as an attachment called `name`, in the request's language:
    a learner who launched in Welsh gets the certificate's words in Welsh (issue 13, docs/welsh.md)."""
    words = certificate_pdf.CertificateWords.translated(gettext, current_language())
    body = certificate_pdf.render(text, lang=html_lang(), words=words)
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})
