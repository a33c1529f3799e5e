"""The shared renderer never lets script through, whatever the Markdown says."""

from __future__ import annotations

import pytest

from toolkits.render import find_unsafe_html, render_inline, render_markdown

DANGEROUS = [
    ("<script>alert('x')</script>\n\nText", "<script"),
    ('<img src="x.png" onerror="alert(1)">', "onerror"),
    ('<a href="#" onclick="steal()">link</a>', "onclick"),
    ("[click](javascript:alert(1))", 'href="javascript:'),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
    ("<iframe src='https://example.org'></iframe>", "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
    ('<svg onload="alert(1)"></svg>', "onload"),
    ('<form action="https://example.org"><input name="p"></form>', "<form"),
]


@pytest.mark.parametrize(("markdown", "needle"), DANGEROUS)
def test_dangerous_html_is_removed(markdown: str, needle: str) -> None:
    html = render_markdown(markdown)
    assert needle.lower() not in html.lower()


@pytest.mark.parametrize(("markdown", "_needle"), DANGEROUS[:7])
def test_validator_flags_what_the_renderer_strips(markdown: str, _needle: str) -> None:
    assert find_unsafe_html(markdown), markdown


def test_ordinary_markdown_survives() -> None:
    html = render_markdown("## Space\n\n*Children* need **space**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n")
    assert "<h2>Space</h2>" in html
    assert "<em>Children</em>" in html and "<strong>space</strong>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<li>one</li>" in html


def test_external_links_get_safe_rel() -> None:
    html = render_markdown("[Lundy](https://example.org/lundy)")
    assert 'href="https://example.org/lundy"' in html
    assert 'rel="noopener noreferrer"' in html


def test_internal_links_are_resolved_by_the_calling_face() -> None:
    html = render_markdown(
        "See [the ladder](06-ladder.md#rungs) and ![map](../assets/map.svg).",
        resolve_link=lambda href: "/player/" + href.replace(".md", ""),
    )
    assert 'href="/player/06-ladder#rungs"' in html
    assert 'src="/player/../assets/map.svg"' in html


def test_safe_text_needs_no_warning() -> None:
    assert find_unsafe_html("Plain *text* with <b>bold</b> and [a link](https://example.org).") == []


def test_inline_rendering_has_no_paragraph() -> None:
    assert render_inline("A *short* prompt") == "A <em>short</em> prompt"
