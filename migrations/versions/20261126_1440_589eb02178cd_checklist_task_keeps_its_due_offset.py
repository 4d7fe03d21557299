"""Checklist tasks keep their template step's due offset.

Tasks copied before this revision get the offset of the step with the same
title and position in their visit's template, where one still matches.

Revision ID: 589eb02178cd
Revises: 421ff97f86a8
Create Date: 2026-11-26 14:40:23.240165
"""

import sqlalchemy as sa
from alembic import op

revision = "589eb02178cd"
down_revision = "421ff97f86a8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_days_before", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE checklist_tasks SET due_days_before = (
            SELECT i.due_days_before
            FROM checklist_template_items i
            JOIN checklist_templates t ON t.id = i.template_id
            JOIN delegations d ON d.protocol_level = t.protocol_level
            WHERE d.id = checklist_tasks.delegation_id
              AND i.title = checklist_tasks.title
              AND i.position = checklist_tasks.position
        )
        """
    )


def downgrade():
    with op.batch_alter_table("checklist_tasks", schema=None) as batch_op:
        batch_op.drop_column("due_days_before")
