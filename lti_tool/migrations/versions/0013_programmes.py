"""Programmes (issue 16): runs of a programme template for a cohort, their participants, timeline events,
progress and attendance, one-to-one meetings, per-occurrence reflections and development-plan goals.

Revision ID: 0013
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.String(length=32), nullable=False),
        sa.Column("cohort_name", sa.String(length=255), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("nation", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["context_id"], ["context.id"], name=op.f("fk_programme_run_context_id_context"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resource_link_id"],
            ["resource_link.id"],
            name=op.f("fk_programme_run_resource_link_id_resource_link"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_run")),
    )
    with op.batch_alter_table("programme_run", schema=None) as batch_op:
        batch_op.create_index("ix_programme_run_context", ["context_id"], unique=False)

    op.create_table(
        "programme_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("video_link", sa.String(length=1024), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=128), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["programme_run.id"], name=op.f("fk_programme_event_run_id_programme_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_event")),
        sa.UniqueConstraint(
            "run_id", "activity_id", "occurrence", name=op.f("uq_programme_event_run_id_activity_id_occurrence")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_programme_event_uid")),
    )
    with op.batch_alter_table("programme_event", schema=None) as batch_op:
        batch_op.create_index("ix_programme_event_run_starts", ["run_id", "starts_at"], unique=False)

    op.create_table(
        "programme_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("protected_hours", sa.Integer(), nullable=False),
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["lti_user.id"], name=op.f("fk_programme_participant_coach_id_lti_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["lti_user.id"],
            name=op.f("fk_programme_participant_mentor_id_lti_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["programme_run.id"],
            name=op.f("fk_programme_participant_run_id_programme_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_programme_participant_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_participant")),
        sa.UniqueConstraint("feed_token_hash", name=op.f("uq_programme_participant_feed_token_hash")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_programme_participant_run_id_user_id")),
    )
    with op.batch_alter_table("programme_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_participant_user_id"), ["user_id"], unique=False)

    op.create_table(
        "programme_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participant.id"],
            name=op.f("fk_programme_goal_participant_id_programme_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_goal")),
    )
    with op.batch_alter_table("programme_goal", schema=None) as batch_op:
        batch_op.create_index("ix_programme_goal_participant", ["participant_id"], unique=False)

    op.create_table(
        "programme_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("notes_shared", sa.Boolean(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["programme_event.id"],
            name=op.f("fk_programme_meeting_event_id_programme_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participant.id"],
            name=op.f("fk_programme_meeting_participant_id_programme_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["lti_user.id"],
            name=op.f("fk_programme_meeting_supporter_id_lti_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_meeting")),
        sa.UniqueConstraint("participant_id", "event_id", name=op.f("uq_programme_meeting_participant_id_event_id")),
    )
    op.create_table(
        "programme_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["programme_event.id"],
            name=op.f("fk_programme_progress_event_id_programme_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participant.id"],
            name=op.f("fk_programme_progress_participant_id_programme_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_progress")),
        sa.UniqueConstraint("participant_id", "event_id", name=op.f("uq_programme_progress_participant_id_event_id")),
    )
    with op.batch_alter_table("programme_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_progress_event_id"), ["event_id"], unique=False)

    op.create_table(
        "programme_reflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("peer", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["programme_event.id"],
            name=op.f("fk_programme_reflection_event_id_programme_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["programme_participant.id"],
            name=op.f("fk_programme_reflection_participant_id_programme_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_reflection")),
        sa.UniqueConstraint("participant_id", "event_id", name=op.f("uq_programme_reflection_participant_id_event_id")),
    )


def downgrade() -> None:
    op.drop_table("programme_reflection")
    with op.batch_alter_table("programme_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_progress_event_id"))

    op.drop_table("programme_progress")
    op.drop_table("programme_meeting")
    with op.batch_alter_table("programme_goal", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_goal_participant")

    op.drop_table("programme_goal")
    with op.batch_alter_table("programme_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_participant_user_id"))

    op.drop_table("programme_participant")
    with op.batch_alter_table("programme_event", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_event_run_starts")

    op.drop_table("programme_event")
    with op.batch_alter_table("programme_run", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_run_context")

    op.drop_table("programme_run")
