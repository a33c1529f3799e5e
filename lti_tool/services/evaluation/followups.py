"""Follow-up on the action planned in L2: about three months after the L2 reflection (`follow_up_days`,
lti_tool/settings.py), the learner's next launch asks whether they carried it out.

The answer can become a CPD record of impact on practice: Social Work England's CPD record asks for
"the positive impact on practice and on people who use services" (docs/cpd-rules.md). The portfolio
lists those answers through `impact_records(session, user_id)`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from lti_tool.models import CarriedOut as CarriedOut
from lti_tool.models import FollowUp, LinkPart, Reflection, ReflectionStatus, ResourceLink
from lti_tool.models import FollowUpStatus as Status
from lti_tool.services.evaluation.responses import MAX_TEXT_CHARS, InvalidAnswer
from lti_tool.words import N_
from toolkits.cpd import CARRY

REMIND_LATER_DAYS = 14


CARRIED_OUT_LABELS = {CarriedOut.YES: N_("Yes"), CarriedOut.PARTLY: N_("Partly"), CarriedOut.NO: N_("Not yet")}


@dataclass(frozen=True)
class Due:
    """A follow-up to ask now: which toolkit and course, and the action the learner wrote in L2."""

    context_id: int
    toolkit_id: str
    l2_submitted_at: datetime
    planned_action: str


@dataclass(frozen=True)
class ImpactRecord:
    """A follow-up answer the learner chose to keep as a CPD record of impact on practice."""

    id: int
    toolkit_id: str
    recorded_on: date
    carried_out: str
    what_happened: str
    impact: str


def planned_action(reflection: Reflection) -> str:
    """The learner's own "what I will do" from their L2 reflection (the stage that feeds the record's
    impact box, `toolkits.cpd.CARRY`), else the impact box itself."""
    sources = CARRY.get(reflection.model, {}).get("cpd_impact", ())
    text = "\n\n".join(reflection.fields.get(s, "").strip() for s in sources if reflection.fields.get(s, "").strip())
    return text or reflection.fields.get("cpd_impact", "").strip()


def due(session: Session, *, user_id: int, now: datetime, days: int) -> Due | None:
    """The oldest follow-up due for this learner (L2 reflection at least `days` ago, not answered or
    skipped, and any "remind me later" passed), or None. `days` 0 turns follow-ups off."""
    if days <= 0:
        return None
    rows = session.execute(
        select(Reflection, ResourceLink.context_id)
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .where(
            Reflection.user_id == user_id,
            Reflection.status == ReflectionStatus.SUBMITTED,
            ResourceLink.part == LinkPart.L2,
            Reflection.submitted_at <= now - timedelta(days=days),
        )
        .order_by(Reflection.submitted_at)
    ).all()
    if not rows:
        return None
    kept = {
        (f.context_id, f.toolkit_id): f for f in session.scalars(select(FollowUp).where(FollowUp.user_id == user_id))
    }
    for reflection, context_id in rows:
        existing = kept.get((context_id, reflection.toolkit_id))
        if existing is not None and (
            existing.status != Status.LATER or (existing.remind_after and existing.remind_after > now)
        ):
            continue
        assert reflection.submitted_at is not None
        return Due(context_id, reflection.toolkit_id, reflection.submitted_at, planned_action(reflection))
    return None


class DueGate:
    """Whether any follow-up could be due yet, so most launches ask the database nothing (issue 15 budgets).

    The bound is the earliest moment a follow-up can become due: the oldest L2 reflection without a
    closed follow-up, plus `days` — or, with none, the moment of the check plus `days`, since any L2
    reflection submitted later is due later still. It holds in every process without invalidation:
    answers only close follow-ups, and new reflections are due after the bound. Once it has passed, the
    bound is looked at again at most every `RECHECK`, and each learner's own query runs instead.
    """

    RECHECK = timedelta(minutes=10)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bound: datetime | None = None
        self._checked_at: datetime | None = None

    def may_be_due(self, session: Session, *, now: datetime, days: int) -> bool:
        if days <= 0:
            return False
        with self._lock:
            bound, checked = self._bound, self._checked_at
        if bound is not None and now < bound:
            return False
        if checked is not None and bound is not None and now - checked < self.RECHECK:
            return True
        oldest = session.scalar(
            select(func.min(Reflection.submitted_at))
            .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
            .where(
                Reflection.status == ReflectionStatus.SUBMITTED,
                ResourceLink.part == LinkPart.L2,
                ~exists().where(
                    FollowUp.user_id == Reflection.user_id,
                    FollowUp.context_id == ResourceLink.context_id,
                    FollowUp.toolkit_id == Reflection.toolkit_id,
                    FollowUp.status.in_((Status.ANSWERED, Status.SKIPPED)),
                ),
            )
        )
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)  # SQLite's min() comes back without its zone
        bound = min(now, oldest) + timedelta(days=days) if oldest is not None else now + timedelta(days=days)
        with self._lock:
            self._bound, self._checked_at = bound, now
        return now >= bound


def answer(
    session: Session,
    *,
    user_id: int,
    context_id: int,
    toolkit_id: str,
    carried_out: CarriedOut,
    what_happened: str,
    impact: str,
    in_portfolio: bool,
    now: datetime,
) -> FollowUp:
    if max(len(what_happened.strip()), len(impact.strip())) > MAX_TEXT_CHARS:
        raise InvalidAnswer(f"an answer is over {MAX_TEXT_CHARS} characters")
    row = _row(session, user_id, context_id, toolkit_id, now)
    row.status, row.carried_out = Status.ANSWERED, carried_out
    row.what_happened, row.impact = what_happened.strip(), impact.strip()
    row.in_portfolio, row.answered_at, row.remind_after = in_portfolio, now, None
    session.flush()
    return row


def remind_later(session: Session, *, user_id: int, context_id: int, toolkit_id: str, now: datetime) -> None:
    row = _row(session, user_id, context_id, toolkit_id, now)
    if row.status != Status.ANSWERED:
        row.status, row.remind_after = Status.LATER, now + timedelta(days=REMIND_LATER_DAYS)
    session.flush()


def decline(session: Session, *, user_id: int, context_id: int, toolkit_id: str, now: datetime) -> None:
    row = _row(session, user_id, context_id, toolkit_id, now)
    if row.status != Status.ANSWERED:
        row.status, row.remind_after = Status.SKIPPED, None
    session.flush()


def set_in_portfolio(session: Session, *, user_id: int, follow_up_id: int, keep: bool) -> None:
    """The learner adds an answered follow-up to their portfolio, or takes it out (their own rows only)."""
    row = session.get(FollowUp, follow_up_id)
    if row is not None and row.user_id == user_id and row.status == Status.ANSWERED:
        row.in_portfolio = keep
        session.flush()


def impact_records(session: Session, user_id: int) -> list[ImpactRecord]:
    """The learner's follow-up answers kept as CPD records of impact, oldest first (for the portfolio)."""
    rows = session.scalars(
        select(FollowUp)
        .where(FollowUp.user_id == user_id, FollowUp.status == Status.ANSWERED, FollowUp.in_portfolio.is_(True))
        .order_by(FollowUp.answered_at, FollowUp.id)
    )
    return [
        ImpactRecord(
            r.id,
            r.toolkit_id,
            (r.answered_at or r.created_at).date(),
            CARRIED_OUT_LABELS[CarriedOut(r.carried_out)],
            r.what_happened,
            r.impact,
        )
        for r in rows
    ]


def _row(session: Session, user_id: int, context_id: int, toolkit_id: str, now: datetime) -> FollowUp:
    row = session.scalars(
        select(FollowUp).where(
            FollowUp.user_id == user_id, FollowUp.context_id == context_id, FollowUp.toolkit_id == toolkit_id
        )
    ).first()
    if row is None:
        row = FollowUp(
            user_id=user_id, context_id=context_id, toolkit_id=toolkit_id, status=Status.LATER,
            carried_out="", what_happened="", impact="", in_portfolio=False, created_at=now,
        )  # fmt: skip
        session.add(row)
    return row


@dataclass(frozen=True)
class Reminder:
    """A follow-up's date for the learner's calendar: when it will be asked (or, after "ask me later",
    when it will be asked again)."""

    context_id: int
    toolkit_id: str
    on: datetime
    later_from: datetime | None = None  # the first day it was due, when "ask me later" moved it on


def reminders(session: Session, *, user_id: int, days: int) -> list[Reminder]:
    """Every follow-up still to come or still open for this learner, oldest first (none with `days` 0).

    Answered and declined follow-ups are left out; so the calendar feed drops them once answered.
    """
    if days <= 0:
        return []
    rows = session.execute(
        select(Reflection.toolkit_id, ResourceLink.context_id, func.min(Reflection.submitted_at))
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .where(Reflection.user_id == user_id, Reflection.status == "submitted", ResourceLink.part == "l2")
        .group_by(Reflection.toolkit_id, ResourceLink.context_id)
    ).all()
    kept = {
        (f.context_id, f.toolkit_id): f for f in session.scalars(select(FollowUp).where(FollowUp.user_id == user_id))
    }
    found = []
    for toolkit_id, context_id, submitted_at in rows:
        existing = kept.get((context_id, toolkit_id))
        if submitted_at is None or (existing is not None and existing.status != Status.LATER.value):
            continue
        first: datetime = submitted_at + timedelta(days=days)
        if existing is not None and existing.remind_after is not None and existing.remind_after > first:
            found.append(Reminder(context_id, toolkit_id, existing.remind_after, first))
        else:
            found.append(Reminder(context_id, toolkit_id, first))
    return sorted(found, key=lambda r: (r.on, r.context_id, r.toolkit_id))
