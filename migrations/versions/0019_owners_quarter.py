"""the owner's quarter: when the owner last saved an update or an indicator value

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_saved_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_saved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_column('last_saved_at')
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_column('last_saved_at')
