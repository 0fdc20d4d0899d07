"""jobs and notifications

Revision ID: 876028c70938
Revises: 8c2c7dcd0ba3
Create Date: 2026-11-22 13:14:52.705469

"""
from alembic import op
import sqlalchemy as sa

import incubator.db


# revision identifiers, used by Alembic.
revision = '876028c70938'
down_revision = '8c2c7dcd0ba3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeats')),
    sa.UniqueConstraint('hostname', name=op.f('uq_scheduler_heartbeats_hostname'))
    )
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sa.String(length=80), nullable=False),
    sa.Column('period_key', sa.String(length=80), nullable=False),
    sa.Column('status', sa.Enum('succeeded', 'failed', name='jobrunstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('trigger', sa.Enum('scheduled', 'catch_up', 'manual', 'cli', name='jobtrigger', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('triggered_by_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['triggered_by_id'], ['users.id'], name=op.f('fk_job_runs_triggered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_name', 'period_key', name=op.f('uq_job_runs_job_name_period_key'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_name_started_at', ['job_name', 'started_at'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'category', name=op.f('uq_notification_preferences_user_id_category'))
    )
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preferences_user_id'), ['user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', incubator.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_outbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_next_attempt_at'))
        batch_op.drop_column('list_unsubscribe')
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')

    op.drop_table('notifications')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preferences_user_id'))

    op.drop_table('notification_preferences')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_name_started_at')

    op.drop_table('job_runs')
    op.drop_table('scheduler_heartbeats')
