"""L2 group formats: statuses, roles, the preset agendas of docs/cpd-rules.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lti_tool.errors import BadRequest
from lti_tool.models import (
    ActivityProgress,
    FeedbackKind,
    FeedbackStatus,
    GradingProgress,
    ParticipantRole,
    SessionStatus,
)
from lti_tool.words import N_
from toolkits.model import AgendaItem, GroupFormat, Toolkit

SCORE_MAXIMUM = 100.0
ATTENDED = (ActivityProgress.IN_PROGRESS, GradingProgress.PENDING)
COMPLETED = (ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED)

SCHEDULED = SessionStatus.SCHEDULED
RUNNING = SessionStatus.RUNNING
CLOSED = SessionStatus.CLOSED

FEEDBACK = FeedbackKind.FEEDBACK
FEEDFORWARD = FeedbackKind.FEEDFORWARD
KINDS = tuple(FeedbackKind)
PENDING = FeedbackStatus.PENDING
APPROVED = FeedbackStatus.APPROVED
REJECTED = FeedbackStatus.REJECTED
MAX_FEEDBACK_CHARS = 2_000

PRESENTER = ParticipantRole.PRESENTER
CONSULTANT = ParticipantRole.CONSULTANT
OBSERVER = ParticipantRole.OBSERVER
ACTION_PLANNER = ParticipantRole.ACTION_PLANNER
ROLE_LABELS: dict[str, str] = {
    PRESENTER: N_("Presenter"),
    CONSULTANT: N_("Consultant"),
    OBSERVER: N_("Observer"),
    ACTION_PLANNER: N_("Action planner"),
}


@dataclass(frozen=True)
class FormatPreset:
    """A group format: its agenda with timings, the roles it uses, and what the facilitator watches for."""

    format: GroupFormat
    title: str
    agenda: tuple[AgendaItem, ...]
    roles: tuple[str, ...] = ()
    facilitator_notes: tuple[str, ...] = ()


# Timings from docs/cpd-rules.md; where it gives a range (action learning set) the middle of it.
PRESETS: dict[GroupFormat, FormatPreset] = {
    GroupFormat.SWOTT_DEFAULT: FormatPreset(
        GroupFormat.SWOTT_DEFAULT,
        N_("SWOTT group session"),
        (
            AgendaItem("Check-in and ground rules", 5),
            AgendaItem("Recap of L1 ideas", 7),
            AgendaItem("Case study read or presented", 10),
            AgendaItem("Clarifying questions", 8),
            AgendaItem("Applying theory and hypothesising", 20),
            AgendaItem("Peer feedback and feedforward", 10),
            AgendaItem("Actions and written reflections", 10),
            AgendaItem("Review of the process", 5),
        ),
    ),
    GroupFormat.ACTION_LEARNING_SET: FormatPreset(
        GroupFormat.ACTION_LEARNING_SET,
        N_("Action learning set"),
        (
            AgendaItem("The issue", 2),
            AgendaItem("Clarifying questions", 8),
            AgendaItem("Open questions", 12),
            AgendaItem("Summary", 2),
            AgendaItem("Resources round", 5),
            AgendaItem("Action", 2),
        ),
        facilitator_notes=(
            "Per presenter, 30 to 40 minutes: repeat the agenda for each presenter.",
            "Stop advice dressed as questions (“Have you thought about…?”): ask for an open question instead.",
        ),
    ),
    GroupFormat.BELLS_THAT_RING: FormatPreset(
        GroupFormat.BELLS_THAT_RING,
        N_("Bells that Ring (systemic group supervision)"),
        (
            AgendaItem("Assign roles", 5),
            AgendaItem("The presenter presents", 10),
            AgendaItem("The consultant asks curious questions", 15),
            AgendaItem("Observers' reflecting conversation (the presenter listens)", 15),
            AgendaItem("The consultant asks the presenter for feedback", 5),
            AgendaItem("The action planner feeds back", 5),
            AgendaItem("Whole-group reflection", 10),
        ),
        roles=(PRESENTER, CONSULTANT, OBSERVER, ACTION_PLANNER),
        facilitator_notes=(
            "Observers talk to each other, not to the presenter, while the presenter listens.",
            "Notice which ideas ‘ring bells’ for the presenter, and come back to them.",
        ),
    ),
}


def agenda_for(toolkit: Toolkit, group_format: str) -> tuple[AgendaItem, ...]:
    """The toolkit's own agenda in its own format (its timings fit its case), else the format's preset."""
    fmt = parse_format(group_format)
    if fmt is toolkit.l2.format:
        return toolkit.l2.agenda
    return PRESETS[fmt].agenda


def parse_format(value: str) -> GroupFormat:
    try:
        return GroupFormat(value)
    except ValueError:
        raise BadRequest(N_("Choose one of the group formats offered."), reason="bad_group_format") from None


def reflection_item_index(agenda: Sequence[AgendaItem]) -> int:
    """The agenda item that opens the L2 reflection: the first whose title names written reflections
    (SWOTT's "Actions and written reflections"), else the last item (a format without one)."""
    for index, item in enumerate(agenda):
        title = item.title.lower()
        if "written reflection" in title or "writing reflection" in title:
            return index
    return len(agenda) - 1
