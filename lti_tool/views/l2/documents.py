"""An L2 document shown on its own page inside the launch: case study, facilitator guide, participant sheet.

Links in toolkit Markdown open these pages (`lti_tool.views.doc_links`); the facilitator guide is for
facilitators only. Learners see the case study's introduction only: its stages are revealed during the
session, so a link cannot give them away beforehand.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from lti_tool.access import facilitator_launch, launch_required
from lti_tool.errors import NotFound
from lti_tool.views import doc_links
from lti_tool.views.l2.common import bp, launch_and_toolkit, page_context
from lti_tool.words import N_
from toolkits import links


@bp.get("/document/<name>")
@launch_required
def document(name: str) -> ResponseReturnValue:
    """One L2 document, with a back link to the page the learner or facilitator came from."""
    if name not in links.L2_DOCUMENTS:
        raise NotFound(N_("There is no such document in this toolkit."), reason="unknown_document")
    if name == links.FACILITATOR_GUIDE:
        facilitator_launch()
    launch, toolkit = launch_and_toolkit()
    l2 = toolkit.l2
    doc = {
        links.CASE_STUDY: l2.introduction,
        links.FACILITATOR_GUIDE: l2.facilitator_guide,
        links.PARTICIPANT_SHEET: l2.participant_sheet,
    }[name]
    sections: list[dict[str, object]] = []
    if name == links.CASE_STUDY and launch.is_facilitator:
        sections = [
            {"id": f"stage-{s.id}", "title": s.title, "html": Markup(doc_links.render_body(toolkit, s.source, s.body))}
            for s in l2.stages
        ]
    if name == links.PARTICIPANT_SHEET:
        reflection = l2.reflection
        sections = [
            {
                "id": "peer-reflection",
                "title": reflection.title,
                "html": Markup(doc_links.render_body(toolkit, reflection.source, reflection.guidance)),
            }
        ]
    home = "l2.plan" if launch.is_facilitator else "l2.home"
    return render_template(
        "l2/document.html",
        document=doc,
        body=Markup(doc_links.render_body(toolkit, doc.source, doc.body)),
        sections=sections,
        stages_hidden=name == links.CASE_STUDY and not launch.is_facilitator,
        back_href=doc_links.back_url(request.args.get("back"), home),
        **page_context(launch, toolkit),
    )
