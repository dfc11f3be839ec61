"""subscription reminder claim

`subscriptions.reminded_for`: the renewal day the last reminder was for,
claimed with a conditional UPDATE so each period's reminder goes once.

Revision ID: 7d8f40da58ed
Revises: 25eecfc2ba27
Create Date: 2026-11-27 05:14:15.180924
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = '7d8f40da58ed'
down_revision: Union[str, None] = '25eecfc2ba27'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_for', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('reminded_for')

