"""Platform.default_regulator and Platform.default_language: what a council's learners start with.

Revision ID: 0012
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing registrations keep today's behaviour: Social Work England, English.
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_regulator", sa.String(8), nullable=False, server_default="swe"))
        batch_op.add_column(sa.Column("default_language", sa.String(8), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.drop_column("default_language")
        batch_op.drop_column("default_regulator")
