"""The public catalogue: which toolkits exist, what they cover and how long they take.

Its words are in the page's language (issue 13); the toolkits' own text stays English, marked `lang="en-GB"`."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool import web
from lti_tool.errors import NotFound
from lti_tool.services.l2.formats import PRESETS
from toolkits.evidence import references_html
from toolkits.render import render_markdown

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("catalogue/index.html", toolkits=list(web.catalogue()))


@bp.get("/toolkits/<toolkit_id>")
def toolkit(toolkit_id: str) -> ResponseReturnValue:
    item = web.catalogue().get(toolkit_id)
    if item is None:
        raise NotFound("There is no toolkit with that name.", reason="unknown_toolkit")
    return render_template(
        "catalogue/toolkit.html",
        toolkit=item,
        summary=render_markdown(item.summary),
        references=references_html(item),
        format_title=gettext(PRESETS[item.l2.format].title),  # the format's name, in the page's language
    )
