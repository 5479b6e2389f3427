"""kept results keyed by what they show: a generation token per plan, and one for the rest of the council

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # app/cache.py: each plan's generation, and the rest of the council's, moved in the same
    # transaction as any change to what they cover; kept results are keyed by them.
    op.create_table(
        'cache_generation',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'ref_id', name=op.f('pk_cache_generation')),
    )


def downgrade():
    op.drop_table('cache_generation')
