"""Who revoked a certificate (certificate.revoked_by, revoked_by_user_id) and a calendar feed for every
learner (learner_feed: the hash of the secret in their feed address).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("revoked_by", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("revoked_by_user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_certificate_revoked_by_user_id_lti_user"), "lti_user", ["revoked_by_user_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
    op.create_table(
        "learner_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lti_user.id"], name=op.f("fk_learner_feed_user_id_lti_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_feed")),
        sa.UniqueConstraint("user_id", name=op.f("uq_learner_feed_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_learner_feed_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("learner_feed")
    with op.batch_alter_table("certificate") as batch:
        batch.drop_constraint(op.f("fk_certificate_revoked_by_user_id_lti_user"), type_="foreignkey")
        batch.drop_column("revoked_by_user_id")
        batch.drop_column("revoked_by")
