"""indexes for lists at scale

Each big list's filter and order as one index, so that a page and a count
are short index walks at 200,000 rows (services/paging.py): the audit log
by organisation and time, all of it by time, people by lower(name).

Revision ID: c973aab61592
Revises: ff57139c0877
Create Date: 2026-11-26 15:01:51.693269
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c973aab61592'
down_revision: Union[str, None] = 'ff57139c0877'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index('ix_audit_events_occurred_at', table_name='audit_events')
    op.drop_index('ix_audit_events_org_id', table_name='audit_events')
    op.create_index('ix_audit_events_occurred', 'audit_events', ['occurred_at', 'id'], unique=False)
    op.create_index('ix_audit_events_org_occurred', 'audit_events', ['org_id', 'occurred_at', 'id'], unique=False)
    # Autogenerate skips expression indexes on SQLite (it cannot reflect them):
    # written by hand, as the model declares it.
    op.create_index('ix_users_lower_name_id', 'users', [sa.text('lower(name)'), 'id'], unique=False)
    # PostgreSQL answers LIKE 'prefix%' from these (any collation); SQLite
    # answers the same search with ranges on the indexes above.
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_users_name_prefix', 'users', [sa.text('lower(name) text_pattern_ops')], unique=False)
        op.create_index('ix_users_email_prefix', 'users', [sa.text('email text_pattern_ops')], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_users_email_prefix', table_name='users')
        op.drop_index('ix_users_name_prefix', table_name='users')
    op.drop_index('ix_users_lower_name_id', table_name='users')
    op.drop_index('ix_audit_events_org_occurred', table_name='audit_events')
    op.drop_index('ix_audit_events_occurred', table_name='audit_events')
    op.create_index('ix_audit_events_org_id', 'audit_events', ['org_id'], unique=False)
    op.create_index('ix_audit_events_occurred_at', 'audit_events', ['occurred_at'], unique=False)
