"""Feed links can be shown again: a feed token keeps its secret, encrypted.

A feed token keeps its secret sealed under a key derived from SECRET_KEY
(`app.feeds.sealing`), beside the hash it is looked up by. Tokens that
exist have only their hash: they keep working, and their owners are offered
a replacement to get a link they can see again.

Revision ID: 39d88fdbe258
Revises: a6d95cd14e04
Create Date: 2026-12-06 16:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "39d88fdbe258"
down_revision = "a6d95cd14e04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_sealed", sa.String(length=255)))


def downgrade():
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_column("secret_sealed")
