"""The HTML inside every package: the L1 player page and the L2 session pack.

All toolkit Markdown goes through `toolkits.render` (the renderer the LTI player uses) and reflection
forms through `toolkits.cpd.reflection_fields`, so both faces show the same content. The L1 player is a
single page (`index.html`, the SCO / AU) holding every L1 page as a section; `swott/sco.js` shows one
at a time, talks to the LMS and keeps the learner's state. The L2 session pack is plain, printable HTML
under `session/` that needs no script, for facilitators and participants.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path

from toolkits import cpd
from toolkits.evidence import REFERENCES_ID, references_html
from toolkits.model import Document, GroupFormat, Page, PageKind, ReflectionTemplate, Toolkit
from toolkits.render import render_inline, render_markdown

RUNTIME_FILES = ("sco.js", "style.css")
RUNTIME_DIR = "swott"
SESSION_DIR = "session"
REFLECTION_PAGE = "reflection"
FINISH_PAGE = "finish"


@dataclass(frozen=True)
class Target:
    """Where a toolkit file ends up in the package: an output file and an anchor in it."""

    file: str
    anchor: str = ""


def _targets(toolkit: Toolkit) -> dict[str, Target]:
    l1, l2 = toolkit.l1, toolkit.l2
    targets = {page.source: Target("index.html", f"page-{page.id}") for page in l1.pages}
    targets[l1.reflection.source] = Target("index.html", f"page-{REFLECTION_PAGE}")
    targets[l2.introduction.source] = Target(f"{SESSION_DIR}/case-study.html")
    for stage in l2.stages:
        targets[stage.source] = Target(f"{SESSION_DIR}/case-study.html", f"stage-{stage.id}")
    targets[l2.facilitator_guide.source] = Target(f"{SESSION_DIR}/facilitator-guide.html")
    targets[l2.participant_sheet.source] = Target(f"{SESSION_DIR}/participant-sheet.html")
    targets[l2.reflection.source] = Target(f"{SESSION_DIR}/participant-sheet.html", "peer-reflection")
    return targets


def asset_files(toolkit: Toolkit) -> dict[str, bytes]:
    """Every file under the toolkit's `assets/` folder, by its path in the package."""
    root = Path(toolkit.path)
    folder = root / "assets"
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def runtime_files() -> dict[str, bytes]:
    """The SCO runtime and style sheet, written here (scorm_packager/runtime), no framework."""
    folder = resources.files("scorm_packager") / "runtime"
    return {f"{RUNTIME_DIR}/{name}": (folder / name).read_bytes() for name in RUNTIME_FILES}


class _Renderer:
    """Renders one toolkit's Markdown for one output file, resolving links to package paths."""

    def __init__(self, toolkit: Toolkit) -> None:
        self.toolkit = toolkit
        self.targets = _targets(toolkit)

    def markdown(self, text: str, source: str, out_file: str) -> str:
        return render_markdown(text, resolve_link=self._resolver(source, out_file))

    def _resolver(self, source: str, out_file: str) -> Callable[[str], str]:
        source_dir = posixpath.dirname(source)
        out_dir = posixpath.dirname(out_file)

        def resolve(href: str) -> str:
            path, _, fragment = href.partition("#")
            rel = posixpath.normpath(posixpath.join(source_dir, path)) if path else source
            target = self.targets.get(rel, Target(rel))
            url = posixpath.relpath(target.file, out_dir or ".") if target.file != out_file else ""
            anchor = fragment or target.anchor
            return f"{url}#{anchor}" if anchor else url or "#"

        return resolve


def _page_head(title: str, css: str, extra: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{css}">\n{extra}</head>\n'
    )


def _field_html(field: cpd.Field, prefix: str, template: ReflectionTemplate) -> str:
    """One reflection box: label, hint and control, with ids the runtime and tests rely on."""
    fid = f"{prefix}{field.id}"
    hint_id = f"{fid}-hint"
    attrs = f'id="{fid}" name="{field.id}" aria-describedby="{hint_id}"'
    if field.required:
        attrs += ' required aria-required="true"'
    if field.id == "cpd_title":
        control = f'<input type="text" {attrs} value="{escape(template.cpd_title)}">'
    elif field.id == "cpd_date":
        control = f'<input type="date" {attrs}>'
    elif field.id == "cpd_type":
        options = "".join(f"<option>{escape(t)}</option>" for t in cpd.CPD_TYPES)
        control = f"<select {attrs}>{options}</select>"
    else:
        control = f'<textarea {attrs} rows="5"></textarea>'
    return (
        f'<div class="field">\n<label for="{fid}">{escape(field.label)}</label>\n'
        f'<p class="hint" id="{hint_id}">{escape(field.hint)}</p>\n{control}\n</div>\n'
    )


def _question_html(page: Page, r: _Renderer) -> str:
    parts: list[str] = []
    for question in page.questions:
        qid = question.id
        kind = "radio" if question.type.value == "single" else "checkbox"
        how = "Choose one answer." if kind == "radio" else "Choose every answer that applies."
        options = "".join(
            f'<div class="option"><input type="{kind}" name="q-{qid}" id="q-{qid}-{o.id}" value="{o.id}">'
            f'<label for="q-{qid}-{o.id}">{render_inline(o.text)}</label></div>\n'
            for o in question.options
        )
        feedback = "".join(
            f'<div class="option-feedback" data-option="{o.id}" hidden>'
            f"<p><strong>{render_inline(o.text)}:</strong></p>"
            f"{r.markdown(o.feedback, page.source, 'index.html')}</div>\n"
            for o in question.options
        )
        parts.append(
            f'<fieldset class="question" data-question="{qid}">\n'
            f'<legend>{render_inline(question.prompt)}</legend>\n<p class="hint">{how}</p>\n{options}'
            f'<button type="button" class="check-answer" data-question="{qid}">Check my answer</button>\n'
            f'<div class="feedback" id="feedback-{qid}" role="status" aria-live="polite">\n'
            f'<p class="verdict"></p>\n{feedback}</div>\n</fieldset>\n'
        )
    return "".join(parts)


def _l1_section(page: Page, r: _Renderer) -> str:
    body = r.markdown(page.body, page.source, "index.html") if page.body.strip() else ""
    extra = ""
    if page.kind is PageKind.CHECK:
        extra = _question_html(page, r)
    elif page.kind is PageKind.THINKING:
        extra = "".join(
            f'<div class="field"><label for="note-{p.id}">{render_inline(p.text)}</label>\n'
            f'<textarea id="note-{p.id}" data-note="{p.id}" rows="4"></textarea></div>\n'
            for p in page.prompts
        )
        extra += '<p class="hint">These notes stay in this browser and feed your reflection.</p>\n'
    return (
        f'<section class="swott-page" id="page-{page.id}" data-kind="{page.kind.value}" '
        f'aria-labelledby="title-{page.id}">\n<h2 id="title-{page.id}" tabindex="-1">{escape(page.title)}</h2>\n'
        f"{body}{extra}{_references_link()}</section>\n"
    )


def _references_link() -> str:
    """Every L1 page links to the unit's references (issue 11: evidence shown, not only in a catalogue)."""
    return f'<p class="page-references"><a href="#{REFERENCES_ID}">References and review dates</a></p>\n'


def _reflection_section(toolkit: Toolkit, r: _Renderer) -> str:
    template = toolkit.l1.reflection
    model_title = cpd.REFLECTIVE_MODELS[template.model][0]
    fields = cpd.reflection_fields(template.model, template.peer_reflection)
    model_ids = {f.id for f in cpd.REFLECTIVE_MODELS[template.model][1]}
    model_fields = "".join(_field_html(f, "r-", template) for f in fields if f.id in model_ids)
    record_fields = "".join(_field_html(f, "r-", template) for f in fields if f.id not in model_ids)
    return (
        f'<section class="swott-page" id="page-{REFLECTION_PAGE}" data-kind="reflection" '
        f'aria-labelledby="title-{REFLECTION_PAGE}">\n'
        f'<h2 id="title-{REFLECTION_PAGE}" tabindex="-1">{escape(template.title)}</h2>\n'
        f"{r.markdown(template.guidance, template.source, 'index.html')}{_references_link()}"
        '<form id="reflection-form" novalidate>\n'
        f"<fieldset><legend>{escape(model_title)}</legend>\n{model_fields}</fieldset>\n"
        f"<fieldset><legend>Your Social Work England CPD record</legend>\n{record_fields}</fieldset>\n"
        '<div id="reflection-errors" role="alert"></div>\n'
        '<button type="submit">Save my reflection</button>\n'
        '<p id="reflection-saved" role="status" aria-live="polite"></p>\n'
        '<p><a id="cpd-download" hidden>Download my CPD record</a></p>\n'
        '<p class="hint">Your reflection stays in this browser (and is never shown to your manager); '
        "download it for your CPD portfolio.</p>\n</form>\n</section>\n"
    )


def _finish_section(toolkit: Toolkit) -> str:
    return (
        f'<section class="swott-page" id="page-{FINISH_PAGE}" data-kind="finish" '
        f'aria-labelledby="title-{FINISH_PAGE}">\n'
        f'<h2 id="title-{FINISH_PAGE}" tabindex="-1">Your progress</h2>\n'
        '<dl id="summary">\n'
        '<dt>Pages read</dt><dd id="summary-pages"></dd>\n'
        '<dt>Knowledge checks</dt><dd id="summary-score"></dd>\n'
        '<dt>Reflection</dt><dd id="summary-reflection"></dd>\n'
        '<dt>Status</dt><dd id="summary-status"></dd>\n</dl>\n'
        f"<p>Next: the group session (L2), about {toolkit.l2.minutes} minutes with your team. "
        f'<a href="{SESSION_DIR}/index.html" target="_blank" rel="noopener">Open the session pack</a>.</p>\n'
        '<button type="button" id="finish-button">Save and close</button>\n'
        '<p id="finish-message" role="status" aria-live="polite"></p>\n</section>\n'
    )


def player_data(toolkit: Toolkit, flavour: str, pass_mark: int | None) -> dict[str, object]:
    """What `sco.js` needs to know: page order, questions and their right answers, reflection fields."""
    l1 = toolkit.l1
    template = l1.reflection
    return {
        "toolkit": toolkit.id,
        "version": toolkit.version,
        "title": toolkit.title,
        "flavour": flavour,
        "passMark": pass_mark,
        "completion": sorted(p.value for p in l1.completion),
        "retries": l1.retries,
        "scoring": l1.scoring.value,
        "pages": [p.id for p in l1.pages] + [REFLECTION_PAGE, FINISH_PAGE],
        "contentPages": [p.id for p in l1.pages],
        "questions": [
            {"id": q.id, "options": [o.id for o in q.options], "correct": sorted(q.correct_option_ids)}
            for q in l1.questions
        ],
        "prompts": [p.id for page in l1.pages for p in page.prompts],
        "promptTexts": {p.id: " ".join(p.text.split()) for page in l1.pages for p in page.prompts},
        "reflection": {
            "model": template.model,
            "modelTitle": cpd.REFLECTIVE_MODELS[template.model][0],
            "fields": [
                {"id": f.id, "label": f.label, "required": f.required}
                for f in cpd.reflection_fields(template.model, template.peer_reflection)
            ],
        },
    }


def l1_player(toolkit: Toolkit, flavour: str, pass_mark: int | None) -> bytes:
    """`index.html`: the SCO (SCORM), the AU (cmi5) or the standalone page (html export)."""
    r = _Renderer(toolkit)
    l1 = toolkit.l1
    toc = "".join(
        f'<li><a href="#page-{pid}" data-page="{pid}">{escape(title)}</a></li>\n'
        for pid, title in [(p.id, p.title) for p in l1.pages]
        + [(REFLECTION_PAGE, l1.reflection.title), (FINISH_PAGE, "Your progress")]
    )
    sections = "".join(_l1_section(p, r) for p in l1.pages)
    data = json.dumps(player_data(toolkit, flavour, pass_mark), sort_keys=True, ensure_ascii=True)
    outcomes = "".join(f"<li>{render_inline(o)}</li>" for o in toolkit.learning_outcomes)
    return (
        _page_head(f"{toolkit.title} (L1)", f"{RUNTIME_DIR}/style.css") + "<body>\n"
        '<a class="skip-link" href="#main">Skip to the page</a>\n'
        '<header class="masthead">\n<p class="kicker">SWOTT CPD toolkit · individual learning (L1) · '
        f"about {l1.minutes} minutes</p>\n<h1>{escape(toolkit.title)}</h1>\n"
        '<div id="swott-banner" class="banner" role="status" hidden></div>\n</header>\n'
        '<div class="layout">\n<nav aria-label="Pages of this unit">\n<ol id="swott-toc">\n'
        f"{toc}</ol>\n"
        f'<p><a href="{SESSION_DIR}/index.html" target="_blank" rel="noopener">'
        "Group session pack (L2, opens in a new window)</a></p>\n"
        f"<details><summary>Learning outcomes</summary><ul>{outcomes}</ul></details>\n"
        f'<p><a href="#{REFERENCES_ID}">References</a></p>\n</nav>\n'
        f'<main id="main">\n{sections}{_reflection_section(toolkit, r)}{_finish_section(toolkit)}'
        '<div class="pager">\n<button type="button" id="prev-button">Previous page</button>\n'
        '<p id="page-position" aria-live="polite"></p>\n'
        '<button type="button" id="next-button">Next page</button>\n</div>\n'
        f"{references_html(toolkit)}</main>\n</div>\n"
        f'<script type="application/json" id="swott-data">{data}</script>\n'
        f'<script src="{RUNTIME_DIR}/sco.js"></script>\n</body>\n</html>\n'
    ).encode()


# -- L2 session pack -------------------------------------------------------------------------------


def _session_page(toolkit: Toolkit, title: str, body: str) -> bytes:
    nav = (
        '<nav aria-label="Session pack"><ul class="pack-nav">'
        '<li><a href="index.html">Session plan</a></li>'
        '<li><a href="case-study.html">Case study</a></li>'
        '<li><a href="facilitator-guide.html">Facilitator guide</a></li>'
        '<li><a href="participant-sheet.html">Participant sheet</a></li>'
        f'<li><a href="#{REFERENCES_ID}">References</a></li>'
        "</ul></nav>\n"
    )
    return (
        _page_head(f"{title} — {toolkit.title}", f"../{RUNTIME_DIR}/style.css")
        + '<body class="print-pack">\n<a class="skip-link" href="#main">Skip to the content</a>\n'
        f'<header class="masthead">\n<p class="kicker">SWOTT CPD toolkit · group session (L2)</p>\n'
        f'<p class="toolkit-title">{escape(toolkit.title)}</p>\n{nav}</header>\n'
        f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}{references_html(toolkit)}'
        '<p class="no-print hint">Print with your browser (Ctrl+P or Cmd+P): the page is laid out for A4.</p>\n'
        "</main>\n</body>\n</html>\n"
    ).encode()


FORMAT_NAMES = {
    GroupFormat.SWOTT_DEFAULT: "SWOTT default",
    GroupFormat.ACTION_LEARNING_SET: "action learning set",
    GroupFormat.BELLS_THAT_RING: "Bells that Ring",
}


def _agenda_table(toolkit: Toolkit) -> str:
    rows, start = [], 0
    for item in toolkit.l2.agenda:
        rows.append(
            f'<tr><td>{start}–{start + item.minutes}</td><th scope="row">{escape(item.title)}</th>'
            f"<td>{item.minutes}</td></tr>\n"
        )
        start += item.minutes
    return (
        f'<table class="agenda">\n<caption>Agenda ({toolkit.l2.minutes} minutes, '
        f"{escape(FORMAT_NAMES[toolkit.l2.format])} format)</caption>\n"
        '<thead><tr><th scope="col">Minutes</th><th scope="col">What happens</th>'
        f'<th scope="col">Length (min)</th></tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table>\n'
    )


def _prompt_list(title: str, prompts: tuple[str, ...], heading: str = "h2") -> str:
    items = "".join(f"<li>{render_inline(p)}</li>\n" for p in prompts)
    return f"<{heading}>{escape(title)}</{heading}>\n<ul>\n{items}</ul>\n"


def _document(doc: Document, r: _Renderer, out: str) -> str:
    return r.markdown(doc.body, doc.source, out)


def session_pack(toolkit: Toolkit) -> dict[str, bytes]:
    """The L2 session pack: plan with timed agenda, case study in stages, guide and participant sheet."""
    r = _Renderer(toolkit)
    l2 = toolkit.l2
    plan = (
        f"<p>{escape(' '.join(toolkit.summary.split()))}</p>\n"
        f"{_agenda_table(toolkit)}"
        "<h2>The pack</h2>\n<ul>\n"
        '<li><a href="case-study.html">Case study, in stages, with discussion prompts</a> (for a shared screen)</li>\n'
        '<li><a href="facilitator-guide.html">Facilitator guide</a></li>\n'
        '<li><a href="participant-sheet.html">Participant sheet and peer reflection form</a> (print one each)</li>\n'
        "</ul>\n"
        f"{_prompt_list('Peer feedback (current practice)', l2.feedback_prompts)}"
        f"{_prompt_list('Peer feedforward (future practice)', l2.feedforward_prompts)}"
    )
    case_out = f"{SESSION_DIR}/case-study.html"
    stages = "".join(
        f'<section class="stage" id="stage-{s.id}" aria-labelledby="stage-title-{s.id}">\n'
        f'<h2 id="stage-title-{s.id}">{escape(s.title)}</h2>\n{r.markdown(s.body, s.source, case_out)}'
        f"{_prompt_list('Discussion prompts', s.prompts, 'h3')}</section>\n"
        for s in l2.stages
    )
    case = f"{_document(l2.introduction, r, case_out)}{stages}"
    guide_out = f"{SESSION_DIR}/facilitator-guide.html"
    guide = (
        f"{_document(l2.facilitator_guide, r, guide_out)}{_agenda_table(toolkit)}"
        "<h2>Prompts by stage</h2>\n"
        + "".join(_prompt_list(s.title, s.prompts, "h3") for s in l2.stages)
        + _prompt_list("Peer feedback (current practice)", l2.feedback_prompts)
        + _prompt_list("Peer feedforward (future practice)", l2.feedforward_prompts)
    )
    sheet_out = f"{SESSION_DIR}/participant-sheet.html"
    template = l2.reflection
    fields = cpd.reflection_fields(template.model, template.peer_reflection)
    boxes = "".join(
        f'<div class="write-box"><h3>{escape(f.label)}</h3><p class="hint">{escape(f.hint)}</p></div>\n' for f in fields
    )
    sheet = (
        f"{_document(l2.participant_sheet, r, sheet_out)}"
        f'<section id="peer-reflection" aria-labelledby="peer-reflection-title">\n'
        f'<h2 id="peer-reflection-title">{escape(template.title)}</h2>\n'
        f"{r.markdown(template.guidance, template.source, sheet_out)}"
        f"<p>{escape(cpd.REFLECTIVE_MODELS[template.model][0])}, then your Social Work England CPD record "
        f"({escape(template.cpd_title)}).</p>\n{boxes}</section>\n"
    )
    return {
        f"{SESSION_DIR}/index.html": _session_page(toolkit, f"Session plan: {l2.introduction.title}", plan),
        case_out: _session_page(toolkit, l2.introduction.title, case),
        guide_out: _session_page(toolkit, l2.facilitator_guide.title, guide),
        sheet_out: _session_page(toolkit, l2.participant_sheet.title, sheet),
    }
