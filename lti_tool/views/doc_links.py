"""Toolkit Markdown rendered for the tool: every relative link goes to a page of the tool, in the launch.

One resolver for L1 and L2 (the rule is `toolkits.links`, docs/toolkit-links.md): a link to an L1 page
or the L1 reflection opens that player step; a link to the case study, a stage, the facilitator guide,
the participant sheet or the L2 reflection opens `/l2/document/<name>` with a `back` to the page the
link was on; a file opens from the asset route. Every URL is made with `launch_url_for`, so the launch
(`launch=` or the cookieless `lt=`) goes with it; fragments are kept.
"""

from __future__ import annotations

import re

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from lti_tool.lti.session import launch_url_for
from toolkits import links
from toolkits.model import Toolkit
from toolkits.render import render_markdown

# Where a document page's back link may lead: a GET page of L1 or L2 (never another site, never the
# live region's polled fragment or a CSV download, which are not pages).
_BACK = re.compile(r"^/(?:l1|l2)(?:/[A-Za-z0-9_-]+)*/?$")
_NOT_PAGES = ("/live-fragment", "/asset")


def target_url(toolkit: Toolkit, target: links.Target, back: str = "") -> str:
    """The tool's URL, in the current launch, for a resolved link target."""
    anchor = f"#{target.anchor}" if target.anchor else ""
    if target.part == links.L1:
        return launch_url_for("l1.step", step=target.name) + anchor
    if target.part == links.L2:
        if back:
            return launch_url_for("l2.document", None, name=target.name, back=back) + anchor
        return launch_url_for("l2.document", None, name=target.name) + anchor
    return launch_url_for("l1.asset", toolkit_id=toolkit.id, path=target.name) + anchor


def render_body(toolkit: Toolkit, source: str, body: str) -> str:
    """Render a toolkit file's Markdown with its links resolved to tool pages (see the module)."""
    known = links.documents(toolkit)
    back = request.path if _is_page(request.path) else ""

    def resolve(href: str) -> str:
        try:
            return target_url(toolkit, links.resolve(toolkit, source, href, known), back)
        except links.Unservable:
            # The validator refuses such links; should one slip through, stay on the page, not 404.
            return "#"

    return render_markdown(body, resolve)


def _is_page(path: str) -> bool:
    return bool(_BACK.match(path)) and not any(part in path for part in _NOT_PAGES)


def back_url(back: str | None, default_endpoint: str) -> str:
    """The `back` path as a URL in the launch if it names a GET page of L1 or L2, else the default page."""
    if back and _is_page(back):
        adapter = current_app.url_map.bind("")
        try:
            endpoint, values = adapter.match(back, method="GET")
        except HTTPException:
            endpoint, values = "", {}
        if isinstance(endpoint, str) and endpoint.startswith(("l1.", "l2.")):
            return launch_url_for(endpoint, **values)
    return launch_url_for(default_endpoint)
