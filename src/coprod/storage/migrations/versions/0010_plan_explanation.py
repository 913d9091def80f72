"""plan versions: whether the slower part of a plan's explanation (why idle lines and offers
stay idle, the solver state order promises start from) is still being worked out, and the
programme version the job's fingerprint is of

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("explanation", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("programme_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("programme_version")
        batch_op.drop_column("explanation")
