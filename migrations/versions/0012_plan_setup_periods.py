"""plans set-up, roll-over and periods per plan

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:00:00.000000

A period records the plans it was opened for (`period_plan`); a plan records the plan it was
rolled over from (`plan.rolled_over_from_id`, unique: a plan is rolled over once). Periods
opened before this migration are taken to have been opened for every plan they hold updates
or indicator values for.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('period_plan',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_period.id'], name=op.f('fk_period_plan_period_id_reporting_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_period_plan_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'plan_id', name=op.f('pk_period_plan'))
    )
    with op.batch_alter_table('period_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_plan_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rolled_over_from_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_plan_rolled_over_from_id'), ['rolled_over_from_id'])
        batch_op.create_foreign_key(batch_op.f('fk_plan_rolled_over_from_id_plan'), 'plan', ['rolled_over_from_id'], ['id'])

    # Periods already opened: opened for the plans they hold drafts for.
    op.execute(
        "INSERT INTO period_plan (period_id, plan_id) "
        "SELECT DISTINCT pu.period_id, a.plan_id FROM progress_update pu JOIN action a ON a.id = pu.action_id "
        "UNION "
        "SELECT DISTINCT iv.period_id, i.plan_id FROM indicator_value iv JOIN indicator i ON i.id = iv.indicator_id"
    )


def downgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_rolled_over_from_id_plan'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_plan_rolled_over_from_id'), type_='unique')
        batch_op.drop_column('rolled_over_from_id')

    with op.batch_alter_table('period_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_plan_plan_id'))

    op.drop_table('period_plan')
