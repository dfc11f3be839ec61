"""canned replies and ticket merges

The agent console's canned replies (a table of their own, read by title),
and where a merged duplicate points (`tickets.merged_into_id`).

Revision ID: 77057d0e03f2
Revises: 623b6c26010a
Create Date: 2026-11-26 19:55:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = '77057d0e03f2'
down_revision: Union[str, None] = '623b6c26010a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    # Autogenerate skips expression indexes on SQLite (it cannot reflect them).
    op.create_index('ix_canned_replies_lower_title_id', 'canned_replies', [sa.text('lower(title)'), 'id'],
                    unique=False)
    # A new column with its foreign key, without rebuilding `tickets`: a
    # batch rebuild drops the table, and with foreign keys on, SQLite's
    # DROP TABLE deletes every message, answer and follower by cascade.
    # SQLite adds a column with an inline REFERENCES clause in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE tickets ADD COLUMN merged_into_id INTEGER REFERENCES tickets (id)')
    else:
        op.add_column('tickets', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_tickets_merged_into_id', 'tickets', 'tickets', ['merged_into_id'], ['id'])
    op.create_index('ix_tickets_merged_into_id', 'tickets', ['merged_into_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_merged_into_id', table_name='tickets')
    # SQLite drops a column only by rebuilding the table (see upgrade): there
    # the nullable column stays, which older code never reads.
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_tickets_merged_into_id', 'tickets', type_='foreignkey')
        op.drop_column('tickets', 'merged_into_id')
    op.drop_index('ix_canned_replies_lower_title_id', table_name='canned_replies')
    op.drop_table('canned_replies')
