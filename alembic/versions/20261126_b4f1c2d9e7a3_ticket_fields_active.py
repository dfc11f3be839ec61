"""ticket fields can be archived: a removed question that requests answered
stays, inactive, so those requests keep showing their answers

Revision ID: b4f1c2d9e7a3
Revises: 77057d0e03f2
Create Date: 2026-11-26 19:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'b4f1c2d9e7a3'
down_revision: Union[str, None] = '77057d0e03f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_fields', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('ticket_fields', schema=None) as batch_op:
        batch_op.drop_column('active')
