"""Attempt.option_orders, first_answers, right_once (shuffled options, first-answer scoring) and
Reflection.kept_feedback_ids (the kept feedforward shown beside the empty peer box).

Existing attempts keep their latest answers as their first answers: that is all that was recorded, so
a learner's score does not change on upgrade.

Revision ID: 0008
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("option_orders", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("first_answers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("right_once", sa.JSON(), nullable=True))
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_feedback_ids", sa.JSON(), nullable=True))
    attempt = sa.table(
        "attempt",
        sa.column("answers", sa.JSON()),
        sa.column("option_orders", sa.JSON()),
        sa.column("first_answers", sa.JSON()),
        sa.column("right_once", sa.JSON()),
    )
    op.execute(
        attempt.update().values(
            first_answers=attempt.c.answers,
            option_orders=sa.literal({}, sa.JSON()),
            right_once=sa.literal([], sa.JSON()),
        )
    )
    reflection = sa.table("reflection", sa.column("kept_feedback_ids", sa.JSON()))
    op.execute(reflection.update().values(kept_feedback_ids=sa.literal([], sa.JSON())))
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.alter_column("option_orders", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("first_answers", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("right_once", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.alter_column("kept_feedback_ids", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.drop_column("kept_feedback_ids")
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("right_once")
        batch_op.drop_column("first_answers")
        batch_op.drop_column("option_orders")
