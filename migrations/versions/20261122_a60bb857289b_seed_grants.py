"""seed grants

Grants (one per startup), their tranches (unlocked by a verified milestone or a date) and the
append-only ledger of disbursements and reversals. The balance and per-tranche limits are CHECK
constraints on both SQLite and PostgreSQL; one reversal per entry and one number per ledger line are
unique keys.

Revision ID: a60bb857289b
Revises: b2a7c91e4d05
Create Date: 2026-11-22 16:05:12.000000

"""
from alembic import op
import sqlalchemy as sa

import incubator.db


# revision identifiers, used by Alembic.
revision = 'a60bb857289b'
down_revision = "b2a7c91e4d05"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('startup_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('disbursed_minor', sa.BigInteger(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("currency IN ('USD', 'KHR')", name=op.f('ck_grants_currency_known')),
    sa.CheckConstraint('disbursed_minor >= 0 AND disbursed_minor <= total_minor', name=op.f('ck_grants_balance_not_negative')),
    sa.CheckConstraint('entry_count >= 0', name=op.f('ck_grants_entry_count_not_negative')),
    sa.CheckConstraint('total_minor > 0', name=op.f('ck_grants_total_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grants_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['startup_id'], ['startups.id'], name=op.f('fk_grants_startup_id_startups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('startup_id', name=op.f('uq_grants_startup_id'))
    )
    op.create_table('grant_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('unlock', sa.Enum('milestone', 'date', name='unlock', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('disbursed_minor', sa.BigInteger(), nullable=False),
    sa.Column('payable_notified_at', incubator.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(unlock = 'date' AND due_on IS NOT NULL AND milestone_id IS NULL) OR (unlock = 'milestone' AND due_on IS NULL)", name=op.f('ck_grant_tranches_one_condition')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_grant_tranches_amount_positive')),
    sa.CheckConstraint('disbursed_minor >= 0 AND disbursed_minor <= amount_minor', name=op.f('ck_grant_tranches_within_amount')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_tranches_grant_id_grants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_grant_tranches_milestone_id_milestones'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_tranches')),
    sa.UniqueConstraint('grant_id', 'position', name=op.f('uq_grant_tranches_grant_id_position'))
    )
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_tranches_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_tranches_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('grant_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('tranche_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('disbursement', 'reversal', name='entrykind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('balance_after_minor', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('early_reason', sa.Text(), nullable=False),
    sa.Column('receipt_path', sa.String(length=255), nullable=True),
    sa.Column('receipt_name', sa.String(length=255), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', incubator.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'disbursement' AND amount_minor > 0 AND reverses_id IS NULL) OR (kind = 'reversal' AND amount_minor < 0 AND reverses_id IS NOT NULL)", name=op.f('ck_grant_entries_kind_consistent')),
    sa.CheckConstraint('balance_after_minor >= 0', name=op.f('ck_grant_entries_balance_not_negative')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_entries_grant_id_grants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_grant_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reverses_id'], ['grant_entries.id'], name=op.f('fk_grant_entries_reverses_id_grant_entries')),
    sa.ForeignKeyConstraint(['tranche_id'], ['grant_tranches.id'], name=op.f('fk_grant_entries_tranche_id_grant_tranches'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_entries')),
    sa.UniqueConstraint('grant_id', 'seq', name=op.f('uq_grant_entries_grant_id_seq')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_grant_entries_reverses_id'))
    )
    with op.batch_alter_table('grant_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_entries_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_entries_tranche_id'), ['tranche_id'], unique=False)


def downgrade():
    with op.batch_alter_table('grant_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_entries_tranche_id'))
        batch_op.drop_index(batch_op.f('ix_grant_entries_grant_id'))

    op.drop_table('grant_entries')
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_tranches_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_grant_tranches_grant_id'))

    op.drop_table('grant_tranches')
    op.drop_table('grants')
