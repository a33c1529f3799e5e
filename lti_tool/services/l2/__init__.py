"""L2 group sessions: scheduling, the live session a facilitator runs, peer feedback, and the L2 reflection.

Plain Python over SQLAlchemy (no Flask), so the rules are tested without a request. One module per
concern: `formats` (statuses, roles, preset agendas), `scheduling`, `running` (live state), `feedback`
(moderation), `reflection`, `due_dates` (the LMS line items); this package re-exports their public names.

- **Scheduling.** A facilitator sets the L1 deadline for a toolkit in a course (`ToolkitSchedule`) and
  schedules one or more group sessions (date and time, a place or a video link, participants picked
  from the course's learners). Only learners enrolled in that course can be invited, so a session can
  never reach into another course or platform.
- **Live state.** While the session runs, the facilitator moves through the agenda (each item starts its
  own timer), reveals the case study stage by stage and takes attendance. Every change bumps
  `GroupSession.revision`; participants' pages poll the state and redraw only when it moved. Stages not
  yet revealed are never sent to participants, so reading the page source gives nothing away.
- **Formats.** `toolkits.model.GroupFormat` names the three formats of docs/cpd-rules.md. A session in the
  toolkit's own format uses the toolkit's agenda; another format uses its preset agenda here. Bells that
  Ring has roles: one presenter, one consultant, one action planner, everyone else an observer.
- **Feedback and feedforward.** Participants write feedback (on current practice) and feedforward (on
  future practice) for a colleague or the group, optionally anonymously. Nothing is shown to anyone but
  the facilitator until the facilitator approves it (moderation); an anonymous item never shows its
  author, to the facilitator either.
- **The L2 reflection, in the session.** SWOTT gives the end of L2 to written reflections, so the
  reflection opens for a learner marked as attending as soon as the facilitator reaches the agenda item
  for written reflections (`reflection_item_index`), at any time after that, and after the session is
  closed (docs/learning-design.md). It uses the same `Reflection` rows and service as L1
  (`services.reflections`) with the toolkit's L2 template. The peer-reflection box starts empty; the
  feedforward the learner kept is shown beside it as prompts (`kept_feedforward`), so the record holds
  what the learner says they learnt. Submitting it queues `Completed`/`FullyGraded` with the full score
  through the same outbox as L1 (AGS 2.0 §3.4), in the same transaction as the submission.
- **Closing.** Closing records attendance as final and queues an `InProgress`/`Pending` score on the
  L2 line item for each attendee who has not already submitted their reflection.
"""

from lti_tool.services.l2.due_dates import (
    DueDateUpdate,
    due_date_links,
    due_date_task,
    l2_due,
    push_due_date,
)
from lti_tool.services.l2.feedback import (
    feedback_items,
    feedforward_for,
    give_feedback,
    moderate,
)
from lti_tool.services.l2.formats import (
    ACTION_PLANNER,
    APPROVED,
    ATTENDED,
    CLOSED,
    COMPLETED,
    CONSULTANT,
    FEEDBACK,
    FEEDFORWARD,
    KINDS,
    MAX_FEEDBACK_CHARS,
    OBSERVER,
    PENDING,
    PRESENTER,
    PRESETS,
    REJECTED,
    ROLE_LABELS,
    RUNNING,
    SCHEDULED,
    SCORE_MAXIMUM,
    FormatPreset,
    agenda_for,
    parse_format,
    reflection_item_index,
)
from lti_tool.services.l2.reflection import (
    REFLECTION_NOT_OPEN,
    attended_closed_session,
    kept_feedforward,
    reflection_form_fields,
    reflection_open,
    save_reflection,
    start_reflection,
    submit_reflection,
)
from lti_tool.services.l2.reflection import (
    TITLE_SUFFIX as REFLECTION_TITLE_SUFFIX,
)
from lti_tool.services.l2.running import (
    Timer,
    assign_roles,
    close,
    go_to_agenda_item,
    live_state,
    reveal_next_stage,
    set_attendance,
    start,
    timer,
)
from lti_tool.services.l2.scheduling import (
    bump,
    course_learners,
    ends_at,
    get_session,
    l1_deadline,
    l2_link,
    names,
    participant,
    participants,
    require_open,
    require_participant,
    require_running,
    schedule_session,
    sessions_for,
    set_l1_deadline,
    set_participants,
    upcoming_for_learner,
)

__all__ = [
    "ACTION_PLANNER",
    "APPROVED",
    "ATTENDED",
    "CLOSED",
    "COMPLETED",
    "CONSULTANT",
    "FEEDBACK",
    "FEEDFORWARD",
    "KINDS",
    "MAX_FEEDBACK_CHARS",
    "OBSERVER",
    "PENDING",
    "PRESENTER",
    "PRESETS",
    "REFLECTION_NOT_OPEN",
    "REFLECTION_TITLE_SUFFIX",
    "REJECTED",
    "ROLE_LABELS",
    "RUNNING",
    "SCHEDULED",
    "SCORE_MAXIMUM",
    "DueDateUpdate",
    "FormatPreset",
    "Timer",
    "agenda_for",
    "assign_roles",
    "attended_closed_session",
    "bump",
    "close",
    "course_learners",
    "due_date_links",
    "due_date_task",
    "ends_at",
    "feedback_items",
    "feedforward_for",
    "get_session",
    "give_feedback",
    "go_to_agenda_item",
    "kept_feedforward",
    "l1_deadline",
    "l2_due",
    "l2_link",
    "live_state",
    "moderate",
    "names",
    "parse_format",
    "participant",
    "participants",
    "push_due_date",
    "reflection_form_fields",
    "reflection_item_index",
    "reflection_open",
    "require_open",
    "require_participant",
    "require_running",
    "reveal_next_stage",
    "save_reflection",
    "schedule_session",
    "sessions_for",
    "set_attendance",
    "set_l1_deadline",
    "set_participants",
    "start",
    "start_reflection",
    "submit_reflection",
    "timer",
    "upcoming_for_learner",
]
