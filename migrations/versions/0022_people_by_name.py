"""the People list by name: an index on (name, id)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # The People list shows 50 people a page by name: with the index the database reads the
    # page in order instead of sorting the whole council (20,000 people at 10x) for every page.
    op.create_index('ix_user_account_name_id', 'user_account', ['name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_user_account_name_id', table_name='user_account')
