"""quotes versions lines

`quotes` (status, current version, the acceptance record), `quote_versions`
(terms, validity, totals, content hash; kept when revised) and `quote_lines`.

Revision ID: bd0f3999b328
Revises: 5bea51db1cba
Create Date: 2026-11-27 06:37:40.751477
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = 'bd0f3999b328'
down_revision: Union[str, None] = '5bea51db1cba'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('accepted_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('accepted_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('accepted_version', sa.Integer(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('decline_comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('answered_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index('ix_quotes_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_quotes_org_created', ['org_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_quotes_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('quote_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('terms', sa.Text(), server_default='', nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('change_request', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('quote_id', 'number', name='uq_quote_versions_quote_number')
    )
    op.create_table('quote_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.Column('tax_rate', sa.Integer(), nullable=False),
    sa.Column('discount', sa.Integer(), nullable=False),
    sa.Column('net', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['quote_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.create_index('ix_quote_lines_version_position', ['version_id', 'position'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_quote_lines_version_position')

    op.drop_table('quote_lines')
    op.drop_table('quote_versions')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_quotes_status_created')
        batch_op.drop_index('ix_quotes_org_created')
        batch_op.drop_index('ix_quotes_created')

    op.drop_table('quotes')
