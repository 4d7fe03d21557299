"""API tokens are their own kind: a purpose column on personal tokens.

A token is either a private feed token or a read-API token, and one is never
accepted in the other's place. Every token that exists already is a feed
token (the server default), since only feed links could be made before.

Revision ID: 35c68d7aa06a
Revises: 3d277da37191
Create Date: 2026-11-27 00:05:26
"""

import sqlalchemy as sa
from alembic import op

revision = "35c68d7aa06a"
down_revision = "3d277da37191"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sa.Enum(
                    "feed",
                    "api",
                    name="purpose",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="feed",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        # Named first: SQLite's table copy would otherwise keep the check of a
        # column it no longer has.
        batch_op.drop_constraint(op.f("ck_feed_tokens_purpose"), type_="check")
        batch_op.drop_column("purpose")
