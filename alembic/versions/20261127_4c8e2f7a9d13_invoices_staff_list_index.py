"""invoices: an index for the staff list

The staff invoice list (`invoice_lists.list_all`) reads every
organisation's documents newest created first; without an index on
(created_at, id) each page sorted the whole table (bench/bench_invoices.py:
9 ms on SQLite at 12,000 documents, growing with them).

Revision ID: 4c8e2f7a9d13
Revises: 1910cc61a5bf
Create Date: 2026-11-27 04:00:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '4c8e2f7a9d13'
down_revision: Union[str, None] = '1910cc61a5bf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_invoices_created', 'invoices', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_invoices_created', table_name='invoices')
