"""plan versions: how the plan started (warm from the worker's live session, or cold) and why

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("start_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("start_reason")
        batch_op.drop_column("start")
