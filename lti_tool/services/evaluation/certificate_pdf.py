"""The certificate as a one-page A4 PDF (reportlab): who, what, when, how long, which standards, who issued it.

The issuing council's name and brand colour head the page; the verification address and code close it.
Text is drawn as text (not an image), so it can be read by screen readers and copied, and tests read
it back with pypdf.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lti_tool.dates import format_date
from lti_tool.services.evaluation.certificates import hours
from toolkits.cpd import STANDARD_TITLES
from toolkits.model import Toolkit

DEFAULT_COLOUR = "#1d70b8"
# DejaVu covers names outside Windows-1252 (Łukasz, Şahin); Debian ships it in fonts-dejavu-core.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/dejavu"))


@cache
def _fonts() -> tuple[str, str]:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("SWOTTCert", str(regular)))
            pdfmetrics.registerFont(TTFont("SWOTTCert-Bold", str(bold)))
            return "SWOTTCert", "SWOTTCert-Bold"
    return "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class CertificateText:
    holder: str
    toolkit: Toolkit
    started_on: date
    completed_on: date
    minutes: int
    council: str
    brand_colour: str
    code: str
    verify_url: str


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def render(cert: CertificateText) -> bytes:
    regular, bold = _fonts()
    out = io.BytesIO()
    page_w, page_h = landscape(A4)
    pdf = Canvas(out, pagesize=(page_w, page_h), invariant=1)
    pdf.setTitle(f"Certificate: {cert.toolkit.title}")
    pdf.setAuthor(cert.council or "SWOTT Connect")
    colour = colors.HexColor(cert.brand_colour or DEFAULT_COLOUR)
    pdf.setFillColor(colour)
    pdf.rect(0, page_h - 28 * mm, page_w, 28 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(bold, 18)
    pdf.drawString(18 * mm, page_h - 17 * mm, cert.council or "SWOTT Connect")
    pdf.setFillColor(colors.HexColor("#0b0c0c"))
    y = page_h - 48 * mm
    pdf.setFont(bold, 28)
    pdf.drawString(18 * mm, y, "Certificate of completion")
    y -= 16 * mm
    pdf.setFont(regular, 14)
    pdf.drawString(18 * mm, y, "This certifies that")
    y -= 11 * mm
    pdf.setFont(bold, 22)
    pdf.drawString(18 * mm, y, cert.holder)
    y -= 11 * mm
    pdf.setFont(regular, 14)
    pdf.drawString(18 * mm, y, "completed the SWOTT toolkit")
    width = page_w - 36 * mm
    for line in _wrap(cert.toolkit.title, bold, 18, width):
        y -= 9 * mm
        pdf.setFont(bold, 18)
        pdf.drawString(18 * mm, y, line)
    y -= 10 * mm
    pdf.setFont(regular, 12)
    facts = [
        "The online unit (L1) and the group session with peer reflection (L2).",
        f"From {format_date(cert.started_on)} to {format_date(cert.completed_on)}: {hours(cert.minutes)} of learning.",
        "Social Work England professional standards addressed:",
    ]
    for fact in facts:
        pdf.drawString(18 * mm, y, fact)
        y -= 6.5 * mm
    pdf.setFont(regular, 10)
    for number in cert.toolkit.standards:
        for line in _wrap(f"{number}  {STANDARD_TITLES.get(number, '')}", regular, 10, width - 6 * mm):
            pdf.drawString(24 * mm, y, line)
            y -= 5 * mm
    pdf.setFillColor(colour)
    pdf.rect(0, 0, page_w, 3 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.HexColor("#0b0c0c"))
    pdf.setFont(regular, 10)
    pdf.drawString(18 * mm, 12 * mm, f"Check this certificate at {cert.verify_url}")
    pdf.drawString(18 * mm, 7 * mm, f"Certificate code {cert.code}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
