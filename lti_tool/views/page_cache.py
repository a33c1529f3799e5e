"""Rendered toolkit page HTML, kept per (toolkit id, version, page) in each process (issue 15, item 3).

Rendering a page's Markdown (parse, resolve links, sanitise) and finding the sources it cites was a
fifth of a returning learner's launch and of every page shown; the result depends only on the toolkit,
so it is rendered once per process and page. Question prompts and options (`inline_html`) are kept
by their text.

**Never stale.** A toolkit is an immutable object loaded with the catalogue; a changed toolkit (new
text, a page added, a new version) is a new object. Each entry keeps the toolkit object it was rendered
from and is used only for that very object (`is`), so after the catalogue is reloaded or the process
restarts with new content the page is rendered afresh; the entry is then replaced, so the cache holds
at most one rendering per toolkit, page and part.

**Links stay each learner's own.** A page's links carry the learner's launch (`launch=<id>`, or a
signed `lt=<token>` without cookies: `lti.session.launch_url_for`). The cached HTML is rendered with
a placeholder launch id, and each response swaps the placeholder for its own launch's parameter.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import replace

from flask import g, request
from markupsafe import Markup, escape

from lti_tool.lti.session import REQUEST_LAUNCH, CurrentLaunch, launch_url_for, require_launch
from toolkits.model import Toolkit
from toolkits.render import render_inline

# A launch id no real launch has (`new_launch_id` gives 16 URL-safe characters) and no author writes.
PLACEHOLDER = "swott-cached-page-launch"
_PLACEHOLDER_QUERY = f"launch={PLACEHOLDER}"

_lock = threading.Lock()
_pages: dict[tuple[str, str, str, str, str], tuple[Toolkit, str]] = {}
renders = 0  # how many renderings the cache did not spare: tests read it
# Per-learner fragments (the L1 contents: which step is current, which are viewed), at most this many
# per process; when full the cache starts again rather than track which entry is oldest.
FRAGMENT_LIMIT = 4096
_fragments: dict[tuple[object, ...], tuple[Toolkit, str]] = {}
fragment_renders = 0


def page_html(toolkit: Toolkit, page_id: str, part: str, render: Callable[[], str]) -> str:
    """`render()`'s HTML for this page of this toolkit, from the cache when this toolkit rendered it.

    `render` builds its links with `launch_url_for` as usual; they come out for this request's launch.
    """
    global renders
    key = (toolkit.id, toolkit.version, page_id, part, request.script_root)
    found = _pages.get(key)
    if found is not None and found[0] is toolkit:
        html = found[1]
    else:
        html = _render_with_placeholder(render)
        with _lock:
            _pages[key] = (toolkit, html)
            renders += 1
    return html.replace(_PLACEHOLDER_QUERY, str(escape(_launch_query(require_launch()))))


def fragment_html(toolkit: Toolkit, key: tuple[object, ...], render: Callable[[], str]) -> Markup:
    """`render()`'s HTML for a piece of a page that depends on the toolkit and on `key` alone (say the
    current step, the steps viewed and the language), kept like `page_html`: only for this very toolkit
    object, with the request's own launch swapped in for the placeholder."""
    global fragment_renders
    full = (toolkit.id, toolkit.version, request.script_root, *key)
    found = _fragments.get(full)
    if found is not None and found[0] is toolkit:
        html = found[1]
    else:
        html = _render_with_placeholder(render)
        with _lock:
            if len(_fragments) >= FRAGMENT_LIMIT:
                _fragments.clear()
            _fragments[full] = (toolkit, html)
            fragment_renders += 1
    return Markup(html.replace(_PLACEHOLDER_QUERY, str(escape(_launch_query(require_launch())))))


def _render_with_placeholder(render: Callable[[], str]) -> str:
    """Render with the request's launch replaced by the placeholder (restored afterwards)."""
    had = REQUEST_LAUNCH in g
    previous = g.get(REQUEST_LAUNCH)
    setattr(g, REQUEST_LAUNCH, replace(require_launch(), launch_id=PLACEHOLDER, cookieless=False))
    try:
        return render()
    finally:
        if had:
            setattr(g, REQUEST_LAUNCH, previous)
        else:
            g.pop(REQUEST_LAUNCH, None)


def _launch_query(launch: CurrentLaunch) -> str:
    """The query `launch_url_for` adds for `launch` (`launch=<id>` or `lt=<token>`)."""
    url = launch_url_for("l1.accessibility", launch)
    return url.partition("?")[2]


@functools.lru_cache(maxsize=4096)
def inline_html(text: str) -> Markup:
    """A prompt or an option rendered (`render_inline`): a pure function of its text, so kept by text."""
    return Markup(render_inline(text))


def clear() -> None:
    """Forget every rendering (tests)."""
    global renders, fragment_renders
    with _lock:
        _pages.clear()
        _fragments.clear()
        renders = fragment_renders = 0
    inline_html.cache_clear()
