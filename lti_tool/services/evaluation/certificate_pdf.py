"""The certificate as a one-page A4 landscape PDF: who, what, when, how long, which standards, who issued it.

WeasyPrint writes it from HTML with `pdf_variant="pdf/ua-1"`, as the portfolio PDF
(`services.portfolio.pdf`): the PDF is tagged (a structure tree, the document language and title), so a
screen reader reads the heading and each fact in order, and tests read the text back with pypdf. The
issuing council's name and brand colour head the page; the verification address and code close it.
Every value is escaped (a learner's name is their platform's text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

from markupsafe import escape

from lti_tool.dates import format_date
from lti_tool.words import N_
from toolkits.cpd import STANDARD_TITLES
from toolkits.model import Toolkit

DEFAULT_COLOUR = "#1d70b8"


@dataclass(frozen=True)
class CertificateWords:
    """The certificate's own words, English by default (a package or a CLI has no request).

    Each is marked `N_` for the catalogue; `certificate_files` fills them in the learner's language
    (`translated`), so a learner who launched in Welsh gets a Welsh certificate (issue 13). The toolkit's
    or programme's title and the Social Work England standards stay as written (English, `lang="en-GB"`).
    """

    language: str = "en"  # for the dates (lti_tool.dates)
    document_title: str = N_("Certificate: %(title)s")
    heading: str = N_("Certificate of completion")
    certifies: str = N_("This certifies that")
    completed_toolkit: str = N_("completed the SWOTT toolkit")
    toolkit_detail: str = N_("The online unit (L1) and the group session with peer reflection (L2).")
    completed_programme: str = N_("completed the programme")
    programme_detail: str = N_("Every required activity of the programme.")
    dates: str = N_("From %(start)s to %(end)s: %(hours)s of learning.")
    one_hour: str = N_("%(n)s hour")
    many_hours: str = N_("%(n)s hours")
    standards: str = N_("Social Work England professional standards addressed:")
    check: str = N_("Check this certificate at %(url)s")
    code: str = N_("Certificate code %(code)s")

    @classmethod
    def translated(cls, gettext: Callable[[str], str], language: str) -> CertificateWords:
        """Every word through `gettext` (Flask-Babel's, in the request's language)."""
        english = cls()
        values = {f.name: gettext(getattr(english, f.name)) for f in fields(cls) if f.name != "language"}
        return cls(language=language, **values)

    def what(self, kind: str) -> tuple[str, str]:
        """What was completed and what that took, for a toolkit's or a programme's certificate."""
        if kind == "programme":
            return self.completed_programme, self.programme_detail
        return self.completed_toolkit, self.toolkit_detail

    def hours(self, minutes: int) -> str:
        """'2.9 hours' (one decimal; '3 hours' when whole; '1 hour')."""
        value = round(minutes / 60, 1)
        return (self.one_hour if value == 1 else self.many_hours) % {"n": f"{value:g}"}


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
    what: str  # "toolkit" | "programme" (`CertificateWords.what`)
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


def certificate_html(cert: CertificateText, *, lang: str = "en-GB", words: CertificateWords | None = None) -> str:
    words = words or CertificateWords()
    colour = cert.brand_colour or DEFAULT_COLOUR
    issuer = cert.council or "SWOTT Connect"
    completed, detail = words.what(cert.what)
    # Toolkit and programme titles, and the regulator's standards, are English content (WCAG 2.2 SC 3.1.2).
    content = "" if lang.lower().startswith("en") else ' lang="en-GB"'
    standards = "".join(
        f"<li>{escape(number)} <span{content}>{escape(STANDARD_TITLES.get(number, ''))}</span></li>"
        for number in cert.standards
    )
    start, end = format_date(cert.started_on, words.language), format_date(cert.completed_on, words.language)
    dates = words.dates % {"start": start, "end": end, "hours": words.hours(cert.minutes)}
    return "".join(
        [
            f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
            f"<title>{escape(words.document_title % {'title': cert.title})}</title>",
            f'<meta name="author" content="{escape(issuer)}">',
            f"<style>{STYLE % {'colour': escape(colour)}}</style></head><body>",
            f"<header>{escape(issuer)}</header><main>",
            f"<h1>{escape(words.heading)}</h1>",
            f'<p>{escape(words.certifies)}</p><p class="holder">{escape(cert.holder)}</p>',
            f'<p>{escape(completed)}</p><p class="title"{content}>{escape(cert.title)}</p>',
            f"<p>{escape(detail)}</p><p>{escape(dates)}</p>",
            f"<p>{escape(words.standards)}</p><ul>{standards}</ul>" if standards else "",
            "</main>",
            f"<footer><p>{escape(words.check % {'url': cert.verify_url})}</p>",
            f"<p>{escape(words.code % {'code': cert.code})}</p></footer>",
            '<div class="rule" aria-hidden="true"></div></body></html>',
        ]
    )


def render(cert: CertificateText, *, lang: str = "en-GB", words: CertificateWords | None = None) -> bytes:
    """A tagged PDF (PDF/UA-1) of the certificate, in `words`' language (English by default)."""
    # Imported here, as in services.portfolio.pdf: WeasyPrint loads Pango on import.
    import weasyprint

    pdf = weasyprint.HTML(string=certificate_html(cert, lang=lang, words=words)).write_pdf(pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint wrote no PDF")
    return pdf
