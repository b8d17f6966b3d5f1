"""grounded pronunciation: a report notes the words a listening model flagged that were not
said (taken out of its mispronounced words)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pronunciation_scores") as batch:
        batch.add_column(
            sa.Column("supported", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column("problems", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("pronunciation_scores") as batch:
        batch.drop_column("problems")
        batch.drop_column("supported")
