"""dashboard login sessions and limits on failed logins, password resets, default languages of teams and classes, and
transcript corrections that keep what the machine heard, teachers' notes on students, voice profiles

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("username", "address", "at"):
        op.create_index(f"ix_login_attempts_{column}", "login_attempts", [column])
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    for table in ("teams", "school_classes"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("default_language", sa.String(length=16), nullable=True))
            batch.add_column(
                sa.Column("voice_profiles", sa.Boolean(), server_default=sa.true(), nullable=False)
            )
    op.create_table(
        "voice_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=False),
        sa.Column("speech_s", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["school_classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "class_id", "name", name="uq_voice_profiles_group_name"),
    )
    op.create_index("ix_voice_profiles_team_id", "voice_profiles", ["team_id"])
    op.create_index("ix_voice_profiles_class_id", "voice_profiles", ["class_id"])
    op.create_index("ix_voice_profiles_student_id", "voice_profiles", ["student_id"])
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("voice", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("voice_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("student_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_speakers_student_id_students", "students", ["student_id"], ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
    with op.batch_alter_table("segments") as batch:
        batch.add_column(sa.Column("original_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("edited_at")
        batch.drop_column("edited_by")
        batch.drop_column("original_text")
    with op.batch_alter_table("students") as batch:
        batch.drop_column("notes")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_constraint("fk_speakers_student_id_students", type_="foreignkey")
        batch.drop_column("student_id")
        batch.drop_column("voice_s")
        batch.drop_column("voice")
    op.drop_index("ix_voice_profiles_student_id", table_name="voice_profiles")
    op.drop_index("ix_voice_profiles_class_id", table_name="voice_profiles")
    op.drop_index("ix_voice_profiles_team_id", table_name="voice_profiles")
    op.drop_table("voice_profiles")
    for table in ("school_classes", "teams"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("voice_profiles")
            batch.drop_column("default_language")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("must_change_password")
    for column in ("at", "address", "username"):
        op.drop_index(f"ix_login_attempts_{column}", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
    op.drop_table("login_sessions")
