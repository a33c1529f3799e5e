"""The L2 reflection: choose the feedforward to keep, then write, autosave and submit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from lti_tool import web
from lti_tool.access import launch_required
from lti_tool.dates import to_uk
from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.i18n import translated_advice, translated_message
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.models import LinkPart, ReflectionStatus, ResourceLink, utcnow
from lti_tool.services import l2 as l2_sessions
from lti_tool.services import reflections
from lti_tool.views import doc_links
from lti_tool.views.l2.common import bp, commit, launch_and_toolkit, page_context
from lti_tool.views.l2.forms import KeepForm, reflection_form
from lti_tool.words import N_
from toolkits.cpd import CPD_TYPES, carry_into_record
from toolkits.model import Toolkit

# --- The L2 reflection ----------------------------------------------------------------------------------


def _l2_link(launch: CurrentLaunch, toolkit: Toolkit) -> ResourceLink:
    session = web.db_session()
    if launch.resource_link_id is not None and launch.part == LinkPart.L2:
        link = session.get(ResourceLink, launch.resource_link_id)
        if link is not None:
            return link
    found = l2_sessions.l2_link(session, context_id=launch.context_id, toolkit_id=toolkit.id)
    if found is None:
        raise NotFound(
            N_("This course has no L2 activity for this toolkit yet."),
            reason="no_l2_link",
            advice=N_("Ask your facilitator to add the L2 group session to the course."),
        )
    return found


@bp.get("/reflection")
@launch_required
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
                advice=N_("If you were there, ask your facilitator to check the attendance list."),
            )
        return _keep_page(launch, toolkit, link)
    values = dict(stored.fields)
    if stored.status != ReflectionStatus.SUBMITTED and not values.get(reflections.DATE_FIELD):
        values[reflections.DATE_FIELD] = to_uk(utcnow()).date().isoformat()  # its date starts as today
    return _reflection_page(launch, toolkit, values, stored.version, stored=stored)


def _keep_page(launch: CurrentLaunch, toolkit: Toolkit, link: ResourceLink, form: KeepForm | None = None) -> str:
    offered = l2_sessions.feedforward_for(
        web.db_session(), user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
    )
    form = form or KeepForm(formdata=None)
    form.keep.choices = [(item.id, f"“{item.text}”") for item in offered]
    return render_template("l2/keep.html", form=form, offered=offered, **page_context(launch, toolkit))


def _date_parts(value: str) -> tuple[str, str, str]:
    """The date input's three boxes for a stored value: an ISO date, or what was typed ("3 13 2027")."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        parts = [*value.split(), "", "", ""][:3]
        return parts[0], parts[1], parts[2]
    return str(day.day), str(day.month), str(day.year)


def _reflection_page(
    launch: CurrentLaunch, toolkit: Toolkit, values: dict[str, str], version: int, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    template = toolkit.l2.reflection
    session = web.db_session()
    stored = extra.pop("stored", None)
    link = _l2_link(launch, toolkit)
    if stored is None:
        stored = reflections.find_reflection(session, user_id=launch.user_id, resource_link_id=link.id)
    kept = (
        l2_sessions.kept_feedforward(
            session, stored, user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
        )
        if stored is not None
        else []
    )
    html = render_template(
        "l2/reflection.html",
        template=template,
        guidance=Markup(doc_links.render_body(toolkit, template.source, template.guidance)),
        fields=l2_sessions.reflection_form_fields(toolkit),
        values=values,
        date_parts=_date_parts(values.get(reflections.DATE_FIELD, "")),
        version=version,
        stored=stored,
        kept=kept,
        cpd_types=CPD_TYPES,
        warnings=reflections.identifying_details(values),
        **extra,
        **page_context(launch, toolkit),
    )
    return html, status


@bp.post("/reflection/start")
@launch_required
def start_reflection() -> ResponseReturnValue:
    launch, toolkit = launch_and_toolkit()
    link = _l2_link(launch, toolkit)
    offered = l2_sessions.feedforward_for(
        web.db_session(), user_id=launch.user_id, context_id=link.context_id, toolkit_id=toolkit.id
    )
    form = KeepForm()
    form.keep.choices = [(item.id, item.text) for item in offered]
    if not form.validate_on_submit():
        return _keep_page(launch, toolkit, link, form), 400
    l2_sessions.start_reflection(
        web.db_session(), user_id=launch.user_id, link=link, toolkit=toolkit, keep_ids=form.keep.data or [],
        title_suffix=gettext(l2_sessions.REFLECTION_TITLE_SUFFIX),
    )  # fmt: skip
    commit()
    return redirect(launch_url_for("l2.reflection", launch), code=303)


@bp.post("/reflection")
@launch_required
def save_reflection() -> ResponseReturnValue:
    """Save a draft or submit. Autosave (`autosave=1`, from static/l1.js by fetch or, when the tab closes,
    sendBeacon) answers in JSON: saved with the new version, or 409 when another tab saved first."""
    launch, toolkit = launch_and_toolkit()
    link = _l2_link(launch, toolkit)
    session = web.db_session()
    ids = [f.id for f in l2_sessions.reflection_form_fields(toolkit)]
    form = reflection_form(ids)()
    form.validate()  # every box is free text: what is required is the service's rule, checked on submit
    values = {name: getattr(form, name).data or "" for name in ids}
    version = form.version.data if form.version.data is not None else -1
    autosave = bool(form.autosave.data)
    action = form.action.data or "save"
    if action == "carry" and not autosave:
        # One form, not two: the stages already written fill the empty record boxes, to be edited.
        values = carry_into_record(toolkit.l2.reflection.model, values)
    try:
        if action == "submit" and not autosave:
            saved = l2_sessions.submit_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
        else:
            saved = l2_sessions.save_reflection(
                session, user_id=launch.user_id, link=link, toolkit=toolkit, values=values, version=version
            )
    except Conflict as conflict:
        session.rollback()
        if autosave:
            return jsonify(conflict=True, message=translated_message(conflict), advice=translated_advice(conflict)), 409
        return _reflection_page(launch, toolkit, values, version, 409, conflict=conflict)
    except reflections.ReflectionIncomplete as incomplete:
        session.rollback()
        return _reflection_page(launch, toolkit, values, version, 400, incomplete=incomplete)
    except BadRequest as refused:
        session.rollback()
        if autosave:
            # A box over its limit: the script shows these words and waits for an edit (no retries).
            return jsonify(
                saved=False, message=translated_message(refused), advice=translated_advice(refused)
            ), refused.status
        return _reflection_page(launch, toolkit, values, version, 400, refused=refused)
    commit()
    if autosave:
        warnings = reflections.identifying_details(saved.fields)
        return jsonify(
            saved=True,
            version=saved.version,
            warnings=[{"field": w.field_id, "message": translated_message(w)} for w in warnings],
        )
    if action == "submit":  # issue 12: the after questions and session feedback, skippable
        return redirect(launch_url_for("evaluation.after_l2", launch, submitted="1"), code=303)
    return redirect(
        launch_url_for("l2.reflection", launch, saved="1") + ("#record" if action == "carry" else ""), code=303
    )
