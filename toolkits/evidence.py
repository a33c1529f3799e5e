"""A toolkit's evidence as HTML: its references, the sources a page cites, and when it was reviewed.

One renderer for both faces (the LTI player and every SCORM/cmi5/HTML package), like `toolkits.render`,
so a learner sees the same list wherever they meet the toolkit. Each reference carries the anchor
`ref-KEY` that citation links (`[(Hart, 1992)](#ref-hart-1992)`) point at (toolkits/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape as _html_escape

from toolkits.design import cited_references
from toolkits.model import Reference, Toolkit

REFERENCES_ID = "references"


def escape(text: str) -> str:
    """HTML-escape as Jinja does (`&#39;` for an apostrophe), so both faces print the same bytes."""
    return _html_escape(text).replace("&#x27;", "&#39;")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def review_sentence(toolkit: Toolkit) -> str:
    """'Content last reviewed 1 December 2026; next review due by 1 December 2027.'"""
    parts: list[str] = []
    if toolkit.last_reviewed:
        parts.append(f"Content last reviewed {_day(toolkit.last_reviewed)}")
    if toolkit.review_date:
        parts.append(f"next review due by {_day(toolkit.review_date)}")
    if not parts:
        return ""
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _items(references: Sequence[Reference]) -> str:
    return "".join(f'<li id="{r.anchor}">{escape(r.citation())}</li>\n' for r in references)


def references_html(toolkit: Toolkit, *, heading_level: int = 2, section_id: str = REFERENCES_ID) -> str:
    """Every reference of the toolkit, with the review dates, as a section citations can link into."""
    heading = f"h{heading_level}"
    return (
        f'<section class="references" id="{section_id}" aria-labelledby="{section_id}-title">\n'
        f'<{heading} id="{section_id}-title">References</{heading}>\n'
        f'<p class="review-dates">{escape(review_sentence(toolkit))}</p>\n'
        f'<ol class="reference-list">\n{_items(toolkit.references)}</ol>\n</section>\n'
    )


def cited_on_page(toolkit: Toolkit, markdown: str) -> tuple[Reference, ...]:
    """The references a page's Markdown cites, in order of first citation."""
    by_key = {r.key: r for r in toolkit.references}
    return tuple(by_key[key] for key in cited_references(toolkit, markdown) if key in by_key)


def page_sources_html(toolkit: Toolkit, markdown: str, all_references_href: str) -> str:
    """'Sources for this page' (the cited ones, linkable) and a link to every reference of the toolkit."""
    cited = cited_on_page(toolkit, markdown)
    listed = (
        f'<h2 id="page-sources-title">Sources for this page</h2>\n<ol class="reference-list">\n{_items(cited)}</ol>\n'
        if cited
        else ""
    )
    labelled = ' aria-labelledby="page-sources-title"' if cited else ' aria-label="References"'
    return (
        f'<aside class="page-sources"{labelled}>\n{listed}'
        f'<p><a href="{escape(all_references_href)}" target="_blank" rel="noopener">All references for this '
        'toolkit<span class="visually-hidden"> (opens in a new window)</span></a>. '
        f"{escape(review_sentence(toolkit))}</p>\n</aside>\n"
    )
