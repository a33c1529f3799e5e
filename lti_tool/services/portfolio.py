"""A learner's CPD portfolio, their data, and the privacy rules of reflections (UK GDPR).

Plain Python over SQLAlchemy (no Flask).

- **Portfolio.** Every submitted reflection of one learner (one platform's `LtiUser`) across toolkits,
  L1 and L2, as Social Work England CPD records. The CPD year runs 1 December to 30 November
  (`toolkits.cpd.cpd_year`); a year is covered with at least 2 pieces, at least 1 of them with peer
  reflection (Social Work England, CPD guidance). A piece's date is the date the learner gave in the
  record, else the day they submitted it.
- **Exports.** JSON, a PDF (reportlab), and plain text laid out like Social Work England's online CPD
  form, ready to paste box by box.
- **Privacy.** A reflection is private: only its author reads it, unless they share it with their
  group — then the course's facilitator and the people who were in an L2 group with them for that
  toolkit can read it. Anyone else gets "not found", so ids cannot be probed.
- **Rights.** "Download all my data" (UK GDPR Art. 15 and 20) gathers every row about the learner.
  "Erase my reflections" (Art. 17) deletes the reflection rows and the thinking notes of L1, keeping
  only a text-free record that a reflection existed (so the facilitator's "submitted" column stays
  true). Exports are built from the database on request, so erased text can never reappear in one.
- **Retention.** After `reflection_retention_days` without a change (a `SWOTT_` setting; 0 keeps them),
  reflections, notes and peer feedback are deleted by `purge_expired` (`swott reflections purge`, or
  the worker), for storage limitation (Art. 5(1)(e)).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from lti_tool.errors import BadRequest, NotFound
from lti_tool.models import (
    Attempt,
    Context,
    Enrolment,
    GroupFeedback,
    GroupParticipant,
    GroupSession,
    LtiUser,
    Platform,
    Reflection,
    ReflectionErasure,
    ReflectionShare,
    ResourceLink,
    ScoreRecord,
    utcnow,
)
from toolkits import Catalogue
from toolkits.cpd import REFLECTIVE_MODELS, Field, cpd_record_fields, cpd_year

PIECES_NEEDED = 2
PEER_PIECES_NEEDED = 1
PEER_FIELD = "cpd_peer"
SWE_RECORD_IDS = ("cpd_title", "cpd_date", "cpd_type", "cpd_description", "cpd_learnt", "cpd_impact", PEER_FIELD)

# Labels as on Social Work England's online CPD form, for the paste-ready text.
SWE_FORM_LABELS = {
    "cpd_title": "Title",
    "cpd_date": "Date",
    "cpd_type": "Type of CPD",
    "cpd_description": "Description and why it is relevant to your practice",
    "cpd_learnt": "What you learnt",
    "cpd_impact": "The positive impact on your practice and the people you work with",
    PEER_FIELD: "Peer reflection: what you learnt from discussing it with a peer",
}


@dataclass(frozen=True)
class Piece:
    """One submitted reflection as a CPD record."""

    reflection_id: int
    toolkit_id: str
    toolkit_title: str
    part: str
    model: str
    title: str
    day: date
    cpd_type: str
    peer: bool
    shared: bool
    submitted_at: datetime | None
    record: tuple[tuple[Field, str], ...]
    reflection: tuple[tuple[Field, str], ...]

    @property
    def model_title(self) -> str:
        return REFLECTIVE_MODELS[self.model][0] if self.model in REFLECTIVE_MODELS else self.model

    def value(self, field_id: str) -> str:
        return next((text for f, text in self.record + self.reflection if f.id == field_id), "")


@dataclass(frozen=True)
class CpdYear:
    """A Social Work England registration year and how far the learner's pieces cover it."""

    start: date
    end: date
    pieces: tuple[Piece, ...]

    @property
    def count(self) -> int:
        return len(self.pieces)

    @property
    def peer_count(self) -> int:
        return sum(1 for p in self.pieces if p.peer)

    @property
    def met(self) -> bool:
        return self.count >= PIECES_NEEDED and self.peer_count >= PEER_PIECES_NEEDED

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    def summary(self) -> str:
        """The counter's sentence, e.g. '1 of 2 pieces, 0 of 1 with peer reflection'."""
        text = (
            f"{self.count} of {PIECES_NEEDED} pieces of CPD, "
            f"{self.peer_count} of {PEER_PIECES_NEEDED} with peer reflection"
        )
        return text + (" — requirement met." if self.met else ".")


# --- Portfolio -------------------------------------------------------------------------------------


def _labelled(
    model: str, values: dict[str, str]
) -> tuple[tuple[tuple[Field, str], ...], tuple[tuple[Field, str], ...]]:
    record_fields = cpd_record_fields(PEER_FIELD in values)
    model_fields = REFLECTIVE_MODELS[model][1] if model in REFLECTIVE_MODELS else ()
    known = {f.id for f in record_fields} | {f.id for f in model_fields}
    extra = tuple(Field(k, k.replace("_", " ").capitalize(), "") for k in values if k not in known)
    record = tuple((f, values.get(f.id, "")) for f in record_fields)
    reflection = tuple((f, values.get(f.id, "")) for f in (*model_fields, *extra))
    return record, reflection


def _day(values: dict[str, str], submitted_at: datetime | None) -> date:
    try:
        return date.fromisoformat(values.get("cpd_date", "").strip())
    except ValueError:
        return (submitted_at or utcnow()).date()


def pieces(session: Session, *, user_id: int, catalogue: Catalogue) -> list[Piece]:
    """The learner's submitted reflections, newest first (drafts are not CPD yet)."""
    rows = session.execute(
        select(Reflection, ResourceLink.part, ReflectionShare.id)
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .outerjoin(ReflectionShare, ReflectionShare.reflection_id == Reflection.id)
        .where(Reflection.user_id == user_id, Reflection.status == "submitted")
    ).all()
    found: list[Piece] = []
    for reflection, part, share_id in rows:
        values = dict(reflection.fields or {})
        toolkit = catalogue.get(reflection.toolkit_id)
        record, body = _labelled(reflection.model, values)
        found.append(
            Piece(
                reflection_id=reflection.id,
                toolkit_id=reflection.toolkit_id,
                toolkit_title=toolkit.title if toolkit else reflection.toolkit_id,
                part=part,
                model=reflection.model,
                title=values.get("cpd_title", "").strip() or (toolkit.title if toolkit else reflection.toolkit_id),
                day=_day(values, reflection.submitted_at),
                cpd_type=values.get("cpd_type", ""),
                peer=bool(values.get(PEER_FIELD, "").strip()),
                shared=share_id is not None,
                submitted_at=reflection.submitted_at,
                record=record,
                reflection=body,
            )
        )
    return sorted(found, key=lambda p: (p.day, p.reflection_id), reverse=True)


def cpd_years(all_pieces: Sequence[Piece], today: date) -> list[CpdYear]:
    """The current CPD year first (even when empty), then every earlier year with pieces."""
    years: dict[date, list[Piece]] = {cpd_year(today)[0]: []}
    for piece in all_pieces:
        years.setdefault(cpd_year(piece.day)[0], []).append(piece)
    return [CpdYear(start, cpd_year(start)[1], tuple(items)) for start, items in sorted(years.items(), reverse=True)]


def current_year(all_pieces: Sequence[Piece], today: date) -> CpdYear:
    return cpd_years(all_pieces, today)[0]


# --- Exports -----------------------------------------------------------------------------------------


def piece_json(piece: Piece) -> dict[str, Any]:
    return {
        "title": piece.title,
        "date": piece.day.isoformat(),
        "toolkit": {"id": piece.toolkit_id, "title": piece.toolkit_title, "part": piece.part},
        "peer_reflection": piece.peer,
        "shared_with_group": piece.shared,
        "submitted_at": piece.submitted_at.isoformat() if piece.submitted_at else None,
        "social_work_england_record": {f.id: {"label": f.label, "text": text} for f, text in piece.record},
        "reflective_model": {
            "id": piece.model,
            "title": piece.model_title,
            "fields": {f.id: {"label": f.label, "text": text} for f, text in piece.reflection},
        },
    }


def portfolio_json(all_pieces: Sequence[Piece], today: date) -> dict[str, Any]:
    return {
        "format": "swott-cpd-portfolio/1",
        "generated_at": utcnow().isoformat(),
        "cpd_years": [
            {
                "start": year.start.isoformat(),
                "end": year.end.isoformat(),
                "pieces": year.count,
                "with_peer_reflection": year.peer_count,
                "requirement_met": year.met,
                "records": [piece_json(p) for p in year.pieces],
            }
            for year in cpd_years(all_pieces, today)
        ],
    }


def swe_form_text(piece: Piece) -> str:
    """The record laid out box by box as on Social Work England's online CPD form."""
    lines: list[str] = []
    for field_obj, text in piece.record:
        if field_obj.id == PEER_FIELD and not text.strip():
            continue
        value = piece.day.strftime("%d/%m/%Y") if field_obj.id == "cpd_date" else text.strip()
        lines.append(f"{SWE_FORM_LABELS.get(field_obj.id, field_obj.label)}:\n{value}\n")
    return "\n".join(lines).rstrip() + "\n"


# DejaVu covers Latin Extended (Łukasz, Zoë, Şahin…): reportlab's built-in Helvetica prints a black box
# for anything outside Windows-1252. Debian images have it with `fonts-dejavu-core`; else Helvetica.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/dejavu"))


@cache
def _pdf_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("SWOTTSans", str(regular)))
            pdfmetrics.registerFont(TTFont("SWOTTSans-Bold", str(bold)))
            return "SWOTTSans", "SWOTTSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def portfolio_pdf(all_pieces: Sequence[Piece], today: date, *, learner_name: str = "") -> bytes:
    """The portfolio as a PDF: the CPD-year counter, then each record with its SWE fields and reflection."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _pdf_fonts()
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading2", "Heading3", "Heading4"):
        styles[name].fontName = bold
    styles["BodyText"].fontName = regular
    label_style = styles["Heading4"]
    label_style.textColor = colors.HexColor("#333333")

    def para(text: str, style: str = "BodyText") -> Paragraph:
        # Paragraph reads a small XML markup: learner text is escaped, line breaks kept.
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title="CPD portfolio",
        author="SWOTT Connect",
        invariant=1,
    )
    story: list[Any] = [para("CPD portfolio", "Title")]
    if learner_name:
        story.append(para(learner_name, "Heading3"))
    for year in cpd_years(all_pieces, today):
        story += [para(f"Social Work England CPD year {year.label}", "Heading2"), para(year.summary())]
        for piece in year.pieces:
            story += [Spacer(1, 4 * mm), para(piece.title, "Heading3")]
            story.append(
                para(f"{piece.toolkit_title} ({piece.part.upper()})" + (" — peer reflection" if piece.peer else ""))
            )
            for field_obj, text in piece.record:
                value = piece.day.strftime("%d %B %Y") if field_obj.id == "cpd_date" else text
                story += [Paragraph(escape(field_obj.label), label_style), para(value or "—")]
            story.append(para(piece.model_title, "Heading4"))
            for field_obj, text in piece.reflection:
                story += [Paragraph(escape(field_obj.label), label_style), para(text or "—")]
    doc.build(story)
    return out.getvalue()


# --- Privacy: sharing and reading ----------------------------------------------------------------------


def _own_reflection(session: Session, reflection_id: int, user_id: int) -> Reflection:
    reflection = session.get(Reflection, reflection_id)
    if reflection is None or reflection.user_id != user_id:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    return reflection


def share(session: Session, *, reflection_id: int, user_id: int) -> None:
    """Let the group and facilitator read one of my submitted reflections."""
    reflection = _own_reflection(session, reflection_id, user_id)
    if reflection.status != "submitted":
        raise BadRequest("Submit the reflection before sharing it.", reason="share_draft")
    if session.scalar(select(ReflectionShare.id).where(ReflectionShare.reflection_id == reflection.id)) is None:
        session.add(ReflectionShare(reflection_id=reflection.id))
        session.flush()


def unshare(session: Session, *, reflection_id: int, user_id: int) -> None:
    reflection = _own_reflection(session, reflection_id, user_id)
    session.execute(delete(ReflectionShare).where(ReflectionShare.reflection_id == reflection.id))


def readable_reflection(
    session: Session, reflection_id: int, *, viewer_id: int, viewer_context_id: int, viewer_is_facilitator: bool
) -> Reflection:
    """The reflection if this viewer may read its text; otherwise "not found" (existence is not revealed).

    The author always may. Anyone else only when the author shared it, and then only the facilitator
    of the course it was written in, or a learner who was in an L2 group for that toolkit with them.
    """
    reflection = session.get(Reflection, reflection_id)
    if reflection is None:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    if reflection.user_id == viewer_id:
        return reflection
    link = session.get(ResourceLink, reflection.resource_link_id)
    is_shared = session.scalar(select(ReflectionShare.id).where(ReflectionShare.reflection_id == reflection.id))
    if link is None or is_shared is None or link.context_id != viewer_context_id:
        raise NotFound("There is no such reflection.", reason="unknown_reflection")
    if viewer_is_facilitator and _enrolled(session, viewer_id, link.context_id, "facilitator"):
        return reflection
    if _in_group_together(session, viewer_id, reflection.user_id, link.context_id, link.toolkit_id):
        return reflection
    raise NotFound("There is no such reflection.", reason="unknown_reflection")


def _enrolled(session: Session, user_id: int, context_id: int, role: str) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == user_id, Enrolment.context_id == context_id, Enrolment.role == role
            )
        )
        is not None
    )


def _in_group_together(session: Session, a: int, b: int, context_id: int, toolkit_id: str) -> bool:
    other = aliased(GroupParticipant)
    found = session.scalar(
        select(GroupParticipant.id)
        .join(other, other.session_id == GroupParticipant.session_id)
        .join(GroupSession, GroupSession.id == GroupParticipant.session_id)
        .where(
            GroupParticipant.user_id == a,
            other.user_id == b,
            GroupSession.context_id == context_id,
            GroupSession.toolkit_id == toolkit_id,
        )
        .limit(1)
    )
    return found is not None


# --- Rights: access and erasure -------------------------------------------------------------------


def all_my_data(session: Session, *, user_id: int) -> dict[str, Any]:
    """Everything SWOTT Connect holds about one learner, as JSON-safe data (UK GDPR Art. 15, 20)."""
    user = session.get(LtiUser, user_id)
    if user is None:
        raise NotFound("We hold no data for you.", reason="unknown_user")
    platform = session.get(Platform, user.platform_id)

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    enrolments = session.execute(
        select(Context.title, Context.context_id, Enrolment.role, Enrolment.active)
        .join(Context, Context.id == Enrolment.context_id)
        .where(Enrolment.user_id == user_id)
    ).all()
    attempts = session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id)).all()
    reflection_rows = session.scalars(
        select(Reflection).where(Reflection.user_id == user_id).order_by(Reflection.id)
    ).all()
    shared_ids = set(
        session.scalars(
            select(ReflectionShare.reflection_id).where(
                ReflectionShare.reflection_id.in_([r.id for r in reflection_rows])
            )
        )
    )
    groups = session.execute(
        select(GroupSession, GroupParticipant)
        .join(GroupParticipant, GroupParticipant.session_id == GroupSession.id)
        .where(GroupParticipant.user_id == user_id)
        .order_by(GroupSession.starts_at)
    ).all()
    written = session.scalars(
        select(GroupFeedback).where(GroupFeedback.author_id == user_id).order_by(GroupFeedback.id)
    ).all()
    received = session.scalars(
        select(GroupFeedback)
        .where(GroupFeedback.recipient_id == user_id, GroupFeedback.status == "approved")
        .order_by(GroupFeedback.id)
    ).all()
    scores = session.scalars(select(ScoreRecord).where(ScoreRecord.user_id == user_id).order_by(ScoreRecord.id)).all()
    erasures = session.scalars(select(ReflectionErasure).where(ReflectionErasure.user_id == user_id)).all()
    return {
        "format": "swott-my-data/1",
        "generated_at": utcnow().isoformat(),
        "you": {
            "name": user.name,
            "email": user.email,
            "platform": platform.name or platform.issuer if platform else "",
            "platform_user_id": user.sub,
            "first_seen": when(user.created_at),
            "last_launch": when(user.last_launch_at),
        },
        "courses": [
            {"title": title, "course_id": course_id, "role": role, "active": active}
            for title, course_id, role, active in enrolments
        ],
        "l1_attempts": [
            {
                "toolkit": a.toolkit_id,
                "status": a.status,
                "current_page": a.current_page,
                "pages_viewed": a.pages_viewed,
                "answers": a.answers,
                # The order each question's options were shown in, and the answers that count by default.
                "option_order_shown": a.option_orders,
                "first_answers": a.first_answers,
                "thinking_notes": a.notes,
                "score_percent": a.score_percent,
                "started_at": when(a.started_at),
                "completed_at": when(a.completed_at),
            }
            for a in attempts
        ],
        "reflections": [
            {
                "toolkit": r.toolkit_id,
                "model": r.model,
                "status": r.status,
                "fields": r.fields,
                "shared_with_group": r.id in shared_ids,
                "created_at": when(r.created_at),
                "updated_at": when(r.updated_at),
                "submitted_at": when(r.submitted_at),
            }
            for r in reflection_rows
        ],
        "erased_reflections": [{"reason": e.reason, "erased_at": when(e.erased_at)} for e in erasures],
        "group_sessions": [
            {
                "title": g.title,
                "toolkit": g.toolkit_id,
                "starts_at": when(g.starts_at),
                "status": g.status,
                "attended": p.attended,
                "role": p.role,
            }
            for g, p in groups
        ],
        "feedback_you_wrote": [
            {"kind": f.kind, "prompt": f.prompt, "text": f.text, "anonymous": f.anonymous, "status": f.status}
            for f in written
        ],
        "feedback_you_received": [{"kind": f.kind, "prompt": f.prompt, "text": f.text} for f in received],
        "grades_sent_to_your_course": [
            {
                "activity_progress": s.activity_progress,
                "grading_progress": s.grading_progress,
                "score_given": s.score_given,
                "score_maximum": s.score_maximum,
                "status": s.status,
                "timestamp": when(s.timestamp),
            }
            for s in scores
        ],
    }


def _erase(session: Session, reflection_rows: Sequence[Reflection], reason: str, now: datetime) -> int:
    for reflection in reflection_rows:
        erasure = session.scalar(
            select(ReflectionErasure).where(
                ReflectionErasure.user_id == reflection.user_id,
                ReflectionErasure.resource_link_id == reflection.resource_link_id,
            )
        )
        if erasure is None:
            erasure = ReflectionErasure(
                user_id=reflection.user_id, resource_link_id=reflection.resource_link_id, was_submitted=False
            )
            session.add(erasure)
        erasure.was_submitted = erasure.was_submitted or reflection.status == "submitted"
        erasure.reason = reason
        erasure.erased_at = now
        # Blank the text before deleting the row, so no copy of it survives in a row version the
        # database keeps until it is vacuumed.
        reflection.fields = {}
    session.flush()
    ids = [r.id for r in reflection_rows]
    if ids:
        session.execute(delete(Reflection).where(Reflection.id.in_(ids)).execution_options(synchronize_session=False))
        for reflection in reflection_rows:
            session.expunge(reflection)
    return len(ids)


def erase_reflections(session: Session, *, user_id: int, now: datetime | None = None) -> int:
    """Erase every reflection (draft or submitted) and L1 thinking note of this learner; returns how many
    reflections went. Their scores and completion in the LMS stay: those are the LMS's records."""
    now = now or utcnow()
    rows = session.scalars(select(Reflection).where(Reflection.user_id == user_id)).all()
    count = _erase(session, rows, "learner", now)
    session.execute(
        update(Attempt).where(Attempt.user_id == user_id).values(notes={}).execution_options(synchronize_session=False)
    )
    return count


@dataclass(frozen=True)
class Purged:
    reflections: int
    notes: int
    feedback: int


def purge_expired(session: Session, *, retention_days: int, now: datetime | None = None) -> Purged:
    """Delete reflections, thinking notes and peer feedback untouched for `retention_days` (0: keep all)."""
    if retention_days <= 0:
        return Purged(0, 0, 0)
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    rows = session.scalars(select(Reflection).where(Reflection.updated_at < cutoff)).all()
    reflections_gone = _erase(session, rows, "retention", now)
    notes = 0
    for attempt in session.scalars(select(Attempt).where(Attempt.updated_at < cutoff)):
        if attempt.notes:
            attempt.notes = {}
            notes += 1
    session.flush()
    stale_sessions = select(GroupSession.id).where(GroupSession.status == "closed", GroupSession.closed_at < cutoff)
    feedback = session.execute(
        delete(GroupFeedback)
        .where(GroupFeedback.session_id.in_(stale_sessions))
        .execution_options(synchronize_session=False)
    )
    return Purged(reflections_gone, notes, getattr(feedback, "rowcount", 0) or 0)


def has_reflections(session: Session, *, user_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Reflection.user_id == user_id))))


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
