"""grounded analysis: summaries, action items and sentiment spans say whether the transcript
supports them, and why not; speakers get the name the conversation suggests; recordings keep when they were recorded

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("summaries", "action_items", "sentiment_spans")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("supported", sa.Boolean(), server_default=sa.true(), nullable=False)
            )
            batch.add_column(
                sa.Column("problems", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
            )
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("suggested_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("suggestion", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("recorded_at")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("suggestion")
        batch.drop_column("suggested_name")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("problems")
            batch.drop_column("supported")
