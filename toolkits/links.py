"""Where a toolkit's relative Markdown links go, for the LTI tool, the SCORM packager and the validator.

One rule for every face (docs/toolkit-links.md): a relative link or image in a toolkit's Markdown may
point only at one of the toolkit's own documents (an L1 page or reflection, the case study, a stage,
the facilitator guide, the participant sheet, the L2 reflection) or at a file under `assets/`. The tool
serves documents as player steps or `/l2/document/<name>` pages and files from `assets/`; the SCORM
packager maps documents to its pages (`scorm_packager.content._targets`) and copies only `assets/`.
Anything else would be a dead link in one face, so `problems` reports it at `path:line`; so is a link
to the facilitator guide from anything learners read, since the tool shows the guide to facilitators only.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from toolkits import render
from toolkits.model import Toolkit

L1 = "l1"
L2 = "l2"
# The L2 documents the tool shows at `/l2/document/<name>`.
CASE_STUDY = "case-study"
FACILITATOR_GUIDE = "facilitator-guide"
PARTICIPANT_SHEET = "participant-sheet"
L2_DOCUMENTS = (CASE_STUDY, FACILITATOR_GUIDE, PARTICIPANT_SHEET)
# L1's reflection step (lti_tool.services.progress.REFLECTION_STEP).
L1_REFLECTION = "reflection"


@dataclass(frozen=True)
class Target:
    """Where a link goes: a document (`part` l1 or l2, its `name`, an anchor) or an asset file."""

    part: str  # "l1", "l2" or "asset"
    name: str  # L1 step id, L2 document name, or the asset's path in the toolkit (`assets/...`)
    anchor: str = ""


def documents(toolkit: Toolkit) -> dict[str, Target]:
    """Every Markdown file of the toolkit, by its path in the folder, and where a link to it goes."""
    l1, l2 = toolkit.l1, toolkit.l2
    found = {page.source: Target(L1, page.id) for page in l1.pages}
    found[l1.reflection.source] = Target(L1, L1_REFLECTION)
    found[l2.introduction.source] = Target(L2, CASE_STUDY)
    for stage in l2.stages:
        found[stage.source] = Target(L2, CASE_STUDY, f"stage-{stage.id}")
    found[l2.facilitator_guide.source] = Target(L2, FACILITATOR_GUIDE)
    found[l2.participant_sheet.source] = Target(L2, PARTICIPANT_SHEET)
    found[l2.reflection.source] = Target(L2, PARTICIPANT_SHEET, "peer-reflection")
    return found


class Unservable(ValueError):
    """A link no face can serve; the message says why, for the validator."""


def resolve(toolkit: Toolkit, source: str, href: str, known: dict[str, Target] | None = None) -> Target:
    """The target of the internal link `href` written in the file `source`; raise `Unservable`."""
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    known = known if known is not None else documents(toolkit)
    if not path:
        here = known.get(source)
        if here is None:
            raise Unservable(f"the link `{href}` is in a file that is not a document of this toolkit")
        return Target(here.part, here.name, fragment or here.anchor)
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if rel.startswith(("../", "/")) or rel == "..":
        raise Unservable(f"the link `{href}` points outside the toolkit")
    if rel.endswith(".md"):
        target = known.get(rel)
        if target is None:
            raise Unservable(f"the link `{href}` goes to no document of this toolkit")
        return Target(target.part, target.name, fragment or target.anchor)
    if not rel.startswith("assets/"):
        raise Unservable(outside_assets(href))
    return Target("asset", rel, fragment)


def outside_assets(href: str) -> str:
    """The validator's sentence for a link to a file that is neither a document nor under `assets/`."""
    return f"the link `{href}` goes to a file outside `assets/`, which neither the tool nor a package serves"


def bodies(toolkit: Toolkit) -> list[tuple[str, str]]:
    """`(source, markdown)` of every Markdown text with links: L1 pages, L2 documents, reflections."""
    l1, l2 = toolkit.l1, toolkit.l2
    return [
        *((p.source, p.body) for p in l1.pages),
        (l1.reflection.source, l1.reflection.guidance),
        (l2.introduction.source, l2.introduction.body),
        *((s.source, s.body) for s in l2.stages),
        (l2.facilitator_guide.source, l2.facilitator_guide.body),
        (l2.participant_sheet.source, l2.participant_sheet.body),
        (l2.reflection.source, l2.reflection.guidance),
    ]


def problems(toolkit: Toolkit, body_line: dict[str, int]) -> list[tuple[str, int, str]]:
    """`(file, line, message)` for each relative link or image no face can serve.

    `body_line` gives the line each file's body starts on (after its front matter). Existence of the
    file is checked too, so the rule holds on its own and not only after the loader's checks.
    """
    known = documents(toolkit)
    root = toolkit.path
    found: list[tuple[str, int, str]] = []
    for source, body in bodies(toolkit):
        for link in render.find_links(body):
            if not render.is_internal(link.href):
                continue
            line = body_line.get(source, 1) + link.line - 1
            try:
                target = resolve(toolkit, source, link.href, known)
            except Unservable as problem:
                found.append((source, line, str(problem)))
                continue
            if target.name == FACILITATOR_GUIDE and source != toolkit.l2.facilitator_guide.source:
                message = f"the link `{link.href}` goes to the facilitator guide, which learners cannot open"
                found.append((source, line, message))
            elif target.part == "asset" and root and not os.path.isfile(os.path.join(root, target.name)):
                found.append((source, line, f"the link `{link.href}` goes to a file that does not exist"))
    return found
