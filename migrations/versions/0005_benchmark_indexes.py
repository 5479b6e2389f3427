"""benchmark indexes: reports by author, updates and values by state

Found by bench/ (docs/benchmarks.md): My tasks scanned the whole report table for the
person's own reports, and the sign-off queue and My tasks read every update an action has
ever had (one a quarter) to find the submitted or draft ones.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 10:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_author_id'), ['author_id'], unique=False)

    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index('ix_progress_update_action_id_state', ['action_id', 'state'], unique=False)

    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_value_indicator_id_state', ['indicator_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_value_indicator_id_state')

    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_update_action_id_state')

    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_author_id'))
