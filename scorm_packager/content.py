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

from scorm_packager import words
from scorm_packager.i18n import Chrome, chrome
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


def _page_head(title: str, css: str, t: Chrome, extra: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{t.html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{css}">\n{extra}</head>\n'
    )


def _field_html(field: cpd.Field, prefix: str, template: ReflectionTemplate, t: Chrome) -> str:
    """One reflection box: label, hint and control, with ids the runtime and tests rely on."""
    fid = f"{prefix}{field.id}"
    hint_id = f"{fid}-hint"
    attrs = f'id="{fid}" name="{field.id}" aria-describedby="{hint_id}"'
    if field.required:
        attrs += ' required aria-required="true"'
    if field.id == "cpd_title":
        control = f'<input type="text" {attrs} value="{escape(template.cpd_title)}"{t.content_lang}>'
    elif field.id == "cpd_date":
        control = f'<input type="date" {attrs}>'
    elif field.id == "cpd_type":
        options = "".join(f"<option>{escape(t)}</option>" for t in cpd.CPD_TYPES)
        control = f"<select {attrs}{t.content_lang}>{options}</select>"
    else:
        control = f'<textarea {attrs} rows="5"></textarea>'
    cl = t.content_lang  # the CPD record's labels and hints are toolkit content (toolkits.cpd), in English
    return (
        f'<div class="field">\n<label for="{fid}"{cl}>{escape(field.label)}</label>\n'
        f'<p class="hint" id="{hint_id}"{cl}>{escape(field.hint)}</p>\n{control}\n</div>\n'
    )


def _question_html(page: Page, r: _Renderer, t: Chrome) -> str:
    parts: list[str] = []
    cl = t.content_lang
    for question in page.questions:
        qid = question.id
        kind = "radio" if question.type.value == "single" else "checkbox"
        how = t._(words.CHOOSE_ONE) if kind == "radio" else t._(words.CHOOSE_ALL)
        options = "".join(
            f'<div class="option"><input type="{kind}" name="q-{qid}" id="q-{qid}-{o.id}" value="{o.id}">'
            f'<label for="q-{qid}-{o.id}"{cl}>{render_inline(o.text)}</label></div>\n'
            for o in question.options
        )
        feedback = "".join(
            f'<div class="option-feedback" data-option="{o.id}"{cl} hidden>'
            f"<p><strong>{render_inline(o.text)}:</strong></p>"
            f"{r.markdown(o.feedback, page.source, 'index.html')}</div>\n"
            for o in question.options
        )
        parts.append(
            f'<fieldset class="question" data-question="{qid}">\n'
            f'<legend><span{cl}>{render_inline(question.prompt)}</span></legend>\n<p class="hint">{how}</p>\n{options}'
            f'<button type="button" class="check-answer" data-question="{qid}">{t._(words.CHECK_ANSWER)}</button>\n'
            f'<div class="feedback" id="feedback-{qid}" role="status" aria-live="polite">\n'
            f'<p class="verdict"></p>\n{feedback}</div>\n</fieldset>\n'
        )
    return "".join(parts)


def _l1_section(page: Page, r: _Renderer, t: Chrome) -> str:
    body = t.content(r.markdown(page.body, page.source, "index.html")) if page.body.strip() else ""
    extra = ""
    if page.kind is PageKind.CHECK:
        extra = _question_html(page, r, t)
    elif page.kind is PageKind.THINKING:
        extra = "".join(
            f'<div class="field"><label for="note-{p.id}"{t.content_lang}>{render_inline(p.text)}</label>\n'
            f'<textarea id="note-{p.id}" data-note="{p.id}" rows="4"></textarea></div>\n'
            for p in page.prompts
        )
        extra += f'<p class="hint">{t._(words.NOTES_STAY)}</p>\n'
    return (
        f'<section class="swott-page" id="page-{page.id}" data-kind="{page.kind.value}" '
        f'aria-labelledby="title-{page.id}">\n'
        f'<h2 id="title-{page.id}" tabindex="-1"{t.content_lang}>{escape(page.title)}</h2>\n'
        f"{body}{extra}{_references_link(t)}</section>\n"
    )


def _references_link(t: Chrome) -> str:
    """Every L1 page links to the unit's references (issue 11: evidence shown, not only in a catalogue)."""
    return f'<p class="page-references"><a href="#{REFERENCES_ID}">{t._(words.REFERENCES_AND_DATES)}</a></p>\n'


def _reflection_section(toolkit: Toolkit, r: _Renderer, t: Chrome) -> str:
    template = toolkit.l1.reflection
    model_title = cpd.REFLECTIVE_MODELS[template.model][0]
    fields = cpd.reflection_fields(template.model, template.peer_reflection)
    model_ids = {f.id for f in cpd.REFLECTIVE_MODELS[template.model][1]}
    model_fields = "".join(_field_html(f, "r-", template, t) for f in fields if f.id in model_ids)
    record_fields = "".join(_field_html(f, "r-", template, t) for f in fields if f.id not in model_ids)
    cl = t.content_lang
    return (
        f'<section class="swott-page" id="page-{REFLECTION_PAGE}" data-kind="reflection" '
        f'aria-labelledby="title-{REFLECTION_PAGE}">\n'
        f'<h2 id="title-{REFLECTION_PAGE}" tabindex="-1"{cl}>{escape(template.title)}</h2>\n'
        f"{t.content(r.markdown(template.guidance, template.source, 'index.html'))}{_references_link(t)}"
        '<form id="reflection-form" novalidate>\n'
        f"<fieldset><legend{cl}>{escape(model_title)}</legend>\n{model_fields}</fieldset>\n"
        f"<fieldset><legend>{t._(words.CPD_RECORD)}</legend>\n{record_fields}</fieldset>\n"
        '<div id="reflection-errors" role="alert"></div>\n'
        f'<button type="submit">{t._(words.SAVE_REFLECTION)}</button>\n'
        '<p id="reflection-saved" role="status" aria-live="polite"></p>\n'
        f'<p><a id="cpd-download" hidden>{t._(words.DOWNLOAD_RECORD)}</a></p>\n'
        f'<p class="hint">{t._(words.REFLECTION_STAYS)}</p>\n'
        "</form>\n</section>\n"
    )


def _finish_section(toolkit: Toolkit, t: Chrome) -> str:
    next_step = t._(words.NEXT_STEP).replace("{minutes}", str(toolkit.l2.minutes))
    return (
        f'<section class="swott-page" id="page-{FINISH_PAGE}" data-kind="finish" '
        f'aria-labelledby="title-{FINISH_PAGE}">\n'
        f'<h2 id="title-{FINISH_PAGE}" tabindex="-1">{t._(words.YOUR_PROGRESS)}</h2>\n'
        '<dl id="summary">\n'
        f'<dt>{t._(words.PAGES_READ)}</dt><dd id="summary-pages"></dd>\n'
        f'<dt>{t._(words.KNOWLEDGE_CHECKS)}</dt><dd id="summary-score"></dd>\n'
        f'<dt>{t._(words.REFLECTION)}</dt><dd id="summary-reflection"></dd>\n'
        f'<dt>{t._(words.STATUS)}</dt><dd id="summary-status"></dd>\n</dl>\n'
        f"<p>{next_step} "
        f'<a href="{SESSION_DIR}/index.html" target="_blank" rel="noopener">{t._(words.OPEN_PACK)}</a>.</p>\n'
        f'<button type="button" id="finish-button">{t._(words.SAVE_AND_CLOSE)}</button>\n'
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


def _content_notice(t: Chrome) -> str:
    """In a package whose chrome is not English: say, in both languages, that the content is English."""
    if not t.content_lang:
        return ""
    return (
        f'<p class="content-language">{t._(words.CONTENT_IN_ENGLISH)} '
        f"<span{t.content_lang}>{escape(words.CONTENT_IN_ENGLISH_EN)}</span></p>\n"
    )


def l1_player(toolkit: Toolkit, flavour: str, pass_mark: int | None, t: Chrome | None = None) -> bytes:
    """`index.html`: the SCO (SCORM), the AU (cmi5) or the standalone page (html export), its chrome in
    `t`'s language (English by default)."""
    t = t or chrome()
    r = _Renderer(toolkit)
    l1 = toolkit.l1
    cl = t.content_lang
    entries = [(p.id, p.title, cl) for p in l1.pages] + [(REFLECTION_PAGE, l1.reflection.title, cl)]
    entries.append((FINISH_PAGE, t.text(words.YOUR_PROGRESS), ""))
    toc = "".join(
        f'<li><a href="#page-{pid}" data-page="{pid}"{lang}>{escape(title)}</a></li>\n' for pid, title, lang in entries
    )
    sections = "".join(_l1_section(p, r, t) for p in l1.pages)
    player = player_data(toolkit, flavour, pass_mark)
    if t.language != "en":
        player["strings"] = {key: t.text(message) for key, message in words.RUNTIME.items()}
    data = json.dumps(player, sort_keys=True, ensure_ascii=True)
    outcomes = "".join(f"<li>{render_inline(o)}</li>" for o in toolkit.learning_outcomes)
    kicker = t._(words.KICKER_L1).replace("{minutes}", str(l1.minutes))
    return (
        _page_head(f"{toolkit.title} (L1)", f"{RUNTIME_DIR}/style.css", t) + "<body>\n"
        f'<a class="skip-link" href="#main">{t._(words.SKIP_TO_PAGE)}</a>\n'
        f'<header class="masthead">\n<p class="kicker">{kicker}</p>\n<h1{cl}>{escape(toolkit.title)}</h1>\n'
        f"{_content_notice(t)}"
        '<div id="swott-banner" class="banner" role="status" hidden></div>\n</header>\n'
        f'<div class="layout">\n<nav aria-label="{t._(words.PAGES_OF_UNIT)}">\n<ol id="swott-toc">\n'
        f"{toc}</ol>\n"
        f'<p><a href="{SESSION_DIR}/index.html" target="_blank" rel="noopener">'
        f"{t._(words.SESSION_PACK_LINK)}</a></p>\n"
        f"<details><summary>{t._(words.LEARNING_OUTCOMES)}</summary><ul{cl}>{outcomes}</ul></details>\n"
        f'<p><a href="#{REFERENCES_ID}">{t._(words.REFERENCES)}</a></p>\n</nav>\n'
        f'<main id="main">\n{sections}{_reflection_section(toolkit, r, t)}{_finish_section(toolkit, t)}'
        f'<div class="pager">\n<button type="button" id="prev-button">{t._(words.PREVIOUS_PAGE)}</button>\n'
        '<p id="page-position" aria-live="polite"></p>\n'
        f'<button type="button" id="next-button">{t._(words.NEXT_PAGE)}</button>\n</div>\n'
        f"{t.content(references_html(toolkit))}</main>\n</div>\n"
        f'<script type="application/json" id="swott-data">{data}</script>\n'
        f'<script src="{RUNTIME_DIR}/sco.js"></script>\n</body>\n</html>\n'
    ).encode()


# -- L2 session pack -------------------------------------------------------------------------------


def _session_page(toolkit: Toolkit, title: str, body: str, t: Chrome, title_lang: str = "") -> bytes:
    nav = (
        f'<nav aria-label="{t._(words.SESSION_PACK)}"><ul class="pack-nav">'
        f'<li><a href="index.html">{t._(words.SESSION_PLAN)}</a></li>'
        f'<li><a href="case-study.html">{t._(words.CASE_STUDY)}</a></li>'
        f'<li><a href="facilitator-guide.html">{t._(words.FACILITATOR_GUIDE)}</a></li>'
        f'<li><a href="participant-sheet.html">{t._(words.PARTICIPANT_SHEET)}</a></li>'
        f'<li><a href="#{REFERENCES_ID}">{t._(words.REFERENCES)}</a></li>'
        "</ul></nav>\n"
    )
    return (
        _page_head(f"{title} — {toolkit.title}", f"../{RUNTIME_DIR}/style.css", t)
        + f'<body class="print-pack">\n<a class="skip-link" href="#main">{t._(words.SKIP_TO_CONTENT)}</a>\n'
        f'<header class="masthead">\n<p class="kicker">{t._(words.KICKER_L2)}</p>\n'
        f'<p class="toolkit-title"{t.content_lang}>{escape(toolkit.title)}</p>\n{_content_notice(t)}{nav}</header>\n'
        f'<main id="main">\n<h1{title_lang}>{escape(title)}</h1>\n{body}{t.content(references_html(toolkit))}'
        f'<p class="no-print hint">{t._(words.PRINT_NOTE)}</p>\n'
        "</main>\n</body>\n</html>\n"
    ).encode()


FORMAT_NAMES = {
    GroupFormat.SWOTT_DEFAULT: "SWOTT default",
    GroupFormat.ACTION_LEARNING_SET: "action learning set",
    GroupFormat.BELLS_THAT_RING: "Bells that Ring",
}


def _agenda_table(toolkit: Toolkit, t: Chrome) -> str:
    rows, start = [], 0
    for item in toolkit.l2.agenda:
        rows.append(
            f'<tr><td>{start}–{start + item.minutes}</td><th scope="row"{t.content_lang}>{escape(item.title)}</th>'
            f"<td>{item.minutes}</td></tr>\n"
        )
        start += item.minutes
    # The format's name is the toolkit's (a named method), kept in English inside the Welsh caption.
    fmt = t.content(escape(FORMAT_NAMES[toolkit.l2.format]), "span")
    caption = t._(words.AGENDA_CAPTION).replace("{format}", fmt).replace("{minutes}", str(toolkit.l2.minutes))
    return (
        f'<table class="agenda">\n<caption>{caption}</caption>\n'
        f'<thead><tr><th scope="col">{t._(words.MINUTES)}</th><th scope="col">{t._(words.WHAT_HAPPENS)}</th>'
        f'<th scope="col">{t._(words.LENGTH_MIN)}</th></tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table>\n'
    )


def _prompt_list(title: str, prompts: tuple[str, ...], t: Chrome, heading: str = "h2", title_lang: str = "") -> str:
    items = "".join(f"<li>{render_inline(p)}</li>\n" for p in prompts)
    return f"<{heading}{title_lang}>{escape(title)}</{heading}>\n<ul{t.content_lang}>\n{items}</ul>\n"


def _document(doc: Document, r: _Renderer, out: str, t: Chrome) -> str:
    return t.content(r.markdown(doc.body, doc.source, out))


def session_pack(toolkit: Toolkit, t: Chrome | None = None) -> dict[str, bytes]:
    """The L2 session pack: plan with timed agenda, case study in stages, guide and participant sheet."""
    t = t or chrome()
    cl = t.content_lang
    r = _Renderer(toolkit)
    l2 = toolkit.l2
    feedback = _prompt_list(t._(words.PEER_FEEDBACK), l2.feedback_prompts, t)
    feedforward = _prompt_list(t._(words.PEER_FEEDFORWARD), l2.feedforward_prompts, t)
    plan = (
        f"<p{cl}>{escape(' '.join(toolkit.summary.split()))}</p>\n"
        f"{_agenda_table(toolkit, t)}"
        f"<h2>{t._(words.THE_PACK)}</h2>\n<ul>\n"
        f'<li><a href="case-study.html">{t._(words.PACK_CASE)}</a> {t._(words.FOR_SHARED_SCREEN)}</li>\n'
        f'<li><a href="facilitator-guide.html">{t._(words.FACILITATOR_GUIDE)}</a></li>\n'
        f'<li><a href="participant-sheet.html">{t._(words.PACK_SHEET)}</a> {t._(words.PRINT_ONE_EACH)}</li>\n'
        "</ul>\n"
        f"{feedback}{feedforward}"
    )
    case_out = f"{SESSION_DIR}/case-study.html"
    stages = "".join(
        f'<section class="stage" id="stage-{s.id}" aria-labelledby="stage-title-{s.id}">\n'
        f'<h2 id="stage-title-{s.id}"{cl}>{escape(s.title)}</h2>\n{t.content(r.markdown(s.body, s.source, case_out))}'
        f"{_prompt_list(t._(words.DISCUSSION_PROMPTS), s.prompts, t, 'h3')}</section>\n"
        for s in l2.stages
    )
    case = f"{_document(l2.introduction, r, case_out, t)}{stages}"
    guide_out = f"{SESSION_DIR}/facilitator-guide.html"
    guide = (
        f"{_document(l2.facilitator_guide, r, guide_out, t)}{_agenda_table(toolkit, t)}"
        f"<h2>{t._(words.PROMPTS_BY_STAGE)}</h2>\n"
        + "".join(_prompt_list(s.title, s.prompts, t, "h3", cl) for s in l2.stages)
        + feedback
        + feedforward
    )
    sheet_out = f"{SESSION_DIR}/participant-sheet.html"
    template = l2.reflection
    fields = cpd.reflection_fields(template.model, template.peer_reflection)
    boxes = "".join(
        f'<div class="write-box"{cl}><h3>{escape(f.label)}</h3><p class="hint">{escape(f.hint)}</p></div>\n'
        for f in fields
    )
    model = t.content(escape(cpd.REFLECTIVE_MODELS[template.model][0]), "span")
    record = t.content(escape(template.cpd_title), "span")
    then_record = t._(words.THEN_YOUR_RECORD).replace("{model}", model).replace("{title}", record)
    sheet = (
        f"{_document(l2.participant_sheet, r, sheet_out, t)}"
        f'<section id="peer-reflection" aria-labelledby="peer-reflection-title">\n'
        f'<h2 id="peer-reflection-title"{cl}>{escape(template.title)}</h2>\n'
        f"{t.content(r.markdown(template.guidance, template.source, sheet_out))}"
        f"<p>{then_record}</p>\n{boxes}</section>\n"
    )
    plan_title = t.text(words.SESSION_PLAN_TITLE).replace("{title}", l2.introduction.title)
    return {
        f"{SESSION_DIR}/index.html": _session_page(toolkit, plan_title, plan, t),
        case_out: _session_page(toolkit, l2.introduction.title, case, t, cl),
        guide_out: _session_page(toolkit, l2.facilitator_guide.title, guide, t, cl),
        sheet_out: _session_page(toolkit, l2.participant_sheet.title, sheet, t, cl),
    }
