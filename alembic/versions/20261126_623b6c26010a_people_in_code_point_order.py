"""people in code-point order on PostgreSQL

The people list is ordered, and searched by a name's start, on
lower(name) COLLATE "C" on PostgreSQL (CodePointOrder in models/base.py):
the order SQLite's binary collation gives lower(name), so both engines list
people alike, and one in which a prefix is a range of the order index
whatever the server's collation. So the order index becomes C-collated
(name still INCLUDEd, so a page by number walks it alone), and the
text_pattern_ops index on lower(name), which served LIKE 'prefix%' for the
name search, is no longer used: the range on the order index answers it
(and, with the search in two parts, in the list's order: services/paging.py).
The email search keeps its text_pattern_ops index (LIKE on email). SQLite
keeps its indexes as they were.

Revision ID: 623b6c26010a
Revises: b5a1e0c3d7f2
Create Date: 2026-11-26 20:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '623b6c26010a'
down_revision: Union[str, None] = 'b5a1e0c3d7f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_users_name_prefix', table_name='users')
        op.drop_index('ix_users_lower_name_id', table_name='users')
        op.create_index('ix_users_lower_name_id', 'users', [sa.text('lower(name) COLLATE "C"'), 'id'], unique=False,
                        postgresql_include=['name'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_users_lower_name_id', table_name='users')
        op.create_index('ix_users_lower_name_id', 'users', [sa.text('lower(name)'), 'id'], unique=False,
                        postgresql_include=['name'])
        op.create_index('ix_users_name_prefix', 'users', [sa.text('lower(name) text_pattern_ops')], unique=False)
