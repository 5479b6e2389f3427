"""the clerk's editing tools and the pack

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('agenda_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('front_pages', sa.Integer(), nullable=True))

    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.drop_column('title')

    with op.batch_alter_table('agenda_pack', schema=None) as batch_op:
        batch_op.drop_column('front_pages')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
