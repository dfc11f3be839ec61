"""ticket ratings: one 1-5 satisfaction rating (with an optional plain-text
comment) per resolved or closed support request

Revision ID: c5a7d13e9b42
Revises: 9c4e2f7a1b36
Create Date: 2026-11-26 23:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import portal_app.models.base


revision: str = 'c5a7d13e9b42'
down_revision: Union[str, None] = '9c4e2f7a1b36'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('ticket_ratings',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name='ck_ticket_ratings_score'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index('ix_ticket_ratings_changed', 'ticket_ratings', ['changed_at', 'ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_ratings_changed', table_name='ticket_ratings')
    op.drop_table('ticket_ratings')
