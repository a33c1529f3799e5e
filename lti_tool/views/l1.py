"""The L1 player: one page at a time, knowledge checks, thinking notes and the CPD reflection editor.

Thin views over `services.progress`, `services.notes` and `services.reflections`; the launch, the
learner's attempt and dates come from `views.l1_player`, every form is a WTForms class in
`lti_tool.forms_l1`, and the reflection editor's views live in `views.l1_reflection`. Every page works
as a plain HTML form; `l1.js` adds autosave (a few seconds after typing stops, and on `pagehide` with
`navigator.sendBeacon`), `frame.js` fits the LMS frame to the page and brings a result into view.

Accessibility (WCAG 2.2 AA): GOV.UK Frontend components (task list contents, radios and checkboxes with
their labels beside the box, error summary and inline errors), one `h1` per page, live regions for save
status, no time limits; see /accessibility.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, g, jsonify, redirect, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from lti_tool import dates, web
from lti_tool.access import launch_required
from lti_tool.branding import usable_brand_colour
from lti_tool.errors import BadRequest, NotFound
from lti_tool.forms_l1 import AnswerForm, StepForm, ThinkingNotesForm
from lti_tool.i18n import content_lang, current_language, translated_advice, translated_message
from lti_tool.lti.session import CurrentLaunch, launch_url_for
from lti_tool.services import dashboard, progress, reflections, roster
from lti_tool.services import notes as thinking_notes
from lti_tool.views import l1_reflection
from lti_tool.views.l1_player import (
    Player,
    commit_and_deliver,
    common,
    contents_html,
    load_player,
    render_body,
    step_url,
    view_url,
)
from lti_tool.views.page_cache import page_html
from toolkits.evidence import EvidenceWords, page_sources_html
from toolkits.model import Page, PageKind, Toolkit

__all__ = [
    "begin_after_questions",
    "bp",
    "has_started",
    "landing_page",
    "roster_table",
    "usable_brand_colour",
    "view_url",
]

bp = Blueprint("l1", __name__)
log = logging.getLogger(__name__)
bp.add_url_rule(
    "/l1/page/reflection",
    "save_reflection",
    launch_required(l1_reflection.save_reflection),
    methods=["POST"],
)


def has_started(launch: CurrentLaunch) -> bool:
    """True when this learner has already opened a page of this L1 (the start page then resumes)."""
    if launch.resource_link_id is None:
        return False
    attempt = progress.find_attempt(web.db_session(), user_id=launch.user_id, resource_link_id=launch.resource_link_id)
    return attempt is not None and bool(attempt.pages_viewed)


@bp.get("/l1/")
@launch_required
def resume() -> ResponseReturnValue:
    """Land where the learner stopped, on any device (the resume point is in the database)."""
    player = load_player()
    step = progress.resume_step(player.attempt, player.toolkit)
    # `back=1`: the page says where the learner left off (issue 10 item 9), once; its address drops it.
    return redirect(step_url(step, back="1") if player.attempt.pages_viewed else step_url(step), code=303)


def landing_page() -> tuple[ResponseReturnValue | None, Player]:
    """The page a returning learner sees straight from the launch POST: where they stopped (issue 15:
    no redirect chain), with the player it was made from. None for a learner who has not started, who
    gets the start page instead (its dates from the same player: no second query).

    Reads only, like a GET: the launch POST itself records nothing about progress.
    """
    player = load_player(writing=False)
    if not player.attempt.pages_viewed:
        return None, player
    step = progress.resume_step(player.attempt, player.toolkit)
    g.launch_page_url = step_url(step)
    if step == progress.REFLECTION_STEP:
        return l1_reflection.reflection_page(player, welcome_back=True), player
    return _content_page(player, step, welcome_back=True), player


def begin_after_questions() -> ResponseReturnValue:
    """What the before questionnaire's Skip or Submit (a POST) answers with: the L1 page itself (issue 15:
    no redirect through the start page). The first step is recorded as viewed, as Start would, in the
    questionnaire's own transaction (the caller commits nothing itself); a learner who had already
    started lands where they stopped. `static/launch.js` puts the page's address in the address bar, so
    a reload asks for the page and never posts the questions again.
    """
    player = load_player(writing=True)
    step = progress.resume_step(player.attempt, player.toolkit)
    if not player.attempt.pages_viewed:
        step = progress.steps(player.toolkit)[0]
    progress.view_step(web.db_session(), player.attempt, player.toolkit, step)
    commit_and_deliver()
    return show_step(player, step)


def show_step(player: Player, step: str, fragment: str = "") -> ResponseReturnValue:
    """What a POST that moves the learner answers with (issue 15: one request, no Post/Redirect/Get):
    the step's page itself, after the caller committed. The page names its own GET address
    (`g.launch_page_url`, with `fragment`), which `static/launch.js` puts in the address bar: a reload
    or Back asks for the page with GET and never posts again, and the language switch links to it.
    The launch POST, the before questionnaire's Skip/Submit, Next/Previous, an answer and "Save and
    continue" all use this one mechanism.
    """
    g.launch_page_url = step_url(step) + (f"#{fragment}" if fragment else "")
    if step == progress.REFLECTION_STEP:
        return l1_reflection.reflection_page(player)
    return _content_page(player, step)


@bp.get("/l1/page/<step>")
@launch_required
def step(step: str) -> ResponseReturnValue:
    """Show a step. Reads only: with `SameSite=None` cookies a cross-site GET must change nothing."""
    player = load_player()
    if step not in progress.steps(player.toolkit):
        raise NotFound(gettext("There is no such page in this module."), reason="unknown_page")
    if step == progress.REFLECTION_STEP:
        return l1_reflection.reflection_page(player)
    return _content_page(player, step)


@bp.post("/l1/page/<step>/view")
@launch_required
def view(step: str) -> ResponseReturnValue:
    """Move to `step` (Start, Next, Previous; or a beacon from l1.js after a plain link): record it as
    viewed and the resume point, then answer with its page (`show_step`: reload and Back ask for the
    page with GET, so they stay harmless)."""
    player = load_player()
    progress.view_step(web.db_session(), player.attempt, player.toolkit, step)
    commit_and_deliver()
    form = StepForm()
    if form.validate() and form.beacon.data:
        return "", 204
    return show_step(player, step)


def evidence_words() -> EvidenceWords:
    """The words `toolkits.evidence` writes around a page's sources, in this request's language (the
    toolkit package never imports Flask); the citations themselves stay marked as English."""
    language = current_language()
    return EvidenceWords(
        sources_title=gettext("Sources for this page"),
        references_label=gettext("References"),
        all_references=gettext("All references for this toolkit"),
        opens_in_new_window=gettext("(opens in a new window)"),
        # Without values, gettext gives the sentence with its %(…)s left in, for toolkits.evidence to fill.
        reviewed_and_due=gettext("Content last reviewed %(reviewed)s; next review due by %(due)s."),
        reviewed=gettext("Content last reviewed %(reviewed)s."),
        due=gettext("Next review due by %(due)s."),
        day=lambda day: dates.format_date(day, language=language),
        content_lang=str(content_lang()),
    )


def _content_page(player: Player, step: str, status: int = 200, **extra: object) -> ResponseReturnValue:
    page = player.toolkit.l1.page(step)
    assert page is not None
    outcomes = {q.id: progress.last_answer(player.attempt, player.toolkit, q.id) for q in page.questions}
    html = render_template(
        "l1/page.html",
        page=page,
        # Rendered once per toolkit, page and process (issue 15): lti_tool/views/page_cache.py.
        body=page_html(player.toolkit, step, "body", lambda: render_body(player.toolkit, page.source, page.body)),
        sources=Markup(
            page_html(
                player.toolkit,
                step,
                f"sources-{current_language()}",  # the words around the sources are in the page's language
                lambda: page_sources_html(player.toolkit, page.body, _references_url(player.toolkit), evidence_words()),
            )
        ),
        outcomes=outcomes,
        options_for=lambda question: progress.ordered_options(player.attempt, question),
        scoring_note=progress.scoring_note(player.toolkit, gettext),
        notes=player.attempt.notes,
        note_versions=thinking_notes.versions(player.attempt),
        answer_url=launch_url_for("l1.answer", None, step=step),
        notes_url=launch_url_for("l1.notes", None, step=step),
        **common(player, step),
        **extra,
    )
    return html, status


def _references_url(toolkit: Toolkit) -> str:
    """The toolkit's references on its public catalogue page (no launch needed, so a new window works)."""
    return url_for("catalogue.toolkit", toolkit_id=toolkit.id, _anchor="references")


@bp.post("/l1/page/<step>/answer")
@launch_required
def answer(step: str) -> ResponseReturnValue:
    """Check one question's answer; answers with the page it came from, the feedback shown per chosen
    option (the form's action ends in `#feedback-<question>`, so the browser lands on it)."""
    player = load_player()
    page = _page_of_kind(player.toolkit, step, PageKind.CHECK)
    form = AnswerForm()
    question = next((q for q in page.questions if q.id == form.question.data), None)
    if question is None:
        raise NotFound(gettext("There is no such question on this page."), reason="unknown_question")
    if not form.for_question(question).validate():
        return _content_page(player, step, 400, answer_form=form, answered=question.id)
    question_id, chosen = question.id, form.chosen
    progress.answer_question(web.db_session(), player.attempt, player.toolkit, question_id, chosen)
    commit_and_deliver()
    return show_step(player, step, fragment=f"feedback-{question_id}")


@bp.post("/l1/page/<step>/notes")
@launch_required
def notes(step: str) -> ResponseReturnValue:
    """Save the thinking notes the learner changed; then go where they asked (next, previous, a contents
    entry). Autosave (`autosave=1`) answers in JSON: saved with the new versions, 409 for a note changed
    in another tab, 413 for a note over the limit (a final answer for that text: the script stops)."""
    player = load_player()
    page = _page_of_kind(player.toolkit, step, PageKind.THINKING)
    form = ThinkingNotesForm.for_prompts([p.id for p in page.prompts])
    autosave = bool(form.autosave.data)
    if not form.validate():
        if autosave:
            return jsonify(saved=False, message=gettext("These notes could not be read: reload the page.")), 400
        raise BadRequest(
            gettext("These notes could not be read."), reason="notes_bad_form", advice=gettext("Reload the page.")
        )
    sent = form.sent()
    changes = [thinking_notes.NoteChange(pid, text, version) for pid, (text, version) in sent.items()]
    session = web.db_session()
    try:
        saved = thinking_notes.save_notes(session, player.attempt, player.toolkit, step, changes)
    except (thinking_notes.NoteTooLong, thinking_notes.NoteConflict) as problem:
        session.rollback()
        fields = [problem.prompt_id] if isinstance(problem, thinking_notes.NoteTooLong) else problem.prompt_ids
        if autosave:
            body = {
                "saved": False,
                "fields": fields,
                "message": translated_message(problem),
                "advice": translated_advice(problem),
            }
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
    commit_and_deliver()
    if autosave:
        # Only the boxes this save carried: a tab must not learn the version of a note whose text it lacks.
        return jsonify(saved=True, versions={pid: saved[pid] for pid in sent if pid in saved})
    return show_step(player, target)


def _page_of_kind(toolkit: Toolkit, step: str, kind: PageKind) -> Page:
    page = toolkit.l1.page(step)
    if page is None or page.kind is not kind:
        raise NotFound(gettext("There is no such page in this module."), reason="unknown_page")
    return page


@bp.get("/l1/summary")
@launch_required
def summary() -> ResponseReturnValue:
    """Where the learner stands: score, each question, what is left, the submitted reflection."""
    player = load_player()
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
        scoring_note=progress.scoring_note(player.toolkit, gettext),
        **{**common(player, step), "contents_html": contents_html(player, ""), "record_view_url": ""},
    )


@bp.get("/l1/asset/<toolkit_id>/<path:path>")
def asset(toolkit_id: str, path: str) -> ResponseReturnValue:
    """A toolkit's images and files (only under its `assets/` folder)."""
    toolkit = web.catalogue().get(toolkit_id)
    if toolkit is None or not toolkit.path or not path.startswith("assets/"):
        raise NotFound(gettext("There is no such file."), reason="unknown_asset")
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
        "roster_notice": gettext(state.notice) if state.notice else "",
        "roster_synced": state.synced_sentence(gettext, current_language()),
        "l1_status": dashboard.L1Status,
    }
