"""subscription quote

`subscriptions.quote_id`: the accepted quote a subscription was started
from; its PDF (with the acceptance record) is the service's contract.

Revision ID: c07a1d2e5f30
Revises: bd0f3999b328
Create Date: 2026-11-27 07:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c07a1d2e5f30'
down_revision: Union[str, None] = 'bd0f3999b328'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_subscriptions_quote_id_quotes', 'quotes', ['quote_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_subscriptions_quote_id_quotes', type_='foreignkey')
        batch_op.drop_column('quote_id')
