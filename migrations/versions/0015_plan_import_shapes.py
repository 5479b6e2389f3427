"""plan import in the council's own shape

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Issue 13: the shapes real plans need. A grouping between theme and action (a sub-heading
    # row), partners, the "By when" text when it is not one date; text targets and comments.
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('partners', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('timing', sa.String(length=300), nullable=True))
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_text', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('comments', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('comments')
        batch_op.drop_column('target_text')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('timing')
        batch_op.drop_column('partners')
        batch_op.drop_column('group_title')
