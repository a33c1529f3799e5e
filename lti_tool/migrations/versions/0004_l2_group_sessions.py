"""L2 group sessions: schedules (L1 deadline), sessions and their live state, participants, peer
feedback and feedforward, reflection sharing, and the record of erased reflections (no text).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:15:10.754922
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("toolkit_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("video_link", sa.String(length=1024), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agenda_index", sa.Integer(), nullable=False),
        sa.Column("timer_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stages_revealed", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["context_id"], ["context.id"], name=op.f("fk_group_session_context_id_context"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_session")),
    )
    with op.batch_alter_table("group_session", schema=None) as batch_op:
        batch_op.create_index("ix_group_session_context_toolkit", ["context_id", "toolkit_id"], unique=False)

    op.create_table(
        "toolkit_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("toolkit_id", sa.String(length=64), nullable=False),
        sa.Column("l1_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["context_id"], ["context.id"], name=op.f("fk_toolkit_schedule_context_id_context"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_toolkit_schedule")),
        sa.UniqueConstraint("context_id", "toolkit_id", name=op.f("uq_toolkit_schedule_context_id_toolkit_id")),
    )
    op.create_table(
        "group_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["lti_user.id"], name=op.f("fk_group_feedback_author_id_lti_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["lti_user.id"], name=op.f("fk_group_feedback_recipient_id_lti_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["group_session.id"],
            name=op.f("fk_group_feedback_session_id_group_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_feedback")),
    )
    with op.batch_alter_table("group_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_feedback_session_id"), ["session_id"], unique=False)

    op.create_table(
        "group_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["group_session.id"],
            name=op.f("fk_group_participant_session_id_group_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_group_participant_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_participant")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f("uq_group_participant_session_id_user_id")),
    )
    with op.batch_alter_table("group_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_participant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "reflection_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.Integer(), nullable=False),
        sa.Column("was_submitted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_link_id"],
            ["resource_link.id"],
            name=op.f("fk_reflection_erasure_resource_link_id_resource_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_reflection_erasure_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflection_erasure")),
        sa.UniqueConstraint("user_id", "resource_link_id", name=op.f("uq_reflection_erasure_user_id_resource_link_id")),
    )
    op.create_table(
        "reflection_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reflection_id"],
            ["reflection.id"],
            name=op.f("fk_reflection_share_reflection_id_reflection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflection_share")),
        sa.UniqueConstraint("reflection_id", name=op.f("uq_reflection_share_reflection_id")),
    )


def downgrade() -> None:
    op.drop_table("reflection_share")
    op.drop_table("reflection_erasure")
    with op.batch_alter_table("group_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_participant_user_id"))

    op.drop_table("group_participant")
    with op.batch_alter_table("group_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_feedback_session_id"))

    op.drop_table("group_feedback")
    op.drop_table("toolkit_schedule")
    with op.batch_alter_table("group_session", schema=None) as batch_op:
        batch_op.drop_index("ix_group_session_context_toolkit")

    op.drop_table("group_session")
