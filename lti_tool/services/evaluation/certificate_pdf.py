"""The certificate as a one-page A4 landscape PDF: who, what, when, how long, which standards, who issued it.

WeasyPrint writes it from HTML with `pdf_variant="pdf/ua-1"`, as the portfolio PDF
(`services.portfolio.pdf`): the PDF is tagged (a structure tree, the document language and title), so a
screen reader reads the heading and each fact in order, and tests read the text back with pypdf. The
issuing council's name and brand colour head the page; the verification address and code close it.
Every value is escaped (a learner's name is their platform's text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import escape

from lti_tool.dates import format_date
from lti_tool.services.evaluation.certificates import hours
from toolkits.cpd import STANDARD_TITLES
from toolkits.model import Toolkit

DEFAULT_COLOUR = "#1d70b8"
WHAT = {
    "toolkit": ("completed the SWOTT toolkit", "The online unit (L1) and the group session with peer reflection (L2)."),
    "programme": ("completed the programme", "Every required activity of the programme."),
}

STYLE = """
@page { size: A4 landscape; margin: 0; }
body { font-family: "DejaVu Sans", sans-serif; color: #0b0c0c; margin: 0; font-size: 12pt; }
header { background: %(colour)s; color: #fff; padding: 8mm 18mm; font-size: 18pt; font-weight: bold; }
main { padding: 8mm 18mm 0; }
h1 { font-size: 28pt; margin: 6mm 0 6mm; }
.holder { font-size: 22pt; font-weight: bold; margin: 2mm 0; }
.title { font-size: 18pt; font-weight: bold; margin: 2mm 0 5mm; }
p { margin: 0 0 2mm; }
ul { margin: 1mm 0 0; padding-left: 6mm; font-size: 10pt; }
footer { position: absolute; bottom: 6mm; left: 18mm; right: 18mm; font-size: 10pt; }
.rule { position: absolute; bottom: 0; left: 0; right: 0; height: 3mm; background: %(colour)s; }
"""


@dataclass(frozen=True)
class CertificateText:
    holder: str
    title: str  # the toolkit's or the programme's
    what: str  # "toolkit" | "programme" (`WHAT`)
    standards: tuple[str, ...]  # Social Work England professional standards, e.g. "4.1"
    started_on: date
    completed_on: date
    minutes: int
    council: str
    brand_colour: str
    code: str
    verify_url: str

    @classmethod
    def for_toolkit(cls, toolkit: Toolkit, **values: object) -> CertificateText:
        return cls(title=toolkit.title, what="toolkit", standards=toolkit.standards, **values)  # type: ignore[arg-type]


def certificate_html(cert: CertificateText, *, lang: str = "en-GB") -> str:
    colour = cert.brand_colour or DEFAULT_COLOUR
    issuer = cert.council or "SWOTT Connect"
    completed, detail = WHAT.get(cert.what, WHAT["toolkit"])
    standards = "".join(
        f"<li>{escape(number)} {escape(STANDARD_TITLES.get(number, ''))}</li>" for number in cert.standards
    )
    dates = (
        f"From {format_date(cert.started_on)} to {format_date(cert.completed_on)}: {hours(cert.minutes)} of learning."
    )
    return "".join(
        [
            f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
            f"<title>Certificate: {escape(cert.title)}</title>",
            f'<meta name="author" content="{escape(issuer)}">',
            f"<style>{STYLE % {'colour': escape(colour)}}</style></head><body>",
            f"<header>{escape(issuer)}</header><main>",
            "<h1>Certificate of completion</h1>",
            f'<p>This certifies that</p><p class="holder">{escape(cert.holder)}</p>',
            f'<p>{escape(completed)}</p><p class="title">{escape(cert.title)}</p>',
            f"<p>{escape(detail)}</p><p>{escape(dates)}</p>",
            f"<p>Social Work England professional standards addressed:</p><ul>{standards}</ul>" if standards else "",
            "</main>",
            f"<footer><p>Check this certificate at {escape(cert.verify_url)}</p>",
            f"<p>Certificate code {escape(cert.code)}</p></footer>",
            '<div class="rule" aria-hidden="true"></div></body></html>',
        ]
    )


def render(cert: CertificateText) -> bytes:
    """A tagged PDF (PDF/UA-1) of the certificate."""
    # Imported here, as in services.portfolio.pdf: WeasyPrint loads Pango on import.
    import weasyprint

    pdf = weasyprint.HTML(string=certificate_html(cert)).write_pdf(pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint wrote no PDF")
    return pdf
