"""orders

Carts, orders, their lines and status timelines (services/orders.py).

Revision ID: 5bea51db1cba
Revises: 7d8f40da58ed
Create Date: 2026-11-27 06:37:39.343491
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = '5bea51db1cba'
down_revision: Union[str, None] = '7d8f40da58ed'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('cart_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('added_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'user_id', 'product_id', name='uq_cart_items_org_user_product')
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('po_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('delivery_address', sa.Text(), server_default='', nullable=False),
    sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('tracking_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_org_created', ['org_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('at', portal_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index('ix_order_events_order', ['order_id', 'id'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.Column('tax_rate', sa.Integer(), nullable=False),
    sa.Column('discount', sa.Integer(), nullable=False),
    sa.Column('net', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_order', ['order_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_order')

    op.drop_table('order_lines')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index('ix_order_events_order')

    op.drop_table('order_events')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_created')
        batch_op.drop_index('ix_orders_org_created')
        batch_op.drop_index('ix_orders_created')

    op.drop_table('orders')
    op.drop_table('cart_items')
