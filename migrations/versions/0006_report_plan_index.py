"""benchmark index: reports by plan

Found by bench/ (docs/benchmarks.md): the agenda builder and the clerk's My tasks find the
reports on a directorate's plans, and without this index SQLite read the whole report_plan
table (or built an automatic index) on every request.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 11:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_plan_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_plan_plan_id'))
