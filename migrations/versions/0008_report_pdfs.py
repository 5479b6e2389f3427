"""reports: the approved version's PDF, built once and kept

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # An approved version's PDF is built once and kept with it (issue 11: it was rendered
    # again on every request). Versions approved before this are built on their first request.
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))

    # The "Create a report" form's one-time token: a double-click or a repeated request makes
    # one report, not two. Reports made before this have none (NULLs never clash).
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_report_form_token'), ['form_token'])


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_report_form_token'), type_='unique')
        batch_op.drop_column('form_token')

    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')
