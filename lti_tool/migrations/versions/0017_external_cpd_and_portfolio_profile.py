"""external_cpd (CPD done elsewhere) and portfolio_profile (a learner's regulator and registration).

Revision ID: 0017
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_cpd",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("activity_type", sa.String(64), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("learnt", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("peer", sa.Boolean(), nullable=False),
        sa.Column("peer_with", sa.String(200), nullable=False),
        sa.Column("peer_reflection", sa.Text(), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_external_cpd_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_cpd")),
    )
    with op.batch_alter_table("external_cpd", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_cpd_user_id"), ["user_id"], unique=False)
    op.create_table(
        "portfolio_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("regulator", sa.String(8), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("newly_qualified", sa.Boolean(), nullable=False),
        sa.Column("part_time", sa.Boolean(), nullable=False),
        sa.Column("manager_since", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_portfolio_profile_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_profile")),
        sa.UniqueConstraint("user_id", name=op.f("uq_portfolio_profile_user_id")),
    )


def downgrade() -> None:
    op.drop_table("portfolio_profile")
    with op.batch_alter_table("external_cpd", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_cpd_user_id"))
    op.drop_table("external_cpd")
