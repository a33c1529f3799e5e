"""Evaluation (before/after questionnaires, session feedback, follow-ups) and certificates (issue 12).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_response",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("lti_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("context_id", sa.Integer(), sa.ForeignKey("context.id", ondelete="CASCADE"), nullable=False),
        sa.Column("toolkit_id", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidence", sa.JSON(), nullable=False),
        sa.Column("open_answers", sa.JSON(), nullable=False),
        sa.Column("share_text", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "context_id", "toolkit_id", "phase"),
    )
    op.create_index("ix_evaluation_response_context_id", "evaluation_response", ["context_id"])
    op.create_table(
        "session_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("group_session.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("lti_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=False),
        sa.Column("change_text", sa.Text(), nullable=False),
        sa.Column("share_text", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "user_id"),
    )
    op.create_index("ix_session_feedback_session_id", "session_feedback", ["session_id"])
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("lti_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("context_id", sa.Integer(), sa.ForeignKey("context.id", ondelete="CASCADE"), nullable=False),
        sa.Column("toolkit_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("remind_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carried_out", sa.String(8), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("in_portfolio", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "context_id", "toolkit_id"),
    )
    op.create_index("ix_follow_up_user_id", "follow_up", ["user_id"])
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("lti_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("platform_id", sa.Integer(), sa.ForeignKey("platform.id", ondelete="SET NULL"), nullable=True),
        sa.Column("context_id", sa.Integer(), sa.ForeignKey("context.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_id", "context_id", "kind", "subject_id"),
    )


def downgrade() -> None:
    op.drop_table("certificate")
    op.drop_index("ix_follow_up_user_id", table_name="follow_up")
    op.drop_table("follow_up")
    op.drop_index("ix_session_feedback_session_id", table_name="session_feedback")
    op.drop_table("session_feedback")
    op.drop_index("ix_evaluation_response_context_id", table_name="evaluation_response")
    op.drop_table("evaluation_response")
