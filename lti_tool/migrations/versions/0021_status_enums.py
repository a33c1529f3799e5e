"""Statuses, formats and roles become StrEnums (issue 17): check every stored value is one of them.

The columns keep their VARCHAR lengths and their stored strings (`models.base.str_enum`: non-native,
no CHECK constraint), so no column changes. What does change is that the ORM now reads each value back
as an enum member and refuses any other string, so a row holding a value outside its enum would break
the page that reads it. This revision looks for such rows and stops, naming the table, column and
value (never a row's content), before the new code can trip over them.

Why no CHECK constraints: SQLite can add one only by rebuilding the table, and a rebuild drops the old
table; with foreign keys on (every connection here, `db.make_engine`), dropping a parent table such as
`group_session` or `platform` deletes its children through ON DELETE CASCADE
(https://www.sqlite.org/foreignkeys.html#fk_schemacommands).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# (table, column, allowed values) as the models of this revision define them.
ALLOWED: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("attempt", "status", frozenset({"in_progress", "completed"})),
    ("reflection", "status", frozenset({"draft", "submitted"})),
    ("group_session", "format", frozenset({"swott-default", "action-learning-set", "bells-that-ring"})),
    ("group_session", "status", frozenset({"scheduled", "running", "closed"})),
    ("group_participant", "role", frozenset({"", "presenter", "consultant", "observer", "action_planner"})),
    ("group_feedback", "kind", frozenset({"feedback", "feedforward"})),
    ("group_feedback", "status", frozenset({"pending", "approved", "rejected"})),
    ("reflection_erasure", "reason", frozenset({"learner", "retention"})),
    ("resource_link", "part", frozenset({"l1", "l2", "pg", "pa"})),
    ("enrolment", "role", frozenset({"facilitator", "learner"})),
    (
        "score_record",
        "activity_progress",
        frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"}),
    ),
    (
        "score_record",
        "grading_progress",
        frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}),
    ),
    ("score_record", "status", frozenset({"pending", "delivered", "failed"})),
    ("platform", "status", frozenset({"active", "pending"})),
    ("platform", "registered_by", frozenset({"manual", "dynamic"})),
    ("evaluation_response", "phase", frozenset({"before", "after"})),
    ("evaluation_response", "status", frozenset({"answered", "skipped"})),
    ("session_feedback", "status", frozenset({"answered", "skipped"})),
    ("follow_up", "status", frozenset({"answered", "skipped", "later"})),
    ("follow_up", "carried_out", frozenset({"", "yes", "partly", "no"})),
    ("certificate", "kind", frozenset({"toolkit", "programme"})),
    ("programme_run", "status", frozenset({"planning", "running", "finished", "cancelled"})),
    (
        "programme_event",
        "kind",
        frozenset({"toolkit-l1", "group-session", "one-to-one", "discovery-day", "protected-time"}),
    ),
    ("programme_event", "status", frozenset({"scheduled", "held", "cancelled"})),
    ("programme_progress", "status", frozenset({"not_started", "done", "missed"})),
    ("programme_progress", "role", frozenset({"", "presenter", "consultant", "facilitator"})),
    ("programme_reflection", "status", frozenset({"draft", "submitted"})),
)


def upgrade() -> None:
    bind = op.get_bind()
    problems = []
    for table, column, allowed in ALLOWED:
        found: list[object] = list(
            bind.execute(sa.select(sa.column(column)).select_from(sa.table(table)).distinct()).scalars()
        )
        unknown = sorted(str(value) for value in found if value not in allowed)
        if unknown:
            problems.append(f"{table}.{column}: {', '.join(repr(v) for v in unknown)}")
    if problems:
        raise RuntimeError(
            "These stored values are not among their column's allowed values; correct them, then run the "
            "upgrade again: " + "; ".join(problems)
        )


def downgrade() -> None:
    """Nothing to undo: the columns never changed."""
