"""data protection: recording and student ids never reused (SQLite AUTOINCREMENT), deduplication
within a scope instead of across the installation, retention per team and class, consent, and
the audit log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0001 created the content-hash constraint without a name: PostgreSQL named it itself, and on
# SQLite batch mode finds it through this naming convention.
_UNNAMED_UNIQUE = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_global_content_hash_unique() -> None:
    if _sqlite():
        return  # the batch below rebuilds the table without it
    op.drop_constraint("recordings_content_hash_key", "recordings", type_="unique")


def upgrade() -> None:
    _drop_global_content_hash_unique()
    with op.batch_alter_table(
        "recordings",
        recreate="always" if _sqlite() else "auto",
        naming_convention=_UNNAMED_UNIQUE,
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch:
        if _sqlite():
            batch.drop_constraint("uq_recordings_content_hash", type_="unique")
        batch.add_column(
            sa.Column("dedupe_scope", sa.String(length=32), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("consent_who", sa.Text(), nullable=True))
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("consent_how", sa.String(length=255), nullable=True))
        batch.create_index("ix_recordings_content_hash", ["content_hash"])
        batch.create_unique_constraint(
            "uq_recordings_content_scope", ["content_hash", "dedupe_scope"]
        )
    # Existing recordings keep their id and get the scope new uploads would have.
    op.execute(
        "UPDATE recordings SET dedupe_scope = CASE "
        "WHEN team_id IS NOT NULL THEN 'team:' || team_id "
        "WHEN class_id IS NOT NULL THEN 'class:' || class_id "
        "WHEN uploader_id IS NOT NULL THEN 'user:' || uploader_id "
        "WHEN watch_folder_id IS NOT NULL THEN 'folder:' || watch_folder_id "
        "ELSE 'operator' END"
    )
    with op.batch_alter_table(
        "students",
        recreate="always" if _sqlite() else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ):
        pass
    for table in ("teams", "school_classes"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("school_classes") as batch:
        batch.add_column(
            sa.Column("requires_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("at", "user_id", "recording_id", "student_id"):
        op.create_index(f"ix_audit_events_{column}", "audit_events", [column])


def downgrade() -> None:
    for column in ("at", "user_id", "recording_id", "student_id"):
        op.drop_index(f"ix_audit_events_{column}", table_name="audit_events")
    op.drop_table("audit_events")
    with op.batch_alter_table("school_classes") as batch:
        batch.drop_column("requires_consent")
    for table in ("teams", "school_classes"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("retention_days")
    # Copies of one file in several scopes cannot all live under a global unique hash, and a
    # downgrade does not choose whose recording to delete: it stops and says so.
    shared = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM (SELECT content_hash FROM recordings "
                "GROUP BY content_hash HAVING COUNT(*) > 1) AS copies")
    ).scalar()
    if shared:
        raise RuntimeError(
            f"{shared} files are held as separate recordings in several teams or classes; "
            "delete the extra copies before downgrading below 0009"
        )
    with op.batch_alter_table("recordings") as batch:
        batch.drop_constraint("uq_recordings_content_scope", type_="unique")
        batch.drop_index("ix_recordings_content_hash")
        batch.drop_column("consent_how")
        batch.drop_column("consent_at")
        batch.drop_column("consent_who")
        batch.drop_column("dedupe_scope")
        batch.create_unique_constraint("recordings_content_hash_key", ["content_hash"])
