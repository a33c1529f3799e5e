"""CPD reflections: drafts, submission, optimistic concurrency, and a warning about identifying details.

Plain Python over SQLAlchemy (no Flask). The form's boxes are the toolkit's reflective model plus the
Social Work England CPD record fields (`toolkits.cpd.reflection_fields`).

Concurrency: every save names the version it was based on; the row is updated only if that is still the
stored version (`UPDATE … WHERE version = :seen`), so of two tabs editing the same reflection the second
save gets a `Conflict` and nothing is overwritten, even when both saves race.

Identifying details: reflections must not identify the people social workers work with (Social Work
England CPD guidance; docs/cpd-rules.md). `identifying_details` looks for a title and surname, a date of birth or
full date, an NHS-style or case-style number, and a postcode, and the editor shows a warning. It never
blocks a save: a false alarm must not cost a learner their work, and the learner is the judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_tool.errors import BadRequest, Conflict
from lti_tool.models import Reflection, ReflectionStatus, ResourceLink, utcnow
from lti_tool.services import progress
from lti_tool.words import N_
from toolkits.cpd import Field, reflection_fields
from toolkits.model import ReflectionTemplate, Toolkit

MAX_FIELD_CHARS = 20_000
DATE_FIELD = "cpd_date"

CONFLICT_MESSAGE = N_(
    "This reflection was changed in another tab or window after you opened it, so your last change "
    "was not saved and nothing was overwritten."
)
CONFLICT_ADVICE = N_("Copy anything you want to keep, then reload the page to see the latest version.")
TOO_LONG = N_("“%(label)s” is %(length)s characters long. A box can be at most %(limit)s characters.")
"""Messages are English here (marked N_); pages and autosave replies show them through gettext
(`lti_tool.i18n.translated_message`), so this module stays free of Flask."""


class FieldTooLong(BadRequest):
    """A box over `MAX_FIELD_CHARS`: longer text is refused, not cut. `template` and `values` let a page
    say it in its own language."""

    template = TOO_LONG

    def __init__(self, label: str, length: int) -> None:
        self.values = {"label": label, "length": f"{length:,}", "limit": f"{MAX_FIELD_CHARS:,}"}
        super().__init__(
            TOO_LONG % self.values, reason="reflection_too_long", advice=N_("Shorten it and it will be saved.")
        )


class ReflectionIncomplete(BadRequest):
    """A submission with required boxes left empty; `missing` names them for the error summary."""

    def __init__(self, missing: list[Field], invalid_date: bool = False) -> None:
        super().__init__(N_("Some boxes need filling in before you can submit."), reason="reflection_incomplete")
        self.missing = missing
        self.invalid_date = invalid_date


def form_fields(toolkit: Toolkit, template: ReflectionTemplate | None = None) -> tuple[Field, ...]:
    """The form's boxes for `template` (default: the toolkit's L1 reflection)."""
    template = template or toolkit.l1.reflection
    return reflection_fields(template.model, template.peer_reflection)


def find_reflection(session: Session, *, user_id: int, resource_link_id: int) -> Reflection | None:
    return session.scalar(
        select(Reflection).where(Reflection.user_id == user_id, Reflection.resource_link_id == resource_link_id)
    )


def clean_values(
    toolkit: Toolkit, values: dict[str, str], template: ReflectionTemplate | None = None
) -> dict[str, str]:
    """Only the form's own boxes, each within the size limit (longer text is refused, not cut)."""
    cleaned: dict[str, str] = {}
    for field in form_fields(toolkit, template):
        text = values.get(field.id, "")
        if len(text) > MAX_FIELD_CHARS:
            raise FieldTooLong(field.label, len(text))
        cleaned[field.id] = text.replace("\r\n", "\n")
    return cleaned


def save_draft(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit: Toolkit,
    values: dict[str, str],
    version: int,
    template: ReflectionTemplate | None = None,
) -> Reflection:
    """Save a draft based on `version` (0 for a new reflection); a stale version raises `Conflict`.

    `template` is the toolkit's L1 reflection unless given (L2 passes `toolkit.l2.reflection`).
    """
    template = template or toolkit.l1.reflection
    cleaned = clean_values(toolkit, values, template)
    return _write(session, user_id=user_id, link=link, toolkit_id=toolkit.id, model=template.model,
                  values=cleaned, version=version, submit=False)  # fmt: skip


def submit_reflection(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit: Toolkit,
    template: ReflectionTemplate,
    values: dict[str, str],
    version: int,
) -> Reflection:
    """Submit a reflection written on `template`: every required box filled and a real date.

    Only the reflection itself; what completing it means (L1 progress, the L2 score) is the caller's.
    """
    cleaned = clean_values(toolkit, values, template)
    missing = [f for f in form_fields(toolkit, template) if f.required and not cleaned.get(f.id, "").strip()]
    invalid_date = bool(cleaned.get(DATE_FIELD, "").strip()) and _parse_date(cleaned[DATE_FIELD]) is None
    if missing or invalid_date:
        raise ReflectionIncomplete(missing, invalid_date)
    return _write(session, user_id=user_id, link=link, toolkit_id=toolkit.id, model=template.model,
                  values=cleaned, version=version, submit=True)  # fmt: skip


def submit(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit: Toolkit,
    values: dict[str, str],
    version: int,
    enqueue: progress.EnqueueScore | None = None,
) -> Reflection:
    """Submit the L1 reflection; then L1 progress moves on (completion and score, same transaction).

    With `checks` in the toolkit's completion rule, every question must be answered first
    (`progress.ChecksOutstanding`): otherwise a learner who skipped the checks would complete L1 and
    the gradebook figure would say nothing about what they know.
    """
    attempt = progress.open_attempt(session, user_id=user_id, link=link, toolkit=toolkit)
    progress.require_checks_answered(attempt, toolkit)
    reflection = submit_reflection(
        session,
        user_id=user_id,
        link=link,
        toolkit=toolkit,
        template=toolkit.l1.reflection,
        values=values,
        version=version,
    )
    progress.reflection_was_submitted(session, attempt, toolkit, enqueue=enqueue)
    return reflection


def _write(
    session: Session,
    *,
    user_id: int,
    link: ResourceLink,
    toolkit_id: str,
    model: str,
    values: dict[str, str],
    version: int,
    submit: bool,
) -> Reflection:
    cleaned = values
    existing = find_reflection(session, user_id=user_id, resource_link_id=link.id)
    now = utcnow()
    if existing is None:
        if version != 0:
            raise Conflict(CONFLICT_MESSAGE, reason="reflection_conflict", advice=CONFLICT_ADVICE)
        reflection = Reflection(
            user_id=user_id,
            resource_link_id=link.id,
            toolkit_id=toolkit_id,
            model=model,
            fields=cleaned,
            status=ReflectionStatus.SUBMITTED if submit else ReflectionStatus.DRAFT,
            version=1,
            submitted_at=now if submit else None,
        )
        try:
            with session.begin_nested():
                session.add(reflection)
        except IntegrityError:
            # Another tab created it between our read and our insert.
            raise Conflict(CONFLICT_MESSAGE, reason="reflection_conflict", advice=CONFLICT_ADVICE) from None
        return reflection
    if existing.status == ReflectionStatus.SUBMITTED:
        raise Conflict(
            N_("This reflection has already been submitted, so it can no longer be changed here."),
            reason="reflection_submitted",
            advice=N_("Reload the page to see the submitted reflection."),
        )
    changes: dict[str, object] = {"fields": cleaned, "version": version + 1, "updated_at": now}
    if submit:
        changes.update(status=ReflectionStatus.SUBMITTED, submitted_at=now)
    result = session.execute(
        update(Reflection)
        .where(Reflection.id == existing.id, Reflection.version == version, Reflection.status == ReflectionStatus.DRAFT)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(CONFLICT_MESSAGE, reason="reflection_conflict", advice=CONFLICT_ADVICE)
    session.refresh(existing)
    return existing


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


# --- Identifying details ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something in a box that may identify a person who uses services."""

    field_id: str
    kind: str
    text: str

    @property
    def template(self) -> str:
        """The message before `values` go in (what the catalogue translates)."""
        return KIND_MESSAGES[self.kind]

    @property
    def values(self) -> dict[str, str]:
        return {"text": self.text}

    @property
    def message(self) -> str:
        return self.template % self.values


KIND_MESSAGES = {
    "name": N_("“%(text)s” looks like a title and surname."),
    "date_of_birth": N_("“%(text)s” looks like a date of birth."),
    "date": N_("“%(text)s” is a full date, which could be a date of birth."),
    "nhs_number": N_("“%(text)s” looks like an NHS number."),
    "case_number": N_("“%(text)s” looks like a case or reference number."),
    "postcode": N_("“%(text)s” looks like a postcode."),
}

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Mister|Madam)"
# A title followed by a capitalised word ("Mrs Khan", "Mr. O'Neill", "Dr Smith-Jones"); "Mr and Mrs"
# or "Ms X" (an initial only) are not enough to identify anyone.
_NAME = re.compile(rf"\b{_TITLE}\.?\s+(?!and\b|or\b)[A-Z][a-z]*['’-]?[A-Za-z]+(?:-[A-Z][a-z]+)?")
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    r"(?:\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+\d{{4}}\b"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b)"
)
_DOB = re.compile(rf"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*:?\s*{_DATE}", re.I)
_ANY_DATE = re.compile(_DATE, re.I)
_NHS = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
_CASE = re.compile(
    r"\b(?:case|ref(?:erence)?|client|person|child|file|id|mosaic|lcs|eclipse|liquidlogic)\s*"
    r"(?:no\.?|number|num|#|id|ref)?\s*:?\s*#?([A-Z]{0,4}[-/]?\d{4,}[A-Z0-9/-]*)\b",
    re.I,
)
_LONG_NUMBER = re.compile(r"\b[A-Z]{0,3}\d{6,}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def is_nhs_number(digits: str) -> bool:
    """The NHS number check digit (modulus 11), so ordinary 10-digit numbers warn as case numbers."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def identifying_details(values: dict[str, str]) -> list[Finding]:
    """Details in the boxes that may identify a person who uses services (the date box is skipped)."""
    findings: list[Finding] = []
    for field_id, text in values.items():
        if field_id == DATE_FIELD or not text:
            continue
        findings.extend(_scan(field_id, text))
    return findings


def _scan(field_id: str, text: str) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(field_id, kind, text[start:end].strip()))

    for match in _NAME.finditer(text):
        add("name", match.start(), match.end())
    for match in _DOB.finditer(text):
        add("date_of_birth", match.start(), match.end())
    for match in _ANY_DATE.finditer(text):
        add("date", match.start(), match.end())
    for match in _NHS.finditer(text):
        if is_nhs_number(re.sub(r"\D", "", match.group())):
            add("nhs_number", match.start(), match.end())
    for match in _CASE.finditer(text):
        add("case_number", match.start(), match.end())
    for match in _LONG_NUMBER.finditer(text):
        add("case_number", match.start(), match.end())
    for match in _POSTCODE.finditer(text):
        add("postcode", match.start(), match.end())
    return sorted(found, key=lambda f: text.find(f.text))
