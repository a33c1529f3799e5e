"""The portfolio as a tagged PDF (PDF/UA-1), with page numbers, no label split from its value.

WeasyPrint writes it from HTML with `pdf_variant="pdf/ua-1"`: the PDF gets a structure tree
(`/StructTreeRoot`), `/MarkInfo /Marked true`, the document language and its title, so a screen reader
reads headings, and each label before its value. (Certificates are written the same way, certificate_pdf.)
WeasyPrint needs Pango (Debian `libpango-1.0-0`, `libpangoft2-1.0-0`; scripts/setup.sh installs them).

Layout, in CSS paged media: page numbers "Page 3 of 5" in the bottom margin (`counter(page)`,
`counter(pages)`); each label and its value kept together (`break-inside: avoid`), and a label never
left at the foot of a page without its value (`break-after: avoid`). A value longer than a page still
breaks, after its first lines.
"""

from __future__ import annotations

from markupsafe import escape

from lti_tool.services.regulators import Export

STYLE = """
@page {
  size: A4;
  margin: 18mm 18mm 22mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #333; }
}
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; color: #0b0c0c; }
h1 { font-size: 20pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 2mm; break-after: avoid; }
dl { margin: 0; }
div.item { break-inside: avoid; margin: 0 0 3mm; }
dt { font-weight: bold; break-after: avoid; }
dd { margin: 0; white-space: pre-wrap; orphans: 3; widows: 3; }
"""


def portfolio_html(export: Export, *, lang: str = "en-GB") -> str:
    """The export as one HTML document (every value escaped: it is the learner's own text)."""
    parts = [
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(export.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(export.title)}</h1>",
    ]
    for section in export.sections:
        parts.append(f"<h2>{escape(section.title)}</h2><dl>")
        for item in section.items:
            parts.append(f'<div class="item"><dt>{escape(item.label)}</dt><dd>{escape(item.value or "—")}</dd></div>')
        parts.append("</dl>")
    parts.append("</body></html>")
    return "".join(parts)


def portfolio_pdf(export: Export, *, lang: str = "en-GB") -> bytes:
    """A tagged PDF (PDF/UA-1) of the export."""
    # Imported here: WeasyPrint loads Pango through cffi on import (about a second, and the system
    # library must be there); only this download needs it, so the app and the CLI start without it.
    import weasyprint

    html = portfolio_html(export, lang=lang)
    pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):  # write_pdf returns None only when given a target to write to
        raise RuntimeError("WeasyPrint wrote no PDF")
    return pdf
