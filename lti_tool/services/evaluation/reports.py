"""Reports for leads: response rates, confidence before and after per learning outcome, session feedback.

Anonymised (issue 12; ARCHITECTURE.md, "Evaluation"): every figure is a total over a group, and a group
of fewer than `MIN_GROUP` (5) respondents shows "Not enough responses to show" instead of any figure.
Free text appears only when its author allowed sharing, never with a name or date, sorted so the order
says nothing about who answered when, and with possible identifying details flagged by the same checks
as reflections (`services.reflections.identifying_details`). docs/evaluation.md says what this does and
does not protect against.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Answer,
    Context,
    Enrolment,
    EvaluationResponse,
    GroupSession,
    LinkPart,
    Platform,
    Reflection,
    ReflectionStatus,
    ResourceLink,
    SessionFeedback,
)
from lti_tool.services.evaluation.feedback import USEFULNESS_SCALE
from lti_tool.services.reflections import identifying_details
from lti_tool.words import N_, Translate, english
from toolkits.model import CONFIDENCE_SCALE, Phase, Questionnaire, Toolkit

MIN_GROUP = 5
NOT_ENOUGH = N_("Not enough responses to show")
FLAG_WORDS = {
    "name": N_("a name"),
    "date_of_birth": N_("a date of birth"),
    "date": N_("a date"),
    "nhs_number": N_("an NHS number"),
    "case_number": N_("a case number"),
}


@dataclass(frozen=True)
class Distribution:
    """How many chose each point of a 5-point scale (index 0 is point 1)."""

    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float:
        return sum((i + 1) * c for i, c in enumerate(self.counts)) / self.total if self.total else 0.0

    def percent(self, index: int) -> int:
        return round(100 * self.counts[index] / self.total) if self.total else 0


@dataclass(frozen=True)
class OutcomeChange:
    number: int
    statement: str
    before: Distribution
    after: Distribution
    raised: int  # paired respondents whose rating went up
    same: int
    lowered: int

    @property
    def change(self) -> float:
        return self.after.mean - self.before.mean


@dataclass(frozen=True)
class Comment:
    text: str
    flags: tuple[str, ...]  # plain words: "a name", "a date"


@dataclass(frozen=True)
class FeedbackSummary:
    respondents: int  # people who answered
    usefulness: Distribution | None  # None below MIN_GROUP people
    comments: tuple[Comment, ...]
    answers: int = 0  # answers (a programme's participant answers after each workshop and set meeting)


@dataclass(frozen=True)
class Words:
    """How a report names its moments: a toolkit's are L1 and L2; a programme's its start and end.

    English, marked for the catalogue (`N_`); the report pages translate them when shown."""

    before: str = N_("before L1")
    after: str = N_("after L2")
    asked_after: str = N_("Finished L2 (asked after)")


PROGRAMME_WORDS = Words(N_("before the programme"), N_("at the end"), N_("Finished the programme (asked at the end)"))


@dataclass(frozen=True)
class Report:
    toolkit: Toolkit | None  # None for a programme's report (`title` names it)
    title: str
    words: Words
    learners: int  # enrolled learners in the group's courses
    before_answered: int
    before_skipped: int
    after_asked: int  # learners who submitted their L2 reflection
    after_answered: int
    after_skipped: int
    paired: int  # answered both
    outcomes: tuple[OutcomeChange, ...] | None  # None below MIN_GROUP paired respondents
    before_comments: tuple[Comment, ...]
    after_comments: tuple[Comment, ...]
    feedback: FeedbackSummary | None  # None where the report has no session feedback section

    @property
    def enough(self) -> bool:
        return self.outcomes is not None


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def response_rate(part: int, whole: int) -> str:
    """'60%' (or a dash when nobody was asked)."""
    return _rate(part, whole)


def _comments(texts: Iterable[str], respondents: int) -> tuple[Comment, ...]:
    if respondents < MIN_GROUP:
        return ()
    found = []
    for text in sorted(t for t in texts if t.strip()):
        kinds = dict.fromkeys(FLAG_WORDS[f.kind] for f in identifying_details({"text": text}) if f.kind in FLAG_WORDS)
        found.append(Comment(text, tuple(kinds)))
    return tuple(found)


def _distribution(ratings: Iterable[int]) -> Distribution:
    counts = [0] * len(CONFIDENCE_SCALE)
    for rating in ratings:
        if 1 <= rating <= len(counts):
            counts[rating - 1] += 1
    return Distribution(tuple(counts))


def build(session: Session, *, toolkit: Toolkit, context_ids: Sequence[int]) -> Report:
    """The report for one toolkit over the given courses (one course for a lead, all for the operator)."""
    learners = session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.context_id.in_(context_ids), Enrolment.role == "learner", Enrolment.active.is_(True)
        )
    )
    after_asked = session.scalar(
        select(func.count(func.distinct(Reflection.user_id)))
        .join(ResourceLink, ResourceLink.id == Reflection.resource_link_id)
        .where(
            ResourceLink.context_id.in_(context_ids),
            ResourceLink.toolkit_id == toolkit.id,
            ResourceLink.part == LinkPart.L2,
            Reflection.status == ReflectionStatus.SUBMITTED,
        )
    )
    return build_for(
        session, questionnaire=toolkit.questionnaire, subject_ids=[toolkit.id], context_ids=context_ids,
        learners=learners or 0, after_asked=after_asked or 0, feedback=_feedback(session, toolkit.id, context_ids),
        toolkit=toolkit, title=toolkit.title, words=Words(),
    )  # fmt: skip


def build_for(
    session: Session,
    *,
    questionnaire: Questionnaire | None,
    subject_ids: Sequence[str],
    context_ids: Sequence[int],
    learners: int,
    after_asked: int,
    feedback: FeedbackSummary | None,
    toolkit: Toolkit | None,
    title: str,
    words: Words,
) -> Report:
    """Any questionnaire's report: a toolkit's (`build`), a cohort's or a programme's
    (`services.evaluation.programme_reports`). Answers are paired by learner, course and subject."""
    rows = list(
        session.scalars(
            select(EvaluationResponse).where(
                EvaluationResponse.toolkit_id.in_(subject_ids), EvaluationResponse.context_id.in_(context_ids)
            )
        )
    ) if subject_ids and context_ids else []  # fmt: skip
    by_phase: dict[str, dict[tuple[int, int, str], EvaluationResponse]] = {p.value: {} for p in Phase}
    for row in rows:
        by_phase[row.phase][(row.user_id, row.context_id, row.toolkit_id)] = row
    answered = {p: {k: r for k, r in v.items() if r.status == Answer.ANSWERED.value} for p, v in by_phase.items()}
    before, after = answered[Phase.BEFORE.value], answered[Phase.AFTER.value]
    paired_keys = sorted(set(before) & set(after))
    outcomes = _outcomes(questionnaire, [(before[k], after[k]) for k in paired_keys])
    return Report(
        toolkit=toolkit,
        title=title,
        words=words,
        learners=learners,
        before_answered=len(before),
        before_skipped=len(by_phase[Phase.BEFORE.value]) - len(before),
        # Whoever answered or skipped the after questions was asked them, whatever the count of finishers
        # says (a learner may open them from a bookmarked link before their L2 reflection is in).
        after_asked=max(after_asked, len(by_phase[Phase.AFTER.value])),
        after_answered=len(after),
        after_skipped=len(by_phase[Phase.AFTER.value]) - len(after),
        paired=len(paired_keys),
        outcomes=outcomes,
        before_comments=_comments(_shared(before.values()), len(before)),
        after_comments=_comments(_shared(after.values()), len(after)),
        feedback=feedback,
    )


def _shared(rows: Iterable[EvaluationResponse]) -> list[str]:
    return [text for r in rows if r.share_text for text in r.open_answers.values()]


def _outcomes(
    questionnaire: Questionnaire | None, pairs: list[tuple[EvaluationResponse, EvaluationResponse]]
) -> tuple[OutcomeChange, ...] | None:
    if len(pairs) < MIN_GROUP or questionnaire is None:
        return None
    changes = []
    for index, statement in enumerate(questionnaire.confidence):
        rated = [
            (b.confidence[index], a.confidence[index])
            for b, a in pairs
            if index < len(b.confidence) and index < len(a.confidence)
            and b.confidence[index] > 0 and a.confidence[index] > 0
        ]  # fmt: skip
        if len(rated) < MIN_GROUP:
            # Some skipped this outcome: too few rated it both times to show it on its own.
            changes.append(OutcomeChange(index + 1, statement, Distribution((0,) * 5), Distribution((0,) * 5), 0, 0, 0))
            continue
        changes.append(
            OutcomeChange(
                index + 1,
                statement,
                _distribution(b for b, _ in rated),
                _distribution(a for _, a in rated),
                sum(a > b for b, a in rated),
                sum(a == b for b, a in rated),
                sum(a < b for b, a in rated),
            )
        )
    return tuple(changes)


def _feedback(session: Session, toolkit_id: str, context_ids: Sequence[int]) -> FeedbackSummary:
    rows = list(
        session.scalars(
            select(SessionFeedback)
            .join(GroupSession, GroupSession.id == SessionFeedback.session_id)
            .where(
                GroupSession.toolkit_id == toolkit_id,
                GroupSession.context_id.in_(context_ids),
                SessionFeedback.status == Answer.ANSWERED,
            )
        )
    )
    return feedback_summary(rows)


def feedback_summary(rows: Sequence[SessionFeedback]) -> FeedbackSummary:
    """Answered feedback rows as a summary; nothing but the counts below `MIN_GROUP` people.

    The threshold counts people, not answers: in a programme one participant answers after each meeting
    of a set series, and five answers from two people would let each pick out the other's."""
    people = len({r.user_id for r in rows})
    if people < MIN_GROUP:
        return FeedbackSummary(people, None, (), len(rows))
    counts = [0] * len(USEFULNESS_SCALE)
    for row in rows:
        if 1 <= row.usefulness <= len(counts):
            counts[row.usefulness - 1] += 1
    shared = [r.change_text for r in rows if r.share_text]
    return FeedbackSummary(people, Distribution(tuple(counts)), _comments(shared, people), len(rows))


# --- Operator-wide -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilRow:
    council: str
    paired: int
    before_mean: float | None  # None below MIN_GROUP
    after_mean: float | None


def all_context_ids(session: Session, toolkit_id: str) -> list[int]:
    """Every course with evaluation answers or sessions for this toolkit, across every council."""
    return sorted(
        set(session.scalars(select(EvaluationResponse.context_id).where(EvaluationResponse.toolkit_id == toolkit_id)))
        | set(session.scalars(select(GroupSession.context_id).where(GroupSession.toolkit_id == toolkit_id)))
    )


def by_council(session: Session, *, toolkit: Toolkit) -> list[CouncilRow]:
    """One row per council: how many answered both times and, for 5 or more, the mean confidence."""
    councils: dict[int, tuple[str, list[int]]] = {}
    ids = all_context_ids(session, toolkit.id)
    for context_id, platform_id, name in session.execute(
        select(Context.id, Platform.id, Platform.name)
        .join(Platform, Platform.id == Context.platform_id)
        .where(Context.id.in_(ids))
    ):
        councils.setdefault(platform_id, (name or f"Council {platform_id}", []))[1].append(context_id)
    result = []
    for name, contexts in sorted(councils.values()):
        report = build(session, toolkit=toolkit, context_ids=contexts)
        if report.outcomes is None:
            result.append(CouncilRow(name, report.paired, None, None))
            continue
        shown = [o for o in report.outcomes if o.before.total]
        before = sum(o.before.mean for o in shown) / len(shown) if shown else None
        after = sum(o.after.mean for o in shown) / len(shown) if shown else None
        result.append(CouncilRow(name, report.paired, before, after))
    return result


# --- CSV ------------------------------------------------------------------------------------------------

CSV_HEADER = (N_("Section"), N_("Item"), N_("Respondents"), N_("Average (1 to 5)"), N_("Note"))
"""The columns but the scale's five points, which come after "Respondents": "1 Not at all confident" …"""


def to_csv(report: Report, gettext: Translate = english) -> str:
    """The report's figures as CSV, the same figures as the page (and the same threshold).

    Headings, section names and notes are in the lead's language (the view passes its `gettext`); the
    learning outcomes' statements and the comments are as written, and the figures are the same in every
    language."""
    _ = gettext
    out = io.StringIO()
    writer = csv.writer(out)
    scale = [f"{i} {_(label)}" for i, label in enumerate(CONFIDENCE_SCALE, 1)]
    heading = [_(column) for column in CSV_HEADER]
    writer.writerow([*heading[:3], *scale, *heading[3:]])
    rate, blank, not_enough = _("Response rate"), [""] * 6, _(NOT_ENOUGH)
    writer.writerow((rate, _("Enrolled learners"), report.learners, *blank, ""))
    writer.writerow((rate, _("Answered %(when)s", when=_(report.words.before)), report.before_answered, *blank,
                     _rate(report.before_answered, report.learners)))  # fmt: skip
    writer.writerow((rate, _("Answered %(when)s", when=_(report.words.after)), report.after_answered, *blank,
                     _rate(report.after_answered, report.after_asked)))  # fmt: skip
    writer.writerow((rate, _("Answered both"), report.paired, *blank, ""))
    if report.outcomes is None:
        writer.writerow((_("Confidence"), _("All learning outcomes"), report.paired, *blank, not_enough))
    else:
        for outcome in report.outcomes:
            for label, dist in ((_("Confidence before"), outcome.before), (_("Confidence after"), outcome.after)):
                item = _cell(f"{outcome.number}. {outcome.statement}")
                if not dist.total:
                    writer.writerow((label, item, "", *blank, not_enough))
                    continue
                writer.writerow((label, item, dist.total, *dist.counts, f"{dist.mean:.1f}", ""))
    fb = report.feedback
    feedback, useful = _("Session feedback"), _("How useful the session was")
    if fb is None:
        pass
    elif fb.usefulness is None:
        writer.writerow((feedback, useful, fb.respondents, *blank, not_enough))
    else:
        writer.writerow((feedback, useful, fb.respondents, *fb.usefulness.counts, f"{fb.usefulness.mean:.1f}", ""))
        writer.writerow((feedback, _("Answers"), fb.answers, *blank, ""))
        for comment in fb.comments:  # shared by their authors; the page shows the same
            flags = ", ".join(_(flag) for flag in comment.flags)
            note = _("May identify someone: %(details)s", details=flags) if comment.flags else ""
            writer.writerow((_("What people would change"), _cell(comment.text), "", *blank, note))
    return out.getvalue()


def _cell(text: str) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
