"""mentor availability and bookings

Weekly availability in the mentor's zone, date exceptions, booking settings, office hours, each cohort's
mentoring policy, booked sessions (with one active session per mentor and time on PostgreSQL: an exclusion
constraint using btree_gist; SQLite relies on BEGIN IMMEDIATE), session notes and private calendar feeds.

Revision ID: cfc857dd0ff2
Revises: 551549e748f6
Create Date: 2026-11-22 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import incubator.db


# revision identifiers, used by Alembic.
revision = 'cfc857dd0ff2'
down_revision = "551549e748f6"
branch_labels = None
depends_on = None

# Two active sessions of one mentor may not overlap (cancelled ones do not count); declared on the model too.
NO_OVERLAP = (
    "ALTER TABLE mentor_bookings ADD CONSTRAINT ex_mentor_bookings_no_overlap EXCLUDE USING gist "
    "(mentor_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')"
)


def upgrade():
    op.create_table('mentor_availability_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_mentor_availability_rules_times_ordered')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_mentor_availability_rules_weekday_range')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_availability_rules_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_availability_rules'))
    )
    with op.batch_alter_table('mentor_availability_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_availability_rules_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('mentor_availability_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('off', 'extra', name='exceptionkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind = 'off' OR start_time IS NOT NULL", name=op.f('ck_mentor_availability_exceptions_extra_has_times')),
    sa.CheckConstraint('(start_time IS NULL) = (end_time IS NULL)', name=op.f('ck_mentor_availability_exceptions_times_paired')),
    sa.CheckConstraint('end_time IS NULL OR end_time > start_time', name=op.f('ck_mentor_availability_exceptions_times_ordered')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_availability_exceptions_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_availability_exceptions'))
    )
    with op.batch_alter_table('mentor_availability_exceptions', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_availability_exceptions_mentor_day', ['mentor_id', 'day'], unique=False)

    op.create_table('mentor_booking_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('notice_hours', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('buffer_minutes BETWEEN 0 AND 120', name=op.f('ck_mentor_booking_settings_buffer_range')),
    sa.CheckConstraint('notice_hours BETWEEN 0 AND 336', name=op.f('ck_mentor_booking_settings_notice_range')),
    sa.CheckConstraint('slot_minutes BETWEEN 15 AND 240', name=op.f('ck_mentor_booking_settings_slot_range')),
    sa.CheckConstraint('window_days BETWEEN 1 AND 180', name=op.f('ck_mentor_booking_settings_window_range')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_booking_settings_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_booking_settings')),
    sa.UniqueConstraint('mentor_id', name=op.f('uq_mentor_booking_settings_mentor_id'))
    )
    op.create_table('mentor_office_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('closed_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_mentor_office_hours_times_ordered')),
    sa.CheckConstraint('slot_minutes BETWEEN 15 AND 240', name=op.f('ck_mentor_office_hours_slot_range')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_mentor_office_hours_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_office_hours_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_office_hours'))
    )
    with op.batch_alter_table('mentor_office_hours', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_office_hours_cohort_ends', ['cohort_id', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_office_hours_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('mentoring_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('monthly_minutes', sa.Integer(), nullable=False),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cancel_cutoff_hours BETWEEN 0 AND 336', name=op.f('ck_mentoring_policies_cutoff_range')),
    sa.CheckConstraint('monthly_minutes >= 0', name=op.f('ck_mentoring_policies_allowance_positive')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_mentoring_policies_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_mentoring_policies_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_policies')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_mentoring_policies_cohort_id'))
    )
    op.create_table('mentor_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('startup_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('office_hours_id', sa.Integer(), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'cancelled', 'no_show', name='bookingstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reschedule_reason', sa.Text(), nullable=False),
    sa.Column('rescheduled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('cancelled_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('no_show_marked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_mentor_bookings_times_ordered')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_mentor_bookings_sequence_positive')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_mentor_bookings_booked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_mentor_bookings_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_mentor_bookings_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentor_bookings_mentor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['no_show_marked_by_id'], ['users.id'], name=op.f('fk_mentor_bookings_no_show_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['office_hours_id'], ['mentor_office_hours.id'], name=op.f('fk_mentor_bookings_office_hours_id_mentor_office_hours'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rescheduled_by_id'], ['users.id'], name=op.f('fk_mentor_bookings_rescheduled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['startup_id'], ['startups.id'], name=op.f('fk_mentor_bookings_startup_id_startups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_bookings')),
    sa.UniqueConstraint('uid', name=op.f('uq_mentor_bookings_uid'))
    )
    with op.batch_alter_table('mentor_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_bookings_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_mentor_bookings_mentor_starts', ['mentor_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_bookings_office_hours_id'), ['office_hours_id'], unique=False)
        batch_op.create_index('ix_mentor_bookings_startup_starts', ['startup_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_mentor_bookings_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('mentor_session_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('mentor', 'startup', name='noteside', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('shared_comment', sa.Text(), nullable=False),
    sa.Column('share', sa.Boolean(), nullable=False),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_mentor_session_notes_rating_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mentor_session_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['mentor_bookings.id'], name=op.f('fk_mentor_session_notes_booking_id_mentor_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_session_notes')),
    sa.UniqueConstraint('booking_id', 'side', name=op.f('uq_mentor_session_notes_booking_id_side'))
    )
    with op.batch_alter_table('mentor_session_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_session_notes_share'), ['share'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_fetched_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('nonce', name=op.f('uq_calendar_feeds_nonce')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(NO_OVERLAP)


def downgrade():
    op.drop_table('calendar_feeds')
    op.drop_table('mentor_session_notes')
    op.drop_table('mentor_bookings')
    op.drop_table('mentoring_policies')
    op.drop_table('mentor_office_hours')
    op.drop_table('mentor_booking_settings')
    op.drop_table('mentor_availability_exceptions')
    op.drop_table('mentor_availability_rules')
