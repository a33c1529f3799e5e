"""The L1 player: one page at a time, knowledge checks, thinking notes and the CPD reflection editor.

Thin views over `services.progress` and `services.reflections`. Who the learner is and which placement
they launched come only from the launch (`lti.session.current_launch`): no URL names an attempt, a
reflection or a user, so there is no id to guess. Every page works as a plain HTML form; `l1.js` adds
autosave (a few seconds after typing stops, and on `pagehide` with `navigator.sendBeacon`).

Accessibility (WCAG 2.2 AA): one `h1` per page, a contents list with `aria-current`, labelled form
fields with hints tied by `aria-describedby`, an error summary that links to each box, live regions for
save status, no time limits; see /accessibility.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy import select

from lti_tool import web
from lti_tool.errors import BadRequest, Conflict, Forbidden, NotFound
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import Attempt, Context, LtiUser, Reflection, ResourceLink
from lti_tool.services import dashboard, progress, reflections, registry, roster
from lti_tool.services import notes as thinking_notes
from lti_tool.views.notes_forms import ThinkingNotesForm
from lti_tool.views.page_cache import inline_html, page_html
from toolkits.cpd import CPD_TYPES, carry_into_record
from toolkits.evidence import page_sources_html
from toolkits.model import CompletionPart, Page, PageKind, Toolkit
from toolkits.render import render_markdown

bp = Blueprint("l1", __name__)
log = logging.getLogger(__name__)

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Player:
    """Everything a player view needs, resolved from the launch and checked to belong together."""

    launch: CurrentLaunch
    link: ResourceLink
    toolkit: Toolkit
    attempt: Attempt
    brand_colour: str
    reflection_submitted: bool = False


def _player(writing: bool | None = None) -> Player:
    """The launch's link, course, learner, attempt and reflection status in ONE query (issue 15: a page
    step is one read of the launch context plus one write per changed row).

    The registry version rides along in the same query, so the frame-ancestors header needs no read of
    its own. A POST locks the learner's row (`FOR UPDATE OF lti_user` on PostgreSQL) so two tabs'
    writes apply one after the other; a GET never writes (issue 9, defect 12).
    """
    launch = require_launch()
    if launch.resource_link_id is None or launch.part != "l1":
        raise NotFound("This activity is not an L1 module.", reason="not_l1", advice="Open L1 from your course.")
    session = web.db_session()
    if writing is None:
        writing = request.method == "POST"
    reflection_status = (
        select(Reflection.status)
        .where(Reflection.user_id == launch.user_id, Reflection.resource_link_id == launch.resource_link_id)
        .scalar_subquery()
    )
    query = (
        select(ResourceLink, Context, LtiUser, Attempt, reflection_status, registry.version_column())
        .join(Context, Context.id == ResourceLink.context_id)
        .join(LtiUser, LtiUser.id == launch.user_id)
        .outerjoin(Attempt, (Attempt.user_id == LtiUser.id) & (Attempt.resource_link_id == ResourceLink.id))
        .where(ResourceLink.id == launch.resource_link_id)
    )
    if writing:
        query = query.with_for_update(of=LtiUser)
    row = session.execute(query).first()
    if row is not None:
        registry.note_version(session, row[5])
    # Defence in depth: the launch is signed, but the rows must still all belong to one platform.
    if row is None or row[1].platform_id != launch.platform_id or row[2].platform_id != launch.platform_id:
        raise Forbidden("This module does not belong to the course you launched.", reason="link_mismatch")
    link, user, attempt = row[0], row[2], row[3]
    toolkit = web.catalogue().get(link.toolkit_id)
    if toolkit is None:
        raise NotFound("This toolkit is no longer available.", reason="unknown_toolkit")
    if attempt is None and writing:
        attempt = progress.open_attempt(session, user_id=user.id, link=link, toolkit=toolkit, for_update=True)
    elif attempt is None:
        # Not started, and a GET: show an unsaved attempt rather than create one.
        attempt = _unsaved_attempt(user.id, link, toolkit)
    platform = registry.platform_by_id(session, launch.platform_id)
    return Player(
        launch,
        link,
        toolkit,
        attempt,
        usable_brand_colour(platform.brand_colour if platform else ""),
        reflection_submitted=row[4] == "submitted",
    )


def _unsaved_attempt(user_id: int, link: ResourceLink, toolkit: Toolkit) -> Attempt:
    """What a learner's attempt looks like before their first step; never added to the session."""
    return Attempt(
        user_id=user_id,
        resource_link_id=link.id,
        toolkit_id=toolkit.id,
        current_page="",
        pages_viewed=[],
        answers={},
        answer_counts={},
        notes={},
        status="in_progress",
        graded=False,
    )


def has_started(launch: CurrentLaunch) -> bool:
    """True when this learner has already opened a page of this L1 (the start page then resumes)."""
    if launch.resource_link_id is None:
        return False
    attempt = progress.find_attempt(web.db_session(), user_id=launch.user_id, resource_link_id=launch.resource_link_id)
    return attempt is not None and bool(attempt.pages_viewed)


def usable_brand_colour(colour: str) -> str:
    """The platform's brand colour if white text on it meets WCAG 1.4.3 (4.5:1); else the default."""
    if not _HEX_COLOUR.match(colour or ""):
        return ""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return colour if 1.05 / (luminance + 0.05) >= 4.5 else ""


def _commit_and_deliver() -> None:
    """Commit the progress and its queued scores together.

    The scores are sent after the commit by the outbox's after-commit hook, outside this request
    (`lti_tool.background` or `swott worker`): a page step never waits for the LMS.
    """
    web.db_session().commit()


def _step_url(step: str, **values: object) -> str:
    return launch_url_for("l1.step", None, step=step, **values)


def view_url(step: str, launch: CurrentLaunch | None = None) -> str:
    """Where Next, Previous and Start post to: moving to `step` is recorded only by a POST."""
    return launch_url_for("l1.view", launch, step=step)


def _render_body(toolkit: Toolkit, source: str, body: str) -> str:
    """Render page Markdown; links to other L1 pages go to the player, files to the asset route."""
    base = posixpath.dirname(source)
    step_ids = set(progress.steps(toolkit))

    def resolve(href: str) -> str:
        target, _, fragment = href.partition("#")
        path = posixpath.normpath(posixpath.join(base, target)) if target else source
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if path.endswith(".md") and stem in step_ids:
            return _step_url(stem) + (f"#{fragment}" if fragment else "")
        return launch_url_for("l1.asset", toolkit_id=toolkit.id, path=path)

    return render_markdown(body, resolve)


def _contents(player: Player, current: str) -> list[dict[str, object]]:
    viewed = set(player.attempt.pages_viewed)
    return [
        {
            "step": step,
            "title": progress.step_title(player.toolkit, step),
            "url": _step_url(step),
            "current": step == current,
            "viewed": step in viewed,
        }
        for step in progress.steps(player.toolkit)
    ]


def _common(player: Player, step: str) -> dict[str, object]:
    all_steps = progress.steps(player.toolkit)
    index = all_steps.index(step)
    submitted = player.reflection_submitted
    return {
        "toolkit": player.toolkit,
        "attempt": player.attempt,
        "step": step,
        "contents": _contents(player, step),
        "position": progress.position(player.attempt, player.toolkit, step),
        "previous_url": view_url(all_steps[index - 1]) if index > 0 else "",
        "next_url": view_url(all_steps[index + 1]) if index + 1 < len(all_steps) else "",
        # Reached by a plain link (contents, a link in the text): l1.js records the view with a beacon.
        "record_view_url": view_url(step) if step not in player.attempt.pages_viewed else "",
        "previous_step": all_steps[index - 1] if index > 0 else "",
        "next_step": all_steps[index + 1] if index + 1 < len(all_steps) else "",
        "summary_url": launch_url_for("l1.summary"),
        "outstanding": progress.outstanding(player.attempt, player.toolkit, submitted),
        "completion_rule": progress.completion_rule(player.toolkit),
        "score": progress.score(player.attempt, player.toolkit),
        "brand_colour": player.brand_colour,
        "step_url": _step_url,
        "render_inline": inline_html,
    }


@bp.get("/l1/")
def resume() -> ResponseReturnValue:
    """Land where the learner stopped, on any device (the resume point is in the database)."""
    player = _player()
    step = progress.resume_step(player.attempt, player.toolkit)
    return redirect(_step_url(step), code=303)


def landing_page() -> ResponseReturnValue | None:
    """The page a returning learner sees straight from the launch POST: where they stopped (issue 15:
    no redirect chain). None for a learner who has not started, who gets the start page instead.

    Reads only, like a GET: the launch POST itself records nothing about progress.
    """
    player = _player(writing=False)
    if not player.attempt.pages_viewed:
        return None
    step = progress.resume_step(player.attempt, player.toolkit)
    g.launch_page_url = _step_url(step)
    return _reflection_page(player) if step == progress.REFLECTION_STEP else _content_page(player, step)


@bp.get("/l1/page/<step>")
def step(step: str) -> ResponseReturnValue:
    """Show a step. Reads only: with `SameSite=None` cookies a cross-site GET must change nothing."""
    player = _player()
    if step not in progress.steps(player.toolkit):
        raise NotFound("There is no such page in this module.", reason="unknown_page")
    if step == progress.REFLECTION_STEP:
        return _reflection_page(player)
    return _content_page(player, step)


@bp.post("/l1/page/<step>/view")
def view(step: str) -> ResponseReturnValue:
    """Move to `step` (Start, Next, Previous; or a beacon from l1.js after a plain link): record it as
    viewed and the resume point, then show it (Post/Redirect/Get, so reload and Back stay harmless)."""
    player = _player()
    progress.view_step(web.db_session(), player.attempt, player.toolkit, step)
    _commit_and_deliver()
    if request.form.get("beacon"):
        return "", 204
    return redirect(_step_url(step), code=303)


def _content_page(player: Player, step: str, status: int = 200, **extra: object) -> ResponseReturnValue:
    page = player.toolkit.l1.page(step)
    assert page is not None
    outcomes = {q.id: progress.last_answer(player.attempt, player.toolkit, q.id) for q in page.questions}
    html = render_template(
        "l1/page.html",
        page=page,
        # Rendered once per toolkit, page and process (issue 15): lti_tool/views/page_cache.py.
        body=page_html(player.toolkit, step, "body", lambda: _render_body(player.toolkit, page.source, page.body)),
        sources=Markup(
            page_html(
                player.toolkit,
                step,
                "sources",
                lambda: page_sources_html(player.toolkit, page.body, _references_url(player.toolkit)),
            )
        ),
        outcomes=outcomes,
        options_for=lambda question: progress.ordered_options(player.attempt, question),
        scoring_note=progress.scoring_note(player.toolkit),
        notes=player.attempt.notes,
        note_versions=thinking_notes.versions(player.attempt),
        answer_url=launch_url_for("l1.answer", None, step=step),
        notes_url=launch_url_for("l1.notes", None, step=step),
        **_common(player, step),
        **extra,
    )
    return html, status


def _references_url(toolkit: Toolkit) -> str:
    """The toolkit's references on its public catalogue page (no launch needed, so a new window works)."""
    return url_for("catalogue.toolkit", toolkit_id=toolkit.id, _anchor="references")


@bp.post("/l1/page/<step>/answer")
def answer(step: str) -> ResponseReturnValue:
    """Check one question's answer; feedback is shown per chosen option on the page it came from."""
    player = _player()
    page = _page_of_kind(player.toolkit, step, PageKind.CHECK)
    question_id = request.form.get("question", "")
    if question_id not in {q.id for q in page.questions}:
        raise NotFound("There is no such question on this page.", reason="unknown_question")
    chosen = set(request.form.getlist("option"))
    if not chosen:
        return _content_page(player, step, 400, missing_answer=question_id)
    progress.answer_question(web.db_session(), player.attempt, player.toolkit, question_id, chosen)
    _commit_and_deliver()
    return redirect(_step_url(step) + f"#feedback-{question_id}", code=303)


@bp.post("/l1/page/<step>/notes")
def notes(step: str) -> ResponseReturnValue:
    """Save the thinking notes the learner changed; then go where they asked (next, previous, a contents
    entry). Autosave (`autosave=1`) answers in JSON: saved with the new versions, 409 for a note changed
    in another tab, 413 for a note over the limit (a final answer for that text: the script stops)."""
    player = _player()
    page = _page_of_kind(player.toolkit, step, PageKind.THINKING)
    form = ThinkingNotesForm.for_prompts([p.id for p in page.prompts])
    autosave = bool(form.autosave.data)
    if not form.validate():
        if autosave:
            return jsonify(saved=False, message="These notes could not be read: reload the page."), 400
        raise BadRequest("These notes could not be read.", reason="notes_bad_form", advice="Reload the page.")
    sent = form.sent()
    changes = [thinking_notes.NoteChange(pid, text, version) for pid, (text, version) in sent.items()]
    session = web.db_session()
    try:
        saved = thinking_notes.save_notes(session, player.attempt, player.toolkit, step, changes)
    except (thinking_notes.NoteTooLong, thinking_notes.NoteConflict) as problem:
        session.rollback()
        fields = [problem.prompt_id] if isinstance(problem, thinking_notes.NoteTooLong) else problem.prompt_ids
        if autosave:
            body = {"saved": False, "fields": fields, "message": problem.message, "advice": problem.advice}
            if isinstance(problem, thinking_notes.NoteConflict):
                body["conflict"] = True
            return jsonify(body), problem.status
        typed = {pid: text for pid, (text, _version) in sent.items()}
        return _content_page(player, step, problem.status, notes_problem=problem, problem_fields=fields, typed=typed)
    go = form.go.data or step
    target = go if go in progress.steps(player.toolkit) else step
    if not autosave and target != step:
        # "Save and continue" / "Save and go back" move the learner on: the same POST records it.
        progress.view_step(session, player.attempt, player.toolkit, target)
    _commit_and_deliver()
    if autosave:
        # Only the boxes this save carried: a tab must not learn the version of a note whose text it lacks.
        return jsonify(saved=True, versions={pid: saved[pid] for pid in sent if pid in saved})
    return redirect(_step_url(target), code=303)


def _page_of_kind(toolkit: Toolkit, step: str, kind: PageKind) -> Page:
    page = toolkit.l1.page(step)
    if page is None or page.kind is not kind:
        raise NotFound("There is no such page in this module.", reason="unknown_page")
    return page


# --- Reflection editor ------------------------------------------------------------------------------


def _default_values(player: Player) -> dict[str, str]:
    return {
        "cpd_title": player.toolkit.l1.reflection.cpd_title,
        "cpd_date": date.today().isoformat(),
        "cpd_type": CPD_TYPES[0],
    }


def _reflection_page(
    player: Player,
    status: int = 200,
    *,
    values: dict[str, str] | None = None,
    version: int | None = None,
    **extra: object,
) -> ResponseReturnValue:
    session = web.db_session()
    stored = reflections.find_reflection(session, user_id=player.attempt.user_id, resource_link_id=player.link.id)
    if values is None:
        values = dict(stored.fields) if stored else _default_values(player)
    if version is None:
        version = stored.version if stored else 0
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
        guidance=_render_body(player.toolkit, template.source, template.guidance),
        fields=reflections.form_fields(player.toolkit),
        save_url=launch_url_for("l1.save_reflection"),
        values=values,
        cpd_types=CPD_TYPES,
        reflection=stored,
        version=version,
        warnings=reflections.identifying_details(values),
        checks_left=[(title, count, _step_url(page_id)) for page_id, title, count in checks_left],
        thinking_notes=[(prompts[k], v) for k, v in player.attempt.notes.items() if k in prompts and v.strip()],
        **_common(player, progress.REFLECTION_STEP),
        **extra,
    )
    return html, status


@bp.post("/l1/page/reflection")
def save_reflection() -> ResponseReturnValue:
    """Save a draft or submit. Autosave (`autosave=1`, from fetch or sendBeacon) answers in JSON."""
    player = _player()
    session = web.db_session()
    names = [f.id for f in reflections.form_fields(player.toolkit)]
    values = {name: request.form.get(name, "") for name in names}
    autosave = bool(request.form.get("autosave"))
    try:
        version = int(request.form.get("version", "0"))
    except ValueError:
        version = -1
    action = request.form.get("action", "save")
    if action == "carry" and not autosave:
        # One form, not two: the stages already written fill the empty record boxes, to be edited.
        values = carry_into_record(player.toolkit.l1.reflection.model, values)
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
            return jsonify(conflict=True, message=conflict.message, advice=conflict.advice), 409
        # Keep what the learner typed on screen (nothing is lost) but do not save it.
        return _reflection_page(player, 409, values=values, version=version, conflict=conflict)
    except reflections.ReflectionIncomplete as incomplete:
        session.rollback()
        return _reflection_page(player, 400, values=values, version=version, incomplete=incomplete)
    except progress.ChecksOutstanding as outstanding:
        session.rollback()
        return _reflection_page(player, 400, values=values, version=version, checks_outstanding=outstanding)
    except BadRequest as refused:
        session.rollback()
        if autosave:
            # A box over its limit: the script shows these words and waits for an edit (no retries).
            return jsonify(saved=False, message=refused.message, advice=refused.advice), refused.status
        raise
    _commit_and_deliver()
    warnings = reflections.identifying_details(saved.fields)
    if autosave:
        return jsonify(
            saved=True,
            version=saved.version,
            saved_at=saved.updated_at.isoformat(),
            warnings=[{"field": w.field_id, "message": w.message} for w in warnings],
        )
    if saved.status == "submitted":
        return redirect(launch_url_for("l1.summary"), code=303)
    anchor = "#record" if action == "carry" else ""
    return redirect(_step_url(progress.REFLECTION_STEP, saved="1") + anchor, code=303)


@bp.get("/l1/summary")
def summary() -> ResponseReturnValue:
    """Where the learner stands: score, each question, what is left, the submitted reflection."""
    player = _player()
    session = web.db_session()
    stored = reflections.find_reflection(session, user_id=player.attempt.user_id, resource_link_id=player.link.id)
    results = [
        (
            q,
            progress.last_answer(player.attempt, player.toolkit, q.id),
            progress.counts_as_right(player.attempt, player.toolkit, q),
        )
        for q in player.toolkit.l1.questions
    ]
    session.commit()
    step = progress.resume_step(player.attempt, player.toolkit)
    return render_template(
        "l1/summary.html",
        results=results,
        reflection=stored,
        fields=reflections.form_fields(player.toolkit),
        scoring_note=progress.scoring_note(player.toolkit),
        **{**_common(player, step), "contents": _contents(player, ""), "record_view_url": ""},
    )


@bp.get("/l1/asset/<toolkit_id>/<path:path>")
def asset(toolkit_id: str, path: str) -> ResponseReturnValue:
    """A toolkit's images and files (only under its `assets/` folder)."""
    toolkit = web.catalogue().get(toolkit_id)
    if toolkit is None or not toolkit.path or not path.startswith("assets/"):
        raise NotFound("There is no such file.", reason="unknown_asset")
    # Serve from the assets folder itself, so `assets/../toolkit.yaml` cannot climb out of it.
    return send_from_directory(Path(toolkit.path) / "assets", path.removeprefix("assets/"), max_age=3600)


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    """The accessibility statement UK public sector bodies must publish (PSBAR 2018, WCAG 2.2 AA)."""
    return render_template("l1/accessibility.html")


# --- The facilitator's roster -------------------------------------------------------------------------


def roster_table(launch: CurrentLaunch, toolkit: Toolkit) -> dict[str, object]:
    """Template values for `l1/_roster.html` on the facilitator page: every course member and their L1.

        The members come from the platform over NRPS 2.0 (`services.roster`), so people who have never
        opened the activity are listed as "not started"; if the platform offers no roster, or does not
        answer, the table falls back to the people who have launched, and says so. The list is refreshed in
    the background (never in this request) and the page says when it last came from the LMS. Status, percentage and
        score come from `services.progress` through the dashboard's rows (reflection text is never read).
    """
    state = roster.ensure_recent(
        web.database(), launch.context_id, web.background(), redis_url=web.settings().redis_url
    )
    board = dashboard.build(web.db_session(), context_id=launch.context_id, toolkit=toolkit)
    return {
        "roster_rows": board.rows,
        "roster_notice": state.notice,
        "roster_synced": state.synced_text,
        "l1_status": dashboard.L1Status,
    }
