"""mail delivery jobs: claim and dead-letter columns on the outbox

Revision ID: a7c3e91b2d40
Revises: c973aab61592
Create Date: 2026-11-26 15:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import portal_app.models.base


revision: str = 'a7c3e91b2d40'
down_revision: Union[str, None] = 'c973aab61592'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', portal_app.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('dead_at', portal_app.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
        batch_op.drop_column('not_before')
