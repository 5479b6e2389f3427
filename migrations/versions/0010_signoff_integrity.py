"""updates: sign-off integrity and delegations

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # The same file once per update. A file attached twice before this (a double-click) keeps
    # its first copy.
    op.execute("DELETE FROM attachment_content WHERE attachment_id IN (SELECT a.id FROM attachment a "
               "JOIN attachment b ON b.update_id = a.update_id AND b.sha256 = a.sha256 AND b.id < a.id)")
    op.execute("DELETE FROM attachment WHERE id IN (SELECT a.id FROM attachment a JOIN attachment b "
               "ON b.update_id = a.update_id AND b.sha256 = a.sha256 AND b.id < a.id)")
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_attachment_update_id_sha256'), ['update_id', 'sha256'])

    # A Head of Service's live delegations do not overlap, so no two start on one day. Older
    # duplicates (a double-click) are ended, keeping the first.
    op.execute("UPDATE delegation SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL AND id IN ("
               "SELECT a.id FROM delegation a JOIN delegation b ON b.head_id = a.head_id "
               "AND b.starts_on = a.starts_on AND b.revoked_at IS NULL AND b.id < a.id)")
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index('uq_delegation_head_id_starts_on_live', ['head_id', 'starts_on'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index('uq_delegation_head_id_starts_on_live')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_attachment_update_id_sha256'), type_='unique')
