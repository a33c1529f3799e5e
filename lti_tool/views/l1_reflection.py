"""The L1 CPD reflection editor: draft, carry into the record, submit; autosave from l1.js in JSON.

Registered on the `l1` blueprint by `views.l1`. A refused submission (boxes empty, a date that is no
date, checks unanswered) or a stale tab comes back as the SAME page with an error summary, inline
messages and every word typed kept (issue 10 item 2); nothing typed is saved by a refused submit.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import web
from lti_tool.errors import BadRequest, Conflict
from lti_tool.forms_l1 import ReflectionForm
from lti_tool.i18n import translated_advice, translated_message
from lti_tool.lti.session import launch_url_for
from lti_tool.models import ReflectionStatus
from lti_tool.services import progress, reflections
from lti_tool.views.l1_player import Player, commit_and_deliver, common, load_player, render_body, step_url
from toolkits.cpd import CPD_TYPES, carry_into_record
from toolkits.model import CompletionPart


def _form(player: Player, data: dict[str, str] | None = None) -> ReflectionForm:
    fields = [(f.id, f.label) for f in reflections.form_fields(player.toolkit)]
    return ReflectionForm.for_fields(fields, data)


def _default_values(player: Player) -> dict[str, str]:
    return {
        "cpd_title": player.toolkit.l1.reflection.cpd_title,
        "cpd_date": date.today().isoformat(),
        "cpd_type": CPD_TYPES[0],
    }


def reflection_page(
    player: Player,
    status: int = 200,
    *,
    form: ReflectionForm | None = None,
    version: int | None = None,
    **extra: object,
) -> ResponseReturnValue:
    """The reflection step: the editor, or the submitted record read-only."""
    session = web.db_session()
    stored = reflections.find_reflection(session, user_id=player.attempt.user_id, resource_link_id=player.link.id)
    if form is None:
        form = _form(player, dict(stored.fields) if stored else _default_values(player))
    if version is None:
        version = stored.version if stored else 0
    values = form.values() if stored is None or stored.status != ReflectionStatus.SUBMITTED else dict(stored.fields)
    template = player.toolkit.l1.reflection
    prompts = {p.id: p.text for page in player.toolkit.l1.pages for p in page.prompts}
    # Said before the learner writes, not only when a submission is refused (issue 11).
    checks_left = (
        progress.unanswered_by_page(player.attempt, player.toolkit)
        if CompletionPart.CHECKS in player.toolkit.l1.completion
        else []
    )
    html = render_template(
        "l1/reflection.html",
        template=template,
        guidance=render_body(player.toolkit, template.source, template.guidance),
        fields=reflections.form_fields(player.toolkit),
        form=form,
        save_url=launch_url_for("l1.save_reflection"),
        values=values,
        cpd_types=CPD_TYPES,
        reflection=stored,
        version=version,
        warnings=reflections.identifying_details(values),
        checks_left=[(title, count, step_url(page_id)) for page_id, title, count in checks_left],
        thinking_notes=[(prompts[k], v) for k, v in player.attempt.notes.items() if k in prompts and v.strip()],
        just_saved=bool(request.args.get("saved")),
        record_date=_real_date(values.get("cpd_date", "")),
        **common(player, progress.REFLECTION_STEP),
        **extra,
    )
    return html, status


def _real_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def save_reflection() -> ResponseReturnValue:
    """Save a draft or submit. Autosave (`autosave=1`, from fetch or sendBeacon) answers in JSON."""
    player = load_player()
    session = web.db_session()
    form = _form(player)
    form.validate()  # only the version's type is checked here; completeness is the domain's (submit)
    values = form.values()
    autosave = form.is_autosave
    version = form.version.data if form.version.data is not None and not form.version.errors else -1
    action = form.wants
    if action == "carry" and not autosave:
        # One form, not two: the stages already written fill the empty record boxes, to be edited.
        values = carry_into_record(player.toolkit.l1.reflection.model, values)
        form.refill(values)
    try:
        if action == "submit" and not autosave:
            saved = reflections.submit(
                session, user_id=player.attempt.user_id, link=player.link, toolkit=player.toolkit,
                values=values, version=version,
            )  # fmt: skip
        else:
            saved = reflections.save_draft(
                session, user_id=player.attempt.user_id, link=player.link, toolkit=player.toolkit,
                values=values, version=version,
            )  # fmt: skip
    except Conflict as conflict:
        session.rollback()
        if autosave:
            return jsonify(conflict=True, message=translated_message(conflict), advice=translated_advice(conflict)), 409
        # Keep what the learner typed on screen (nothing is lost) but do not save it.
        return reflection_page(player, 409, form=form, version=version, conflict=conflict)
    except reflections.ReflectionIncomplete as incomplete:
        session.rollback()
        form.show_incomplete([f.id for f in incomplete.missing], incomplete.invalid_date)
        return reflection_page(player, 400, form=form, version=version, incomplete=incomplete)
    except progress.ChecksOutstanding as outstanding:
        session.rollback()
        return reflection_page(player, 400, form=form, version=version, checks_outstanding=outstanding)
    except BadRequest as refused:
        session.rollback()
        if autosave:
            # A box over its limit: the script shows these words and waits for an edit (no retries).
            return jsonify(
                saved=False, message=translated_message(refused), advice=translated_advice(refused)
            ), refused.status
        return reflection_page(player, refused.status, form=form, version=version, refused=refused)
    commit_and_deliver()
    warnings = reflections.identifying_details(saved.fields)
    if autosave:
        return jsonify(
            saved=True,
            version=saved.version,
            saved_at=saved.updated_at.isoformat(),
            warnings=[{"field": w.field_id, "message": translated_message(w)} for w in warnings],
        )
    if saved.status == ReflectionStatus.SUBMITTED:
        return redirect(launch_url_for("l1.summary"), code=303)
    anchor = "#record" if action == "carry" else ""
    return redirect(step_url(progress.REFLECTION_STEP, saved="1") + anchor, code=303)
