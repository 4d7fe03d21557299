"""Planned reminders, the one-click unsubscribe link of a mail, and two mail preferences.

Revision ID: 7cb1c0d58314
Revises: e8805847ec35
Create Date: 2026-11-26 20:51:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7cb1c0d58314"
down_revision = "e8805847ec35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "arrival_14",
                "arrival_3",
                "arrival_1",
                "task_due",
                "follow_up_due",
                name="rule",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("object_key", sa.String(length=40), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=False),
        sa.Column("due_dt", sa.DateTime(), nullable=False),
        sa.Column("queued_dt", sa.DateTime(), nullable=True),
        sa.Column("outbox_mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_reminders_delegation_id_delegations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_mail_id"],
            ["outbox_mails.id"],
            name=op.f("fk_reminders_outbox_mail_id_outbox_mails"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["users.id"],
            name=op.f("fk_reminders_recipient_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "object_key", "rule", "recipient_user_id", "due_dt", name="one_per_due"
        ),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminders_delegation_id"), ["delegation_id"], unique=False
        )
        batch_op.create_index(
            "ix_reminders_due_unqueued", ["queued_dt", "due_dt"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminders_recipient_user_id"),
            ["recipient_user_id"],
            unique=False,
        )

    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "list_unsubscribe",
                sa.String(length=500),
                server_default="",
                nullable=False,
            )
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "wants_task_reminders",
                sa.Boolean(),
                server_default=sa.true(),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "wants_change_notices",
                sa.Boolean(),
                server_default=sa.true(),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("wants_change_notices")
        batch_op.drop_column("wants_task_reminders")

    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.drop_column("list_unsubscribe")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_recipient_user_id"))
        batch_op.drop_index("ix_reminders_due_unqueued")
        batch_op.drop_index(batch_op.f("ix_reminders_delegation_id"))

    op.drop_table("reminders")
