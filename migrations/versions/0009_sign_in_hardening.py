"""sign-in: throttling by source and account, sessions ended at sign-out

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Failed sign-ins are counted by source address (and email address) as well as by email
    # address (app/auth/throttle.py). The trail's keyed chain needs no schema change: an
    # existing chain is keyed once with `flask trail rekey` (app/trail/rekey.py).
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failure_ip_address_occurred_at', ['ip_address', 'occurred_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failure_ip_address_occurred_at')
