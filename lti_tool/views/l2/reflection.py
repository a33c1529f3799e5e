"""The L2 reflection: choose the feedforward to keep, then write, autosave and submit."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from lti_tool import web
from lti_tool.errors import Conflict, Forbidden, NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import ResourceLink
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import reflections
from lti_tool.views.l2.common import bp, commit, launch_and_toolkit, page_context
from toolkits.cpd import CPD_TYPES, carry_into_record
from toolkits.model import Toolkit
from toolkits.render import render_markdown

# --- The L2 reflection ----------------------------------------------------------------------------------


def _l2_link(launch: CurrentLaunch, toolkit: Toolkit) -> ResourceLink:
    session = web.db_session()
    if launch.resource_link_id is not None and launch.part == "l2":
        link = session.get(ResourceLink, launch.resource_link_id)
        if link is not None:
            return link
    found = l2_sessions.l2_link(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    if found is None:
        raise NotFound(
            "This course has no L2 activity for this toolkit yet.",
            reason="no_l2_link",
            advice="Ask your facilitator to add the L2 group session to the course.",
        )
    return found


@bp.get("/reflection")
def reflection() -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    link = _l2_link(launch, toolkit)
    session = web.db_session()
    stored = reflections.find_reflection(session, user_id=launch.user_id, resource_link_id=link.id)
    if stored is None:
        if not l2_sessions.reflection_open(
            session, user_id=launch.user_id, context_id=link.context_id, toolkit=toolkit
        ):
            raise Forbidden(
                l2_sessions.REFLECTION_NOT_OPEN,
                reason="l2_not_attended",
                advice="If you were there, ask your facilitator to check the attendance list.",
            )
        offered = l2_sessions.feedforward_for(
            session, user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
        )
        return render_template("l2/keep.html", offered=offered, **page_context(launch, toolkit))
    kept = l2_sessions.kept_feedforward(
        session, stored, user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
    )
    return _reflection_page(launch, toolkit, stored.fields, stored.version, stored=stored, kept=kept)


def _reflection_page(
    launch: CurrentLaunch, toolkit: Toolkit, values: dict[str, str], version: int, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    template = toolkit.l2.reflection
    html = render_template(
        "l2/reflection.html",
        template=template,
        guidance=Markup(render_markdown(template.guidance)),
        fields=l2_sessions.reflection_form_fields(toolkit),
        values=values,
        version=version,
        cpd_types=CPD_TYPES,
        warnings=reflections.identifying_details(values),
        **extra,
        **page_context(launch, toolkit),
    )
    return html, status


@bp.post("/reflection/start")
def start_reflection() -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    link = _l2_link(launch, toolkit)
    keep = [int(v) for v in request.form.getlist("keep") if v.isdigit()]
    l2_sessions.start_reflection(web.db_session(), user_id=launch.user_id, link=link, toolkit=toolkit, keep_ids=keep)
    commit()
    return redirect(launch_url_for("l2.reflection", launch), code=303)


@bp.post("/reflection")
def save_reflection() -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    link = _l2_link(launch, toolkit)
    session = web.db_session()
    values = {f.id: request.form.get(f.id, "") for f in l2_sessions.reflection_form_fields(toolkit)}
    version = int(request.form.get("version", "0")) if request.form.get("version", "").isdigit() else -1
    carry = request.form.get("action") == "carry"
    if carry:
        # One form, not two: the stages already written fill the empty record boxes, to be edited.
        values = carry_into_record(toolkit.l2.reflection.model, values)
    try:
        if request.form.get("action") == "submit":
            l2_sessions.submit_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
        else:
            l2_sessions.save_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
    except Conflict as conflict:
        session.rollback()
        return _reflection_page(launch, toolkit, values, version, 409, conflict=conflict)
    except reflections.ReflectionIncomplete as incomplete:
        session.rollback()
        return _reflection_page(launch, toolkit, values, version, 400, incomplete=incomplete)
    commit()
    return redirect(launch_url_for("l2.reflection", launch, saved="1") + ("#record" if carry else ""), code=303)
