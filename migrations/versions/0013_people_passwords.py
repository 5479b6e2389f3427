"""people, deactivation and set-password links

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # One-time set-password links (app/auth/links.py): only the SHA-256 of the secret is kept.
    op.create_table('set_password_link',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_set_password_link_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_set_password_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_set_password_link_token_hash'))
    )
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_link_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_link_user_id'))
    op.drop_table('set_password_link')
