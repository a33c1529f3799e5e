"""A toolkit's evidence as HTML: its references, the sources a page cites, and when it was reviewed.

One renderer for both faces (the LTI player and every SCORM/cmi5/HTML package), like `toolkits.render`,
so a learner sees the same list wherever they meet the toolkit. Each reference carries the anchor
`ref-KEY` that citation links (`[(Hart, 1992)](#ref-hart-1992)`) point at (toolkits/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class EvidenceWords:
    """The words around a page's sources, English by default. This module never imports Flask (it serves
    the packager too), so the LTI tool passes them translated (lti_tool/views/l1.py, docs/welsh.md):
    whole sentences with `%(name)s` values, and `day` to write a date in the same language."""

    sources_title: str = "Sources for this page"
    references_label: str = "References"
    all_references: str = "All references for this toolkit"
    opens_in_new_window: str = "(opens in a new window)"
    reviewed_and_due: str = "Content last reviewed %(reviewed)s; next review due by %(due)s."
    reviewed: str = "Content last reviewed %(reviewed)s."
    due: str = "Next review due by %(due)s."
    day: Callable[[date], str] = _day
    content_lang: str = ""
    """An attribute for the citations (` lang="en-GB"`) when the words are in another language."""


ENGLISH = EvidenceWords()


def review_sentence(toolkit: Toolkit, words: EvidenceWords = ENGLISH) -> str:
    """'Content last reviewed 1 December 2026; next review due by 1 December 2027.'"""
    reviewed = words.day(toolkit.last_reviewed) if toolkit.last_reviewed else ""
    due = words.day(toolkit.review_date) if toolkit.review_date else ""
    if reviewed and due:
        return words.reviewed_and_due % {"reviewed": reviewed, "due": due}
    if reviewed:
        return words.reviewed % {"reviewed": reviewed}
    if due:
        return words.due % {"due": due}
    return ""


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


def page_sources_html(toolkit: Toolkit, markdown: str, all_references_href: str, words: EvidenceWords = ENGLISH) -> str:
    """'Sources for this page' (the cited ones, linkable) and a link to every reference of the toolkit."""
    cited = cited_on_page(toolkit, markdown)
    listed = (
        f'<h2 id="page-sources-title">{escape(words.sources_title)}</h2>\n'
        f'<ol class="reference-list"{words.content_lang}>\n{_items(cited)}</ol>\n'
        if cited
        else ""
    )
    labelled = ' aria-labelledby="page-sources-title"' if cited else f' aria-label="{escape(words.references_label)}"'
    return (
        f'<aside class="page-sources"{labelled}>\n{listed}'
        f'<p><a href="{escape(all_references_href)}" target="_blank" rel="noopener">{escape(words.all_references)}'
        f'<span class="visually-hidden"> {escape(words.opens_in_new_window)}</span></a>. '
        f"{escape(review_sentence(toolkit, words))}</p>\n</aside>\n"
    )
