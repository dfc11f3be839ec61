"""ticket subject search from a trigram index on PostgreSQL

The ticket list's search is LIKE '%word%' on the subject: at 100,000 tickets
in one organisation PostgreSQL read every subject (46 ms raw, 118 ms for the
page with its count, bench/bench_tickets.py); a GIN trigram index answers it
(7 ms for the capped count). pg_trgm is a trusted extension: the database's
owner may create it. SQLite is unchanged.

Revision ID: 9c4e2f7a1b36
Revises: b4f1c2d9e7a3
Create Date: 2026-11-26 23:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '9c4e2f7a1b36'
down_revision: Union[str, None] = 'b4f1c2d9e7a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_tickets_subject_trgm', 'tickets', [sa.text('lower(subject)')], unique=False,
                        postgresql_using='gin', postgresql_ops={'lower(subject)': 'gin_trgm_ops'})


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_tickets_subject_trgm', table_name='tickets', postgresql_using='gin')
