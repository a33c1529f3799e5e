"""session_feedback.event_id: feedback on a programme's workshop or action learning set meeting (issue 12).

A row is about an L2 group session (`session_id`, as before) or a programme event (`event_id`), so
`session_id` becomes nullable. On SQLite the batch rebuilds `session_feedback` only: no table refers to
it, so dropping the old copy cascades nothing (see 0021's note on rebuilding parent tables).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_session_feedback_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_session_feedback_event_id_programme_event"),
            "programme_event",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(op.f("uq_session_feedback_event_id_user_id"), ["event_id", "user_id"])


def downgrade() -> None:
    # Feedback on programme events has no place in the older schema.
    op.execute(sa.text("DELETE FROM session_feedback WHERE event_id IS NOT NULL"))
    with op.batch_alter_table("session_feedback", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_session_feedback_event_id_user_id"), type_="unique")
        batch_op.drop_constraint(op.f("fk_session_feedback_event_id_programme_event"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_session_feedback_event_id"))
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("event_id")
