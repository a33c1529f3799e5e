"""Thinking notes on L1 pages: one note per prompt, each with its own version (issue 9, defects 6 and 7).

Like reflections (`services.reflections`), a save names the version of the note it started from; a save
based on an older version is refused with `NoteConflict` and nothing is overwritten. Versions are per
prompt, so two tabs typing in *different* prompts both keep their text, and only the prompts a save
actually changes are written (a form that sends every box back cannot undo another tab's work).

The notes live in the attempt row (`Attempt.notes`, `Attempt.note_versions`); every save is one
compare-and-set on `Attempt.notes_revision`, so two saves racing on different prompts both land (the
loser re-reads and applies its change on top) and two racing on the same prompt give one conflict.

A note over `MAX_NOTE_CHARS` is refused with `NoteTooLong`, whose message says the limit in words: the
autosave script shows it and stops retrying that text until the learner edits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from lti_tool.errors import Conflict, NotFound, UserFacingError
from lti_tool.models import Attempt
from lti_tool.services.reflections import MAX_FIELD_CHARS
from lti_tool.words import N_
from toolkits.model import PageKind, Toolkit

MAX_NOTE_CHARS = MAX_FIELD_CHARS
# Compare-and-set retries when saves of other prompts keep landing first (each retry re-reads).
MAX_TRIES = 5

CONFLICT_MESSAGE = N_(
    "This note was changed in another tab or window after this page was opened, so we did not save it here."
)
CONFLICT_ADVICE = N_("Copy your text somewhere safe, then load the latest version of the page.")
TOO_LONG = N_("This note is %(length)s characters long. A note can be at most %(limit)s characters.")
"""English here (marked N_); pages and autosave replies show them through `lti_tool.i18n.translated_message`."""


@dataclass(frozen=True)
class NoteChange:
    """What the learner typed in one prompt's box, and the version of the note it was based on."""

    prompt_id: str
    text: str
    version: int


class NoteTooLong(UserFacingError):
    status = 413
    title = N_("This note is too long to save")
    template = TOO_LONG

    def __init__(self, prompt_id: str, length: int) -> None:
        self.values = {"length": f"{length:,}", "limit": f"{MAX_NOTE_CHARS:,}"}
        super().__init__(
            TOO_LONG % self.values,
            reason="note_too_long",
            advice=N_("Shorten it and it will be saved; you can put the rest in your reflection."),
        )
        self.prompt_id = prompt_id


class NoteConflict(Conflict):
    def __init__(self, prompt_ids: list[str]) -> None:
        super().__init__(CONFLICT_MESSAGE, reason="note_conflict", advice=CONFLICT_ADVICE)
        self.prompt_ids = prompt_ids


def versions(attempt: Attempt) -> dict[str, int]:
    """Each prompt's note version (0: never saved)."""
    return dict(attempt.note_versions or {})


def _prompt_ids(toolkit: Toolkit, page_id: str) -> set[str]:
    page = toolkit.l1.page(page_id)
    if page is None or page.kind is not PageKind.THINKING:
        raise NotFound(N_("There is no thinking page with that name."), reason="unknown_page")
    return {p.id for p in page.prompts}


def save_notes(
    session: Session, attempt: Attempt, toolkit: Toolkit, page_id: str, changes: Iterable[NoteChange]
) -> dict[str, int]:
    """Save the changed notes of one page's prompts; the versions after saving. Flushes, never commits.

    Unknown prompt ids are ignored; a note whose text equals the saved one is not a change (so re-sending
    an old, unchanged box never conflicts). Raises `NoteTooLong` or `NoteConflict`, writing nothing.
    """
    known = _prompt_ids(toolkit, page_id)
    wanted = [c for c in changes if c.prompt_id in known]
    for change in wanted:
        if len(change.text) > MAX_NOTE_CHARS:
            raise NoteTooLong(change.prompt_id, len(change.text))
    for _ in range(MAX_TRIES):
        session.refresh(attempt)
        notes = dict(attempt.notes or {})
        current = versions(attempt)
        conflicts = []
        changed = False
        for change in wanted:
            if notes.get(change.prompt_id, "") == change.text:
                continue
            if change.version != current.get(change.prompt_id, 0):
                conflicts.append(change.prompt_id)
                continue
            notes[change.prompt_id] = change.text
            current[change.prompt_id] = current.get(change.prompt_id, 0) + 1
            changed = True
        if conflicts:
            raise NoteConflict(conflicts)
        if not changed:
            return current
        revision = attempt.notes_revision
        result = session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.notes_revision == revision)
            .values(notes=notes, note_versions=current, notes_revision=revision + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            session.refresh(attempt)
            return current
        # Another save (of any prompt) landed between our read and our write: read again and re-apply.
    raise NoteConflict([c.prompt_id for c in wanted])
