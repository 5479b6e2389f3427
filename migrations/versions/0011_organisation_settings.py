"""organisation, committees and settings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_setting')),
    sa.UniqueConstraint('key', name=op.f('uq_council_setting_key'))
    )
    for table in ('directorate', 'service'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    for table in ('service', 'directorate'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
            batch_op.drop_column('retired_at')
    op.drop_table('council_setting')
