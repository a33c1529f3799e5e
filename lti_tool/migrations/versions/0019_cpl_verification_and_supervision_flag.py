"""cpl_verification (an SSSC employer's sign-off link) and external_cpd.supervision_appraisal (NISCC).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("external_cpd", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supervision_appraisal", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("external_cpd", schema=None) as batch_op:
        batch_op.alter_column("supervision_appraisal", server_default=None)
    op.create_table(
        "cpl_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verifier_name", sa.String(200), nullable=False),
        sa.Column("verifier_role", sa.String(200), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_cpl_verification_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpl_verification")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cpl_verification_token_hash")),
    )
    with op.batch_alter_table("cpl_verification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cpl_verification_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cpl_verification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cpl_verification_user_id"))
    op.drop_table("cpl_verification")
    with op.batch_alter_table("external_cpd", schema=None) as batch_op:
        batch_op.drop_column("supervision_appraisal")
