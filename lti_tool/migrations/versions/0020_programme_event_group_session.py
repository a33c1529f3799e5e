"""programme_event.group_session_id: a toolkit L2 occurrence of a programme runs as an L2 group session.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_session_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_programme_event_group_session_id"), ["group_session_id"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_programme_event_group_session_id_group_session"),
            "group_session",
            ["group_session_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("programme_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_programme_event_group_session_id_group_session"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_programme_event_group_session_id"))
        batch_op.drop_column("group_session_id")
