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


def _remove_race_duplicates():
    """Before the constraints: the copies that double-clicks and races made (issue 11) go, the
    first of each stays. A work-plan item planned twice for one meeting is kept, renamed."""
    conn = op.get_bind()
    for column in ("report_id", "standing"):
        conn.execute(sa.text(
            f"DELETE FROM agenda_item WHERE {column} IS NOT NULL AND id NOT IN "
            f"(SELECT MIN(id) FROM agenda_item WHERE {column} IS NOT NULL GROUP BY meeting_id, {column})"))
    rows = conn.execute(sa.text(
        "SELECT id, meeting_id, title FROM work_plan_entry WHERE meeting_id IS NOT NULL ORDER BY id")).all()
    seen = {}
    for entry_id, meeting_id, title in rows:
        n = seen[(meeting_id, title)] = seen.get((meeting_id, title), 0) + 1
        if n > 1:
            conn.execute(sa.text("UPDATE work_plan_entry SET title = :title WHERE id = :id"),
                         {"title": f"{title[:290]} ({n})", "id": entry_id})


def upgrade():
    _remove_race_duplicates()
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_agenda_item_meeting_id_report_id'), ['meeting_id', 'report_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_agenda_item_meeting_id_standing'), ['meeting_id', 'standing'])

    with op.batch_alter_table('work_plan_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))
        batch_op.create_unique_constraint(batch_op.f('uq_work_plan_entry_meeting_id_title'), ['meeting_id', 'title'])


def downgrade():
    with op.batch_alter_table('work_plan_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_work_plan_entry_meeting_id_title'), type_='unique')
        batch_op.drop_column('version')

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agenda_item_meeting_id_standing'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_agenda_item_meeting_id_report_id'), type_='unique')
