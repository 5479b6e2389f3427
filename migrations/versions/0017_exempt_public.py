"""exempt items, councillors and public agendas

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exempt_paragraph', sa.Integer(), nullable=True))

    with op.batch_alter_table('agenda_pack', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(batch_op.f('uq_agenda_pack_meeting_id_number'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_agenda_pack_meeting_id_number_confidential'),
                                          ['meeting_id', 'number', 'confidential'])

    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_committee_member_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_committee_member_user_id_user_account'), 'user_account',
                                    ['user_id'], ['id'], ondelete='SET NULL')

    op.create_table('confidential_reader',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_confidential_reader_meeting_id_meeting'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_confidential_reader_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confidential_reader')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_confidential_reader_meeting_id_user_id'))
    )
    with op.batch_alter_table('confidential_reader', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confidential_reader_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_confidential_reader_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('confidential_reader', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confidential_reader_user_id'))
        batch_op.drop_index(batch_op.f('ix_confidential_reader_meeting_id'))
    op.drop_table('confidential_reader')

    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_committee_member_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_committee_member_user_id'))
        batch_op.drop_column('user_id')

    with op.batch_alter_table('agenda_pack', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agenda_pack_meeting_id_number_confidential'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_agenda_pack_meeting_id_number'), ['meeting_id', 'number'])
        batch_op.drop_column('confidential')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('exempt_paragraph')
