"""SLA policies, business calendar, and the clocks on tickets

Revision ID: b5a1e0c3d7f2
Revises: 5e0a1c7d9b42
Create Date: 2026-11-26 19:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = 'b5a1e0c3d7f2'
down_revision: Union[str, None] = '5e0a1c7d9b42'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The defaults a new portal starts with (staff admins change them on /staff/sla):
# Monday to Friday 09:00–17:30, an 8.5-hour business day.
OPEN, CLOSE, DAY = 9 * 60, 17 * 60 + 30, 510
POLICIES = [("urgent", 60, 4 * 60), ("high", 4 * 60, DAY), ("normal", DAY, 3 * DAY), ("low", 2 * DAY, 5 * DAY)]


def upgrade() -> None:
    op.create_table('sla_business_hours',
    sa.Column('weekday', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('opens_minute', sa.Integer(), nullable=True),
    sa.Column('closes_minute', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('weekday')
    )
    op.create_table('sla_holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('sla_policies',
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.create_index('ix_sla_policies_org_priority', ['org_id', 'priority'], unique=True)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ('first_response_due_at', 'resolution_due_at', 'first_responded_at', 'sla_running_since'):
            batch_op.add_column(sa.Column(name, portal_app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_used_minutes', sa.Integer(), server_default='0', nullable=False))
        for name in ('sla_at_risk_at', 'sla_at_risk_notified_at', 'sla_breached_at'):
            batch_op.add_column(sa.Column(name, portal_app.models.base.UTCDateTime(timezone=True), nullable=True))

    hours = sa.table('sla_business_hours', sa.column('weekday', sa.Integer), sa.column('opens_minute', sa.Integer),
                     sa.column('closes_minute', sa.Integer))
    op.bulk_insert(hours, [dict(weekday=d, opens_minute=OPEN if d < 5 else None,
                                closes_minute=CLOSE if d < 5 else None) for d in range(7)])
    policies = sa.table('sla_policies', sa.column('org_id', sa.Integer), sa.column('priority', sa.String),
                        sa.column('first_response_minutes', sa.Integer), sa.column('resolution_minutes', sa.Integer))
    op.bulk_insert(policies, [dict(org_id=None, priority=p, first_response_minutes=f, resolution_minutes=r)
                              for p, f, r in POLICIES])


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ('sla_breached_at', 'sla_at_risk_notified_at', 'sla_at_risk_at', 'sla_used_minutes',
                     'sla_running_since', 'first_responded_at', 'resolution_due_at', 'first_response_due_at'):
            batch_op.drop_column(name)
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_policies_org_priority')
    op.drop_table('sla_policies')
    op.drop_table('sla_holidays')
    op.drop_table('sla_business_hours')
