"""Investor profiles and funding rounds (kept by founders), report snapshots, shares and their views.

A snapshot never changes once written: its figures are stored as JSON when it is generated, with the
rendered PDF beside it in ``UPLOAD_FOLDER/reports/``. Versions count up per (kind, subject, as-of date).
A share is either for an investor's account or a signed link; both expire and can be revoked, and every
view is recorded.
"""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.db import TimestampMixin, UTCDateTime, str_enum, utcnow
from incubator.extensions import db
from incubator.reports.sections import DEFAULT_SECTIONS


class InvestorProfile(TimestampMixin, db.Model):
    """What a startup tells investors beyond its profile, and which sections it lets them see."""

    __tablename__ = "investor_profiles"
    __table_args__ = (sa.CheckConstraint("ask_minor IS NULL OR ask_minor >= 0", name="ask_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), unique=True)
    tagline: Mapped[str] = mapped_column(sa.String(160), default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    ask_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    ask_currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    ask_instrument: Mapped[str] = mapped_column(sa.String(32), default="")
    use_of_funds: Mapped[str] = mapped_column(sa.Text, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    shared_sections: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_SECTIONS))
    consent_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship()
    consent_updated_by: Mapped[User | None] = relationship()


ROUND_KINDS = {
    "grant": _l("Grant"),
    "prize": _l("Competition prize"),
    "friends_family": _l("Friends and family"),
    "angel": _l("Angel"),
    "pre_seed": _l("Pre-seed"),
    "seed": _l("Seed"),
    "series_a": _l("Series A"),
    "loan": _l("Loan"),
    "other": _l("Other"),
}

INSTRUMENTS = {
    "": _l("Not decided"),
    "equity": _l("Equity"),
    "safe": _l("SAFE"),
    "convertible": _l("Convertible note"),
    "grant": _l("Grant"),
    "loan": _l("Loan"),
    "revenue_share": _l("Revenue share"),
}


class FundingRound(TimestampMixin, db.Model):
    """Money a startup raised before or during the programme, as its founders declare it."""

    __tablename__ = "funding_rounds"
    __table_args__ = (
        sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        sa.CheckConstraint("currency IN ('USD', 'KHR')", name="currency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    closed_on: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    investors: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def kind_label(self) -> str:
        return str(ROUND_KINDS.get(self.kind, self.kind))


class ReportKind(enum.StrEnum):
    ONE_PAGER = "one_pager"
    COHORT_IMPACT = "cohort_impact"


REPORT_KIND_LABELS = {
    ReportKind.ONE_PAGER: _l("Investor one-pager"),
    ReportKind.COHORT_IMPACT: _l("Cohort impact report"),
}


class ReportSource(enum.StrEnum):
    MANUAL = "manual"  # someone pressed "Generate now"
    MONTHLY = "monthly"  # the monthly_reports job
    DEMO = "demo"


class ReportSnapshot(db.Model):
    """One generated report: the figures as of a date (JSON) and its PDF. Never updated after it is written."""

    __tablename__ = "report_snapshots"
    __table_args__ = (
        # Two generations of the same report at once: the database lets only one take a version number.
        sa.UniqueConstraint("kind", "subject_key", "as_of", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("locale IN ('en', 'km')", name="locale_known"),
        sa.CheckConstraint("(kind = 'one_pager') = (startup_id IS NOT NULL)", name="subject_matches_kind"),
        sa.Index("ix_report_snapshots_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind))
    # ``startup:<id>`` or ``cohort:<id>``: one column for the unique key whatever the kind.
    subject_key: Mapped[str] = mapped_column(sa.String(40))
    startup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("startups.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    as_of: Mapped[date]
    version: Mapped[int]
    locale: Mapped[str] = mapped_column(sa.String(8))
    source: Mapped[ReportSource] = mapped_column(str_enum(ReportSource), default=ReportSource.MANUAL)
    data: Mapped[dict] = mapped_column(sa.JSON)
    sections: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # one-pagers: what the founders shared
    pdf_path: Mapped[str] = mapped_column(sa.String(255))
    pdf_bytes: Mapped[int] = mapped_column(default=0)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    logo_path: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_batches.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    startup: Mapped[Startup | None] = relationship()
    cohort: Mapped[Cohort] = relationship()
    created_by: Mapped[User | None] = relationship()
    shares: Mapped[list[ReportShare]] = relationship(back_populates="snapshot", order_by="ReportShare.id.desc()")

    @property
    def kind_label(self) -> str:
        return str(REPORT_KIND_LABELS[self.kind])

    @property
    def is_one_pager(self) -> bool:
        return self.kind == ReportKind.ONE_PAGER


class ShareKind(enum.StrEnum):
    ACCOUNT = "account"  # an investor's account: listed on their home page
    LINK = "link"  # a signed link anyone holding it may open


class ReportShare(db.Model):
    __tablename__ = "report_shares"
    __table_args__ = (
        sa.CheckConstraint("(kind = 'account') = (recipient_id IS NOT NULL)", name="recipient_matches_kind"),
        sa.CheckConstraint("view_count >= 0", name="views_not_negative"),
        sa.Index("ix_report_shares_recipient_id_expires_at", "recipient_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("report_snapshots.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ShareKind] = mapped_column(str_enum(ShareKind))
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Who the link is for, in the sharer's words ("Mekong Angels, Ms Dara"); shown in the list of shares.
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    # Part of the signed token: a revoked link cannot be revived by guessing, and ids alone open nothing.
    token_nonce: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    view_count: Mapped[int] = mapped_column(default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    snapshot: Mapped[ReportSnapshot] = relationship(back_populates="shares")
    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def available_until(self) -> datetime:
        """The last minute the share opens (it expires at midnight after the chosen day), for display."""
        return self.expires_at - timedelta(minutes=1)

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.state(now) == "active"


class ReportView(db.Model):
    """One opening of a report by someone other than its managers: who (account) or which link, when, what."""

    __tablename__ = "report_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("report_snapshots.id", ondelete="CASCADE"), index=True)
    share_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_shares.id", ondelete="CASCADE"), index=True)
    viewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(sa.String(8))  # page, pdf or csv
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    viewer: Mapped[User | None] = relationship()


class ReportBatch(db.Model):
    """One run of the monthly job: how many reports it built and which startups failed, and why."""

    __tablename__ = "report_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(sa.String(80), unique=True)  # the job's period (or manual:<time>) key
    period_key: Mapped[str] = mapped_column(sa.String(16))
    as_of: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned: Mapped[int] = mapped_column(default=0)
    built: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    # [{"subject": "startup:12", "title": "Kasekor", "error": "..."}]
    failures: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
