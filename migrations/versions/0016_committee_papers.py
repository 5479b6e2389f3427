"""committee papers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Issue 14: committee papers. A report is a progress report (compiled from plans) or a
    # paper (written in Docket or uploaded, from any service, for a meeting); annexes with
    # titles; the chief officer a council names to approve a service's papers.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('progress', 'paper', name='reportkind', native_enum=False,
                                                      create_constraint=False, length=20),
                                      nullable=False, server_default='progress'))
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_filename', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('source_content_type', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('source_data', sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_report_service_id_service'), 'service', ['service_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_meeting_id_meeting'), 'meeting', ['meeting_id'], ['id'],
                                    ondelete='SET NULL')

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chief_officer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_service_chief_officer_id_user_account'), 'user_account',
                                    ['chief_officer_id'], ['id'])

    op.create_table('report_annex',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('letter', sa.String(length=4), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_annex_report_id_report'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_annex')),
    sa.UniqueConstraint('report_id', 'letter', name=op.f('uq_report_annex_report_id_letter'))
    )
    with op.batch_alter_table('report_annex', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_annex_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_annex', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_annex_report_id'))
    op.drop_table('report_annex')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_chief_officer_id_user_account'), type_='foreignkey')
        batch_op.drop_column('chief_officer_id')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_report_service_id_service'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_report_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_report_service_id'))
        batch_op.drop_column('source_data')
        batch_op.drop_column('source_sha256')
        batch_op.drop_column('source_content_type')
        batch_op.drop_column('source_filename')
        batch_op.drop_column('meeting_id')
        batch_op.drop_column('service_id')
        batch_op.drop_column('kind')
