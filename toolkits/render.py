"""The one Markdown renderer: toolkit Markdown to sanitised HTML, shared by the LTI player and SCORM.

Markdown is parsed with markdown-it-py (CommonMark plus tables) with raw HTML allowed, because authors
use it for simple formatting; the result is then cleaned by nh3 (Ammonia), which keeps a safe list of
tags and attributes and removes scripts, inline event handlers and `javascript:` URLs whatever the
source. The validator reports the same dangers at authoring time (`find_unsafe_html`), so content never
relies on the sanitiser silently fixing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

LinkResolver = Callable[[str], str]

# Tags an author may use in raw HTML: nh3's safe defaults, minus those with no place in CPD content.
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"map", "area", "bdo"}
_ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ALLOWED_ATTRIBUTES.setdefault("th", set()).add("scope")
_ALLOWED_ATTRIBUTES.setdefault("h2", set()).add("id")
_ALLOWED_ATTRIBUTES.setdefault("h3", set()).add("id")

_SCRIPTY_TAG = re.compile(r"<\s*(script|iframe|object|embed|style|form|base|meta|link)\b", re.I)
_EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
_JS_URL = re.compile(r"(?:java|vb)script\s*:|data\s*:\s*text/html", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@dataclass(frozen=True)
class Link:
    """A link or image in a Markdown text, with its 1-based line in that text."""

    line: int
    href: str
    is_image: bool


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # linkify off: plain text that looks like a URL stays text (reflection prompts quote URLs rarely,
    # and an accidental link inside an LMS iframe is worse than none).
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")


def _walk(tokens: list[Token], parent_line: int = 0) -> list[tuple[Token, int]]:
    """Every token with the 1-based line it starts on (inline tokens inherit their block's line)."""
    out: list[tuple[Token, int]] = []
    for token in tokens:
        line = token.map[0] + 1 if token.map else parent_line
        out.append((token, line))
        if token.children:
            out.extend(_walk(token.children, line))
    return out


def _href(token: Token) -> str | None:
    if token.type == "link_open":
        value = token.attrGet("href")
    elif token.type == "image":
        value = token.attrGet("src")
    else:
        return None
    return str(value) if value is not None else None


def find_links(markdown: str) -> list[Link]:
    """Links and images in `markdown`, for the validator's broken-link check."""
    links: list[Link] = []
    for token, line in _walk(_parser().parse(markdown)):
        href = _href(token)
        if href is not None:
            links.append(Link(line, href, token.type == "image"))
    # markdown-it refuses to turn `javascript:` targets into links, so look for them as text too.
    for number, text in enumerate(markdown.splitlines(), start=1):
        for match in re.finditer(r"\]\(\s*<?((?:java|vb)script:[^)\s>]*)", text, re.I):
            links.append(Link(number, match.group(1), False))
    return links


def find_unsafe_html(markdown: str) -> list[tuple[int, str]]:
    """Raw HTML the renderer would strip: scripts, event handlers, `javascript:` URLs."""
    problems: list[tuple[int, str]] = []
    for token, line in _walk(_parser().parse(markdown)):
        if token.type not in ("html_block", "html_inline"):
            continue
        html = token.content
        if match := _SCRIPTY_TAG.search(html):
            problems.append((line, f"raw HTML uses a <{match.group(1).lower()}> tag, not allowed"))
        if _EVENT_HANDLER.search(html):
            problems.append((line, "raw HTML has an event handler (on...=), not allowed"))
        if _JS_URL.search(html):
            problems.append((line, "raw HTML has a javascript: URL, not allowed"))
    for link in find_links(markdown):
        if _JS_URL.match(link.href.strip()):
            problems.append((link.line, f"the link {link.href!r} runs script, not allowed"))
    return problems


def is_internal(href: str) -> bool:
    """True for a relative link to another toolkit file (not a web address, anchor or absolute path)."""
    return bool(href) and not _SCHEME.match(href) and not href.startswith(("#", "/", "//"))


def render_markdown(markdown: str, resolve_link: LinkResolver | None = None) -> str:
    """Render toolkit Markdown to sanitised HTML.

    `resolve_link` maps an internal href (e.g. `04-lundy.md#space`) to the URL where the calling face
    serves that page; the LTI player and the SCORM packager each pass their own.
    """
    parser = _parser()
    tokens = parser.parse(markdown)
    if resolve_link is not None:
        for token, _line in _walk(tokens):
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            value = token.attrGet(attr)
            if isinstance(value, str) and is_internal(value):
                token.attrSet(attr, resolve_link(value))
    html = parser.renderer.render(tokens, parser.options, {})
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_inline(text: str) -> str:
    """Render a one-line string (a prompt, an option) without the surrounding paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
