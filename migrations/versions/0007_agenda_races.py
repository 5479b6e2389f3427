"""agenda and work plan: one report once per agenda, one set of standing items, meeting version

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
